"""The deployment's shape, for real: Debian's nginx (tests/nginx_process.py, with the proxy
settings of deploy/nginx/fayuan-proxy.conf) in front of two `fayuan serve` processes on one
database (PostgreSQL when FAYUAN_TEST_DATABASE_URL is set) and a Redis of the test's own, so
that other runs' pub/sub is not heard. The kiosk and the lawyer are the headless clients of
client/ (audio only, to spare the CPU), which reconnect and resume by themselves.

nginx listens on a public port (both servers) and on one port per server that prefers it
(the other is its backup): the kiosk goes through A's port and the lawyer through B's, so they
start on different processes, and each comes back through the same port to whichever process
is up. One topology serves the whole module; a test that stops a process starts it again.

A rolling restart, as an operator runs one: `kill -TERM` one process (it sends its clients
away and exits within 10 s), start it again, wait until /healthz answers, then the next.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import pytest

from client.chat import Chat
from client.connection import RECONNECTED, Connection, SignalingError
from client.kiosk import Kiosk
from client.lawyer import Lawyer
from client.media import SineTone
from client.meeting import MeetingClient
from server.presence.service import LEASE_SECONDS
from signaling import events
from tests import nginx_process
from tests.meetings_support import account_ids, schedule
from tests.nginx_process import NginxProcess
from tests.processes import RedisProcess, ServerProcess
from tests.sockets import PASSWORD, login_cookie, put_on_duty
from tests.sockets import kiosk as kiosk_peer
from tests.support import PG_URL, Api, fresh_postgres, wait_until
from tests.test_take_race import open_all_day_today

pytestmark = pytest.mark.skipif(not nginx_process.available(), reason="nginx is not installed")

A, B = 0, 1
# a graceful stop must end within this (what Docker and systemd wait before SIGKILL)
STOP_LIMIT_SECONDS = 10.0
MEDIA_TIMEOUT_SECONDS = 30.0
RECONNECT_DELAY_SECONDS = 0.3
# short, so that a side recorded away after it came back (a stopping process's late
# bookkeeping) would see its call ended within the test; a restart keeps a side away ~1 s
RECONNECT_GRACE_SECONDS = 8
CHAT_INTERVAL_SECONDS = 0.1
# the dead process's lease runs out (presence/service.py), then the next sweep claims it: a few
# seconds more on a loaded machine
SWEEP_SLACK_SECONDS = 10.0


def audio_only() -> list:
    return [SineTone()]


@dataclass
class Topology:
    servers: list[ServerProcess]
    nginx: NginxProcess

    def stop(self, index: int, how: signal.Signals) -> float:
        """Signal one process and wait for it to exit; returns how long that took (seconds)."""
        process = self.servers[index].process
        assert process is not None and process.poll() is None
        started = time.monotonic()
        process.send_signal(how)
        process.wait(timeout=30)
        return time.monotonic() - started

    def start(self, index: int) -> None:
        self.servers[index].start()

    def whole(self) -> None:
        """Start again whichever process an earlier test stopped."""
        for server in self.servers:
            if server.process is None or server.process.poll() is not None:
                server.start()


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    root = tmp_path_factory.mktemp("deployment")
    db_url = asyncio.run(fresh_postgres()) if PG_URL else f"sqlite+aiosqlite:///{root / 'shared.sqlite3'}"
    redis = RedisProcess(root / "redis").start()
    servers = [ServerProcess(root / "a", database_url=db_url, redis_url=redis.url),
               ServerProcess(root / "b", database_url=db_url, redis_url=redis.url, migrate=False)]
    nginx = NginxProcess(root / "nginx", [s.port for s in servers])
    for server in servers:
        # the origins browsers would load the pages from: nginx's, not the servers' own
        server.env["FAYUAN_PUBLIC_ORIGINS"] = ",".join(nginx.origins)
        server.env["FAYUAN_RECONNECT_GRACE_SECONDS"] = str(RECONNECT_GRACE_SECONDS)
    try:
        nginx.start()
        for server in servers:
            server.start()
        yield Topology(servers, nginx)
    finally:
        for server in servers:
            server.stop()
        nginx.stop()
        redis.stop()


@dataclass
class Call:
    kiosk: Kiosk
    lawyer: Lawyer
    kiosk_chat: Chat
    lawyer_chat: Chat
    center: Api
    consultation_id: int

    async def frames_flow(self) -> None:
        """Both sides decode new audio frames from now on."""
        before = (self.kiosk.counts.get("audio", 0), self.lawyer.counts.get("audio", 0))
        await wait_until(lambda: self.kiosk.counts.get("audio", 0) > before[0] + 10
                         and self.lawyer.counts.get("audio", 0) > before[1] + 10, MEDIA_TIMEOUT_SECONDS)

    async def state(self) -> str:
        status, body = await self.center.get(f"/api/consultations/{self.consultation_id}")
        assert status == 200, body
        return body["state"]


@contextlib.asynccontextmanager
async def lawyer_on_duty(topology: Topology) -> AsyncIterator[tuple[Lawyer, Api]]:
    """lawyer1 through B's port, on duty and available, the service open all day; and an Api
    logged in as center staff. Whichever process an earlier test stopped is started first."""
    await asyncio.to_thread(topology.whole)
    nginx = topology.nginx
    admin, center = Api(nginx.url), Api(nginx.url)
    lawyer = await Lawyer.log_in(nginx.url_to(B), "lawyer1", PASSWORD, tracks=audio_only)
    lawyer.connection.sio.reconnection_delay = RECONNECT_DELAY_SECONDS
    try:
        await admin.login("admin")
        await center.login("center")
        # each process keeps the hours it read for a few seconds: wait until both see them open
        processes = [Api(nginx.url_to(A)), Api(nginx.url_to(B))]
        try:
            day = await open_all_day_today(admin, *processes)
        finally:
            for api in processes:
                await api.close()
        hello = await lawyer.connect()
        await put_on_duty(center, hello["id"], day, "00:00", "24:00")
        await lawyer.set_available()
        yield lawyer, center
        if lawyer.state == "live":
            await lawyer.hangup()
    finally:
        with contextlib.suppress(Exception):
            await lawyer.close()
        await admin.close()
        await center.close()


@contextlib.asynccontextmanager
async def live_call(topology: Topology) -> AsyncIterator[Call]:
    """lawyer1 through B's port, the first demo kiosk through A's, in a live call with chat."""
    async with lawyer_on_duty(topology) as (lawyer, center):
        token = topology.servers[A].demo_logins()["kiosks"][0]["token"]
        kiosk = Kiosk(Connection(topology.nginx.url_to(A), token=token, reconnect_delay_seconds=RECONNECT_DELAY_SECONDS),
                      tracks=audio_only)
        chats: list[Chat] = []
        try:
            await kiosk.connect()
            consultation = await kiosk.start("other")
            await lawyer.take(consultation["id"])
            await kiosk.wait_taken()
            room = f"consultation:{consultation['id']}"
            chats = [Chat(kiosk.connection, room), Chat(lawyer.connection, room)]
            for chat in chats:
                await chat.join()
            call = Call(kiosk, lawyer, chats[0], chats[1], center, consultation["id"])
            await call.frames_flow()
            yield call
        finally:
            for chat in chats:
                await chat.close()
            with contextlib.suppress(Exception):
                await kiosk.close()


async def test_nginx_routes_to_both_processes_and_keeps_the_public_origin(topology: Topology) -> None:
    nginx = topology.nginx
    async with aiohttp.ClientSession() as http:
        for index, server in enumerate(topology.servers):
            async with http.get(nginx.url_to(index) + "/healthz") as response:
                assert response.status == 200
                assert response.headers["X-Upstream"] == f"127.0.0.1:{server.port}"
        handshake = nginx.url + "/socket.io/?EIO=4&transport=websocket"
        # a page loaded from nginx's origin may open the socket through it: the upgrade passes
        async with http.ws_connect(handshake, headers={"Origin": nginx.url}) as ws:
            opened = await ws.receive_str(timeout=10)
            assert opened.startswith("0{") and '"upgrades":[]' in opened
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with http.ws_connect(handshake, headers={"Origin": "http://elsewhere.example"}):
                pass
        assert refused.value.status == 403


async def test_a_consultation_with_kiosk_and_lawyer_on_different_processes(topology: Topology) -> None:
    async with live_call(topology) as call:
        from_kiosk = await call.kiosk_chat.send("您好，我想咨詢工資的問題")
        from_lawyer = await call.lawyer_chat.send("您好，請說")
        await wait_until(lambda: len(call.kiosk_chat.messages) == 2 and len(call.lawyer_chat.messages) == 2, 10)
        for chat in (call.kiosk_chat, call.lawyer_chat):
            assert [m["client_id"] for m in chat.messages] == [from_kiosk["client_id"], from_lawyer["client_id"]]
        assert await call.state() == "live"


async def test_a_meeting_through_nginx(topology: Topology) -> None:
    """Two invited people in a mesh meeting through nginx (both on A: a meeting across
    processes is issue 14 item 4): media between them, and the meeting's chat."""
    await asyncio.to_thread(topology.whole)
    nginx = topology.nginx
    admin, host_api = Api(nginx.url), Api(nginx.url)
    members: list[MeetingClient] = []
    try:
        await admin.login("admin")
        await host_api.login("center")
        ids = await account_ids(admin)
        status, meeting = await schedule(host_api, datetime.now(UTC), account_ids=[ids["union"]])
        assert status == 201, meeting
        for username in ("center", "union"):
            cookie, _ = await login_cookie(nginx.url, username)
            member = MeetingClient(Connection(nginx.url_to(A), session_cookie=cookie), tracks=audio_only)
            members.append(member)
            await member.connection.connect()
            assert (await member.join(meeting["id"]))["topology"] == "mesh"
        host, union = members
        await wait_until(lambda: all(sum(m.received("audio").values()) > 10 for m in members), MEDIA_TIMEOUT_SECONDS)
        room = f"meeting:{meeting['id']}"
        await host.connection.call(events.CHAT_SYNC, {"room": room})
        await union.connection.call(events.CHAT_SEND, {"room": room, "client_id": "union-1", "text": "大家好"})
        pushed = await host.connection.wait_for(events.CHAT_MESSAGE, lambda d: d.get("room") == room)
        assert pushed["text"] == "大家好"
    finally:
        for member in members:
            with contextlib.suppress(Exception):
                await member.close()
        await admin.close()
        await host_api.close()


