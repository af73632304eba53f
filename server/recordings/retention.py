"""Recordings' retention: recordings of every kind (meetings, consultations) are deleted, file
and row, FAYUAN_RECORDING_RETENTION_DAYS after they started, by the one retention job
(server/retention/job.py) each round. Consents stay: they say who agreed
to what and when, and hold no picture or voice."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts.actor import SYSTEM
from server.audit.service import record
from server.config import ConfigError
from server.recordings import service

DEFAULT_RETENTION_DAYS = 90


def retention(extra: dict[str, str]) -> timedelta:
    text = extra.get("FAYUAN_RECORDING_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))
    try:
        days = int(text)
    except ValueError:
        raise ConfigError("FAYUAN_RECORDING_RETENTION_DAYS", f"{text!r} is not a whole number") from None
    if days < 1:
        raise ConfigError("FAYUAN_RECORDING_RETENTION_DAYS", "keep recordings at least 1 day")
    return timedelta(days=days)


async def delete_expired(sessions: async_sessionmaker[AsyncSession], *, now: datetime, keep: timedelta,
                         folder: Path) -> int:
    """Delete recordings older than `keep` (`retention`): the file in `folder` first, then its row."""
    async with sessions() as session:
        expired = await service.expired(session, now, keep)
        for recording in expired:
            (folder / recording.key).unlink(missing_ok=True)
            await session.delete(recording)
            record(session, at=now, actor=SYSTEM, action="retention.delete", object=f"recording:{recording.id}",
                   detail=f"of {recording.parent_kind}:{recording.parent_id}; kept {keep.days} days")
        await session.commit()
    return len(expired)
