"""Two client peers connected directly in one process: media flows both ways, through a first
negotiation, a renegotiation and a rebuild, with no server in between."""
from __future__ import annotations

import asyncio

import pytest

from client.media import FrameCounter
from client.peer import Peer, candidate_from_signal, ice_configuration, ice_ufrag
from signaling.payloads import RtcSignal
from tests.support import wait_until

BROWSER_CANDIDATE = "candidate:842163049 1 udp 1677729535 192.0.2.10 50312 typ srflx raddr 10.0.0.5 rport 50312 generation 0"


class Relay:
    """Delivers each peer's signals to the other in order, as the server's room relay does:
    through a queue, never by calling the other peer from inside the sender's own step."""

    def __init__(self) -> None:
        self.sent: list[RtcSignal] = []
        self._queues: dict[str, asyncio.Queue[RtcSignal]] = {"kiosk": asyncio.Queue(), "taker": asyncio.Queue()}
        self._tasks: list[asyncio.Task[None]] = []

    def sender(self, to: str):  # type: ignore[no-untyped-def]
        async def send(signal: RtcSignal) -> None:
            self.sent.append(signal)
            self._queues[to].put_nowait(signal)
        return send

    def deliver(self, to: str, peer: Peer) -> None:
        async def run() -> None:
            while True:
                signal = await self._queues[to].get()
                await peer.handle(signal.model_dump(exclude_none=True))
        self._tasks.append(asyncio.create_task(run()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@pytest.fixture
async def pair():  # type: ignore[no-untyped-def]
    relay = Relay()
    kiosk = Peer(7, relay.sender("taker"), offerer=True)
    taker = Peer(7, relay.sender("kiosk"), offerer=False)
    relay.deliver("kiosk", kiosk)
    relay.deliver("taker", taker)
    yield kiosk, taker, relay
    await relay.close()
    await kiosk.close()
    await taker.close()


def both_receive(*counters: FrameCounter, frames: int = 5):  # type: ignore[no-untyped-def]
    return lambda: all(c.counts["audio"] >= frames and c.counts["video"] >= frames for c in counters)


async def connect(kiosk: Peer, taker: Peer) -> None:
    await taker.start()
    await kiosk.start()
    await wait_until(both_receive(kiosk.counter, taker.counter), timeout=10)


async def test_frames_flow_both_ways(pair) -> None:  # type: ignore[no-untyped-def]
    kiosk, taker, relay = pair
    await connect(kiosk, taker)
    assert [s.type for s in relay.sent] == ["offer", "answer"]
    assert kiosk.connection_state == taker.connection_state == "connected"


async def test_renegotiation_keeps_the_connection(pair) -> None:  # type: ignore[no-untyped-def]
    kiosk, taker, relay = pair
    await connect(kiosk, taker)
    first_pc = taker.pc
    await kiosk.renegotiate()
    await wait_until(lambda: len(relay.sent) == 4 and kiosk.pc.signalingState == "stable", timeout=5)
    before = dict(taker.counter.counts)
    await wait_until(lambda: taker.counter.counts["video"] > before["video"] + 5, timeout=5)
    assert taker.pc is first_pc and taker.rebuilds == 0


async def test_rebuild_starts_a_new_connection_on_both_sides(pair) -> None:  # type: ignore[no-untyped-def]
    kiosk, taker, relay = pair
    await connect(kiosk, taker)
    first_pc = taker.pc
    await kiosk.rebuild()
    await wait_until(lambda: taker.pc is not first_pc and taker.connection_state == "connected", timeout=10)
    before = dict(kiosk.counter.counts)
    await wait_until(lambda: kiosk.counter.counts["video"] > before["video"] + 5, timeout=5)
    assert kiosk.rebuilds == taker.rebuilds == 1


async def test_candidates_before_the_offer_wait_for_it() -> None:
    sent: list[RtcSignal] = []

    async def send(signal: RtcSignal) -> None:
        sent.append(signal)

    offerer = Peer(3, send, offerer=True)
    answerer = Peer(3, send, offerer=False)
    try:
        await offerer.start()
        await answerer.handle({"type": "candidate", "candidate": BROWSER_CANDIDATE, "sdp_mid": "0",
                               "sdp_mline_index": 0})
        assert answerer.pc is None
        await answerer.handle(sent[0].model_dump(exclude_none=True))
        assert sent[-1].type == "answer" and sent[-1].consultation_id == 3
        assert answerer.pc is not None and answerer.pc.remoteDescription is not None
    finally:
        await offerer.close()
        await answerer.close()


def test_browser_candidate_is_parsed_with_its_line() -> None:
    candidate = candidate_from_signal({"candidate": BROWSER_CANDIDATE, "sdp_mid": "1", "sdp_mline_index": 1})
    assert candidate is not None
    assert (candidate.ip, candidate.port, candidate.type, candidate.relatedAddress) == (
        "192.0.2.10", 50312, "srflx", "10.0.0.5")
    assert (candidate.sdpMid, candidate.sdpMLineIndex) == ("1", 1)
    assert candidate_from_signal({"candidate": "", "sdp_mid": "0"}) is None


def test_ice_helpers() -> None:
    assert ice_ufrag("v=0\r\na=ice-ufrag:abcd\r\na=ice-pwd:x\r\n") == "abcd"
    assert ice_ufrag("v=0\r\n") is None
    config = ice_configuration([{"urls": ["turn:example.org:3478"], "username": "1:u", "credential": "p"}])
    assert config.iceServers[0].username == "1:u" and config.iceServers[0].credential == "p"