async def test_a_rolling_restart_ends_no_call_and_loses_no_message(topology: Topology) -> None:
    async with live_call(topology) as call:
        reconnects = {"kiosk": 0, "lawyer": 0}
        for name, side in (("kiosk", call.kiosk), ("lawyer", call.lawyer)):
            side.connection.on(RECONNECTED, lambda _data, name=name: reconnects.__setitem__(name, reconnects[name] + 1))
        heard: list[tuple[str, str]] = []  # what the lawyer heard of the other side
        call.lawyer.connection.on(events.PEER_AWAY, lambda d: heard.append(("away", d["who"])))
        call.lawyer.connection.on(events.PEER_BACK, lambda d: heard.append(("back", d["who"])))
        sent: list[asyncio.Future[dict]] = []
        talking = asyncio.Event()

        async def talk(chat: Chat, who: str) -> None:
            n = 0
            while not talking.is_set():
                sent.append(chat.send(f"{who} {n}"))
                n += 1
                await asyncio.sleep(CHAT_INTERVAL_SECONDS)

        talkers = [asyncio.create_task(talk(call.kiosk_chat, "kiosk")),
                   asyncio.create_task(talk(call.lawyer_chat, "lawyer"))]
        try:
            for index in (A, B):
                stopped_in = await asyncio.to_thread(topology.stop, index, signal.SIGTERM)
                assert topology.servers[index].process.returncode == 0, topology.servers[index].tail()
                assert stopped_in < STOP_LIMIT_SECONDS, stopped_in
                if index == A:
                    # A recorded the kiosk away before closing its socket; it came back through B
                    await wait_until(lambda: [kind for kind, _who in heard] == ["away", "back"], 10)
                    assert all(who.startswith("device:") for _kind, who in heard), heard
                await asyncio.to_thread(topology.start, index)
            # the kiosk was sent away by A, then (having landed on B) by B; the lawyer by B
            await wait_until(lambda: reconnects["kiosk"] >= 2 and reconnects["lawyer"] >= 1, 20)
            await asyncio.sleep(1.0)
        finally:
            talking.set()
            await asyncio.gather(*talkers)
        stored = await asyncio.wait_for(asyncio.gather(*sent), 30)  # every message acknowledged at last

        for chat in (call.kiosk_chat, call.lawyer_chat):
            await chat.sync()
            await wait_until(lambda chat=chat: len(chat.messages) >= len(stored), 10)
            assert [m["seq"] for m in chat.messages] == list(range(1, len(stored) + 1))
            assert sorted(m["client_id"] for m in chat.messages) == sorted(m["client_id"] for m in stored)
        assert call.kiosk.ended is None and call.lawyer.ended is None
        assert call.kiosk.state == call.lawyer.state == "live"
        assert await call.state() == "live"
        await call.frames_flow()


