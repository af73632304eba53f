"""The message board (網上留言): check_* validates, the verbs change state and return the
Notices of who must be told. Services take an AsyncSession and an Actor; they never import
aiohttp or socketio (views deliver the Notices after the transaction commits).

Who sees a message: the kiosks and staff of the unit where it was left (and the units above
it), the staff of its target unit (and above), the center's lawyers for messages to the
center, and its owner. Who acts on it: staff of its target unit (and above), lawyers for the
center; once someone claims it (首問負責) only they reply, hand it over or close it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping

from sqlalchemy import ColumnElement, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account, Device
from server.accounts.permissions import Role
from server.board.models import BoardEvent, BoardMessage, BoardReply, PublicAnswer
from server.board.schemas import (EventOut, HandOverIn, HandOverTargets, ListQuery, MessageDetail, MessageIn,
                                  MessageOut, PersonRef, PublicDraft, ReplyOut, TargetsOut, UnitRef)
from server.board.state import UNANSWERED, BoardAction, BoardState
from server.consultations.rooms import Notice, account, kiosk
from server.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from server.hours.calendar import Schedule, working_days_after
from server.org.models import Unit, UnitKind
from server.privacy import mask_phone

HANDLER_ROLES = frozenset({Role.admin, Role.center_staff, Role.lawyer, Role.station_staff, Role.department_staff})
PUBLISHER_ROLES = frozenset({Role.admin, Role.center_staff})  # and only at the center
TARGET_KINDS = (UnitKind.center, UnitKind.department, UnitKind.station)
DEFAULT_REPLY_WORKING_DAYS = 2
MAX_REPLY_WORKING_DAYS = 60
BOARD_CHANGED = "board.changed"
# How far back overdue_before looks for the last day whose deadline has passed.
OVERDUE_SEARCH_DAYS = 400

# Text a public answer must not carry: ID numbers, and anything that could be dialled: seven or
# more digits in a row, spaces or hyphens allowed between them (139 1234 5678, 010-1234 5678).
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
DIGIT_RUN = re.compile(r"\d(?:[ \-]?\d)+")
DATE = re.compile(r"^\d{4}([ \-])\d{1,2}\1\d{1,2}$")  # 2026-09-30 is a date, not a phone
PHONE_MIN_DIGITS = 7
REDACTED = "***"
SOMEONE = "某某"


@dataclass(frozen=True)
class Context:
    """What every verb needs besides the session and the actor."""

    now: datetime
    schedule: Schedule
    reply_working_days: int = DEFAULT_REPLY_WORKING_DAYS
    categories: tuple[str, ...] = ()


@dataclass
class Outcome:
    message: BoardMessage
    notices: list[Notice]
    detail: str = ""  # for the audit row


def reply_working_days(env: Mapping[str, str]) -> int:
    """FAYUAN_BOARD_REPLY_DAYS: working days a message may wait for its first reply."""
    from server.config import ConfigError

    text = env.get("FAYUAN_BOARD_REPLY_DAYS", "").strip()
    if not text:
        return DEFAULT_REPLY_WORKING_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPLY_WORKING_DAYS:
        raise ConfigError("FAYUAN_BOARD_REPLY_DAYS", f"{text!r} is not a whole number of working days "
                                                     f"from 1 to {MAX_REPLY_WORKING_DAYS}")
    return int(text)


# -- deadlines: pure, so tests call them with any calendar and instant ------------------------
def due_on(schedule: Schedule, created_at: datetime, working_days: int) -> date:
    """The last day to reply: `working_days` working days after the China date it was left."""
    return working_days_after(schedule, created_at.astimezone(schedule.tz).date(), working_days)


def is_overdue(schedule: Schedule, state: str, created_at: datetime, now: datetime, working_days: int) -> bool:
    """Still unanswered after the end of its due day."""
    return (BoardState(state) in UNANSWERED
            and now.astimezone(schedule.tz).date() > due_on(schedule, created_at, working_days))


def overdue_before(schedule: Schedule, now: datetime, working_days: int) -> datetime:
    """The instant before which every unanswered message is overdue. Deadlines only move
    forward with the day a message was left, so one boundary serves a whole SQL filter."""
    today = now.astimezone(schedule.tz).date()
    day = today - timedelta(days=1)
    for _ in range(OVERDUE_SEARCH_DAYS):
        if working_days_after(schedule, day, working_days) < today:
            break
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=schedule.tz)


def china_day_start(schedule: Schedule, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=schedule.tz)


# -- personal data in public text ----------------------------------------------------------
def mask_name(name: str) -> str:
    """張三豐 → 張**: what a kiosk shows of other residents."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _names(names: Iterable[str]) -> list[str]:
    # A one-character "name" would redact every occurrence of a common character.
    return sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)


