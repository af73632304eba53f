"""server/tasks.py: a stopped task has run its clean-up by the time stop_task returns."""
from __future__ import annotations

import asyncio

from server.tasks import stop_task


async def test_stop_task_waits_for_the_clean_up() -> None:
    cleaned = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()

    task = asyncio.create_task(forever())
    await asyncio.sleep(0)
    await stop_task(task)
    assert task.cancelled() and cleaned.is_set()
    await stop_task(None)  # nothing started: nothing to do
    await stop_task(task)  # stopping twice is harmless
