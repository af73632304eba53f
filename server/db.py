"""The database: one declarative Base, an engine per app, sessions per unit of work."""
from __future__ import annotations

import importlib
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Mapping, cast

import sqlalchemy
from sqlalchemy import URL, CursorResult, DateTime, Executable, Integer, MetaData, Result, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


async def execute_built(session: AsyncSession, statement: Executable,
                        params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
    """Run a statement built once, its values bound parameters (the queue's and a take's:
    server/consultations/queue.py), in the session's transaction, straight on its connection.
    Building a statement and its cache key cost SQLAlchemy more than SQLite's work on these
    statements, and the session's handling of each execution makes a copy of an UPDATE that
    names ORM attributes (so a new cache key every time). What the session holds unwritten is
    flushed first, as the session would."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    return await connection.execute(statement, params)


# session.info's key for the statements a group commit runs once for all its pieces
SOON = "execute_soon"


async def execute_soon(session: AsyncSession, statement: Executable, params: Mapping[str, Any]) -> None:
    """A write nothing reads back before the commit (a record's step, an audit row): in a group
    commit (server/group_commit.py) it goes with the batch's others of the same statement, one
    executemany just before the commit; otherwise now."""
    waiting = session.info.get(SOON)
    if waiting is None:
        await execute_built(session, statement, params)
    else:
        waiting.setdefault(statement, []).append(params)


def table_of(model: type[Base]) -> sqlalchemy.Table:
    """A model's Table, for Core statements that skip the ORM's bookkeeping on hot paths
    (`Model.__table__` is typed as any FromClause)."""
    return cast(sqlalchemy.Table, model.__table__)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class whole_seconds_between(FunctionElement[int]):
    """`int((later - earlier).total_seconds())` worked out by the database, to the microsecond
    and truncated toward zero as Python's int() is, on SQLite as on PostgreSQL: so that one
    UPDATE can store a duration from the row's own time (a consultation's wait from its
    `queued_at`) without reading the row first. Both arguments are UTCDateTime values."""

    type = Integer()
    name = "whole_seconds_between"
    inherit_cache = True


@compiles(whole_seconds_between)
def _whole_seconds_elsewhere(element: whole_seconds_between, compiler: Any, **kw: Any) -> str:
    return str(compiler.visit_function(element, **kw))  # str(statement) in a log; no database has it


@compiles(whole_seconds_between, "postgresql")
def _whole_seconds_postgresql(element: whole_seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(TRUNC(EXTRACT(EPOCH FROM ({later} - {earlier}))) AS INTEGER)"


@compiles(whole_seconds_between, "sqlite")
def _whole_seconds_sqlite(element: whole_seconds_between, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores these as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): the whole seconds of the
    # first 19 characters from strftime('%s'), the microseconds from characters 21-26, in integers
    # throughout (SQLite's own date arithmetic keeps milliseconds: it rounds 59.9995 s up to a minute)
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    whole = (f"(CAST(strftime('%s', substr({later}, 1, 19)) AS INTEGER)"
             f" - CAST(strftime('%s', substr({earlier}, 1, 19)) AS INTEGER))")
    micro = f"(CAST(substr({later}, 21, 6) AS INTEGER) - CAST(substr({earlier}, 21, 6) AS INTEGER))"
    return f"(({whole} * 1000000 + {micro}) / 1000000)"


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. `session.execute` is typed to answer a Result,
    but for those statements it is a CursorResult, which counts them."""
    return cast(CursorResult[Any], result).rowcount


SQLITE_BUSY_TIMEOUT_SECONDS = 30  # how long a statement waits for another connection's write lock
SQLITE_POOL_SIZE = 5


def sqlite_pragmas(dbapi_conn: Any, _record: object = None) -> None:  # sqlite3 or the async adapter of it
    """Every SQLite connection, the engine's and the chat writer's own: WAL, so readers never
    wait for the writer; a sync per checkpoint rather than per commit; foreign keys on."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> AsyncEngine:
    """hide_parameters: a database error's text would otherwise carry the statement's values
    (phones, ID numbers, message texts) into the log line that reports it."""
    if url.startswith("sqlite"):
        # SQLite takes one writer at a time: more connections than this only cost a thread and
        # a page cache each
        from server import sqlite_driver

        return _sqlite_engine(url, sqlite_driver.connect, SQLITE_POOL_SIZE)
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str | URL, connect: Callable[..., Any], pool_size: int) -> AsyncEngine:
    """An engine whose connections `connect` opens on the SQLite file, each with the pragmas."""
    connect = partial(connect, make_url(url).database or ":memory:", timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, async_creator=connect,
                                 hide_parameters=True)
    event.listen(engine.sync_engine, "connect", sqlite_pragmas)
    return engine


def make_writer_engine(engine: AsyncEngine) -> AsyncEngine | None:
    """The group-commit engine beside a SQLite file's (server/group_commit.py): one connection,
    each transaction begun with BEGIN IMMEDIATE and its statements run inline
    (sqlite_driver.WriterConnection). None for PostgreSQL, whose statements do not hop threads,
    and for an in-memory SQLite, which a second connection would not see."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    from server import sqlite_driver

    writer = _sqlite_engine(url, sqlite_driver.connect_writer, 1)
    event.listen(writer.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return writer


def dialect_insert(session: AsyncSession) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The INSERT construct of the session's database, for its ON CONFLICT clauses (SQLite and
    PostgreSQL spell them alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def database_unreachable(exc: BaseException) -> bool:
    """A fault of the way to the database (refused, dropped, shut down, locked), not of the
    statement: the request may succeed in a moment, so 503, and a read is tried once more."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, (sqlalchemy.exc.OperationalError,
                                                              sqlalchemy.exc.InterfaceError))
    return isinstance(exc, (ConnectionError, TimeoutError))


class Database:
    """The engine and a session factory; services take an AsyncSession."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        # group commit's (server/group_commit.py): on a SQLite file, an engine of its own
        self.writer: AsyncEngine = make_writer_engine(engine) or engine

    async def dispose(self) -> None:
        if self.writer is not self.engine:
            await self.writer.dispose()
        await self.engine.dispose()


# the domains that keep tables (each has a models.py)
MODEL_DOMAINS = ("accounts", "applications", "audit", "board", "chat", "consultations", "files", "hours", "meetings",
                 "org", "presence", "recordings", "replies", "retention")


def all_models() -> None:
    """Import every domain's models so Base.metadata is complete (Alembic, tests)."""
    for domain in MODEL_DOMAINS:
        importlib.import_module(f"server.{domain}.models")