def _phone_like(text: str) -> list[tuple[int, int]]:
    spans = []
    for run in DIGIT_RUN.finditer(text):
        if sum(c.isdigit() for c in run.group()) >= PHONE_MIN_DIGITS and not DATE.match(run.group()):
            spans.append(run.span())
    return spans


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """A starting point for public text: ID numbers and phone-like numbers redacted, names replaced."""
    text = ID_NUMBER.sub(REDACTED, text)
    for start, end in reversed(_phone_like(text)):
        text = text[:start] + REDACTED + text[end:]
    for name in _names(names):
        text = text.replace(name, SOMEONE)
    return text


def check_public_text(text: str, field: str, names: Iterable[str] = ()) -> None:
    """Refuse text that still carries an ID number, a phone-like number or the resident's name."""
    if ID_NUMBER.search(text):
        raise InvalidInput("the text still contains an ID number; remove it before publishing", field=field,
                           reason="id_number")
    if _phone_like(text):
        raise InvalidInput("the text still contains a phone-like number; remove it before publishing",
                           field=field, reason="phone")
    for name in _names(names):
        if name in text:
            raise InvalidInput("the text still contains the resident's name; remove it before publishing",
                               field=field, reason="name")


# -- who sees, who acts -----------------------------------------------------------------
def visible_condition(actor: Actor) -> ColumnElement[bool]:
    if actor.kind == "device":
        return BoardMessage.unit_id == actor.unit_id
    if actor.kind != "account":
        raise PermissionDenied("log in, or use a kiosk")
    subtree = select(Unit.id).where(Unit.path.startswith(actor.unit_path))
    mine = BoardMessage.owner_account_id == actor.id
    if actor.role == Role.lawyer:
        return or_(BoardMessage.target_unit_id == actor.unit_id, mine)
    if actor.role not in HANDLER_ROLES:
        return BoardMessage.unit_id.in_(subtree)
    return or_(BoardMessage.unit_id.in_(subtree), BoardMessage.target_unit_id.in_(subtree), mine)


def _handles(actor: Actor, m: BoardMessage, target_path: str) -> bool:
    """May act on the message at all: staff of its target unit (or above), lawyers for the center."""
    if actor.kind != "account" or actor.role not in HANDLER_ROLES:
        return False
    if m.owner_account_id == actor.id:
        return True
    if actor.role == Role.lawyer:
        return m.target_unit_id == actor.unit_id
    return actor.sees_unit(target_path)


def _may_publish(actor: Actor) -> bool:
    return actor.kind == "account" and actor.role in PUBLISHER_ROLES and actor.at_center


def actions(actor: Actor, m: BoardMessage, target_path: str, published: bool) -> list[str]:
    state = BoardState(m.state)
    done: list[str] = []
    if _handles(actor, m, target_path):
        free_or_mine = m.owner_account_id is None or m.owner_account_id == actor.id
        for action in BoardAction:
            if action == BoardAction.hand_to_unit or not state.allows(action):
                continue
            if action == BoardAction.claim or free_or_mine:
                done.append("hand_over" if action == BoardAction.hand_to_person else action.value)
    if _may_publish(actor) and state in (BoardState.answered, BoardState.closed) and m.answered_at and not published:
        done.append("publish")
    if actor.kind == "account":
        done.append("read_phone")
    return done


