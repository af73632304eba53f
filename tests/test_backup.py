"""The backup drill: `fayuan backup` while a kiosk and a lawyer chat and the kiosk uploads
files, then `fayuan restore` into a fresh data directory and database; every message
acknowledged and every file stored before the backup began is there, byte for byte. On each
database of the run. Then what restore refuses: a non-empty target, a damaged backup."""
from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import ClientSession
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from client.chat import Chat
from client.connection import Connection
from server.chat.models import ChatMessage
from server.db import Database, make_engine
from server.files.models import StoredFile
from signaling import events
from tests.processes import ROOT, fayuan_command
from tests.sockets import login_cookie, put_on_duty
from tests.support import PG_URL, Api, wait_until
from tests.test_chat_durability import seeded_server

LOAD_TIMEOUT_SECONDS = 60.0
BACKUP_TIMEOUT_SECONDS = 120.0
MESSAGES_BEFORE_BACKUP = 60
FILES_BEFORE_BACKUP = 4
MAX_UPLOADS = 18  # under the 20 files a consultation may hold
UPLOAD_BYTES = 300_000
UPLOAD_PAUSE_SECONDS = 0.05


def cli_env(data_dir: Path, database_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAYUAN_")}
    return {**clean, "PYTHONPATH": str(ROOT), "FAYUAN_DATA_DIR": str(data_dir), "FAYUAN_DATABASE_URL": database_url}


async def fayuan_async(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """The CLI as a subprocess without blocking the loop: the in-process server keeps serving."""
    process = await asyncio.create_subprocess_exec(*fayuan_command(), *args, cwd=ROOT, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                   stdin=asyncio.subprocess.DEVNULL)
    out, err = await asyncio.wait_for(process.communicate(), BACKUP_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def fresh_restore_database(source_url: str, tmp_path: Path) -> str:
    """Where the restore goes: a new SQLite path, or a new PostgreSQL database beside the test's."""
    if source_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'fayuan.sqlite3'}"
    url = make_url(source_url)
    name = f"{url.database}_drill"
    engine = make_engine(source_url).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def drop_restore_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    assert PG_URL
    engine = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await engine.dispose()


def pdf_bytes(index: int) -> bytes:
    return b"%PDF-1.4\n" + hashlib.sha256(str(index).encode()).digest() * (UPLOAD_BYTES // 32)


async def test_backup_under_load_restores_everything_acknowledged(any_db_url, tmp_path, clock) -> None:
    server, info = await seeded_server(any_db_url, tmp_path, clock)
    token = info["kiosks"][0]["token"]
    center = Api(server.url)
    cookie, _ = await login_cookie(server.url, "lawyer1")
    lawyer, kiosk = Connection(server.url, session_cookie=cookie), Connection(server.url, token=token)
    http = ClientSession()
    restore_url = await fresh_restore_database(any_db_url, tmp_path)
    chats: list[Chat] = []
    stop = asyncio.Event()
    acknowledged: list[dict] = []
    stored: dict[int, bytes] = {}
    try:
        await center.login("center")
        hello = await lawyer.connect()
        await put_on_duty(center, hello["id"], "2026-11-30", "00:00", "24:00")
        await lawyer.call(events.DUTY_SET, {"available": True})
        await kiosk.connect()
        started = await kiosk.call(events.CONSULT_START, {"category": "other"})
        cid = started["consultation"]["id"]
        await lawyer.call(events.QUEUE_TAKE, {"consultation_id": cid})
        kiosk_chat, lawyer_chat = Chat(kiosk, f"consultation:{cid}"), Chat(lawyer, f"consultation:{cid}")
        chats += [kiosk_chat, lawyer_chat]
        await kiosk_chat.join()
        await lawyer_chat.join()

        async def chat_load(chat: Chat, prefix: str) -> None:
            count = 0
            while not stop.is_set():
                acknowledged.append(await chat.send(f"{prefix}{count:05d}"))
                count += 1

        async def upload_load() -> None:
            for index in range(MAX_UPLOADS):
                if stop.is_set():
                    return
                data = pdf_bytes(index)
                async with http.post(f"{server.url}/api/files", params={"parent_kind": "consultation",
                                                                        "parent_id": str(cid)}, data=data,
                                     headers={"Authorization": f"Bearer {token}",
                                              "X-Filename": quote(f"證據{index}.pdf")}) as resp:
                    body = await resp.json()
                    assert resp.status == 201, body
                stored[body["id"]] = data
                await asyncio.sleep(UPLOAD_PAUSE_SECONDS)

        loads = [asyncio.create_task(chat_load(kiosk_chat, "k")), asyncio.create_task(chat_load(lawyer_chat, "L")),
                 asyncio.create_task(upload_load())]
        await wait_until(lambda: len(acknowledged) >= MESSAGES_BEFORE_BACKUP and len(stored) >= FILES_BEFORE_BACKUP,
                         LOAD_TIMEOUT_SECONDS)
        messages_before, files_before = list(acknowledged), dict(stored)
        status, out, err = await fayuan_async(cli_env(tmp_path, any_db_url), "backup", str(tmp_path / "backup"))
        messages_during = len(acknowledged) - len(messages_before)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*loads), LOAD_TIMEOUT_SECONDS)
    finally:
        stop.set()
        for chat in chats:
            await chat.close()
        await kiosk.close()
        await lawyer.close()
        await http.close()
        await center.close()
        await server.stop()
    assert status == 0 and "backed up" in out, err
    assert messages_during > 0  # the backup really ran under load

    restored_dir = tmp_path / "restored"
    try:
        status, out, err = await fayuan_async(cli_env(restored_dir, restore_url), "restore", str(tmp_path / "backup"))
        assert status == 0, err
        restored = Database(make_engine(restore_url))
        async with restored.sessions() as session:
            rows = set((await session.execute(select(ChatMessage.seq, ChatMessage.text))).all())
            files = {f.id: f for f in await session.scalars(select(StoredFile))}
        await restored.dispose()
        missing = [m for m in messages_before if (m["seq"], m["text"]) not in rows]
        assert not missing and len(rows) >= len(messages_before)
        for file_id, data in files_before.items():
            row = files[file_id]
            kept = (restored_dir / "files" / row.key[:2] / row.key).read_bytes()
            assert kept == data and row.sha256 == hashlib.sha256(data).hexdigest()

        # a second restore into what is now not empty is refused, naming why, and changes nothing
        status, out, err = await fayuan_async(cli_env(restored_dir, restore_url), "restore", str(tmp_path / "backup"))
        line = one_line((status, out, err), 2)
        assert "not empty" in line or "already" in line
    finally:
        await drop_restore_database(restore_url)


def one_line(run: tuple[int, str, str], status: int) -> str:
    code, out, err = run
    assert code == status and out == "" and "Traceback" not in err, run
    assert len(err.splitlines()) == 1 and err.startswith("fayuan"), err
    return err


@pytest.fixture
async def sqlite_backup(tmp_path: Path) -> Path:
    """A small SQLite backup with one kept file, made by the CLI."""
    from tests.support import fresh_sqlite

    db_url = await fresh_sqlite(tmp_path)
    kept = tmp_path / "files" / "ab" / "abcdef"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"evidence")
    (tmp_path / "files" / "incoming").mkdir()
    (tmp_path / "files" / "incoming" / "partial").write_bytes(b"half an upload")
    status, out, err = await fayuan_async(cli_env(tmp_path, db_url), "backup", str(tmp_path / "backup"))
    assert status == 0, err
    return tmp_path / "backup"