async def test_a_process_killed_mid_call_the_kiosk_resumes_on_the_other(topology: Topology) -> None:
    async with live_call(topology) as call:
        backs: list[dict] = []
        call.lawyer.connection.on(events.PEER_BACK, backs.append)
        await asyncio.to_thread(topology.stop, A, signal.SIGKILL)
        # the kiosk comes back through A's port, to B, and resumes: the lawyer hears it
        try:
            await wait_until(lambda: backs, 20)
        except AssertionError:
            raise AssertionError(f"no peer.back: kiosk {call.kiosk.state}, ended {call.kiosk.ended}, socket "
                                 f"{'connected' if call.kiosk.connection.connected else 'not connected'}; "
                                 f"B's log:\n{topology.servers[B].tail()}\nnginx's errors:\n"
                                 f"{topology.nginx.errors()}\nnginx's requests:\n{topology.nginx.requests()}") from None
        assert backs[-1]["who"].startswith("device:")
        assert call.kiosk.state == "live" and call.kiosk.ended is None
        await call.frames_flow()
        message = await call.kiosk_chat.send("還在嗎？")
        await wait_until(lambda: any(m["client_id"] == message["client_id"] for m in call.lawyer_chat.messages), 10)
        assert await call.state() == "live" and call.lawyer.ended is None


async def test_a_process_killed_mid_call_the_other_side_hears_peer_away(topology: Topology) -> None:
    """A kiosk that does not come back (its network went with the process): within the lease
    expiry the lawyer on the other process hears peer.away, and the grace starts."""
    async with lawyer_on_duty(topology) as (lawyer, _center):
        token = topology.servers[A].demo_logins()["kiosks"][0]["token"]
        resident = await kiosk_peer(topology.nginx.url_to(A), token)  # python-socketio without reconnection
        try:
            cid = (await resident.call("consultation.start", {"category": "other"}))["consultation"]["id"]
            await lawyer.take(cid)
            await asyncio.to_thread(topology.stop, A, signal.SIGKILL)
            try:
                away = await lawyer.connection.wait_for(events.PEER_AWAY,
                                                        timeout_seconds=LEASE_SECONDS + SWEEP_SLACK_SECONDS)
            except SignalingError:
                raise AssertionError(f"no peer.away; B's log:\n{topology.servers[B].tail()}") from None
            assert away["consultation_id"] == cid
        finally:
            await resident.close()
