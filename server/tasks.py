"""Stopping a background task: cancel it, then wait until its own clean-up has run."""
from __future__ import annotations

import asyncio
import contextlib


async def stop_task(task: asyncio.Task | None) -> None:  # type: ignore[type-arg]
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
