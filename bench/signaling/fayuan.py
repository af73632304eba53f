"""fayuan's own server under the signaling benchmark.

Settled, and written here: the server starts as `fayuan serve --migrate --demo` in a fresh
data directory; the demo seed writes `<data_dir>/demo-logins.json`; a kiosk connects with
`auth={"token": <device token>}`, a lawyer with the session cookie that `POST /api/auth/login`
sets (docs/protocol.md). Each pair is one kiosk and one lawyer, and a message is one ICE
candidate sent as `rtc.signal` and relayed to the other member of the consultation's room.

`prepare` opens the service all day on the real clock, puts the demo lawyer on the roster
and registers one kiosk per pair; the server allows that one lawyer as many live
consultations as there are pairs (several socket connections share the lawyer's cookie).
"""
from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bench.signaling.adapters import Adapter, Login, ServerCommand, Unavailable
from bench.signaling.client import SocketIOClient

try:
    from signaling import events
except ImportError:  # the contract has not landed in this checkout
    events = None  # type: ignore[assignment]

SESSION_COOKIE = "fayuan_session"  # server/web/middleware.py
CSRF_HEADER = "X-CSRF-Token"  # server/web/middleware.py
SERVICE_TIMEZONE = ZoneInfo("Asia/Shanghai")  # the server's default FAYUAN_TIMEZONE
DEMO_LAWYER = "lawyer1"  # server/demo.py; its password is in demo-logins.json
# rtc.signal payloads forbid extra fields, so the benchmark's sequence number and send time
# ride in the candidate line as ICE extension attributes (name value), which relays ignore.
SEQ_ATTRIBUTE = "x-bench-seq"
SENT_ATTRIBUTE = "x-bench-sent-ns"
JOIN_PAIR_WRITTEN = True


class AckError(Exception):
    """The server acknowledged an event with {"error": ...}."""


