"""Consultations: check_* validates, the verbs change state and return the Notices of who
must be told. Services take an AsyncSession and an Actor; they never import aiohttp/socketio."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Collection
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Update, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.instrumentation import manager_of_class

from server.accounts.actor import SYSTEM, Actor
from server.accounts.models import Account, LawyerProfile
from server.accounts.passwords import new_token, token_digest
from server.accounts.permissions import Role
from server.audit import service as audit
from server import notify
from server.consultations import queue
from server.consultations.models import Consultation, ConsultationEvent, LawyerStatus
from server.consultations.rules import Rules
from server.consultations.state import ConsultationState as S
from server.db import UTCDateTime, execute_built, execute_soon, rows_changed, table_of, whole_seconds_between
from server.errors import Conflict, FayuanError, InvalidInput, NotFound, PermissionDenied, ServiceClosed
from server.hours.calendar import Schedule, closes_at, is_open, next_open
from server.org.models import Unit, UnitKind
from signaling import events, payloads

ACTIVE = (S.queued, S.live)
# The kiosk rates on the screen right after the call (it goes home after 90 s untouched); past
# this the kiosk may hold the next resident, who has no business with the last one's call.
RATING_WINDOW = timedelta(minutes=10)


@dataclass
class Outcome:
    consultation: Consultation
    notices: list[notify.Push]
    resume_token: str | None = None


@dataclass(frozen=True)
class Context:
    """What every verb needs besides the session and the actor."""

    now: datetime
    tz: ZoneInfo
    schedule: Schedule
    rules: Rules


def public(c: Consultation) -> dict:
    """The consultation as its participants see it."""
    return {
        "id": c.id, "state": c.state, "category": c.category, "unit_id": c.unit_id,
        "target_unit_id": c.target_unit_id, "chosen_lawyer_id": c.chosen_lawyer_id,
        "taker_account_id": c.taker_account_id, "queued_at": c.queued_at.isoformat(),
        "taken_at": c.taken_at.isoformat() if c.taken_at else None,
        "ended_at": c.ended_at.isoformat() if c.ended_at else None,
        "ended_by": c.ended_by, "end_reason": c.end_reason, "wait_seconds": c.wait_seconds,
        "talk_seconds": c.talk_seconds, "rating": c.rating,
    }


async def add_event(session: AsyncSession, c: Consultation, ctx: "Context", kind: str, actor: Actor,
                    detail: str = "") -> None:
    """A step in the consultation's record, audited in the same transaction as the change: two
    INSERTs, with no ORM object in between (on the hot paths the unit of work's flush of two
    objects cost more than the statements), in a group commit with its other pieces'."""
    await execute_soon(session, _INSERT_EVENT, {"consultation_id": c.id, "at": ctx.now, "kind": kind, "actor": actor.ref,
                                                "detail": detail[:500]})
    await audit.write(session, at=ctx.now, actor=actor, action=f"consultation.{kind}", object=f"consultation:{c.id}",
                      detail=detail)


_INSERT_EVENT = insert(table_of(ConsultationEvent))


_CONSULTATIONS = table_of(Consultation)
_INSERT_CONSULTATION = insert(_CONSULTATIONS).returning(*_CONSULTATIONS.c)


_MANAGER = manager_of_class(Consultation)


def written(row: Row[Any]) -> Consultation:
    """The row an INSERT or UPDATE … RETURNING wrote, as a Consultation outside the session:
    a copy to read (its verb changes nothing more through it). Its values go straight into the
    new instance's dict: through the constructor, each attribute set is an instrumented event,
    some 110 µs a consultation against 6."""
    c = _MANAGER.new_instance()
    c.__dict__.update(row._mapping)
    return c


async def get(session: AsyncSession, consultation_id: int, *, fresh: bool = False) -> Consultation:
    """The consultation; `fresh` reads the row again even if the session holds a copy (after an
    UPDATE statement, which does not touch copies in the session)."""
    c = await session.get(Consultation, consultation_id, populate_existing=fresh)
    if c is None:
        raise NotFound(f"there is no consultation {consultation_id}")
    return c


