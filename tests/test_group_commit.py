"""Group commit (server/group_commit.py), on every database kind of the run: pieces share a
transaction, a piece that raises is rolled back alone, and on a SQLite file a batch waiting
for another connection's write lock does not hold up the event loop."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import SYSTEM
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.db import Database, make_engine
from server.errors import Conflict, NotFound
from server.group_commit import GroupCommit
from server.hours import service as hours

AT = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
async def database(any_db_url: str):  # type: ignore[no-untyped-def]
    database = Database(make_engine(any_db_url))
    yield database
    await database.dispose()


def writes(action: str, *, then: Exception | None = None, directly: bool = False):  # type: ignore[no-untyped-def]
    """A piece that writes an audit row, left for the end of the batch (execute_soon) or
    written `directly`, then raises `then` if given."""
    async def piece(session: AsyncSession) -> str:
        if directly:
            await session.execute(insert(AuditEntry).values(at=AT, actor="system", actor_name="", role="", outcome="ok",
                                                            action=action))
        else:
            await audit.write(session, at=AT, actor=SYSTEM, action=action)
        if then is not None:
            raise then
        return action
    return piece


def refuses(action: str):  # type: ignore[no-untyped-def]
    async def piece(session: AsyncSession) -> str:
        raise Conflict(f"{action} refused")
    return piece


async def saved(database: Database) -> list[str]:
    async with database.sessions() as session:
        return sorted(await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("piece.%"))))


async def test_pieces_that_arrive_together_share_a_commit_and_a_refusal_is_its_callers(database: Database) -> None:
    group = GroupCommit(database.writer)
    try:
        results = await asyncio.gather(*(group.run(refuses(f"piece.{n:02d}") if n == 3 else writes(f"piece.{n:02d}"))
                                         for n in range(10)), return_exceptions=True)
    finally:
        await group.stop()
    assert isinstance(results[3], Conflict) and results[3].message == "piece.03 refused"
    assert [r for n, r in enumerate(results) if n != 3] == [f"piece.{n:02d}" for n in range(10) if n != 3]
    # all ten were queued before the group's task first ran: one transaction
    assert group.batches == 1
    assert await saved(database) == [f"piece.{n:02d}" for n in range(10) if n != 3]


@pytest.mark.parametrize("fault", ["refused after a write left for the end", "refused after a direct write",
                                   "an unexpected error"])
async def test_a_piece_that_fails_after_writing_is_rolled_back_alone(database: Database, fault: str) -> None:
    failing = {"refused after a write left for the end": writes("piece.03", then=Conflict("no")),
               "refused after a direct write": writes("piece.03", then=Conflict("no"), directly=True),
               "an unexpected error": writes("piece.03", then=ValueError("bug"), directly=True)}[fault]
    group = GroupCommit(database.writer)
    try:
        results = await asyncio.gather(*(group.run(failing if n == 3 else writes(f"piece.{n:02d}")) for n in range(6)),
                                       return_exceptions=True)
    finally:
        await group.stop()
    assert isinstance(results[3], Conflict if fault.startswith("refused") else ValueError)
    assert group.batches == 0  # the batch was rolled back; each piece ran alone
    assert await saved(database) == ["piece.00", "piece.01", "piece.02", "piece.04", "piece.05"]


async def test_a_batch_is_limited_and_what_is_left_goes_in_the_next(database: Database) -> None:
    group = GroupCommit(database.writer, max_batch=4)
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
    group = GroupCommit(database.writer)
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


async def test_a_refusal_after_a_write_that_changed_nothing_keeps_the_batch(database: Database) -> None:
    """A take that found nobody ran an UPDATE that matched no row, then refused: nothing of it
    to undo, so the others stay in the batch."""
    async def finds_nobody(session: AsyncSession) -> str:
        await session.execute(update(AuditEntry).where(AuditEntry.action == "piece.nobody").values(detail="taken"))
        raise NotFound("nobody is waiting")

    group = GroupCommit(database.writer)
    try:
        results = await asyncio.gather(*(group.run(finds_nobody if n == 1 else writes(f"piece.{n:02d}"))
                                         for n in range(4)), return_exceptions=True)
    finally:
        await group.stop()
    assert isinstance(results[1], NotFound)
    assert group.batches == 1
    assert await saved(database) == ["piece.00", "piece.02", "piece.03"]


async def test_new_service_hours_reach_the_groups_pieces_at_once(database: Database) -> None:
    """The schedule is cached per database: a change committed through the app's sessions
    is what the group's next piece reads (its session is bound to a connection of its own,
    and on SQLite to an engine of its own), not a copy cached seconds before."""
    group = GroupCommit(database.writer)
    tz = ZoneInfo("Asia/Shanghai")

    async def monday_windows(session: AsyncSession) -> tuple:
        return (await hours.load_schedule(session, tz)).windows.get(0, ())

    try:
        before = await group.run(monday_windows)
        async with database.sessions() as session:
            await hours.set_windows(session, [(0, 8 * 60, 9 * 60)])
            await session.commit()
        assert await group.run(monday_windows) == ((8 * 60, 9 * 60),) != before
    finally:
        await group.stop()
