"""The retention job: at start and every hour, the partial uploads of dead processes
(files/store.py), recordings (server/recordings/retention.py), then each kind's purge in short
transactions until nothing of it is left past its period. It runs in every server process; two
processes racing delete each case once (the second finds it gone) and the audit log says who did."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.files import service as files
from server.files.views import FILES
from server.recordings import retention as recordings
from server.retention import purge
from server.retention.policy import Kind, RetentionPolicy
from server.tasks import stop_task
from server.web import keys

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 3600.0
POLICY: web.AppKey[RetentionPolicy] = web.AppKey("retention_policy", RetentionPolicy)


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


def install(app: web.Application) -> None:
    app[POLICY] = RetentionPolicy.from_env(app[keys.SETTINGS].extra)  # a bad value stops start-up
    recordings.retention(app[keys.SETTINGS].extra)
    app.cleanup_ctx.append(_job)


async def _job(app: web.Application) -> AsyncIterator[None]:
    data_dir = app[keys.SETTINGS].data_dir
    places = purge.Places(files_root=data_dir / "files", recordings_root=data_dir / "recordings")

    async def loop() -> None:
        while True:
            try:
                async with app[keys.DB].sessions() as session:
                    abandoned = await files.remove_abandoned(
                        session, app[FILES], now=app[keys.CLOCK].now(),
                        now_epoch_seconds=app[keys.WALL_CLOCK].now().timestamp())
                if abandoned:
                    log.info("removed %d partial uploads of processes that died mid-upload", abandoned)
                recorded = await recordings.delete_expired(app)
                if recorded:
                    log.info("deleted %d recordings past their retention period", recorded)
                deleted = await run_once(app[keys.DB].sessions, policy=app[POLICY], places=places,
                                         now=app[keys.CLOCK].now())
                if deleted:
                    log.info("retention deleted %s", ", ".join(f"{n} {k}" for k, n in sorted(deleted.items())))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("retention job failed")
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)

    task = asyncio.create_task(loop(), name="retention")
    yield
    await stop_task(task)
