"""The message board (網上留言): check_* validates, the verbs change state and return the
Notices of who must be told. Services take an AsyncSession and an Actor; they never import
aiohttp or socketio (views deliver the Notices after the transaction commits).

Who sees a message: the kiosks and staff of the unit where it was left (and the units above
it), the staff of its target unit (and above), the center's lawyers for messages to the
center, and its owner. Who acts on it: staff of its target unit (and above), lawyers for the
center; once someone claims it (首問負責) only they reply, hand it over or close it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import SYSTEM, Actor
from server.accounts.models import Account
from server.board import receipts
from server.board.access import HANDLER_ROLES, get_unit, handled, owner_name, require_owner_or_free, visible
from server.board.audience import add_event, audience
from server.board.context import Context, Outcome
from server.board.models import BoardMessage, BoardReply
from server.board.schemas import HandOverIn, MessageIn
from server.board.state import BoardAction, BoardState
from server.board.targets import TARGET_KINDS, check_may_leave, target_of
from server.db import rows_changed
from server.errors import IllegalTransition, InvalidInput, PermissionDenied


async def leave(session: AsyncSession, actor: Actor, p: MessageIn, ctx: Context) -> Outcome:
    """A message may be left at any time, open or closed; the deadline counts working days."""
    check_may_leave(actor)
    if ctx.categories and p.category not in ctx.categories:
        raise InvalidInput(f"unknown category {p.category!r}", field="category", allowed=list(ctx.categories))
    target = await target_of(session, actor, p)
    m = BoardMessage(unit_id=actor.unit_id, target_unit_id=target.id, category=p.category, question=p.question,
                     contact_name=p.contact_name, contact_phone=p.contact_phone,
                     source="kiosk" if actor.kind == "device" else "staff",
                     device_id=actor.id if actor.kind == "device" else None, state=BoardState.open,
                     created_at=ctx.now, created_by=actor.ref)
    code = await receipts.give(session, m)
    session.add(m)
    await session.flush()
    add_event(session, m, actor, ctx.now, "left", f"for unit {target.id}")
    return Outcome(m, await audience(session, m, "left"), f"for unit {target.id}", receipt_code=code)


async def leave_from_consultation(session: AsyncSession, *, unit_id: int, target_unit_id: int, category: str,
                                  question: str, contact_name: str, contact_phone: str, consultation_id: int,
                                  now: datetime) -> Outcome:
    """A consultation still queued at closing becomes a message for the same target, left by the
    system: the same history and pushes as one left at the kiosk."""
    m = BoardMessage(unit_id=unit_id, target_unit_id=target_unit_id, category=category, question=question,
                     contact_name=contact_name, contact_phone=contact_phone, source="consultation",
                     consultation_id=consultation_id, state=BoardState.open, created_at=now, created_by=SYSTEM.ref)
    session.add(m)
    await session.flush()
    what = f"from consultation {consultation_id}"
    if m.needs_call_back:
        what += ": no question or contact was typed, call the resident back through the community point"
    add_event(session, m, SYSTEM, now, "left", what)
    return Outcome(m, await audience(session, m, "left"), what)


# -- the lifecycle ------------------------------------------------------------------------
async def _take_ownership(session: AsyncSession, actor: Actor, m: BoardMessage, ctx: Context) -> None:
    """The claim is a conditional UPDATE: of two people claiming at once, the database lets one win."""
    won = await session.execute(
        update(BoardMessage).where(BoardMessage.id == m.id, BoardMessage.state == BoardState.open)
        .values(state=BoardState.claimed, owner_account_id=actor.id, claimed_at=ctx.now)
        .execution_options(synchronize_session=False))
    await session.refresh(m)
    if rows_changed(won) != 1:
        if m.owner_account_id is None:
            BoardState(m.state).after(BoardAction.claim)  # closed, say: the usual refusal
        name = await owner_name(session, m)
        raise IllegalTransition(f"{name} has already claimed this message", state=m.state,
                                action=BoardAction.claim.value, owner_account_id=m.owner_account_id,
                                owner_name=name)
    add_event(session, m, actor, ctx.now, "claimed")


async def claim(session: AsyncSession, actor: Actor, message_id: int, ctx: Context) -> Outcome:
    m = await handled(session, actor, message_id)
    await _take_ownership(session, actor, m, ctx)
    return Outcome(m, await audience(session, m, "claimed"))


async def reply(session: AsyncSession, actor: Actor, message_id: int, body: str, ctx: Context) -> Outcome:
    """The owner replies, once or more; replying to an unclaimed message claims it first."""
    m = await handled(session, actor, message_id)
    if m.state == BoardState.open:
        await _take_ownership(session, actor, m, ctx)
    else:
        BoardState(m.state).after(BoardAction.reply)
        await require_owner_or_free(session, actor, m, "reply")
    m.state = BoardState(m.state).after(BoardAction.reply)
    m.answered_at = m.answered_at or ctx.now
    reply_row = BoardReply(message_id=m.id, account_id=actor.id, author_name=actor.name[:100], unit_id=actor.unit_id,
                           body=body, created_at=ctx.now)
    session.add(reply_row)
    await session.flush()
    add_event(session, m, actor, ctx.now, "replied", f"reply {reply_row.id}")
    return Outcome(m, await audience(session, m, "replied"), f"reply {reply_row.id}")


async def hand_over(session: AsyncSession, actor: Actor, message_id: int, p: HandOverIn, ctx: Context) -> Outcome:
    """Ownership moves, and is recorded: to a person (who owns it, claimed) or to a unit (open there)."""
    m = await handled(session, actor, message_id)
    await require_owner_or_free(session, actor, m, "hand it over")
    previous_owner, previous_unit = m.owner_account_id, m.target_unit_id
    if p.to_account_id is not None:
        m.state = BoardState(m.state).after(BoardAction.hand_to_person)
        person = await session.get(Account, p.to_account_id)
        if person is None or not person.active or person.role not in HANDLER_ROLES:
            raise InvalidInput("hand over to an active member of staff or lawyer who answers messages",
                               field="to_account_id")
        if person.id == actor.id and previous_owner == actor.id:
            raise InvalidInput("you already own this message", field="to_account_id")
        unit = await get_unit(session, person.unit_id)
        if not unit.active or unit.kind not in TARGET_KINDS:
            raise InvalidInput("that person's unit does not answer messages", field="to_account_id")
        m.owner_account_id, m.claimed_at = person.id, ctx.now
        detail = f"to {person.display_name} (account {person.id}) of unit {unit.id}"
    else:
        m.state = BoardState(m.state).after(BoardAction.hand_to_unit)
        assert p.to_unit_id is not None  # HandOverIn.exactly_one
        unit = await get_unit(session, p.to_unit_id)
        if not unit.active or unit.kind not in TARGET_KINDS:
            raise InvalidInput("hand over to the center, a department or a workstation", field="to_unit_id")
        m.owner_account_id, m.claimed_at = None, None
        detail = f"to unit {unit.name} ({unit.id})"
    m.target_unit_id = unit.id
    if p.note:
        detail += f": {p.note}"
    detail = f"from unit {previous_unit}" + (f", account {previous_owner}" if previous_owner else "") + f", {detail}"
    add_event(session, m, actor, ctx.now, "handed_over", detail, p.note or "")
    await session.flush()
    return Outcome(m, await audience(session, m, "handed_over", previous_owner), detail)


async def close(session: AsyncSession, actor: Actor, message_id: int, note: str, ctx: Context) -> Outcome:
    m = await handled(session, actor, message_id)
    await require_owner_or_free(session, actor, m, "close it")
    m.state = BoardState(m.state).after(BoardAction.close)
    m.closed_at = ctx.now
    add_event(session, m, actor, ctx.now, "closed", note, note)
    return Outcome(m, await audience(session, m, "closed"), note)


async def read_phone(session: AsyncSession, actor: Actor, message_id: int) -> str:
    """The full number, for staff who call the resident back; the view audits every read."""
    if actor.kind != "account":
        raise PermissionDenied("only staff may read a full phone number")
    return (await visible(session, actor, message_id)).contact_phone
