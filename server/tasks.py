"""Background tasks: stopping one (cancel, then wait until its own clean-up has run), and a
job run every so often for the app's lifetime."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

log = logging.getLogger(__name__)
App = TypeVar("App")  # the aiohttp Application, which this module need not know


async def stop_task(task: asyncio.Task[Any] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def periodic(name: str, interval_seconds: float,
             work: Callable[[App], Awaitable[object]]) -> Callable[[App], AsyncIterator[None]]:
    """A cleanup context that runs `work` every interval for the app's lifetime; a failed round
    is logged and the next one retries."""
    async def context(app: App) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(interval_seconds)
                try:
                    await work(app)
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - keep going; the next round retries
                    log.exception("%s failed", name)

        task = asyncio.create_task(loop(), name=name)
        yield
        await stop_task(task)

    return context