def _require_kiosk_of(actor: Actor, c: Consultation) -> None:
    if actor.kind != "device" or actor.id != c.device_id:
        raise PermissionDenied("only the kiosk that started this consultation may do that")


def _require_taker_of(actor: Actor, c: Consultation) -> None:
    if actor.kind != "account" or actor.id != c.taker_account_id:
        raise PermissionDenied("only the lawyer or staff member who took this consultation may do that")


def check_open(ctx: Context) -> None:
    if not is_open(ctx.schedule, ctx.now):
        upcoming = next_open(ctx.schedule, ctx.now)
        raise ServiceClosed("online consultations are closed now; leave a message on the board",
                            next_open=upcoming.isoformat() if upcoming else None, reason="outside_hours")


async def _target(session: AsyncSession, actor: Actor, p: payloads.ConsultStart) -> int:
    if p.lawyer_id is not None or p.target == "center":
        return await queue.center_id(session)
    if p.target == "department":
        unit = await session.get(Unit, p.department_id) if p.department_id else None
        if unit is None or unit.kind != UnitKind.department or not unit.active:
            raise InvalidInput("choose an active department liaison center", field="department_id")
        return unit.id
    own = await session.get(Unit, actor.unit_id)
    station = own if own and own.kind == UnitKind.station else await session.get(Unit, own.parent_id) if own else None
    if station is None or station.kind != UnitKind.station or not station.active:
        raise InvalidInput("this kiosk's community has no active workstation above it", field="target")
    return station.id


_ACTIVE_OF_KIOSK = select(Consultation.id).where(Consultation.device_id == bindparam("device"),
                                                 Consultation.state.in_(ACTIVE))


async def start(session: AsyncSession, actor: Actor, p: payloads.ConsultStart, ctx: Context) -> Outcome:
    if actor.kind != "device":
        raise PermissionDenied("consultations are started from a kiosk")
    if p.category not in ctx.rules.categories:
        raise InvalidInput(f"unknown category {p.category!r}", field="category", allowed=list(ctx.rules.categories))
    check_open(ctx)
    busy = (await execute_built(session, _ACTIVE_OF_KIOSK, {"device": actor.id})).scalar()
    if busy is not None:
        raise Conflict("this kiosk already has a consultation in progress", consultation_id=busy)
    if p.lawyer_id is not None:
        lawyer = await session.get(LawyerProfile, p.lawyer_id)
        if lawyer is None or not lawyer.listed:
            raise InvalidInput("that lawyer is not in the directory", field="lawyer_id")
    target = await _target(session, actor, p)
    closing = closes_at(ctx.schedule, ctx.now)
    if closing is not None and closing - ctx.now <= ctx.rules.closing_cutoff:
        position = len(await queue.waiting(session, target)) + 1
        center = await queue.center_id(session)
        takers = await queue.takers_for(session, target, center, ctx.now, ctx.tz)
        wait = queue.estimate_wait_seconds(position, takers, await queue.average_service_seconds(
            session, target, ctx.rules))
        if (closing - ctx.now).total_seconds() <= wait or takers == 0:
            upcoming = next_open(ctx.schedule, ctx.now)
            raise ServiceClosed("the service closes before your turn could come; leave a message on the board",
                                next_open=upcoming.isoformat() if upcoming else None, reason="closing_soon",
                                estimated_wait_seconds=wait)
    token = new_token()
    c = written((await execute_built(session, _INSERT_CONSULTATION, {
        "device_id": actor.id, "unit_id": actor.unit_id, "category": p.category, "target_unit_id": target,
        "chosen_lawyer_id": p.lawyer_id, "state": S.queued, "queued_at": ctx.now, "resident_text": p.text,
        "contact_name": p.contact_name, "contact_phone": p.contact_phone, "kiosk_resume": token_digest(token)})).one())
    await add_event(session, c, ctx, "queued", actor, f"{p.category}, target unit {target}")
    notices: list[notify.Push] = [notify.QueueChanged(target)]
    return Outcome(c, notices, token)


