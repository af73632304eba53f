"""The database part of a backup: SQLite through its online backup API, PostgreSQL through
pg_dump, and back.

SQLite: `Connection.backup` with every page in one step copies from a single read
transaction, which in WAL mode never blocks the writers, so the copy is one consistent moment
even while the chat writer commits. PostgreSQL: pg_dump reads inside one repeatable-read
transaction, consistent by design; its custom format lets pg_restore load the data before
the triggers (the audit log's refuse UPDATE and DELETE, not INSERT) and indexes."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from server.backup.manifest import BackupError

SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.pgdump"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
TOOL_TIMEOUT_SECONDS = 6 * 3600.0  # a large database on a slow disk; a hung tool still ends


@dataclass(frozen=True)
class Libpq:
    """A PostgreSQL URL as libpq's tools take it: the password goes in the environment, never
    on a command line that `ps` shows."""

    dsn: str
    env: dict[str, str]
    database: str


def libpq(database_url: str) -> Libpq:
    url = make_url(database_url)
    query = dict(url.query)
    if "ssl" in query:  # asyncpg's name for libpq's sslmode
        query["sslmode"] = query.pop("ssl")
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=query)
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return Libpq(plain.render_as_string(hide_password=False), env, url.database or "")


def sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored", usage=True)
    return Path(name)


def snapshot_sqlite(database_url: str, target: Path) -> None:
    source_path = sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}", usage=True)
    # read-only: a backup must never create, migrate or checkpoint the live file
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)
        # the copy stands alone: no -wal beside it, and its pages are sound
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("the SQLite copy failed its quick_check")
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the SQLite database {source_path}: {exc}") from None
    finally:
        copy.close()
        source.close()


def _run(tool: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(tool, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise BackupError(f"{tool[0]} is not installed (Debian: postgresql-client)", usage=True) from None
    except subprocess.TimeoutExpired:
        raise BackupError(f"{tool[0]} did not finish {what} within {TOOL_TIMEOUT_SECONDS:.0f} s") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool[0]} failed {what}: {lines[-1] if lines else f'exit {done.returncode}'}")


def tool_major_version(tool: str) -> int:
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=60).stdout
    except FileNotFoundError:
        raise BackupError(f"{tool} is not installed (Debian: postgresql-client)", usage=True) from None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None:
        raise BackupError(f"cannot tell {tool}'s version from {out.strip()!r}")
    return int(found.group(1))


def check_pg_dump_version(server_version_num: int) -> None:
    """pg_dump refuses a newer server; say so up front, naming both versions."""
    server_major = server_version_num // 10000
    major = tool_major_version("pg_dump")
    if major < server_major:
        raise BackupError(f"pg_dump is version {major} but the server is {server_major}: install "
                          f"postgresql-client-{server_major}", usage=True)


def dump_postgres(database_url: str, target: Path) -> None:
    conn = libpq(database_url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
          f"--dbname={conn.dsn}"], conn.env, f"to dump {conn.database}")


def restore_postgres(database_url: str, dump: Path) -> None:
    conn = libpq(database_url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={conn.dsn}", str(dump)], conn.env, f"to restore into {conn.database}")