async def test_a_backup_skips_uploads_in_flight_and_refuses_a_used_directory(sqlite_backup: Path,
                                                                            tmp_path: Path) -> None:
    assert (sqlite_backup / "data" / "files" / "ab" / "abcdef").read_bytes() == b"evidence"
    assert sqlite_backup.stat().st_mode & 0o077 == 0  # only the service's user may read it
    assert not (sqlite_backup / "data" / "files" / "incoming").exists()
    line = one_line(await fayuan_async(cli_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'fayuan.sqlite3'}"),
                                       "backup", str(sqlite_backup)), 2)
    assert "not an empty directory" in line


async def test_a_damaged_or_unfinished_backup_is_refused_before_anything_is_written(sqlite_backup: Path,
                                                                                    tmp_path: Path) -> None:
    target = tmp_path / "fresh"
    env = cli_env(target, f"sqlite+aiosqlite:///{target / 'fayuan.sqlite3'}")
    (sqlite_backup / "data" / "files" / "ab" / "abcdef").write_bytes(b"evidencf")
    line = one_line(await fayuan_async(env, "restore", str(sqlite_backup)), 1)
    assert "data/files/ab/abcdef" in line and "damaged" in line
    (sqlite_backup / "manifest.json").unlink()
    line = one_line(await fayuan_async(env, "restore", str(sqlite_backup)), 2)
    assert "manifest.json" in line
    assert not target.exists()


async def test_restoring_a_sqlite_backup_into_postgresql_is_refused(sqlite_backup: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "fresh", "postgresql+asyncpg://fayuan:secret@127.0.0.1:1/fayuan")
    line = one_line(await fayuan_async(env, "restore", str(sqlite_backup)), 2)
    assert "sqlite" in line and "postgresql" in line
