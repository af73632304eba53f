"""Recording: consent given and withdrawn, who may start it, and a meeting's Recording rows."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.errors import Conflict, PermissionDenied
from server.meetings.context import Context
from server.meetings.membership import _present, check_present
from server.meetings.models import Meeting, Recording, RecordingConsent
from server.meetings.state import RecordingState, Role
from signaling import meetings as m


async def consent(session: AsyncSession, actor: Actor, meeting_id: int, given: bool, text_version: str,
                  ctx: Context) -> bool:
    """Give or withdraw consent; returns True when a withdrawal must stop a running recording."""
    await check_present(session, actor, meeting_id)
    current = await session.scalar(select(RecordingConsent).where(
        RecordingConsent.parent_kind == "meeting", RecordingConsent.parent_id == meeting_id,
        RecordingConsent.who == actor.ref, RecordingConsent.withdrawn_at.is_(None)))
    if given:
        if current is None or current.text_version != text_version:
            if current is not None:
                current.withdrawn_at = ctx.now
            session.add(RecordingConsent(parent_kind="meeting", parent_id=meeting_id, who=actor.ref, name=actor.name,
                                         text_version=text_version, given_at=ctx.now))
        return False
    if current is not None:
        current.withdrawn_at = ctx.now
    return True


async def without_consent(session: AsyncSession, meeting_id: int) -> list[str]:
    """Names of the people present who have not consented to the current consent text."""
    consented = select(RecordingConsent.who).where(
        RecordingConsent.parent_kind == "meeting", RecordingConsent.parent_id == meeting_id,
        RecordingConsent.withdrawn_at.is_(None), RecordingConsent.text_version == m.CONSENT_TEXT_VERSION)
    refs = set(await session.scalars(consented))
    return [x.name for x in await _present(session, meeting_id) if f"account:{x.account_id}" not in refs]


async def check_may_record(session: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    meeting, member = await check_present(session, actor, meeting_id)
    if member.role != Role.host:
        raise PermissionDenied("only the host starts or stops recording")
    missing = await without_consent(session, meeting_id)
    if missing:
        raise Conflict("recording starts only when everyone present has consented", waiting_for=missing)
    return meeting


def add_recording(session: AsyncSession, meeting: Meeting, subject: str, key: str, now: datetime) -> Recording:
    recording = Recording(parent_kind="meeting", parent_id=meeting.id, unit_id=meeting.unit_id, subject=subject,
                          key=key, state=RecordingState.recording, started_at=now, bytes=0)
    session.add(recording)
    return recording


async def finish_recording(session: AsyncSession, recording_id: int, *, ok: bool, size_bytes: int,
                           now: datetime) -> None:
    await session.execute(update(Recording).where(Recording.id == recording_id).values(
        state=RecordingState.ready if ok else RecordingState.failed, stopped_at=now, bytes=size_bytes))


async def recordings(session: AsyncSession, parent_kind: str, parent_id: int) -> list[Recording]:
    return list(await session.scalars(select(Recording).where(
        Recording.parent_kind == parent_kind, Recording.parent_id == parent_id).order_by(Recording.id)))


async def expired_recordings(session: AsyncSession, now: datetime, retention: timedelta) -> list[Recording]:
    return list(await session.scalars(select(Recording).where(Recording.started_at < now - retention,
                                                              Recording.state != RecordingState.recording)))
