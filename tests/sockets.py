"""socket.io test peers: a recorder of pushed events and helpers to connect as kiosk or staff."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import aiohttp
import socketio

from tests.support import wait_until

PASSWORD = "fayuan-demo-2026"


class Peer:
    """A socket.io client that records every pushed event and sends events with acks."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, list[Any]] = defaultdict(list)

        @self.sio.on("*")
        async def _any(event: str, data: Any = None) -> None:
            self.received[event].append(data)

    async def connect(self, base_url: str, *, token: str | None = None, cookie: str | None = None,
                      guest: str | None = None) -> "Peer":
        """As a kiosk (its device token), staff (a session cookie) or a consultation's guest (their session token)."""
        headers = {"Cookie": f"fayuan_session={cookie}"} if cookie else {}
        auth = {"token": token} if token else {"guest": guest} if guest else None
        await self.sio.connect(base_url, auth=auth, headers=headers,
                               transports=["websocket"], socketio_path="socket.io", wait_timeout=30)
        return self

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data if data is not None else {}, timeout=30)

    async def next(self, event: str, timeout: float = 15.0, index: int | None = None) -> Any:
        """The event's latest payload, waiting (bounded) until at least one has arrived."""
        await wait_until(lambda: len(self.received[event]) > (index or 0), timeout)
        return self.received[event][-1 if index is None else index]

    async def close(self) -> None:
        await self.sio.disconnect()


async def login_cookie(base_url: str, username: str) -> tuple[str, str]:
    """(session cookie value, csrf token) for a demo user."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base_url}/api/auth/login", json={"username": username, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
            body = await r.json()
            return r.cookies["fayuan_session"].value, body["csrf_token"]


async def kiosk(base_url: str, token: str) -> Peer:
    return await Peer().connect(base_url, token=token)


async def staff(base_url: str, username: str, cookie: str | None = None) -> Peer:
    """A connected staff member; pass `cookie` to reuse a login (several tabs of one person)."""
    if cookie is None:
        cookie, _ = await login_cookie(base_url, username)
    return await Peer().connect(base_url, cookie=cookie)


async def put_on_duty(center_api: Any, account_id: int, day: str, start: str = "08:00", end: str = "18:00") -> None:
    """As center staff (an Api logged in as `center`), put a lawyer on the roster for a day."""
    status, body = await center_api.post("/api/duty/roster", {"account_id": account_id, "day": day,
                                                               "start": start, "end": end})
    assert status == 201, body


async def lawyer_on_duty(base_url: str, center_api: Any, username: str, day: str, start: str = "08:00",
                         end: str = "18:00") -> Peer:
    """A connected lawyer, on the roster for `day` (from `start` to `end`) and marked available."""
    peer = await staff(base_url, username)
    hello = await peer.next("hello")
    await put_on_duty(center_api, hello["id"], day, start, end)
    ack = await peer.call("duty.availability", {"available": True})
    assert ack == {"available": True, "on_duty": True}, ack
    return peer


async def gather(*coros: Any) -> list[Any]:
    return list(await asyncio.gather(*coros))