async def _visible(session: AsyncSession, actor: Actor, message_id: int) -> BoardMessage:
    m = await session.scalar(select(BoardMessage).where(BoardMessage.id == message_id, visible_condition(actor)))
    if m is None:
        if await session.get(BoardMessage, message_id) is not None:
            raise PermissionDenied("this message is outside your part of the unit tree")
        raise NotFound(f"there is no board message {message_id}")
    return m


async def _unit(session: AsyncSession, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"there is no unit {unit_id}")
    return unit


async def _handled(session: AsyncSession, actor: Actor, message_id: int) -> BoardMessage:
    m = await _visible(session, actor, message_id)
    if not _handles(actor, m, (await _unit(session, m.target_unit_id)).path):
        raise PermissionDenied("only staff of the unit the message is for may act on it")
    return m


async def _owner_name(session: AsyncSession, m: BoardMessage) -> str:
    if m.owner_account_id is None:
        return ""
    return await session.scalar(select(Account.display_name).where(Account.id == m.owner_account_id)) or ""


async def _require_owner_or_free(session: AsyncSession, actor: Actor, m: BoardMessage, doing: str) -> None:
    """首問負責: once claimed, only the owner replies, hands over or closes."""
    if m.owner_account_id is not None and m.owner_account_id != actor.id:
        name = await _owner_name(session, m)
        raise PermissionDenied(f"{name} has claimed this message; only they may {doing} until they hand it over",
                               owner_account_id=m.owner_account_id, owner_name=name)


def _event(session: AsyncSession, m: BoardMessage, actor: Actor, now: datetime, kind: str, detail: str = "") -> None:
    session.add(BoardEvent(message_id=m.id, at=now, kind=kind, actor=actor.ref, actor_name=actor.name[:100],
                           detail=detail[:500]))


def _ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


async def _audience(session: AsyncSession, m: BoardMessage, change: str, *also: int | None) -> list[Notice]:
    """Everyone with the message on screen: the community's kiosks, staff of the units where it
    was left and where it is going (and above), lawyers for the center, the owner."""
    origin, target = await _unit(session, m.unit_id), await _unit(session, m.target_unit_id)
    units = set(_ancestors(origin.path)) | set(_ancestors(target.path))
    people = await session.execute(select(Account.id, Account.role, Account.unit_id).where(
        Account.active.is_(True), Account.unit_id.in_(units)))
    accounts = {m.owner_account_id, *also} - {None}
    for account_id, role, unit_id in people:
        if role != Role.lawyer or unit_id == m.target_unit_id:
            accounts.add(account_id)
    devices = await session.scalars(select(Device.id).where(Device.unit_id == m.unit_id, Device.revoked_at.is_(None)))
    data = {"message_id": m.id, "state": m.state, "change": change}
    return ([Notice(kiosk(d), BOARD_CHANGED, data) for d in devices]
            + [Notice(account(a), BOARD_CHANGED, data) for a in sorted(accounts)])  # type: ignore[arg-type]


# -- leaving a message --------------------------------------------------------------------
async def _center(session: AsyncSession) -> Unit:
    center = await session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    if center is None:
        raise NotFound("there is no center in the unit tree yet")
    return center


async def _own_station(session: AsyncSession, actor: Actor) -> Unit | None:
    own = await session.get(Unit, actor.unit_id)
    if own is not None and own.kind == UnitKind.community and own.parent_id is not None:
        own = await session.get(Unit, own.parent_id)
    return own if own is not None and own.kind == UnitKind.station and own.active else None


