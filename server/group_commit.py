"""Group commit for short write transactions: a consultation's start and a take.

Why: at a busy hour kiosks start and lawyers take hundreds of times a second, and each of
those is a few statements; a transaction of its own per event cost more than its statements
(a session, BEGIN, COMMIT, a pool checkout, and on SQLite a hand-off to aiosqlite's thread for
every statement). Here one task runs whatever work arrived while the previous batch was
committing, in arrival order, in one transaction, and nobody's call returns before the commit.
There is no timer: a lone piece runs at once. The writes nothing reads back before the commit
(a record's steps, audit rows, which room a connection joined: db.execute_soon) wait for the
end of the batch and go in as one executemany per statement.

A piece refuses (raises a FayuanError: a kiosk that is busy, a take that found nobody) before
it writes: its caller gets the refusal and the others go on, with no SAVEPOINT around each
piece (on SQLite, two of them cost more than the piece's own statements). Anything else — an
unexpected error, or a refusal after the piece had written after all (the engine counts the
statements that changed rows: count_writes) — rolls the batch back, and every piece of it runs
again in a transaction of its own, so one piece's fault is its caller's alone.

On a SQLite file the transaction is the writer engine's (db.make_writer_engine): BEGIN
IMMEDIATE in its thread takes the write lock, then every statement runs inline. A piece must
be short and touch only the session it is given: while it runs, on SQLite, nothing else on the
event loop runs (its statements do not yield).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from server.db import SOON
from server.errors import FayuanError
from server.tasks import stop_task

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[T]]
Outcome = tuple[bool, Any]  # (True, what the piece returned) or (False, what it raised)

# At some 0.5 ms a piece, a batch holds the loop (SQLite) and the write lock for up to ~30 ms
MAX_BATCH = 64
WRITES = "group_commit_writes"  # a connection's info key: statements that changed rows


def _count_write(conn: Connection, cursor: Any, _statement: str, _params: Any, context: Any,
                 _executemany: bool) -> None:
    # a take that finds nobody ran an UPDATE that changed nothing: not a write (-1, not known: one)
    if (context.isinsert or context.isupdate or context.isdelete) and cursor.rowcount != 0:
        conn.info[WRITES] = conn.info.get(WRITES, 0) + 1


def count_writes(engine: Engine) -> None:
    """Every connection of `engine` counts the INSERTs, UPDATEs and DELETEs it runs that change rows."""
    if not event.contains(engine, "after_cursor_execute", _count_write):
        event.listen(engine, "after_cursor_execute", _count_write)


class WroteThenRefused(Exception):
    """A piece refused after it had written: the batch cannot keep the others' work alone."""


class GroupCommit:
    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH) -> None:
        count_writes(engine.sync_engine)
        self.engine = engine
        self._conn: AsyncConnection | None = None
        self.max_batch = max_batch
        self.batches = 0  # batches committed together (not piece by piece), for tests and the benchmark
        self._queue: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None

    async def run(self, work: Work[T]) -> T:
        """work(session) in a transaction shared with others, committed before this returns;
        what it returned, or what it raised. A refusal (FayuanError) must come before the
        piece's first write (see the module's docstring)."""
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
        await self._drop_connection()

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            works = [work for work, _ in batch]
            try:
                outcomes = await self._together(works)
            except Exception as exc:  # noqa: BLE001 - rolled back: each piece again, on its own
                log.warning("a group commit of %d pieces failed (%s): each runs alone", len(batch),
                            type(exc).__name__)
                await self._drop_connection()  # it may be what failed
                outcomes = [await self._alone(work) for work in works]
            else:
                self.batches += 1
            for (_, future), (ok, value) in zip(batch, outcomes):
                if future.done():  # its caller went away
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    async def _together(self, works: list[Work[Any]]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        async with await self._session() as session:
            soon = session.info[SOON]
            info = (await session.connection()).info
            for work in works:
                writes, waiting = info.get(WRITES, 0), sum(map(len, soon.values()))
                try:
                    outcomes.append((True, await work(session)))
                except FayuanError as exc:
                    if info.get(WRITES, 0) != writes or sum(map(len, soon.values())) != waiting:
                        raise WroteThenRefused(type(exc).__name__) from exc
                    outcomes.append((False, exc))
            await _execute_soon_ones(session, soon)
            await session.commit()
        return outcomes

    async def _alone(self, work: Work[Any]) -> Outcome:
        """One piece in a transaction of its own: a refusal after a write is only its own."""
        try:
            (outcome,) = await self._together([work])
            return outcome
        except WroteThenRefused as exc:
            return False, exc.__cause__
        except Exception as exc:  # noqa: BLE001 - its caller gets it
            await self._drop_connection()  # it may be what failed
            return False, exc

    async def _session(self) -> AsyncSession:
        """A session on the group's own connection, kept from batch to batch: no pool checkout,
        ping (PostgreSQL) or reset-on-return rollback (a thread hand-off on SQLite) a batch."""
        if self._conn is None:
            self._conn = await self.engine.connect()
        session = AsyncSession(bind=self._conn, expire_on_commit=False)
        session.info[SOON] = {}
        return session

    async def _drop_connection(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()
            except Exception:  # noqa: BLE001 - a broken connection is let go of all the same
                log.warning("closing the group commit's connection failed", exc_info=True)


async def _execute_soon_ones(session: AsyncSession, soon: dict[Any, list[dict[str, Any]]]) -> None:
    """What the pieces left for the end (db.execute_soon): one executemany per statement."""
    connection = await session.connection()
    for statement, params in soon.items():
        await connection.execute(statement, params)