class StaffHttp:
    """One demo user logged in over HTTP: its session cookie and CSRF token, sent by hand
    because aiohttp's default cookie jar ignores cookies from an IP address."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self._http, self._base_url = http, base_url
        self.cookie = ""
        self.csrf_token = ""
        self.account_id = 0

    @classmethod
    async def login(cls, http: aiohttp.ClientSession, base_url: str, demo: dict, username: str) -> "StaffHttp":
        login = next(entry for entry in demo["logins"] if entry["username"] == username)
        staff = cls(http, base_url)
        async with http.post(f"{base_url}/api/auth/login",
                             json={"username": login["username"], "password": login["password"]}) as response:
            response.raise_for_status()
            staff.cookie = response.cookies[SESSION_COOKIE].value
            me = await response.json()
        staff.csrf_token, staff.account_id = me["csrf_token"], me["id"]
        return staff

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Cookie": f"{SESSION_COOKIE}={self.cookie}", CSRF_HEADER: self.csrf_token}
        async with self._http.request(method, self._base_url + path, json=body, headers=headers) as response:
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {await response.text()}")
            return await response.json() if response.content_type == "application/json" else None


async def open_all_day(admin: StaffHttp, center: StaffHttp, lawyer_ids: list[int]) -> None:
    """The server runs on the real clock: make the service open now, and for the next half
    hour, whatever day it is, with the lawyers on the roster all that time."""
    now = datetime.now(SERVICE_TIMEZONE)
    windows = [{"weekday": day, "start": "00:00", "end": "24:00"} for day in range(7)]
    await admin.call("PUT", "/api/service-hours/windows", {"windows": windows})
    for day in sorted({now.date(), (now + timedelta(minutes=30)).date()}):
        await admin.call("PUT", f"/api/service-hours/days/{day}", {"kind": "makeup_workday"})
        for account_id in lawyer_ids:
            await center.call("POST", "/api/duty/roster",
                              {"account_id": account_id, "day": day.isoformat(), "start": "00:00", "end": "24:00"})


async def community_unit_ids(admin: StaffHttp) -> list[int]:
    return [unit["id"] for unit in await admin.call("GET", "/api/units") if unit["kind"] == "community"]


async def call(client: SocketIOClient, event: str, payload: Any) -> Any:
    """Emit with an ack; an error ack raises."""
    ack = await client.call(event, payload)
    if isinstance(ack, dict) and "error" in ack:
        raise AckError(f"{event}: {ack['error']}")
    return ack


class FayuanAdapter(Adapter):
    name = "fayuan"

    def __init__(self) -> None:
        self._kiosk_tokens: list[str] = []
        self._lawyer_cookie = ""
        self._consultation_ids: dict[int, int] = {}  # pair → its live consultation, set by join_pair
        self._lawyer_available: asyncio.Task | None = None

    def check(self) -> None:
        if events is None:
            raise Unavailable("signaling/events.py not found: fayuan's socket.io signaling has not landed yet")
        if not JOIN_PAIR_WRITTEN:
            raise Unavailable("bench/signaling/fayuan.py: join_pair is not written yet")

    def server_command(self, *, port: int, data_dir: Path, pairs: int) -> ServerCommand:
        return fayuan_command(port=port, data_dir=data_dir, max_live_per_taker=pairs)

    async def prepare(self, http: aiohttp.ClientSession, base_url: str, data_dir: Path, pairs: int) -> None:
        async with http.get(f"{base_url}/socket.io/?EIO=4&transport=polling") as probe:
            if probe.status == 404:
                raise Unavailable("the server does not serve /socket.io/ yet")
        demo = json.loads((data_dir / "demo-logins.json").read_text())
        admin = await StaffHttp.login(http, base_url, demo, "admin")
        center = await StaffHttp.login(http, base_url, demo, "center")
        lawyer = await StaffHttp.login(http, base_url, demo, DEMO_LAWYER)
        await open_all_day(admin, center, [lawyer.account_id])
        # one kiosk holds one consultation at a time: a kiosk device per pair
        units = await community_unit_ids(admin)
        self._kiosk_tokens = []
        for pair in range(pairs):
            device = await admin.call("POST", "/api/devices",
                                      {"name": f"bench kiosk {pair}", "unit_id": units[pair % len(units)]})
            self._kiosk_tokens.append(device["token"])
        self._lawyer_cookie = lawyer.cookie

    def logins(self, pair: int) -> tuple[Login, Login]:
        kiosk = Login(auth={"token": self._kiosk_tokens[pair]})
        lawyer = Login(headers={"Cookie": f"{SESSION_COOKIE}={self._lawyer_cookie}"})
        return kiosk, lawyer

    async def join_pair(self, first: SocketIOClient, second: SocketIOClient, pair: int) -> None:
        """Kiosk `first` starts a consultation and lawyer `second` (one lawyer, a connection
        per pair) takes it: both are then in the room `consultation:<id>`."""
        # Availability belongs to the lawyer, not the connection: set it once. (Pairs joining
        # at once each setting it raced on the server's first insert of the lawyer's status.)
        if self._lawyer_available is None:
            self._lawyer_available = asyncio.ensure_future(call(second, events.DUTY_SET, {"available": True}))
        await asyncio.shield(self._lawyer_available)
        started = await call(first, events.CONSULT_START, {"category": "other"})
        consultation_id = started["consultation"]["id"]
        await call(second, events.QUEUE_TAKE, {"consultation_id": consultation_id})
        self._consultation_ids[pair] = consultation_id

    def relay(self, pair: int, data: dict) -> tuple[str, Any]:
        candidate = f"{data['candidate']} {SEQ_ATTRIBUTE} {data['seq']} {SENT_ATTRIBUTE} {data['sent_ns']}"
        return events.RTC_SIGNAL, {"consultation_id": self._consultation_ids[pair], "type": "candidate",
                                   "candidate": candidate, "sdp_mid": data["sdpMid"],
                                   "sdp_mline_index": data["sdpMLineIndex"]}

    def relayed(self, event: str, payload: Any) -> dict | None:
        if event != events.RTC_RELAYED or payload.get("type") != "candidate":
            return None
        words = payload["candidate"].split()
        attributes = dict(zip(words[-4::2], words[-3::2]))
        return {"seq": int(attributes[SEQ_ATTRIBUTE]), "sent_ns": int(attributes[SENT_ATTRIBUTE])}


def fayuan_cli() -> list[str]:
    # `-m` from the checkout's root (the servers' cwd): the server measured is this checkout's,
    # whichever checkout the venv's `fayuan` script was installed from
    return [sys.executable, "-m", "server.cli"]


def fayuan_command(*, port: int, data_dir: Path, max_live_per_taker: int, migrate: bool = True) -> ServerCommand:
    flags = ["--migrate", "--demo"] if migrate else []
    return ServerCommand([*fayuan_cli(), "serve", *flags],
                         env={"FAYUAN_DATA_DIR": str(data_dir), "FAYUAN_PORT": str(port), "FAYUAN_HOST": "127.0.0.1",
                              "FAYUAN_MAX_LIVE_PER_TAKER": str(max(1, max_live_per_taker))})