def _check_may_leave(actor: Actor) -> None:
    if actor.kind == "device":
        return
    if actor.kind == "account" and actor.role == Role.community_staff:
        return
    raise PermissionDenied("messages are left at a kiosk or by community staff")


async def _target_of(session: AsyncSession, actor: Actor, p: MessageIn) -> Unit:
    if p.target == "center":
        return await _center(session)
    if p.target == "department":
        unit = await session.get(Unit, p.department_id) if p.department_id else None
        if unit is None or unit.kind != UnitKind.department or not unit.active:
            raise InvalidInput("choose an active department liaison center", field="department_id")
        return unit
    station = await _own_station(session, actor)
    if station is None:
        raise InvalidInput("this community has no active workstation above it; choose the center", field="target")
    return station


async def leave(session: AsyncSession, actor: Actor, p: MessageIn, ctx: Context) -> Outcome:
    """A message may be left at any time, open or closed; the deadline counts working days."""
    _check_may_leave(actor)
    if ctx.categories and p.category not in ctx.categories:
        raise InvalidInput(f"unknown category {p.category!r}", field="category", allowed=list(ctx.categories))
    target = await _target_of(session, actor, p)
    m = BoardMessage(unit_id=actor.unit_id, target_unit_id=target.id, category=p.category, question=p.question,
                     contact_name=p.contact_name, contact_phone=p.contact_phone,
                     source="kiosk" if actor.kind == "device" else "staff",
                     device_id=actor.id if actor.kind == "device" else None, state=BoardState.open,
                     created_at=ctx.now, created_by=actor.ref)
    session.add(m)
    await session.flush()
    _event(session, m, actor, ctx.now, "left", f"for unit {target.id}")
    return Outcome(m, await _audience(session, m, "left"), f"for unit {target.id}")


# -- the lifecycle ------------------------------------------------------------------------
async def _take_ownership(session: AsyncSession, actor: Actor, m: BoardMessage, ctx: Context) -> None:
    """The claim is a conditional UPDATE: of two people claiming at once, the database lets one win."""
    won = await session.execute(
        update(BoardMessage).where(BoardMessage.id == m.id, BoardMessage.state == BoardState.open)
        .values(state=BoardState.claimed, owner_account_id=actor.id, claimed_at=ctx.now)
        .execution_options(synchronize_session=False))
    await session.refresh(m)
    if won.rowcount != 1:
        if m.owner_account_id is None:
            BoardState(m.state).after(BoardAction.claim)  # closed, say: the usual refusal
        name = await _owner_name(session, m)
        raise IllegalTransition(f"{name} has already claimed this message", state=m.state,
                                action=BoardAction.claim.value, owner_account_id=m.owner_account_id,
                                owner_name=name)
    _event(session, m, actor, ctx.now, "claimed")


async def claim(session: AsyncSession, actor: Actor, message_id: int, ctx: Context) -> Outcome:
    m = await _handled(session, actor, message_id)
    await _take_ownership(session, actor, m, ctx)
    return Outcome(m, await _audience(session, m, "claimed"))


async def reply(session: AsyncSession, actor: Actor, message_id: int, body: str, ctx: Context) -> Outcome:
    """The owner replies, once or more; replying to an unclaimed message claims it first."""
    m = await _handled(session, actor, message_id)
    if m.state == BoardState.open:
        await _take_ownership(session, actor, m, ctx)
    else:
        BoardState(m.state).after(BoardAction.reply)
        await _require_owner_or_free(session, actor, m, "reply")
    m.state = BoardState(m.state).after(BoardAction.reply)
    m.answered_at = m.answered_at or ctx.now
    reply_row = BoardReply(message_id=m.id, account_id=actor.id, author_name=actor.name[:100], unit_id=actor.unit_id,
                           body=body, created_at=ctx.now)
    session.add(reply_row)
    await session.flush()
    _event(session, m, actor, ctx.now, "replied", f"reply {reply_row.id}")
    return Outcome(m, await _audience(session, m, "replied"), f"reply {reply_row.id}")


