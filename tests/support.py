"""Helpers the tests share: databases, a logged-in API client, bounded waiting."""
from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from server.config import Settings
from server.db import make_engine
from server.migrate import upgrade
from server.recordings.recorder import recordings_folder
from server.recordings.retention import delete_expired, retention
from server.web import keys

PG_URL = os.environ.get("FAYUAN_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("FAYUAN_TEST_REDIS_URL") or None
_TEMPLATE: dict[str, Path] = {}


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def fresh_sqlite(tmp_path: Path) -> str:
    """A migrated SQLite file, copied from a template migrated once per test run."""
    if "sqlite" not in _TEMPLATE:
        template = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"fayuan-template-{os.getpid()}.sqlite3"
        template.unlink(missing_ok=True)
        await asyncio.to_thread(upgrade, sqlite_url(template))
        _TEMPLATE["sqlite"] = template
    target = tmp_path / "fayuan.sqlite3"
    shutil.copy(_TEMPLATE["sqlite"], target)
    return sqlite_url(target)


_PG_MIGRATED = False


async def fresh_postgres() -> str:
    """The shared PostgreSQL test database, migrated once, with every table emptied."""
    global _PG_MIGRATED
    assert PG_URL
    if not _PG_MIGRATED:
        engine = make_engine(PG_URL)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        await asyncio.to_thread(upgrade, PG_URL)
        _PG_MIGRATED = True
    engine = make_engine(PG_URL)
    async with engine.begin() as conn:
        tables = (await conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
        ))).scalars().all()
        if tables:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    return PG_URL


def settings_for(db_url: str, data_dir: Path, **extra: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=db_url,
        redis_url=extra.pop("redis_url", None),
        host="127.0.0.1",
        port=0,
        secret_key="x" * 48,
        timezone=__import__("zoneinfo").ZoneInfo("Asia/Shanghai"),
        **extra,
    )


class Api:
    """An HTTP client that keeps its own cookie jar and sends the CSRF header on writes."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = ClientSession(cookie_jar=CookieJar(unsafe=True))
        self.csrf: str | None = None
        self.bearer: str | None = None

    def _headers(self, method: str) -> dict[str, str]:
        headers = {}
        if self.csrf and method not in ("GET", "HEAD"):
            headers["X-CSRF-Token"] = self.csrf
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        return headers

    async def call(self, method: str, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        headers = {**self._headers(method), **kw.pop("headers", {})}
        async with self.client.request(method, self.base_url + path, json=json, headers=headers, **kw) as resp:
            body = await resp.json() if resp.content_type == "application/json" else await resp.text()
            return resp.status, body

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("POST", path, json, **kw)

    async def patch(self, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("PATCH", path, json, **kw)

    async def put(self, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("PUT", path, json, **kw)

    async def delete(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("DELETE", path, **kw)

    async def close(self) -> None:
        await self.client.close()

    async def login(self, username: str, password: str = "fayuan-demo-2026") -> dict:
        status, body = await self.post("/api/auth/login", {"username": username, "password": password})
        assert status == 200, body
        self.csrf = body["csrf_token"]
        return body


async def start_client(app: Any) -> TestClient:
    client = TestClient(TestServer(app, port=0))
    await client.start_server()
    return client


async def wait_until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float = 5.0,
                     interval: float = 0.02) -> None:
    """Bounded waiting: returns once predicate() is true, fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def expire_recordings(app: web.Application) -> int:
    """The recordings' part of the app's retention round, now, with the app's settings."""
    settings = app[keys.SETTINGS]
    return await delete_expired(app[keys.DB].sessions, now=app[keys.CLOCK].now(), keep=retention(settings.extra),
                                folder=recordings_folder(settings.data_dir))
