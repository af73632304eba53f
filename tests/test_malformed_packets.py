"""Raw packets that are not socket.io events of ours, sent over a real websocket to the app:
each gets an error ack when it asked for one, the connection stays open, the connection's
log has one line however much junk it sends, and junk counts against the rate limit. Also
the one input that does close a connection: a frame over the handshake's maxPayload."""
from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, WSCloseCode

from server.realtime.ratelimit import BURST_EVENTS
from server.realtime.setup import MAX_PAYLOAD_BYTES

# (what is wrong, the packet after "42<ack id>")
MALFORMED: list[tuple[str, str]] = [
    ("not JSON", "{not json"),
    ("not an array", '{"event": "queue.watch"}'),
    ("a string", '"queue.watch"'),
    ("an empty array", "[]"),
    ("a numeric event name", "[123,{}]"),
    ("a null event name", "[null,{}]"),
    ("more than a payload", '["queue.watch",{},{}]'),
    ("nested 5,000 deep", '["queue.watch",' + "[" * 5000 + "]" * 5000 + "]"),
]
# frames that carry no ack id: nobody waits for an answer, but they are counted all the same
JUNK_FRAMES: list[str | bytes] = [
    b"\x00\x01 a binary frame", "", "9", "2", "4", "4x", "4{not json", '41-["x"]', "4" + "[" * 5000,
]