async def hand_over(session: AsyncSession, actor: Actor, message_id: int, p: HandOverIn, ctx: Context) -> Outcome:
    """Ownership moves, and is recorded: to a person (who owns it, claimed) or to a unit (open there)."""
    m = await _handled(session, actor, message_id)
    await _require_owner_or_free(session, actor, m, "hand it over")
    previous_owner, previous_unit = m.owner_account_id, m.target_unit_id
    if p.to_account_id is not None:
        m.state = BoardState(m.state).after(BoardAction.hand_to_person)
        person = await session.get(Account, p.to_account_id)
        if person is None or not person.active or person.role not in HANDLER_ROLES:
            raise InvalidInput("hand over to an active member of staff or lawyer who answers messages",
                               field="to_account_id")
        if person.id == actor.id and previous_owner == actor.id:
            raise InvalidInput("you already own this message", field="to_account_id")
        unit = await _unit(session, person.unit_id)
        if not unit.active or unit.kind not in TARGET_KINDS:
            raise InvalidInput("that person's unit does not answer messages", field="to_account_id")
        m.owner_account_id, m.claimed_at = person.id, ctx.now
        detail = f"to {person.display_name} (account {person.id}) of unit {unit.id}"
    else:
        m.state = BoardState(m.state).after(BoardAction.hand_to_unit)
        unit = await _unit(session, p.to_unit_id)  # type: ignore[arg-type]
        if not unit.active or unit.kind not in TARGET_KINDS:
            raise InvalidInput("hand over to the center, a department or a workstation", field="to_unit_id")
        m.owner_account_id, m.claimed_at = None, None
        detail = f"to unit {unit.name} ({unit.id})"
    m.target_unit_id = unit.id
    if p.note:
        detail += f": {p.note}"
    detail = f"from unit {previous_unit}" + (f", account {previous_owner}" if previous_owner else "") + f", {detail}"
    _event(session, m, actor, ctx.now, "handed_over", detail)
    await session.flush()
    return Outcome(m, await _audience(session, m, "handed_over", previous_owner), detail)


async def close(session: AsyncSession, actor: Actor, message_id: int, note: str, ctx: Context) -> Outcome:
    m = await _handled(session, actor, message_id)
    await _require_owner_or_free(session, actor, m, "close it")
    m.state = BoardState(m.state).after(BoardAction.close)
    m.closed_at = ctx.now
    _event(session, m, actor, ctx.now, "closed", note)
    return Outcome(m, await _audience(session, m, "closed"), note)


async def read_phone(session: AsyncSession, actor: Actor, message_id: int) -> str:
    """The full number, for staff who call the resident back; the view audits every read."""
    if actor.kind != "account":
        raise PermissionDenied("only staff may read a full phone number")
    return (await _visible(session, actor, message_id)).contact_phone


# -- public Q&A ---------------------------------------------------------------------------
async def _replies(session: AsyncSession, message_ids: list[int]) -> dict[int, list[BoardReply]]:
    found: dict[int, list[BoardReply]] = {i: [] for i in message_ids}
    if message_ids:
        for r in await session.scalars(select(BoardReply).where(BoardReply.message_id.in_(message_ids))
                                       .order_by(BoardReply.id)):
            found[r.message_id].append(r)
    return found


def draft(m: BoardMessage, replies: list[BoardReply]) -> PublicDraft:
    names = [m.contact_name]
    return PublicDraft(question=anonymise(m.question, names),
                       answer=anonymise("\n\n".join(r.body for r in replies), names))


