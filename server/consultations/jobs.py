"""The periodic sweep: closing time, the grace period, reconnect timeouts, slow chosen
lawyers. It runs in every server process; each change is a conditional state change, so two
processes never both act on the same consultation."""
from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.board import service as board
from server.accounts.actor import SYSTEM
from server import notify
from server.consultations import queue
from server.consultations.models import Consultation, LawyerStatus
from server.consultations.service import Context, add_event, end
from server.consultations.state import ConsultationState as S
from server.db import rows_changed
from server.errors import Conflict
from server.hours import service as hours
from server.hours.calendar import is_open
from signaling import events

SWEEP_INTERVAL_SECONDS = 1.0


async def sweep(session: AsyncSession, ctx: Context) -> list[notify.Push]:
    notices: list[notify.Push] = []
    changed_queues: set[int] = set()
    if not is_open(ctx.schedule, ctx.now) and await session.scalar(
            select(Consultation.id).where(Consultation.state == S.queued).limit(1)) is not None:
        # moving the queue to the board cannot be undone: decide on the schedule as stored now,
        # not on one this process cached before another process's edit (SCHEDULE_TTL_SECONDS)
        if not is_open(await hours.load_schedule(session, ctx.tz, fresh=True), ctx.now):
            notices += await _move_queued_to_board(session, ctx, changed_queues)
    notices += await _grace_period(session, ctx)
    notices += await _reconnect_timeouts(session, ctx, changed_queues)
    notices += await _chosen_lawyer_timeouts(session, ctx)
    notices += await end_duty_of_the_gone(session, ctx)
    await session.flush()
    for unit_id in changed_queues:
        notices.append(notify.QueueChanged(unit_id))
    return notices


async def end_duty_of_the_gone(session: AsyncSession, ctx: Context) -> list[notify.Push]:
    """"On duty" means connected: a lawyer whom no server process has held a connection of for
    the reconnect grace (the browser closed, the process died) is no longer available. One
    conditional UPDATE, so two processes' sweeps do it once."""
    cutoff = ctx.now - ctx.rules.reconnect_grace
    gone = await session.execute(
        update(LawyerStatus)
        .where(LawyerStatus.available.is_(True),
               func.coalesce(LawyerStatus.seen_at, LawyerStatus.updated_at) < cutoff)
        .values(available=False, updated_at=ctx.now)
        .execution_options(synchronize_session=False))
    if not rows_changed(gone):
        return []
    return [notify.QueueChanged(await queue.center_id(session))]


async def _claim(session: AsyncSession, c: Consultation, from_state: S, to_state: S) -> bool:
    """Move one consultation between states only if nobody else did first."""
    S(from_state).check(to_state)
    result = await session.execute(update(Consultation).where(Consultation.id == c.id,
                                                              Consultation.state == from_state)
                                   .values(state=to_state).execution_options(synchronize_session=False))
    if rows_changed(result) == 1:
        c.state = to_state
        return True
    return False


async def _end_once(session: AsyncSession, c: Consultation, ctx: Context, reason: str) -> list[notify.Push]:
    try:
        return await end(session, c, ctx, by=SYSTEM, reason=reason)
    except Conflict:  # another process ended it first
        return []


async def _move_queued_to_board(session: AsyncSession, ctx: Context, changed: set[int]) -> list[notify.Push]:
    """Nothing typed is lost: every consultation still queued at closing becomes a board entry."""
    notices: list[notify.Push] = []
    for c in list(await session.scalars(select(Consultation).where(Consultation.state == S.queued))):
        if not await _claim(session, c, S.queued, S.moved_to_board):
            continue
        c.ended_at, c.ended_by, c.end_reason = ctx.now, "system", "service_closed"
        left = await board.leave_from_consultation(
            session, unit_id=c.unit_id, target_unit_id=c.target_unit_id, category=c.category,
            question=c.resident_text, contact_name=c.contact_name, contact_phone=c.contact_phone,
            consultation_id=c.id, now=ctx.now)
        await add_event(session, c, ctx, "moved_to_board", SYSTEM, f"board message {left.message.id}")
        changed.add(c.target_unit_id)
        notices += left.notices
        notices.append(notify.Notice(notify.kiosk(c.device_id), events.CONSULT_TO_BOARD,
                                     {"consultation_id": c.id, "board_message_id": left.message.id,
                                      "needs_call_back": left.message.needs_call_back}))
    return notices


