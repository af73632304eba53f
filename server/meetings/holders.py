"""Which server process holds what of a meeting: each present member's socket (a process and a
sid), and the meeting's recorder. Presence is the database's, not a process's memory, so a
member on one process can signal a member on another, and what a dead process held is let go.

A process is alive while its presence lease is fresh (presence/service.py). The first process to
notice a dead holder claims the row with a conditional UPDATE, so the roster or the
`meeting.recording` stop is pushed once, whichever processes sweep at the same time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.db import rows_changed
from server.meetings.models import Meeting, MeetingMember
from server.presence.models import ServerProcess
from server.presence.service import LEASE_SECONDS
from server.recordings.models import Recording, RecordingState

RECORDER_LOST = "recorder_lost"  # the reason a recording stops when its process died


def _dead(column: InstrumentedAttribute[str | None], me: str, now: datetime) -> ColumnElement[bool]:
    """A holder column naming another process whose lease ran out (or that is gone)."""
    fresh = select(ServerProcess.id).where(ServerProcess.renewed_at >= now - timedelta(seconds=LEASE_SECONDS))
    return column.is_not(None) & (column != me) & column.not_in(fresh)


async def present_holders(session: AsyncSession, meeting_id: int,
                          account_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """account id → (process, sid) of those of them present in the room now."""
    rows = await session.execute(select(MeetingMember.account_id, MeetingMember.process_id, MeetingMember.sid)
                                 .where(MeetingMember.meeting_id == meeting_id, MeetingMember.present,
                                        MeetingMember.account_id.in_(account_ids)))
    return {account_id: (process_id, sid) for account_id, process_id, sid in rows}


async def last_sockets(session: AsyncSession, meeting_id: int, account_ids: list[int]) -> dict[int, str]:
    """account id → the socket that last held them in the room, present or not (to take it out)."""
    rows = await session.execute(select(MeetingMember.account_id, MeetingMember.sid).where(
        MeetingMember.meeting_id == meeting_id, MeetingMember.account_id.in_(account_ids),
        MeetingMember.sid.is_not(None)))
    return {account_id: sid for account_id, sid in rows if sid is not None}


async def held_by_socket(session: AsyncSession, me: str, sid: str) -> list[int]:
    """The meetings in which this process's socket holds its member present."""
    return list(await session.scalars(select(MeetingMember.meeting_id).where(
        MeetingMember.process_id == me, MeetingMember.sid == sid, MeetingMember.present)))


async def held_here(session: AsyncSession, me: str) -> set[tuple[int, int]]:
    """(meeting, account) of the members this process holds present."""
    rows = await session.execute(select(MeetingMember.meeting_id, MeetingMember.account_id)
                                 .where(MeetingMember.process_id == me, MeetingMember.present))
    return {(meeting_id, account_id) for meeting_id, account_id in rows}


async def claim_dead_members(session: AsyncSession, me: str,
                             now: datetime) -> list[tuple[int, int, int | None]]:
    """Members held present by a dead process: no longer present; (meeting, account, their Janus
    session to destroy) of those this call claimed (another process's sweep may claim some first)."""
    rows = (await session.execute(select(MeetingMember.id, MeetingMember.meeting_id, MeetingMember.account_id,
                                         MeetingMember.process_id, MeetingMember.janus_session)
                                  .where(MeetingMember.present, _dead(MeetingMember.process_id, me, now)))).all()
    claimed = []
    for row_id, meeting_id, account_id, process_id, janus_session in rows:
        done = await session.execute(update(MeetingMember).where(
            MeetingMember.id == row_id, MeetingMember.present, MeetingMember.process_id == process_id)
            .values(present=False, hand_raised=False, sharing=False, janus_session=None)
            .execution_options(synchronize_session=False))
        if rows_changed(done) == 1:
            claimed.append((meeting_id, account_id, janus_session))
    return claimed


async def keep_janus_session(session: AsyncSession, meeting_id: int, account_id: int, janus_session: int) -> None:
    """The member's Janus session, so that another process can destroy it if this one dies."""
    await session.execute(update(MeetingMember).where(MeetingMember.meeting_id == meeting_id,
                                                      MeetingMember.account_id == account_id)
                          .values(janus_session=janus_session).execution_options(synchronize_session=False))


async def claim_recorder(session: AsyncSession, meeting_id: int, me: str) -> bool:
    """This process records the meeting; False when some process already does."""
    done = await session.execute(update(Meeting).where(Meeting.id == meeting_id, Meeting.recorder_process.is_(None))
                                 .values(recorder_process=me, recording_stopped_reason="")
                                 .execution_options(synchronize_session=False))
    return rows_changed(done) == 1


async def release_recorder(session: AsyncSession, meeting_id: int, reason: str, holder: str | None = None) -> bool:
    """The recording stops (for `reason`); False when it was not on (or `holder` no longer held it)."""
    held = Meeting.recorder_process.is_not(None) if holder is None else Meeting.recorder_process == holder
    done = await session.execute(update(Meeting).where(Meeting.id == meeting_id, held)
                                 .values(recorder_process=None, recording_stopped_reason=reason)
                                 .execution_options(synchronize_session=False))
    return rows_changed(done) == 1


async def recorders_held(session: AsyncSession, meeting_ids: list[int], me: str) -> set[int]:
    """Which of these meetings this process still records (another may have stopped it)."""
    return set(await session.scalars(select(Meeting.id).where(Meeting.id.in_(meeting_ids),
                                                              Meeting.recorder_process == me)))


async def recorder_of(session: AsyncSession, meeting_id: int) -> str | None:
    return await session.scalar(select(Meeting.recorder_process).where(Meeting.id == meeting_id))


async def claim_lost_recorders(session: AsyncSession, me: str, now: datetime) -> list[int]:
    """Meetings whose recorder's process died: the recording stops for RECORDER_LOST and the
    files it was writing are marked failed (nobody closes them now); the meetings claimed."""
    rows = (await session.execute(select(Meeting.id, Meeting.recorder_process)
                                  .where(_dead(Meeting.recorder_process, me, now)))).all()
    lost = []
    for meeting_id, process_id in rows:
        if await release_recorder(session, meeting_id, RECORDER_LOST, holder=process_id):
            await session.execute(update(Recording).where(
                Recording.parent_kind == "meeting", Recording.parent_id == meeting_id,
                Recording.state == RecordingState.recording).values(state=RecordingState.failed, stopped_at=now)
                .execution_options(synchronize_session=False))
            lost.append(meeting_id)
    return lost
