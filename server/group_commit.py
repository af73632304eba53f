"""Group commit for short write transactions: a consultation's start and a take.

Why: at a busy hour kiosks start and lawyers take hundreds of times a second, and each of
those is a few statements; a transaction of its own per event cost more than its statements
(a session, BEGIN, COMMIT, a pool checkout, and on SQLite a hand-off to aiosqlite's thread for
every statement). Here one task runs whatever work arrived while the previous batch was
committing, in arrival order, in one transaction, each piece in a SAVEPOINT of its own: a
piece that raises (a refused take, a kiosk that is busy) is rolled back alone and its caller
gets the exception; the others are committed together, and nobody's call returns before the
commit. There is no timer: a lone piece runs at once.

On a SQLite file the transaction is the writer engine's (db.make_writer_engine): BEGIN
IMMEDIATE in its thread takes the write lock, then every statement runs inline.

A piece must be short and touch only the session it is given: while it runs, on SQLite,
nothing else on the event loop runs (its statements do not yield).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.tasks import stop_task

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[T]]

# At some 0.5 ms a piece, a batch holds the loop (SQLite) and the write lock for up to ~30 ms
MAX_BATCH = 64


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, max_batch: int = MAX_BATCH) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self.batches = 0  # committed transactions, for tests and the benchmark
        self._queue: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None

    async def run(self, work: Work[T]) -> T:
        """work(session) in a transaction shared with others, committed before this returns;
        what it returned, or what it raised (its own changes then rolled back)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="group-commit")
        return await future

    async def stop(self) -> None:
        await stop_task(self._task)
        for _, future in self._queue:
            if not future.done():
                future.set_exception(ConnectionError("the server is stopping"))
        self._queue.clear()

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[Work[Any], asyncio.Future[Any]]]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            async with self.sessions() as session:
                for work, _ in batch:
                    try:
                        async with session.begin_nested():
                            outcomes.append((True, await work(session)))
                    except Exception as exc:  # noqa: BLE001 - its caller gets it; the others go on
                        outcomes.append((False, exc))
                await session.commit()
        except Exception as exc:  # noqa: BLE001 - nothing of the batch was saved: every caller is told
            log.warning("a group commit of %d failed: %s", len(batch), type(exc).__name__)
            outcomes = [(False, exc)] * len(batch)
        else:
            self.batches += 1
        for (_, future), (ok, value) in zip(batch, outcomes):
            if future.done():  # its caller went away
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