async def _grace_period(session: AsyncSession, ctx: Context) -> list[notify.Push]:
    notices: list[notify.Push] = []
    grace = ctx.rules.grace_after_close
    live = await session.scalars(select(Consultation).where(
        Consultation.state == S.live, Consultation.window_closes_at <= ctx.now))
    for c in list(live):
        assert c.window_closes_at is not None  # the query compared it
        ends_at = c.window_closes_at + grace
        left = ends_at - ctx.now
        if left <= timedelta(0):
            notices += await _end_once(session, c, ctx, "service_closed")
            continue
        for minutes in sorted(ctx.rules.warn_minutes_before_end):
            if left <= timedelta(minutes=minutes) and (c.warned_minutes is None or c.warned_minutes > minutes):
                # conditional: another process's sweep may have read the same row and warned
                won = await session.execute(
                    update(Consultation).where(Consultation.id == c.id, Consultation.state == S.live,
                                               or_(Consultation.warned_minutes.is_(None),
                                                   Consultation.warned_minutes > minutes))
                    .values(warned_minutes=minutes).execution_options(synchronize_session=False))
                if rows_changed(won) != 1:
                    break
                c.warned_minutes = minutes
                # a grace shorter than the warning's threshold: say how long it really is
                # (rounded up to whole minutes), not the threshold
                left_minutes = min(minutes, math.ceil(left.total_seconds() / 60))
                notices.append(notify.Notice(notify.consultation(c.id), events.CONSULT_WARNING,
                                            {"consultation_id": c.id, "minutes_left": left_minutes,
                                             "ends_at": ends_at.isoformat()}))
                break
    return notices


async def _reconnect_timeouts(session: AsyncSession, ctx: Context, changed: set[int]) -> list[notify.Push]:
    notices: list[notify.Push] = []
    limit = ctx.now - ctx.rules.reconnect_grace
    stale = await session.scalars(select(Consultation).where(
        Consultation.state.in_((S.queued, S.live)),
        (Consultation.kiosk_away_since <= limit) | (Consultation.taker_away_since <= limit)))
    for c in list(stale):
        kiosk_gone = c.kiosk_away_since is not None and c.kiosk_away_since <= limit
        reason = "kiosk_disconnected" if kiosk_gone else "taker_disconnected"
        if c.state == S.queued:
            if await _claim(session, c, S.queued, S.cancelled):
                c.ended_at, c.ended_by, c.end_reason = ctx.now, "system", reason
                await add_event(session, c, ctx, "cancelled", SYSTEM, reason)
                changed.add(c.target_unit_id)
        else:
            notices += await _end_once(session, c, ctx, reason)
    return notices


async def _chosen_lawyer_timeouts(session: AsyncSession, ctx: Context) -> list[notify.Push]:
    notices: list[notify.Push] = []
    limit = ctx.now - ctx.rules.chosen_lawyer_wait
    slow = await session.scalars(select(Consultation).where(
        Consultation.state == S.queued, Consultation.chosen_lawyer_id.is_not(None),
        Consultation.queued_at <= limit))
    for c in list(slow):
        if c.choice_offered_at is not None and c.choice_offered_at > limit:
            continue
        offered = await session.execute(  # once, whichever process's sweep gets there first
            update(Consultation).where(Consultation.id == c.id, Consultation.state == S.queued,
                                       or_(Consultation.choice_offered_at.is_(None),
                                           Consultation.choice_offered_at <= limit))
            .values(choice_offered_at=ctx.now).execution_options(synchronize_session=False))
        if rows_changed(offered) != 1:
            continue
        c.choice_offered_at = ctx.now
        notices.append(notify.Notice(notify.kiosk(c.device_id), events.CHOSEN_LAWYER_WAIT,
                                    {"consultation_id": c.id, "chosen_lawyer_id": c.chosen_lawyer_id}))
    return notices
