"""Recording, whatever is recorded: consents given and withdrawn, the rows of recorded files,
and which of them have outlived the retention period.

A parent is (`parent_kind`, `parent_id`): a meeting or a consultation. Each kind says who takes
part and who may start recording (server/meetings/recording.py,
server/consultations/recording.py); who may play a file is the parent's read rule
(server/recordings/views.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.recordings.models import Recording, RecordingConsent, RecordingState


async def current_consent(session: AsyncSession, kind: str, parent_id: int, who: str) -> RecordingConsent | None:
    return await session.scalar(select(RecordingConsent).where(
        RecordingConsent.parent_kind == kind, RecordingConsent.parent_id == parent_id,
        RecordingConsent.who == who, RecordingConsent.withdrawn_at.is_(None)))


async def give(session: AsyncSession, kind: str, parent_id: int, *, who: str, name: str, text_version: str,
               now: datetime) -> bool:
    """Record a consent to `text_version`; an earlier consent to another text is withdrawn.
    False when the same consent stands already (nothing written)."""
    current = await current_consent(session, kind, parent_id, who)
    if current is not None and current.text_version == text_version:
        return False
    if current is not None:
        current.withdrawn_at = now
    session.add(RecordingConsent(parent_kind=kind, parent_id=parent_id, who=who, name=name[:100],
                                 text_version=text_version, given_at=now))
    return True


async def withdraw(session: AsyncSession, kind: str, parent_id: int, *, who: str, now: datetime) -> bool:
    """Withdraw the standing consent; False when there was none."""
    current = await current_consent(session, kind, parent_id, who)
    if current is None:
        return False
    current.withdrawn_at = now
    return True


async def consented(session: AsyncSession, kind: str, parent_id: int, text_version: str,
                    since: datetime | None = None) -> set[str]:
    """Refs with a standing consent to `text_version` (given at or after `since`, if set)."""
    query = select(RecordingConsent.who).where(
        RecordingConsent.parent_kind == kind, RecordingConsent.parent_id == parent_id,
        RecordingConsent.withdrawn_at.is_(None), RecordingConsent.text_version == text_version)
    if since is not None:
        query = query.where(RecordingConsent.given_at >= since)
    return set(await session.scalars(query))


def add(session: AsyncSession, kind: str, parent_id: int, *, unit_id: int, subject: str, key: str,
        now: datetime) -> Recording:
    recording = Recording(parent_kind=kind, parent_id=parent_id, unit_id=unit_id, subject=subject[:100], key=key,
                          state=RecordingState.recording, started_at=now, bytes=0)
    session.add(recording)
    return recording


async def finish(session: AsyncSession, recording_id: int, *, ok: bool, size_bytes: int, now: datetime) -> None:
    await session.execute(update(Recording).where(Recording.id == recording_id).values(
        state=RecordingState.ready if ok else RecordingState.failed, stopped_at=now, bytes=size_bytes))


async def listed(session: AsyncSession, kind: str, parent_id: int) -> list[Recording]:
    return list(await session.scalars(select(Recording).where(
        Recording.parent_kind == kind, Recording.parent_id == parent_id).order_by(Recording.id)))


async def expired(session: AsyncSession, now: datetime, retention: timedelta) -> list[Recording]:
    """Finished recordings of any parent that started longer than `retention` ago."""
    return list(await session.scalars(select(Recording).where(Recording.started_at < now - retention,
                                                              Recording.state != RecordingState.recording)))


def public(r: Recording) -> dict:
    """A recording as lists show it; `url` plays it (each playback audited)."""
    return {"id": r.id, "subject": r.subject, "state": r.state, "started_at": r.started_at,
            "stopped_at": r.stopped_at, "bytes": r.bytes, "url": f"/api/recordings/{r.id}/media"}