async def publish(session: AsyncSession, actor: Actor, message_id: int, question: str, answer: str,
                  ctx: Context) -> tuple[PublicAnswer, Outcome]:
    if not _may_publish(actor):
        raise PermissionDenied("only the center's staff publish answers")
    m = await _visible(session, actor, message_id)
    if m.answered_at is None or m.state not in (BoardState.answered, BoardState.closed):
        raise IllegalTransition(f"a {m.state} message has no answer to publish", state=m.state, action="publish")
    if await session.scalar(select(PublicAnswer.id).where(PublicAnswer.message_id == m.id)) is not None:
        raise Conflict("this message is already published")
    check_public_text(question, "question", [m.contact_name])
    check_public_text(answer, "answer", [m.contact_name])
    entry = PublicAnswer(message_id=m.id, category=m.category, question=question, answer=answer,
                         published_at=ctx.now, published_by=actor.id)
    session.add(entry)
    await session.flush()
    _event(session, m, actor, ctx.now, "published", f"public answer {entry.id}")
    return entry, Outcome(m, await _audience(session, m, "published"), f"public answer {entry.id}")


async def public_page(session: AsyncSession, *, category: str | None, offset: int,
                      limit: int) -> tuple[int, list[PublicAnswer]]:
    query = select(PublicAnswer)
    if category:
        query = query.where(PublicAnswer.category == category)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(PublicAnswer.published_at.desc(), PublicAnswer.id.desc())
                                 .offset(offset).limit(limit))
    return int(total or 0), list(rows)