async def cancel(session: AsyncSession, actor: Actor, consultation_id: int, ctx: Context,
                 reason: str = "cancelled") -> Outcome:
    c = await get(session, consultation_id)
    _require_kiosk_of(actor, c)
    S(c.state).check(S.cancelled)
    c.state, c.ended_at, c.ended_by, c.end_reason = S.cancelled, ctx.now, actor.ref, reason
    await add_event(session, c, ctx, "cancelled", actor, reason)
    await session.flush()
    return Outcome(c, [notify.QueueChanged(c.target_unit_id)])


# queue.take's statements, built once (see queue.py): the take itself for each kind of taker,
# named or the next in line, and the diagnosis when it took nothing
_LIVE_OF_TAKER = (select(func.count()).select_from(Consultation)
                  .where(Consultation.taker_account_id == bindparam("taker"), Consultation.state == S.live)
                  .correlate(None).scalar_subquery())
_NOW = bindparam("now", type_=UTCDateTime())


def _taking(takeable: ColumnElement[bool], *, named: bool) -> Update:
    if named:
        which = and_(Consultation.id == bindparam("consultation_id"), takeable)
    else:
        first = (select(Consultation.id).where(Consultation.state == S.queued, takeable)
                 .order_by(Consultation.queued_at, Consultation.id).limit(1)
                 # PostgreSQL: past the rows other takes hold; SQLite, one writer at a time, renders nothing
                 .with_for_update(skip_locked=True))
        which = Consultation.id == first.correlate(None).scalar_subquery()
    return (update(_CONSULTATIONS)
            .where(which, Consultation.state == S.queued, _LIVE_OF_TAKER < bindparam("max_live"))
            .values(state=S.live, taker_account_id=bindparam("taker"), taken_at=_NOW, taker_resume=bindparam("resume"),
                    window_closes_at=bindparam("closes", type_=UTCDateTime()), warned_minutes=None,
                    wait_seconds=whole_seconds_between(_NOW, Consultation.queued_at))
            .returning(*_CONSULTATIONS.c))


_TAKE = {(taker, named): _taking(condition, named=named)
         for taker, condition in queue.TAKES.items() for named in (False, True)}
_LOCK_TAKER = select(Account.id).where(Account.id == bindparam("taker")).with_for_update()
LOCKED_TAKERS = "locked_takers"  # session.info's key: (the transaction, the takers it holds locked)
_LIVE_COUNT = select(_LIVE_OF_TAKER)


async def take(session: AsyncSession, actor: Actor, consultation_id: int | None, ctx: Context) -> Outcome:
    """Exactly one taker wins: one conditional UPDATE … RETURNING picks the first consultation
    in queue order that this actor may take (or the one named) and takes it, and the database
    applies it to one transaction only, however many processes race for it. On PostgreSQL the
    pick skips the rows other takes are taking (FOR UPDATE SKIP LOCKED), so concurrent takes of
    the next in line take the ones after it instead of waiting to lose; SQLite writes one
    transaction at a time, and that UPDATE is the transaction's first write. Only when nothing
    was taken do more statements find out why."""
    takeable = await queue.takeable(session, actor, ctx.now, ctx.tz)
    if takeable is None:
        raise PermissionDenied("you are not on duty for any queue you could take from")
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # one taker's takes wait for each other here, so that the count of their live
        # consultations in the UPDATE is never read stale (SQLite: the UPDATE holds the write lock)
        await _lock_taker(session, actor.known_id)
    token = new_token()
    row = (await execute_built(session, _TAKE[takeable.taker, consultation_id is not None], {
        **takeable.params, "taker": actor.id, "consultation_id": consultation_id, "now": ctx.now,
        "max_live": ctx.rules.max_live_per_taker, "resume": token_digest(token),
        "closes": closes_at(ctx.schedule, ctx.now) or ctx.now})).one_or_none()
    if row is None:
        raise await _not_taken(session, actor, consultation_id, ctx, takeable)
    c = written(row)
    await add_event(session, c, ctx, "taken", actor)
    notices: list[notify.Push] = [notify.Notice(notify.kiosk(c.device_id), events.CONSULT_TAKEN,
                            {"consultation_id": c.id, "room": notify.consultation(c.id), "role": "kiosk",
                             "peer_name": actor.name})]
    notices.append(notify.QueueChanged(c.target_unit_id))
    return Outcome(c, notices, token)


