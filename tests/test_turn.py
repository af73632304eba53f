"""TURN for real: coturn started on a free port; two aiortc peers that may only use relay
candidates connect with the credentials our /api/rtc/ice-servers hands out — and a wrong
secret gathers nothing. coturn checks a credential's expiry against its own clock, so the
credentials are minted from wall time even while the test's domain clock is frozen."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from server.app import init_app
from server.ice import TURN_CREDENTIAL_LIFETIME, ice_servers, turn_credentials
from tests.processes import free_port
from tests.sockets import kiosk, lawyer_on_duty
from tests.support import Api, settings_for, start_client, wait_until

TURN_SECRET = "turn-secret-for-tests-only"


@pytest.fixture
def coturn(tmp_path: Path):  # type: ignore[no-untyped-def]
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.fail("coturn is not installed: apt-get install coturn (.ci/run does)")
    port = free_port()
    low = 49152 + (port % 1000) * 10
    process = subprocess.Popen(
        [binary, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
         f"--min-port={low}", f"--max-port={low + 9}", "--use-auth-secret", f"--static-auth-secret={TURN_SECRET}",
         "--realm=fayuan.test", "--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli", "--fingerprint",
         f"--log-file={tmp_path / 'turn.log'}", "--simple-log", f"--pidfile={tmp_path / 'turn.pid'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield f"turn:127.0.0.1:{port}?transport=udp"
    process.terminate()
    process.wait(timeout=10)


def _config(servers: list[dict]) -> RTCConfiguration:
    return RTCConfiguration(iceServers=[RTCIceServer(urls=s["urls"], username=s.get("username"),
                                                     credential=s.get("credential")) for s in servers],
                            iceTransportPolicy=RTCIceTransportPolicy.RELAY)


async def _connect(servers_a: list[dict], servers_b: list[dict]) -> tuple[RTCPeerConnection, RTCPeerConnection]:
    a, b = RTCPeerConnection(_config(servers_a)), RTCPeerConnection(_config(servers_b))
    channel = a.createDataChannel("check")
    got: list[str] = []

    @b.on("datachannel")
    def _on_channel(ch) -> None:  # type: ignore[no-untyped-def]
        ch.on("message", got.append)

    @channel.on("open")
    def _open() -> None:
        channel.send("über TURN")

    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    await wait_until(lambda: got == ["über TURN"], timeout=15)
    return a, b


async def test_ice_servers_route_hands_out_working_turn_credentials(coturn, db_url, tmp_path, clock, demo) -> None:
    settings = settings_for(db_url, tmp_path, turn_secret=TURN_SECRET, turn_urls=(coturn,))
    client = await start_client(init_app(settings, clock=clock, run_sweeper=False))
    api = Api(str(client.make_url("")))
    try:
        await api.login("lawyer1")
        status, body = await api.get("/api/rtc/ice-servers")
        assert status == 200
        (turn,) = body["ice_servers"]
        assert turn["urls"] == [coturn]
        expiry, user = turn["username"].split(":", 1)
        assert user.startswith("account:") and int(expiry) > time.time()
        # the other side gets its own, minted as the server does: from wall time (coturn's clock)
        other = ice_servers(settings, "device:1", datetime.now(timezone.utc))
        a, b = await _connect(body["ice_servers"], other)
        pair = a.sctp.transport.transport.iceGatherer  # both sides used relay candidates only
        assert all(c.type == "relay" for c in pair.getLocalCandidates())
        await a.close()
        await b.close()
    finally:
        await api.close()
        await client.close()


async def test_wrong_secret_gathers_no_relay_candidate(coturn) -> None:
    username, credential = turn_credentials("not-the-secret", "device:1", datetime.now(timezone.utc) + timedelta(hours=1))
    pc = RTCPeerConnection(_config([{"urls": [coturn], "username": username, "credential": credential}]))
    pc.createDataChannel("x")
    await pc.setLocalDescription(await pc.createOffer())
    assert "typ relay" not in pc.localDescription.sdp
    await pc.close()
    await asyncio.sleep(0)


async def test_turn_credentials_expire_from_wall_time_not_the_domain_clock(db_url, tmp_path, clock, demo) -> None:
    """The domain clock is frozen at 2026-11-30 10:00 China time, the past of any run from now
    on: credentials minted from it would be dead on arrival (issue 11). The HTTP route, the
    lawyer's take ack and the kiosk's `consultation.taken` all count from real time instead."""
    settings = settings_for(db_url, tmp_path, turn_secret=TURN_SECRET, turn_urls=("turn:127.0.0.1:3478",))
    client = await start_client(init_app(settings, clock=clock, run_sweeper=False))
    base = str(client.make_url("")).rstrip("/")
    center = Api(base)
    peers = []
    try:
        await center.login("center")
        status, body = await center.get("/api/rtc/ice-servers")
        assert status == 200
        lawyer = await lawyer_on_duty(base, center, "lawyer1", clock.now().date().isoformat())
        resident = await kiosk(base, demo["kiosks"][0]["token"])
        peers += [lawyer, resident]
        await resident.call("consultation.start", {"category": "other"})
        took = await lawyer.call("queue.take", {})
        taken = await resident.next("consultation.taken")
        lifetime_seconds = TURN_CREDENTIAL_LIFETIME.total_seconds()
        for servers in (body["ice_servers"], took["ice_servers"], taken["ice_servers"]):
            (turn,) = servers
            seconds_left = int(turn["username"].split(":", 1)[0]) - time.time()
            assert lifetime_seconds - 300 < seconds_left <= lifetime_seconds, turn["username"]
    finally:
        for peer in peers:
            await peer.close()
        await center.close()
        await client.close()