# -- reading ------------------------------------------------------------------------------
async def _filters(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> list[ColumnElement[bool]]:
    where = [visible_condition(actor)]
    if q.state is not None:
        where.append(BoardMessage.state == q.state)
    if q.unanswered or q.overdue:
        where.append(BoardMessage.state.in_(UNANSWERED))
    if q.overdue:
        where.append(BoardMessage.created_at < overdue_before(ctx.schedule, ctx.now, ctx.reply_working_days))
    if q.mine:
        where.append(BoardMessage.owner_account_id == actor.id if actor.kind == "account" else false())
    if q.category:
        where.append(BoardMessage.category == q.category)
    if q.unit_id is not None:
        path = await session.scalar(select(Unit.path).where(Unit.id == q.unit_id))
        if path is None:
            where.append(false())
        else:
            below = select(Unit.id).where(Unit.path.startswith(path))
            where.append(or_(BoardMessage.unit_id.in_(below), BoardMessage.target_unit_id.in_(below)))
    if q.from_:
        where.append(BoardMessage.created_at >= china_day_start(ctx.schedule, q.from_))
    if q.to:
        where.append(BoardMessage.created_at < china_day_start(ctx.schedule, q.to + timedelta(days=1)))
    if q.q:
        where.append(or_(BoardMessage.question.icontains(q.q, autoescape=True),
                         BoardMessage.contact_name.icontains(q.q, autoescape=True)))
    return where


async def page(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> tuple[int, list[MessageOut]]:
    where = await _filters(session, actor, q, ctx)
    total = await session.scalar(select(func.count()).select_from(BoardMessage).where(*where))
    rows = list(await session.scalars(select(BoardMessage).where(*where)
                                      .order_by(BoardMessage.created_at.desc(), BoardMessage.id.desc())
                                      .offset(q.offset).limit(q.limit)))
    return int(total or 0), await describe(session, actor, rows, ctx)


async def describe(session: AsyncSession, actor: Actor, messages: list[BoardMessage],
                   ctx: Context) -> list[MessageOut]:
    """Messages as the asker sees them: phones masked, names masked for kiosks, their actions."""
    ids = [m.id for m in messages]
    unit_ids = {m.unit_id for m in messages} | {m.target_unit_id for m in messages}
    units = {u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if ids else {}
    owners = {m.owner_account_id for m in messages} - {None}
    names = dict((await session.execute(select(Account.id, Account.display_name)
                                        .where(Account.id.in_(owners)))).all()) if owners else {}
    replies = await _replies(session, ids)
    reply_units = {r.unit_id for rs in replies.values() for r in rs} - set(units)
    if reply_units:
        units.update({u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(reply_units)))})
    published = set(await session.scalars(select(PublicAnswer.message_id).where(PublicAnswer.message_id.in_(ids))))
    out = []
    for m in messages:
        unit, target = units[m.unit_id], units[m.target_unit_id]
        out.append(MessageOut(
            id=m.id, state=BoardState(m.state), category=m.category, question=m.question,
            contact_name=mask_name(m.contact_name) if actor.kind == "device" else m.contact_name,
            contact_phone_masked=mask_phone(m.contact_phone), source=m.source,
            unit=UnitRef(id=unit.id, name=unit.name, kind=unit.kind),
            target_unit=UnitRef(id=target.id, name=target.name, kind=target.kind),
            owner_account_id=m.owner_account_id, owner_name=names.get(m.owner_account_id, ""),
            created_at=m.created_at, due_on=due_on(ctx.schedule, m.created_at, ctx.reply_working_days),
            overdue=is_overdue(ctx.schedule, m.state, m.created_at, ctx.now, ctx.reply_working_days),
            answered_at=m.answered_at, closed_at=m.closed_at, consultation_id=m.consultation_id,
            published=m.id in published,
            replies=[ReplyOut(id=r.id, author_name=r.author_name, unit_name=units[r.unit_id].name, body=r.body,
                              created_at=r.created_at) for r in replies[m.id]],
            actions=actions(actor, m, target.path, m.id in published)))
    return out


async def detail(session: AsyncSession, actor: Actor, message_id: int, ctx: Context) -> MessageDetail:
    m = await _visible(session, actor, message_id)
    row = (await describe(session, actor, [m], ctx))[0]
    events = []
    if actor.kind == "account":  # the history names staff and hand-overs: not for the kiosk screen
        events = [EventOut(at=e.at, kind=e.kind, actor_name=e.actor_name, detail=e.detail)
                  for e in await session.scalars(select(BoardEvent).where(BoardEvent.message_id == m.id)
                                                 .order_by(BoardEvent.id))]
    public_draft = None
    if "publish" in row.actions:
        public_draft = draft(m, (await _replies(session, [m.id]))[m.id])
    return MessageDetail(**row.model_dump(), events=events, public_draft=public_draft)


async def targets(session: AsyncSession, actor: Actor, categories: tuple[str, ...]) -> TargetsOut:
    """Where the asker may leave a message."""
    _check_may_leave(actor)
    station = await _own_station(session, actor)
    center = await _center(session)
    departments = await session.scalars(select(Unit).where(Unit.kind == UnitKind.department,
                                                           Unit.active.is_(True)).order_by(Unit.name))
    ref = lambda u: UnitRef(id=u.id, name=u.name, kind=u.kind)  # noqa: E731
    return TargetsOut(station=ref(station) if station else None, departments=[ref(u) for u in departments],
                      center=ref(center), categories=list(categories))


async def hand_over_targets(session: AsyncSession, actor: Actor) -> HandOverTargets:
    """Every unit that answers messages and every person in them: a hand-over may cross the tree."""
    if actor.kind != "account" or actor.role not in HANDLER_ROLES:
        raise PermissionDenied("only staff who answer messages hand them over")
    units = list(await session.scalars(select(Unit).where(Unit.kind.in_(TARGET_KINDS), Unit.active.is_(True))
                                       .order_by(Unit.path)))
    by_id = {u.id: u for u in units}
    people = await session.scalars(select(Account).where(Account.active.is_(True), Account.role.in_(HANDLER_ROLES),
                                                         Account.unit_id.in_(by_id)).order_by(Account.display_name))
    return HandOverTargets(
        units=[UnitRef(id=u.id, name=u.name, kind=u.kind) for u in units],
        people=[PersonRef(id=p.id, name=p.display_name, role=p.role, unit_id=p.unit_id,
                          unit_name=by_id[p.unit_id].name) for p in people])