async def _lock_taker(session: AsyncSession, taker: int) -> None:
    """The taker's row, locked once a transaction: a group commit shares one among takes."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get(LOCKED_TAKERS)
    if held is None or held[0] is not transaction:
        held = session.info[LOCKED_TAKERS] = (transaction, set[int]())
    if taker not in held[1]:
        await execute_built(session, _LOCK_TAKER, {"taker": taker})
        held[1].add(taker)


async def _not_taken(session: AsyncSession, actor: Actor, consultation_id: int | None, ctx: Context,
                     takeable: queue.Takeable) -> FayuanError:
    """Why take took nothing, in the order the checks always had."""
    if not await queue.takes_from_a_queue(session, actor, ctx.now, ctx.tz):
        return PermissionDenied("you are not on duty for any queue you could take from")
    if (await session.scalar(_LIVE_COUNT, {"taker": actor.id}) or 0) >= ctx.rules.max_live_per_taker:
        return Conflict("finish your current consultation first", reason="busy")  # another tab of this taker's
    taken = Conflict("someone else has already taken this consultation", reason="taken")
    if consultation_id is not None:
        c = await session.get(Consultation, consultation_id)
        if c is None:
            return NotFound(f"there is no consultation {consultation_id}")
        return taken if c.state != S.queued else PermissionDenied("you may not take this consultation")
    # what still waits is being taken by others (PostgreSQL skipped their rows)
    waiting = await session.scalar(select(Consultation.id).where(Consultation.state == S.queued, takeable.condition)
                                   .limit(1), takeable.params)
    return taken if waiting is not None else NotFound("nobody is waiting in your queues")


async def end(session: AsyncSession, c: Consultation, ctx: Context, *, by: Actor, reason: str) -> list[notify.Push]:
    """End a live consultation once: a second hang-up, or another process's sweep, gets Conflict."""
    S(c.state).check(S.ended)
    won = await session.execute(update(Consultation).where(Consultation.id == c.id, Consultation.state == S.live)
                                .values(state=S.ended).execution_options(synchronize_session=False))
    if rows_changed(won) != 1:
        raise Conflict("this consultation has already ended")
    c.state, c.ended_at, c.ended_by, c.end_reason = S.ended, ctx.now, by.ref, reason
    if c.taken_at is not None:
        c.talk_seconds = int((ctx.now - c.taken_at).total_seconds())
    await add_event(session, c, ctx, "ended", by, reason)
    return [notify.Notice(notify.consultation(c.id), events.CONSULT_ENDED,
                         {"consultation_id": c.id, "ended_by": by.ref, "reason": reason})]


async def hangup(session: AsyncSession, actor: Actor, consultation_id: int, ctx: Context) -> Outcome:
    c = await get(session, consultation_id)
    if not (actor.kind == "device" and actor.id == c.device_id) and not (
            actor.kind == "account" and actor.id == c.taker_account_id):
        raise PermissionDenied("only the participants may end a consultation")
    if c.state == S.queued:
        return await cancel(session, actor, consultation_id, ctx)
    notices = await end(session, c, ctx, by=actor, reason="hangup")
    return Outcome(c, notices)


async def rate(session: AsyncSession, actor: Actor, p: payloads.Rate, ctx: Context) -> Outcome:
    """The kiosk's rating right after the end; its taker is told, to read it with the record."""
    c = await get(session, p.consultation_id)
    _require_kiosk_of(actor, c)
    if c.state != S.ended:
        raise Conflict("a consultation is rated after it has ended", state=c.state)
    if c.ended_at is not None and ctx.now - c.ended_at > RATING_WINDOW:
        raise Conflict("a consultation is rated on the kiosk's screen right after it, not later",
                       rating_window_seconds=int(RATING_WINDOW.total_seconds()))
    if c.rating is not None:
        raise Conflict("this consultation has already been rated")
    c.rating, c.rating_comment = p.rating, p.comment.strip()
    await add_event(session, c, ctx, "rated", actor, str(p.rating))
    told: list[notify.Push] = [] if c.taker_account_id is None else [
        notify.Notice(notify.account(c.taker_account_id), events.CONSULT_RATED, {"consultation_id": c.id})]
    return Outcome(c, told)


