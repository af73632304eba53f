"""Helpers the meeting tests share: log in, schedule, connect headless participants."""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, AsyncIterator

from client.connection import Connection
from client.meeting import MeetingClient
from tests.processes import RedisProcess, ServerProcess
from tests.sockets import login_cookie
from tests.support import PG_URL, fresh_postgres


async def account_ids(api: Any) -> dict[str, int]:
    """username → account id, as the admin sees them (the api must be logged in as admin)."""
    status, accounts = await api.get("/api/accounts")
    assert status == 200, accounts
    return {a["username"]: a["id"] for a in accounts}


async def schedule(api: Any, now: datetime, *, kind: str = "meeting", account_ids: list[int] = (),
                   unit_ids: list[int] = (), starts_in: timedelta = timedelta(minutes=5),
                   title: str = "季度工作會議") -> tuple[int, dict]:
    starts = now + starts_in
    status, body = await api.post("/api/meetings", {
        "title": title, "agenda": "一、通報\n二、討論", "kind": kind, "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(), "account_ids": list(account_ids),
        "unit_ids": list(unit_ids)})
    return status, body


async def meeting_with_union(new_api: Any, now: datetime) -> tuple[dict[str, int], int, Any]:
    """The center's host schedules a meeting with union invited: (username → id, meeting id, host's api)."""
    admin, host_api = new_api(), new_api()
    await admin.login("admin")
    ids = await account_ids(admin)
    await host_api.login("center")
    status, meeting = await schedule(host_api, now, account_ids=[ids["union"]])
    assert status == 201, meeting
    return ids, meeting["id"], host_api


async def participant(base_url: str, username: str) -> MeetingClient:
    cookie, _ = await login_cookie(base_url, username)
    client = MeetingClient(Connection(base_url, session_cookie=cookie))
    await client.connection.connect()
    return client


@contextlib.asynccontextmanager
async def two_processes(tmp_path: Path, env: dict[str, str] | None = None) -> AsyncIterator[tuple[ServerProcess, ...]]:
    """Two `fayuan serve` on one database (the run's PostgreSQL, or a SQLite file) and a Redis
    of their own (pub/sub channels are shared across Redis db numbers, so not the run's)."""
    redis = RedisProcess(tmp_path / "redis").start()
    db_url = await fresh_postgres() if PG_URL else f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    started: list[ServerProcess] = []
    try:
        for name, migrate in (("a", True), ("b", False)):
            server = ServerProcess(tmp_path / name, database_url=db_url, redis_url=redis.url, migrate=migrate)
            server.env.update(env or {})
            started.append(server.start())
        yield tuple(started)
    finally:
        for server in started:
            server.stop()
        redis.stop()
