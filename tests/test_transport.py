"""Our engine.io websocket transport (server/realtime/transport.py), spoken to frame by frame:
the handshake, pings and their timeout, order of packets, a foreign page refused, a stopping
server sending its clients away."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.test_utils import TestServer

from server.realtime import wirejson
from server.realtime.relay import RelayServer
from server.realtime.transport import PING_CHECK_SECONDS

PING_S = 0.5


class Probe(socketio.AsyncNamespace):
    def __init__(self) -> None:
        super().__init__("/")
        self.gone: list[str] = []

    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        pass

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.gone.append(sid)

    async def on_big(self, sid: str, megabytes: int) -> None:
        # more than the sockets' kernel buffers hold: the rest waits in the server's transport
        for n in range(megabytes * 100):
            await self.emit("big", [n, "x" * 10_000], to=sid)

    async def on_slow(self, sid: str, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "done"

    async def on_burst(self, sid: str, count: int) -> None:
        # from many tasks at once: the frames must still leave in the order they were emitted
        await asyncio.gather(*(self.emit("n", n, to=sid) for n in range(count)))


@pytest.fixture
async def served():  # type: ignore[no-untyped-def]
    app = web.Application()
    sio = RelayServer(async_mode="aiohttp", ping_interval=PING_S, ping_timeout=PING_S, json=wirejson)
    sio.attach(app, socketio_path="socket.io")
    probe = Probe()
    sio.register_namespace(probe)
    server = TestServer(app)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield server, http, probe, sio
    await sio.eio.pinger.stop()
    await server.close()


async def _open(server: TestServer, http: aiohttp.ClientSession, **kwargs: Any) -> aiohttp.ClientWebSocketResponse:
    return await http.ws_connect(server.make_url("/socket.io/?EIO=4&transport=websocket"), autoping=True, **kwargs)


async def _joined(server: TestServer, http: aiohttp.ClientSession) -> aiohttp.ClientWebSocketResponse:
    """Open a socket and join the default namespace (engine.io OPEN, then socket.io CONNECT)."""
    ws = await _open(server, http)
    assert (await _text(ws)).startswith("0{")
    await ws.send_str("40")
    assert (await _text(ws)).startswith("40{")
    return ws


async def _text(ws: aiohttp.ClientWebSocketResponse, timeout: float = 5.0) -> str:
    message = await ws.receive(timeout)
    assert message.type == WSMsgType.TEXT, message
    return message.data


async def _events(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[list]:
    """The next `count` socket.io events, answering the pings in between."""
    events = []
    while len(events) < count:
        frame = await _text(ws)
        if frame == "2":
            await ws.send_str("3")
        else:
            assert frame.startswith("42"), frame
            events.append(json.loads(frame[2:]))
    return events


async def test_handshake_then_pings_answered_keep_the_socket_and_a_silent_one_is_dropped(served) -> None:
    server, http, probe, _sio = served
    ws = await _open(server, http)
    opened = json.loads((await _text(ws))[1:])
    assert opened["upgrades"] == [] and opened["pingInterval"] == int(PING_S * 1000) and opened["sid"]
    await ws.send_str("40")
    assert (await _text(ws)).startswith("40{")
    for _ in range(3):  # answered pings: still connected after several intervals
        assert await _text(ws, timeout=PING_S * 4) == "2"
        await ws.send_str("3")
    assert probe.gone == []
    # silent now: the next ping goes unanswered and the server drops the socket
    assert await _text(ws, timeout=PING_S * 4) == "2"
    closed = await ws.receive(timeout=PING_S * 6)
    assert closed.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR)
    for _ in range(50):
        if probe.gone:
            break
        await asyncio.sleep(0.05)
    assert len(probe.gone) == 1


async def test_a_client_that_reads_a_burst_late_but_answers_its_pings_is_kept(served) -> None:
    server, http, probe, sio = served
    sio.eio.ping_timeout = 4 * PING_CHECK_SECONDS  # longer than the client stops reading for
    ws = await _joined(server, http)
    await ws.send_str('42["big",20]')
    await asyncio.sleep(2 * PING_CHECK_SECONDS)  # not reading: a ping comes due behind the burst
    bigs = 0
    while bigs < 2000:  # then it catches up, answering each ping it finds on the way
        frame = await _text(ws)
        if frame == "2":
            await ws.send_str("3")
        else:
            bigs += frame.startswith('42["big"')
    for _ in range(3):  # and keeps answering: still connected well past the ping timeout
        assert await _text(ws, timeout=PING_S * 4) == "2"
        await ws.send_str("3")
    assert probe.gone == []


async def test_packets_leave_in_the_order_they_were_emitted(served) -> None:
    server, http, _probe, _sio = served
    ws = await _joined(server, http)
    await ws.send_str('42["burst",300]')
    assert await _events(ws, 300) == [["n", n] for n in range(300)]


async def test_a_page_of_another_site_cannot_open_the_socket(served) -> None:
    server, http, _probe, sio = served
    own = f"http://{server.host}:{server.port}"
    foreign = ["https://elsewhere.example", f"https://{server.host}:{server.port}",  # another scheme
               f"http://{server.host}:{server.port + 1}", f"http://sub.{server.host}:{server.port}",
               "null", ""]
    for origin in foreign:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await _open(server, http, origin=origin)
        assert refused.value.status == 403, origin
    ws = await _open(server, http, origin=own + "/")  # our own page
    assert (await _text(ws)).startswith("0{")
    assert len(sio.eio.sockets) == 1


async def test_the_origin_is_checked_on_every_path_and_a_configured_one_is_ours(served) -> None:
    server, http, _probe, sio = served
    # long-polling goes to python-engineio, which compares no Origin when CORS is off
    async with http.get(server.make_url("/socket.io/?EIO=4&transport=polling"),
                        headers={"Origin": "http://evil.example"}) as refused:
        assert refused.status == 403
        assert (await refused.json())["error"]["code"] == "forbidden"
    sio.eio.allowed_origins = frozenset({"https://fayuan.example"})
    ws = await _open(server, http, origin="https://FAYUAN.example:443")  # the proxy's public origin
    assert (await _text(ws)).startswith("0{")


@pytest.mark.parametrize("query", ["EIO=4&transport=websocket&transport=polling",
                                   "EIO=4&transport=polling&transport=websocket", "EIO=4&EIO=3&transport=websocket"])
async def test_a_parameter_given_twice_is_refused(served, query: str) -> None:
    server, http, _probe, sio = served
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(server.make_url(f"/socket.io/?{query}"))
    assert refused.value.status == 400
    assert sio.eio.sockets == {}


async def test_a_malformed_frame_does_not_end_the_connection(served) -> None:
    server, http, probe, _sio = served
    ws = await _joined(server, http)
    for junk in ("", "9", "4{not json", '42["burst",'):
        await ws.send_str(junk)
    await ws.send_str('42["burst",2]')
    assert await _events(ws, 2) == [["n", 0], ["n", 1]]
    assert probe.gone == []


async def test_a_stopping_server_records_the_departure_then_closes_with_1012_and_refuses_newcomers(served) -> None:
    server, http, probe, sio = served
    ws = await _joined(server, http)
    assert await sio.eio.send_everyone_away(3.0) == 1
    gone_when_closed = list(probe.gone)
    closed = await ws.receive(timeout=5)
    # no engine.io CLOSE packet ("1") first: python-socketio's client would not reconnect after one
    assert closed.type == WSMsgType.CLOSE and closed.data == WSCloseCode.SERVICE_RESTART, closed
    assert len(gone_when_closed) == 1  # the disconnect ran to its end before the websocket closed
    assert sio.eio.sockets == {}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await _open(server, http)
    assert refused.value.status == 503  # a proxy passes the handshake to another server


async def test_a_client_sent_away_gets_the_ack_it_was_waiting_for_and_reconnects(served) -> None:
    server, _http, probe, sio = served
    client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.2)
    await client.connect(str(server.make_url("/")), transports=["websocket"], socketio_path="socket.io")
    first_sid = client.get_sid()
    try:
        answer = asyncio.create_task(client.call("slow", 0.5, timeout=5))
        await asyncio.sleep(0.1)  # the event is being handled
        await sio.eio.send_everyone_away(3.0)
        assert await answer == "done"
        assert len(probe.gone) == 1
        sio.eio.accepting = True  # "another server" at the same address
        for _ in range(100):
            if client.connected and client.get_sid() != first_sid:
                break
            await asyncio.sleep(0.05)
        assert client.connected and client.get_sid() != first_sid
    finally:
        await client.disconnect()