class Raw:
    """A websocket speaking engine.io v4 / socket.io v5 by hand, answering pings as it reads."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, opened: dict) -> None:
        self.ws, self.opened = ws, opened

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, base: Any, token: str, *, join: bool = True) -> "Raw":
        ws = await http.ws_connect(base.with_path("/socket.io/").with_query(EIO="4", transport="websocket"))
        raw = cls(ws, {})
        first = await raw.frame()
        assert first.startswith("0{"), first
        raw.opened = json.loads(first[1:])
        if join:
            await ws.send_str("40" + json.dumps({"token": token}))
            # hello is emitted by the connect handler, so it comes before the CONNECT's answer
            assert [(await raw.frame())[:10] for _ in range(2)] == ['42["hello"', '40{"sid":"']
        return raw

    async def frame(self, timeout: float = 10.0) -> str:
        while True:
            message = await self.ws.receive(timeout)
            assert message.type == WSMsgType.TEXT, message
            if message.data != "2":
                return message.data
            await self.ws.send_str("3")

    async def acks(self, count: int) -> dict[int, Any]:
        """The next `count` acks, by id (engine.io "4" + socket.io "3" + id + JSON array)."""
        found: dict[int, Any] = {}
        while len(found) < count:
            text = await self.frame()
            assert text.startswith("43"), text
            digits = len(text) - len(text[2:].lstrip("0123456789"))
            found[int(text[2:digits])] = json.loads(text[digits:])[0]
        return found

    async def call(self, ack_id: int, event: str, payload: Any) -> Any:
        await self.ws.send_str(f"42{ack_id}" + json.dumps([event, payload]))
        return (await self.acks(1))[ack_id]


def error_code(ack: Any) -> str:
    return ack["error"]["code"]


def malformed_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "server.realtime.inbound"]


@pytest.fixture
async def http():  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as session:
        yield session


async def test_each_malformed_event_gets_a_bad_packet_ack_and_the_connection_carries_on(client, demo, http, caplog):
    caplog.set_level(logging.INFO)
    token = demo["kiosks"][0]["token"]
    raw = await Raw.connect(http, client.make_url("/"), token)
    for ack_id, (_what, body) in enumerate(MALFORMED, start=1):
        await raw.ws.send_str(f"42{ack_id}{body}")
    # a binary event (its attachment would follow as a binary frame): our protocol has none
    await raw.ws.send_str(f'451-{len(MALFORMED) + 1}["queue.watch",{{"_placeholder":true,"num":0}}]')
    acks = await raw.acks(len(MALFORMED) + 1)
    for ack_id, (what, _body) in enumerate(MALFORMED, start=1):
        assert error_code(acks[ack_id]) == "bad_packet", (what, acks[ack_id])
        assert acks[ack_id]["error"]["message"], what
    assert error_code(acks[len(MALFORMED) + 1]) == "bad_packet"
    for junk in JUNK_FRAMES:
        await (raw.ws.send_bytes(junk) if isinstance(junk, bytes) else raw.ws.send_str(junk))
    # still connected, and a well-formed event is handled as usual
    ack = await raw.call(100, "queue.watch", {})
    assert ack == {"error": {"code": "invalid", "message": "kiosks do not watch queues"}}
    lines = malformed_lines(caplog)
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING, [r.getMessage() for r in lines]
    assert token not in lines[0].getMessage() and "queue.watch" not in lines[0].getMessage()  # no content
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], \
        [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_one_log_line_per_connection_however_much_junk(client, demo, http, caplog):
    caplog.set_level(logging.INFO)
    first = await Raw.connect(http, client.make_url("/"), demo["kiosks"][0]["token"])
    second = await Raw.connect(http, client.make_url("/"), demo["kiosks"][1]["token"])
    for raw in (first, second):
        for n in range(50):
            await raw.ws.send_str(f"42{n}[{n},{{}}]")
        for junk in JUNK_FRAMES:
            await (raw.ws.send_bytes(junk) if isinstance(junk, bytes) else raw.ws.send_str(junk))
        acks = await raw.acks(50)
        assert {error_code(a) for a in acks.values()} == {"bad_packet"}
        assert error_code(await raw.call(99, "queue.watch", {})) == "invalid"  # still open
    lines = malformed_lines(caplog)
    assert len(lines) == 2, [r.getMessage() for r in lines]
    assert {first.opened["sid"], second.opened["sid"]} == {r.args[0] for r in lines}  # type: ignore[index]


async def test_malformed_packets_count_against_the_rate_limit(client, demo, http, caplog):
    caplog.set_level(logging.INFO)
    raw = await Raw.connect(http, client.make_url("/"), demo["kiosks"][0]["token"])
    sent = int(BURST_EVENTS) + 100
    for ack_id in range(1, sent + 1):
        await raw.ws.send_str(f"42{ack_id}[123,{{}}]")
    # sent at once behind the junk: the bucket refills 50 a second, nowhere near 100 in this time
    await raw.ws.send_str(f'42{sent + 1}["queue.watch",{{}}]')
    acks = await raw.acks(sent + 1)
    codes = [error_code(acks[n]) for n in range(1, sent + 1)]
    assert set(codes) == {"bad_packet", "rate_limited"}
    assert codes.count("bad_packet") < BURST_EVENTS + 50, codes.count("bad_packet")
    assert codes.index("rate_limited") >= BURST_EVENTS - 5  # the burst went to the junk (and the CONNECT)
    assert error_code(acks[sent + 1]) == "rate_limited"
    # frames with no ack id count too: junk alone empties the bucket of a fresh connection
    other = await Raw.connect(http, client.make_url("/"), demo["kiosks"][1]["token"])
    for _ in range(sent):
        await other.ws.send_bytes(b"\x00 binary")
    assert error_code(await other.call(1, "queue.watch", {})) == "rate_limited"
    assert len(malformed_lines(caplog)) == 2


async def test_an_event_before_joining_the_namespace_is_answered(client, demo, http):
    raw = await Raw.connect(http, client.make_url("/"), demo["kiosks"][0]["token"], join=False)
    assert error_code(await raw.call(1, "queue.watch", {})) == "unauthenticated"
    await raw.ws.send_str("40" + json.dumps({"token": demo["kiosks"][0]["token"]}))
    assert (await raw.frame()).startswith('42["hello"')


def _event_of_size(size_bytes: int) -> str:
    """An engine.io frame of exactly `size_bytes` bytes: an event with an ack id and padding."""
    bare = '421["queue.watch",{"pad":""}]'
    return bare.replace('""', '"' + "x" * (size_bytes - len(bare)) + '"')


async def test_max_payload_is_the_largest_frame_read_and_one_larger_closes_the_connection(client, demo, http):
    raw = await Raw.connect(http, client.make_url("/"), demo["kiosks"][0]["token"])
    max_payload = raw.opened["maxPayload"]
    assert max_payload == MAX_PAYLOAD_BYTES
    await raw.ws.send_str(_event_of_size(max_payload))
    refused = (await raw.acks(1))[1]
    assert refused["error"]["code"] == "invalid" and refused["error"]["details"]["field"] == "pad"  # read, answered
    assert error_code(await raw.call(2, "queue.watch", {})) == "invalid"  # and still open
    await raw.ws.send_str(_event_of_size(max_payload + 1))
    closed = await raw.ws.receive(10)
    assert closed.type == WSMsgType.CLOSE and closed.data == WSCloseCode.MESSAGE_TOO_BIG, closed
