"""Group commit (server/group_commit.py), on every database kind of the run: pieces share a
transaction, a piece that raises is rolled back alone, and on a SQLite file a batch waiting
for another connection's write lock does not hold up the event loop."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import SYSTEM
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.db import Database, make_engine
from server.group_commit import GroupCommit

AT = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
async def database(any_db_url: str):  # type: ignore[no-untyped-def]
    database = Database(make_engine(any_db_url))
    yield database
    await database.dispose()


def writes(action: str, *, then_raise: bool = False):  # type: ignore[no-untyped-def]
    async def piece(session: AsyncSession) -> str:
        await audit.write(session, at=AT, actor=SYSTEM, action=action)
        if then_raise:
            raise ValueError(f"{action} refused")
        return action
    return piece


async def saved(database: Database) -> list[str]:
    async with database.sessions() as session:
        return sorted(await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("piece.%"))))


async def test_pieces_that_arrive_together_share_a_commit_and_a_failure_stays_its_own(database: Database) -> None:
    group = GroupCommit(database.writer_sessions)
    try:
        results = await asyncio.gather(*(group.run(writes(f"piece.{n:02d}", then_raise=n == 3)) for n in range(10)),
                                       return_exceptions=True)
    finally:
        await group.stop()
    assert isinstance(results[3], ValueError) and str(results[3]) == "piece.03 refused"
    assert [r for n, r in enumerate(results) if n != 3] == [f"piece.{n:02d}" for n in range(10) if n != 3]
    # all ten were queued before the group's task first ran: one transaction
    assert group.batches == 1
    assert await saved(database) == [f"piece.{n:02d}" for n in range(10) if n != 3]


async def test_a_batch_is_limited_and_what_is_left_goes_in_the_next(database: Database) -> None:
    group = GroupCommit(database.writer_sessions, max_batch=4)
    try:
        await asyncio.gather(*(group.run(writes(f"piece.{n:02d}")) for n in range(9)))
    finally:
        await group.stop()
    assert group.batches == 3  # 4, 4, 1
    assert len(await saved(database)) == 9


async def test_on_a_sqlite_file_a_batch_waits_for_the_write_lock_without_holding_up_the_loop(
        database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the write lock and inline statements are SQLite's")
    group = GroupCommit(database.writer_sessions)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        async with database.sessions() as other:
            await audit.write(other, at=AT, actor=SYSTEM, action="piece.other")  # holds the write lock
            waiting = asyncio.create_task(group.run(writes("piece.grouped")))
            before = ticks
            await asyncio.sleep(0.3)
            assert not waiting.done()  # BEGIN IMMEDIATE waits for the lock, in the thread
            assert ticks - before >= 10  # and the loop ran meanwhile
            await other.commit()
        assert await asyncio.wait_for(waiting, 10) == "piece.grouped"
    finally:
        ticking.cancel()
        await group.stop()
    assert await saved(database) == ["piece.grouped", "piece.other"]
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) >= 2
