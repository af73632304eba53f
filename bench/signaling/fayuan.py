"""fayuan's own server under the signaling benchmark.

Settled, and written here: the server starts as `fayuan serve --migrate --demo` in a fresh
data directory; the demo seed writes `<data_dir>/demo-logins.json`; a kiosk connects with
`auth={"token": <device token>}`, a lawyer with the session cookie that `POST /api/auth/login`
sets (docs/protocol.md). Each pair is one kiosk and one lawyer, and a message is one ICE
candidate sent as `rtc.signal` and relayed to the other member of the consultation's room.

Still to write, once the server serves signaling: `join_pair`, which brings a kiosk and a
lawyer into one live consultation (see its docstring), then set JOIN_PAIR_WRITTEN to True.
Until then the benchmark reports fayuan as unavailable, and says why, without starting it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import aiohttp

from bench.signaling.adapters import Adapter, Login, ServerCommand, Unavailable
from bench.signaling.client import SocketIOClient

try:
    from signaling import events
except ImportError:  # the contract has not landed in this checkout
    events = None  # type: ignore[assignment]

SESSION_COOKIE = "fayuan_session"  # server/web/middleware.py
DEMO_LAWYER = "lawyer1"  # server/demo.py; its password is in demo-logins.json
# rtc.signal payloads forbid extra fields, so the benchmark's sequence number and send time
# ride in the candidate line as ICE extension attributes (name value), which relays ignore.
SEQ_ATTRIBUTE = "x-bench-seq"
SENT_ATTRIBUTE = "x-bench-sent-ns"
JOIN_PAIR_WRITTEN = False


class FayuanAdapter(Adapter):
    name = "fayuan"

    def __init__(self) -> None:
        self._kiosk_tokens: list[str] = []
        self._lawyer_cookie = ""
        self._lawyer_csrf_token = ""  # for any HTTP write that setting up the pairs needs
        self._consultation_ids: dict[int, int] = {}  # pair → its live consultation, set by join_pair

    def check(self) -> None:
        if events is None:
            raise Unavailable("signaling/events.py not found: fayuan's socket.io signaling has not landed yet")
        if not JOIN_PAIR_WRITTEN:
            raise Unavailable("bench/signaling/fayuan.py: join_pair is not written yet")

    def server_command(self, *, port: int, data_dir: Path) -> ServerCommand:
        script = Path(sys.executable).parent / "fayuan"
        # `make bench` installs the script; a venv with only the dependencies runs the same CLI.
        fayuan = [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]
        return ServerCommand([*fayuan, "serve", "--migrate", "--demo"],
                             env={"FAYUAN_DATA_DIR": str(data_dir), "FAYUAN_PORT": str(port),
                                  "FAYUAN_HOST": "127.0.0.1"})

    async def prepare(self, http: aiohttp.ClientSession, base_url: str, data_dir: Path) -> None:
        async with http.get(f"{base_url}/socket.io/?EIO=4&transport=polling") as probe:
            if probe.status == 404:
                raise Unavailable("the server does not serve /socket.io/ yet")
        demo = json.loads((data_dir / "demo-logins.json").read_text())
        self._kiosk_tokens = [kiosk["token"] for kiosk in demo["kiosks"]]
        lawyer = next(login for login in demo["logins"] if login["username"] == DEMO_LAWYER)
        async with http.post(f"{base_url}/api/auth/login",
                             json={"username": lawyer["username"], "password": lawyer["password"]}) as response:
            response.raise_for_status()
            self._lawyer_cookie = response.cookies[SESSION_COOKIE].value
            self._lawyer_csrf_token = (await response.json())["csrf_token"]

    def logins(self, pair: int) -> tuple[Login, Login]:
        kiosk = Login(auth={"token": self._kiosk_tokens[pair % len(self._kiosk_tokens)]})
        lawyer = Login(headers={"Cookie": f"{SESSION_COOKIE}={self._lawyer_cookie}"})
        return kiosk, lawyer

    async def join_pair(self, first: SocketIOClient, second: SocketIOClient, pair: int) -> None:
        """To write: bring kiosk `first` and lawyer `second` into one live consultation and
        record its id in self._consultation_ids[pair].

        By docs/protocol.md: the lawyer sends `duty.availability` {available: true}; the kiosk
        `consultation.start` {category} (its ack holds the consultation); the lawyer
        `queue.take` {consultation_id}; both are then in the room. Acks are `call` results;
        an {"error": ...} result should raise. Points to settle against the real server:
        the service must be open at bench time (else `service_closed`); a lawyer counts as on
        duty only when the roster says so (POST /api/duty/roster as center staff, as
        tests/sockets.py does); and every pair of the plan (50 by default, the same for all
        implementations) needs its own kiosk and lawyer if one of each can hold one
        consultation only: register them in `prepare` (POST /api/devices, accounts and
        lawyers as the demo admin) and log each lawyer in. The load sends `rtc.signal`
        without asking for an ack, like the reference relays; protocol clients ask for one.
        """
        raise Unavailable("bench/signaling/fayuan.py: join_pair is not written yet")

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
