"""Telling a queue's watchers and its waiting kiosks where things stand, after a change.

A change to a queue (a start, a take, a cancel, a transfer in) is committed first; then its
unit id comes here. A round reads each changed queue once (queue.notices_for: the queue for
its watchers, and every waiting kiosk's place and estimated wait) and sends that. Changes
that arrive while a round is under way are folded into the next round: a round costs one
notice per waiting kiosk, so one round per change made a busy queue quadratic, where a
burst of starts now costs a few rounds. There is no timer: a lone change is sent at once.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Iterable

from server.consultations import queue
from server.tasks import stop_task
from server.web import keys

if TYPE_CHECKING:
    from server.realtime.gateway import Gateway

log = logging.getLogger(__name__)


class QueueNotices:
    def __init__(self, gateway: "Gateway") -> None:
        self.gateway = gateway
        self._dirty: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def changed(self, unit_ids: Iterable[int]) -> None:
        self._dirty.update(unit_ids)
        if self._dirty and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._run(), name="queue-notices")

    async def stop(self) -> None:
        await stop_task(self._task)

    async def _run(self) -> None:
        while self._dirty:
            units, self._dirty = sorted(self._dirty), set()
            try:
                async with self.gateway.app[keys.DB].sessions() as session:
                    ctx = await self.gateway.context(session)
                    notices = [n for unit in units
                               for n in await queue.notices_for(session, unit, ctx.now, ctx.tz, ctx.rules)]
                await self.gateway.deliver(notices)
            except Exception:  # noqa: BLE001 - the next change sends the queue again
                log.exception("telling queues %s where they stand failed", units)
