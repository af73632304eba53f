"""A backup directory and how it is made and put back.

    DIR/manifest.json          written last: kind, time, schema revisions, every file's checksum
    DIR/database.sqlite3       SQLite (online backup API), or
    DIR/database.pgdump        PostgreSQL (pg_dump, custom format)
    DIR/data/files/...         the kept uploads (not files/incoming/: uploads in flight)
    DIR/data/recordings/...    recorded media
    DIR/data/secret_key        when the service generated its own

The database is copied first, the files after: files are kept under a new random key before
their row commits and are never rewritten, so every file row in the snapshot finds its bytes
in the copy made after it (a file the retention job deletes in between is the one exception,
and its row is then past its retention anyway)."""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from server.backup import database
from server.backup.manifest import BackupError, Entry, copy_hashed, hash_file, read, verify, write
from server.config import Settings
from server.db import make_engine

DATA_FOLDER = "data"
FOLDERS = ("files", "recordings")  # what of the data directory a backup holds
SKIPPED = {("files", "incoming")}  # partial uploads: never kept, so never restored
SECRET_KEY_FILE = "secret_key"


@dataclass(frozen=True)
class Summary:
    kind: str
    database_bytes: int
    files: int
    file_bytes: int


def data_files(data_dir: Path) -> list[Path]:
    """The data directory's files a backup holds, relative to it."""
    found: list[Path] = []
    for folder in FOLDERS:
        root = data_dir / folder
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(data_dir)
            dirnames[:] = sorted(d for d in dirnames if (rel_dir.parts + (d,))[:2] not in SKIPPED)
            found.extend(rel_dir / name for name in sorted(filenames))
    if (data_dir / SECRET_KEY_FILE).is_file():
        found.append(Path(SECRET_KEY_FILE))
    return found


def _empty_target(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} is not an empty directory: a backup goes into a new one", usage=True)
    # a backup holds every phone and ID number: readable by the service's own user only
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)


async def _revisions_and_version(database_url: str) -> tuple[list[str], int | None]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            revisions = sorted((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
            version = None
            if not database_url.startswith("sqlite"):
                version = int(await conn.scalar(text("SELECT current_setting('server_version_num')")))
    finally:
        await engine.dispose()
    return revisions, version


async def backup(settings: Settings, directory: Path, *, now: datetime) -> Summary:
    if settings.is_sqlite and not database.sqlite_path(settings.database_url).is_file():
        raise BackupError(f"there is no database at {database.sqlite_path(settings.database_url)}", usage=True)
    revisions, server_version = await _revisions_and_version(settings.database_url)
    if server_version is not None:
        await asyncio.to_thread(database.check_pg_dump_version, server_version)
    _empty_target(directory)
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    db_name = database.SQLITE_FILE if settings.is_sqlite else database.PG_DUMP_FILE
    if settings.is_sqlite:
        await asyncio.to_thread(database.snapshot_sqlite, settings.database_url, directory / db_name)
    else:
        await asyncio.to_thread(database.dump_postgres, settings.database_url, directory / db_name)
    db_size, db_sha = await asyncio.to_thread(hash_file, directory / db_name)
    entries = [Entry(db_name, db_size, db_sha)]
    entries += await asyncio.to_thread(_copy_data, settings.data_dir, directory / DATA_FOLDER)
    write(directory, entries, {"kind": kind, "database": db_name, "created_at": now.isoformat(),
                               "schema_revisions": revisions})
    files = entries[1:]
    return Summary(kind, db_size, len(files), sum(e.size_bytes for e in files))


def _copy_data(data_dir: Path, target: Path) -> list[Entry]:
    entries = []
    for rel in data_files(data_dir):
        try:
            size, sha256 = copy_hashed(data_dir / rel, target / rel)
        except FileNotFoundError:  # deleted by the retention job since the walk: nothing to keep
            continue
        entries.append(Entry(f"{DATA_FOLDER}/{rel.as_posix()}", size, sha256))
    return entries


async def _postgres_is_empty(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.scalar(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"))
    finally:
        await engine.dispose()
    return tables == 0


async def restore(settings: Settings, directory: Path) -> Summary:
    """Into an empty place only: checks every checksum, then that the database and the data
    directory hold nothing, before it writes a byte."""
    manifest = read(directory)
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest.get("kind") != kind:
        raise BackupError(f"this backup holds a {manifest.get('kind')} database but FAYUAN_DATABASE_URL names "
                          f"{kind}", usage=True)
    entries: list[Entry] = manifest["files"]
    db_name = manifest.get("database")
    if db_name not in {e.path for e in entries}:
        raise BackupError("the manifest names no database file")
    await asyncio.to_thread(verify, directory, entries)

    data = [e for e in entries if e.path.startswith(f"{DATA_FOLDER}/")]
    occupied = [str(p) for p in data_files(settings.data_dir)]
    if occupied:
        raise BackupError(f"the data directory {settings.data_dir} is not empty ({occupied[0]}): restore into a "
                          "new one", usage=True)
    if settings.is_sqlite:
        target = database.sqlite_path(settings.database_url)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"there is a database at {target} already: restore into a new place", usage=True)
    elif not await _postgres_is_empty(settings.database_url):
        raise BackupError("the PostgreSQL database is not empty: restore into a new one (createdb)", usage=True)

    if settings.is_sqlite:
        await asyncio.to_thread(_restore_sqlite, directory / db_name, target)
    else:
        await asyncio.to_thread(database.restore_postgres, settings.database_url, directory / db_name)
    await asyncio.to_thread(_restore_data, directory, data, settings.data_dir)
    db_entry = next(e for e in entries if e.path == db_name)
    return Summary(kind, db_entry.size_bytes, len(data), sum(e.size_bytes for e in data))


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    copy_hashed(source, partial)
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)  # an empty file's leftovers must not be replayed onto the copy
    partial.rename(target)


def _restore_data(directory: Path, data: list[Entry], data_dir: Path) -> None:
    for entry in data:
        rel = Path(entry.path).relative_to(DATA_FOLDER)
        copy_hashed(directory / entry.path, data_dir / rel)
