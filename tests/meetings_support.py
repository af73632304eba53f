"""Helpers the meeting tests share: log in, schedule, connect headless participants."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from client.connection import Connection
from client.meeting import MeetingClient
from tests.sockets import login_cookie


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


async def participant(base_url: str, username: str) -> MeetingClient:
    cookie, _ = await login_cookie(base_url, username)
    client = MeetingClient(Connection(base_url, session_cookie=cookie))
    await client.connection.connect()
    return client
