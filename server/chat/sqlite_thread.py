"""The SQLite chat writer's own connection, in its own thread: a whole transaction is one
thread hand-off.

Why: through aiosqlite every statement is a hop to its thread and back, and a batch is five
or six statements; here the batch's function runs start to commit in one call. The
connection is a plain sync `sqlite3` one on the same file, with the pragmas every engine
connection gets (server/db.py), wrapped in a sync SQLAlchemy Connection so the same Core
statements (membership, numbering) run on it as on PostgreSQL.

Transactions begin with BEGIN IMMEDIATE: the write lock is taken before the membership
check reads, so what was checked is what is current when the messages are written, and a
second process (or the app's own engine) waits for the lock — up to the busy timeout —
instead of failing halfway through the batch. This connection does not checkpoint the WAL
inside its commits; wal_checkpoints.py does, beside them.
"""
from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, NullPool, URL, create_engine, event

from server.chat.wal_checkpoints import WalCheckpoints
from server.db import SQLITE_BUSY_TIMEOUT_SECONDS, sqlite_pragmas

P = ParamSpec("P")
T = TypeVar("T")


def _writer_connection(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # sqlite3 no longer BEGINs on its own: _begin_immediate does
    dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")  # WalCheckpoints does it, beside the commits


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class SqliteThread:
    """One connection to a SQLite file, used only from one worker thread."""

    def __init__(self, url: URL) -> None:
        self._engine: Engine = create_engine(url.set(drivername="sqlite"), poolclass=NullPool,
                                             connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(self._engine, "connect", sqlite_pragmas)
        event.listen(self._engine, "connect", _writer_connection)
        event.listen(self._engine, "begin", _begin_immediate)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-sqlite")
        self._conn: Connection | None = None  # opened, used and closed in the thread only
        self._checkpoints = WalCheckpoints(url.database or "")

    async def transaction(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args,
                          **kwargs: P.kwargs) -> T:
        """fn(connection, …) in one transaction, committed before this returns."""
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, lambda: self._in_transaction(fn, *args, **kwargs))

    async def reset(self) -> None:
        """After a database error: the next transaction starts on a fresh connection."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        await asyncio.get_running_loop().run_in_executor(self._thread, self._checkpoints.close)
        self._engine.dispose()
        self._thread.shutdown(wait=False)

    def _in_transaction(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        if self._conn is None:
            self._conn = self._engine.connect()
        driver = self._conn.connection.driver_connection
        assert driver is not None  # a checked-out connection holds its sqlite3 one
        self._checkpoints.before_transaction(driver)
        with self._conn.begin():
            result = fn(self._conn, *args, **kwargs)
        self._checkpoints.after_commit()
        return result

    def _close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()
