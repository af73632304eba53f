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
