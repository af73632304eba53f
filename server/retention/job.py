"""The retention job: every hour, recordings (server/recordings/retention.py), then each kind's purge in short transactions until nothing of it
is left past its period. It runs in every server process; two processes racing delete each
case once (the second finds it gone) and the audit log says who did."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import Clock
from server.recordings import retention as recordings
from server.retention import purge
from server.retention.policy import Kind, RetentionPolicy

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 3600.0


async def run_once(sessions: async_sessionmaker[AsyncSession], *, policy: RetentionPolicy, places: purge.Places,
                   now: datetime) -> dict[str, int]:
    """Delete everything past its period; returns how many of each kind (audit: rows)."""
    total: dict[str, int] = {}
    for kind, work in purge.PURGES.items():
        while True:
            batch = purge.Purge(now=now, policy=policy, places=places)
            async with sessions.begin() as session:
                done = await work(session, batch)
            batch.unlink_all()  # committed: now the bytes may go
            for name, count in batch.deleted.items():
                total[name] = total.get(name, 0) + count
            if done < purge.BATCH_CASES or kind is Kind.audit:  # the audit log goes in one statement
                break
    return total


async def run_forever(sessions: async_sessionmaker[AsyncSession], *, policy: RetentionPolicy, places: purge.Places,
                      keep_recordings: timedelta, clock: Clock,
                      remove_abandoned_uploads: Callable[[], Awaitable[int]]) -> None:
    """Every SWEEP_INTERVAL_SECONDS, from start-up on, for the app's lifetime (app.py runs it):
    first the partial uploads of processes that died mid-upload (files/service.py), then
    recordings, then each kind's purge."""
    while True:
        try:
            abandoned = await remove_abandoned_uploads()
            if abandoned:
                log.info("removed %d partial uploads of processes that died mid-upload", abandoned)
            recorded = await recordings.delete_expired(sessions, now=clock.now(), keep=keep_recordings,
                                                       folder=places.recordings_root)
            if recorded:
                log.info("deleted %d recordings past their retention period", recorded)
            deleted = await run_once(sessions, policy=policy, places=places, now=clock.now())
            if deleted:
                log.info("retention deleted %s", ", ".join(f"{n} {k}" for k, n in sorted(deleted.items())))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - try again next round
            log.exception("retention job failed")
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