async def note(session: AsyncSession, actor: Actor, p: payloads.Note, ctx: Context) -> Outcome:
    c = await get(session, p.consultation_id)
    _require_taker_of(actor, c)
    c.note, c.advice = p.note, p.advice
    await add_event(session, c, ctx, "noted", actor)
    return Outcome(c, [])


async def transfer(session: AsyncSession, actor: Actor, p: payloads.Transfer, ctx: Context) -> Outcome:
    """Back into a queue with its record: to a chosen lawyer (center queue) or another unit."""
    c = await get(session, p.consultation_id)
    _require_taker_of(actor, c)
    S(c.state).check(S.queued)
    if (p.lawyer_id is None) == (p.unit_id is None):
        raise InvalidInput("transfer to either a lawyer or a unit", field="lawyer_id")
    if p.lawyer_id is not None:
        if await session.get(LawyerProfile, p.lawyer_id) is None:
            raise InvalidInput("that lawyer is not in the directory", field="lawyer_id")
        target, chosen = await queue.center_id(session), p.lawyer_id
    else:
        unit = await session.get(Unit, p.unit_id)
        if unit is None or not unit.active or unit.kind == UnitKind.community:
            raise InvalidInput("transfer to the center, a department or a workstation", field="unit_id")
        target, chosen = unit.id, None
    old_room, old_taker = notify.consultation(c.id), c.taker_account_id
    c.state, c.target_unit_id, c.chosen_lawyer_id = S.queued, target, chosen
    c.taker_account_id, c.taken_at, c.taker_resume, c.choice_offered_at = None, None, "", None
    await add_event(session, c, ctx, "transferred", actor, f"to {'lawyer ' + str(chosen) if chosen else 'unit ' + str(target)}: {p.reason}")
    await session.flush()
    notices: list[notify.Push] = [notify.Notice(old_room, events.CONSULT_ENDED,
                            {"consultation_id": c.id, "ended_by": actor.ref, "reason": "transferred",
                             "taker_account_id": old_taker})]
    notices.append(notify.QueueChanged(target))
    return Outcome(c, notices)


async def choose_any_lawyer(session: AsyncSession, actor: Actor, consultation_id: int, ctx: Context) -> Outcome:
    c = await get(session, consultation_id)
    _require_kiosk_of(actor, c)
    if c.state != S.queued:
        raise Conflict("only a waiting consultation can change lawyer", state=c.state)
    c.chosen_lawyer_id = None
    await add_event(session, c, ctx, "any_lawyer", actor)
    await session.flush()
    return Outcome(c, [notify.QueueChanged(c.target_unit_id)])


async def keep_waiting(session: AsyncSession, actor: Actor, consultation_id: int, ctx: Context) -> Outcome:
    c = await get(session, consultation_id)
    _require_kiosk_of(actor, c)
    if c.state != S.queued:
        raise Conflict("only a waiting consultation can keep waiting", state=c.state)
    c.choice_offered_at = ctx.now  # ask again after another full wait
    await add_event(session, c, ctx, "keep_waiting", actor)
    return Outcome(c, [])


async def set_available(session: AsyncSession, actor: Actor, available: bool,
                        ctx: Context) -> tuple[bool, list[notify.Push]]:
    if actor.kind != "account" or actor.role != Role.lawyer:
        raise PermissionDenied("only lawyers mark themselves available or away")
    # said from a connected socket, so the lawyer is present now
    values = {"available": available, "updated_at": ctx.now, "seen_at": ctx.now}
    changed = await session.execute(update(LawyerStatus).where(LawyerStatus.account_id == actor.id).values(**values))
    if rows_changed(changed) == 0:
        try:  # the first time: two tabs may say it at once, and one insert wins
            async with session.begin_nested():
                session.add(LawyerStatus(account_id=actor.id, **values))
        except IntegrityError:
            await session.execute(update(LawyerStatus).where(LawyerStatus.account_id == actor.id).values(**values))
    on_duty = await queue.is_on_duty(session, actor.id, ctx.now, ctx.tz)
    center = await queue.center_id(session)
    return on_duty, [notify.QueueChanged(center)]


