"""aiosqlite, with the calls that cannot wait for a lock made on the event loop's thread.

SQLAlchemy's aiosqlite adapter makes four calls a statement (cursor, execute, fetch, close),
and aiosqlite hands each to its connection's thread and back: on these machines 340–615 µs
of CPU a statement against 6–8 µs for the statement itself. Of the four only `execute`
(and commit, rollback) can wait for another connection's write lock; creating a cursor,
fetching rows already being stepped and closing a cursor are microseconds and never wait, so
they run inline here. That leaves one hand-off a statement, and the loop never blocks on a
lock. SQLAlchemy uses a connection from one task at a time, so an inline call never meets a
statement running in the thread; the sqlite3 connection is opened with
check_same_thread=False for that reason.
"""
from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any, Callable

import aiosqlite

INLINE_CALLS = frozenset({"cursor", "fetchone", "fetchmany", "fetchall"})
ITER_CHUNK_SIZE = 64  # aiosqlite's default


class Connection(aiosqlite.Connection):
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is not None and getattr(fn, "__name__", "") in INLINE_CALLS \
                or _is_cursor_close(fn):
            if not self._running or self._connection is None:
                raise ValueError("Connection closed")
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)


def _is_cursor_close(fn: Callable[..., Any]) -> bool:
    return getattr(fn, "__name__", "") == "close" and isinstance(getattr(fn, "__self__", None), sqlite3.Cursor)


def connect(*args: Any, **kwargs: Any) -> Connection:
    """SQLAlchemy's `async_creator`: what aiosqlite.connect makes, as our Connection."""
    return Connection(partial(sqlite3.connect, *args, **{**kwargs, "check_same_thread": False}), ITER_CHUNK_SIZE)


# What a WriterConnection still hands to its thread: they may wait (BEGIN IMMEDIATE for the
# write lock; COMMIT for a checkpoint of the WAL, which syncs the file) or end the connection.
THREAD_CALLS = frozenset({"commit", "rollback", "close"})


class WriterConnection(Connection):
    """A connection that begins every transaction with BEGIN IMMEDIATE (server/group_commit.py)
    and, once that holds the write lock, runs the transaction's statements on the event loop's
    thread: holding the lock, none of them can wait for another connection (in WAL mode readers
    never wait), and a statement of a start or a take is 5–20 µs of SQLite's work against some
    100 µs of CPU for a hand-off to the thread and back. BEGIN, COMMIT and ROLLBACK still go
    through the thread, so the loop never waits for a lock or a sync."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        conn = self._connection
        if conn is not None and conn.in_transaction and getattr(fn, "__name__", "") not in THREAD_CALLS:
            if not self._running:
                raise ValueError("Connection closed")
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)


def connect_writer(*args: Any, **kwargs: Any) -> WriterConnection:
    """SQLAlchemy's `async_creator` for the group-commit engine (server/db.py)."""
    return WriterConnection(partial(sqlite3.connect, *args, **{**kwargs, "check_same_thread": False,
                                                                "isolation_level": None}), ITER_CHUNK_SIZE)