async def lawyers_connected(session: AsyncSession, account_ids: Collection[int], now: datetime) -> None:
    """These lawyers hold a connection to this server process now (renewed every few seconds
    by each process for its own connections; see jobs.end_duty_of_the_gone)."""
    if account_ids:
        await session.execute(update(LawyerStatus).where(LawyerStatus.account_id.in_(sorted(account_ids)))
                              .values(seen_at=now).execution_options(synchronize_session=False))


async def active_for(session: AsyncSession, actor: Actor) -> list[Consultation]:
    """The queued or live consultations this kiosk or taker takes part in."""
    if actor.kind == "device":
        cond = Consultation.device_id == actor.id
    elif actor.kind == "account":
        cond = Consultation.taker_account_id == actor.id
    else:
        return []
    return list(await session.scalars(select(Consultation).where(cond, Consultation.state.in_(ACTIVE))))


async def went_away(session: AsyncSession, actor: Actor, ctx: Context, *,
                    still_in: Collection[int] = frozenset()) -> list[notify.Push]:
    """A connection dropped: in each queued or live consultation whose room no other live
    connection of this kiosk or person is in (`still_in`: presence/service.py), keep the place
    for the reconnect grace and tell the other side."""
    notices: list[notify.Push] = []
    for c in await active_for(session, actor):
        if c.id not in still_in:
            notices += await _mark_away(session, c, actor.ref, ctx, actor)
    return notices


async def side_gone(session: AsyncSession, consultation_id: int, ref: str, ctx: Context) -> list[notify.Push]:
    """The process holding this side's connection died (presence/service.py claim_dead)."""
    c = await session.get(Consultation, consultation_id)
    if c is None or c.state not in ACTIVE:
        return []
    return await _mark_away(session, c, ref, ctx, SYSTEM)


async def _mark_away(session: AsyncSession, c: Consultation, ref: str, ctx: Context, by: Actor) -> list[notify.Push]:
    if ref == f"device:{c.device_id}":
        c.kiosk_away_since = c.kiosk_away_since or ctx.now
    elif c.taker_account_id is not None and ref == f"account:{c.taker_account_id}":
        c.taker_away_since = c.taker_away_since or ctx.now
    else:
        return []  # not a side of it (any more: a transferred taker)
    await add_event(session, c, ctx, "away", by, ref if by is SYSTEM else "")
    if c.state != S.live:
        return []
    away = {"consultation_id": c.id, "who": ref, "grace_seconds": int(ctx.rules.reconnect_grace.total_seconds())}
    return [notify.Notice(room, events.PEER_AWAY, away) for room in _call_rooms(c.id)]


def _call_rooms(consultation_id: int) -> tuple[str, str]:
    """Who hears of a side going away and coming back: the other side, and the call's guests."""
    return notify.consultation(consultation_id), notify.call_guests(consultation_id)


async def resume(session: AsyncSession, actor: Actor, token: str, ctx: Context) -> Outcome:
    digest = token_digest(token)
    c = await session.scalar(select(Consultation).where(
        (Consultation.kiosk_resume == digest) | (Consultation.taker_resume == digest)))
    if c is None or c.state not in ACTIVE:
        raise NotFound("nothing to resume: the consultation has ended or the token is unknown")
    if c.kiosk_resume == digest:
        _require_kiosk_of(actor, c)
        c.kiosk_away_since = None
    else:
        _require_taker_of(actor, c)
        c.taker_away_since = None
    await add_event(session, c, ctx, "back", actor)
    notices: list[notify.Push] = []
    if c.state == S.live:
        notices += [notify.Notice(room, events.PEER_BACK, {"consultation_id": c.id, "who": actor.ref})
                    for room in _call_rooms(c.id)]
    else:
        await session.flush()
        notices.append(notify.QueueChanged(c.target_unit_id))
    return Outcome(c, notices)


async def peer_name(session: AsyncSession, c: Consultation, for_kiosk: bool) -> str:
    if for_kiosk:
        account = await session.get(Account, c.taker_account_id) if c.taker_account_id else None
        return account.display_name if account else ""
    unit = await session.get(Unit, c.unit_id)
    return unit.name if unit else ""
