"""Kiosk and lawyer reactions to pushes that arrive in awkward orders, on a stub connection
(the real-server runs are in test_consultation_media)."""
from __future__ import annotations

import inspect
from collections import defaultdict
from typing import Any

from client.kiosk import Kiosk
from client.lawyer import Lawyer
from client.peer import Peer
from signaling import events
from signaling.payloads import RtcSignal


class StubConnection:
    """Records calls, answers them from `replies`, and pushes events to the handlers."""

    def __init__(self, replies: dict[str, dict] | None = None) -> None:
        self.replies = replies or {}
        self.calls: list[tuple[str, Any]] = []
        self.handlers: dict[str, list[Any]] = defaultdict(list)

    def on(self, event: str, handler: Any) -> None:
        self.handlers[event].append(handler)

    async def call(self, event: str, payload: Any = None) -> dict:
        self.calls.append((event, payload))
        return self.replies.get(event, {"ok": True})

    async def push(self, event: str, data: dict) -> None:
        for handler in self.handlers[event]:
            result = handler(data)
            if inspect.isawaitable(result):
                await result

    async def close(self) -> None:
        pass

    def signals(self) -> list[RtcSignal]:
        return [payload for event, payload in self.calls if event == events.RTC_SIGNAL]


async def kiosk_offer(consultation_id: int) -> tuple[Peer, RtcSignal]:
    sent: list[RtcSignal] = []

    async def send(signal: RtcSignal) -> None:
        sent.append(signal)

    offerer = Peer(consultation_id, send, offerer=True)
    await offerer.start()
    return offerer, sent[0]


async def test_an_offer_that_overtakes_the_take_ack_is_answered() -> None:
    connection = StubConnection({events.QUEUE_TAKE: {
        "consultation": {"id": 5, "state": "live"}, "room": "consultation:5", "resume_token": "r" * 32,
        "ice_servers": []}})
    lawyer = Lawyer(connection)  # type: ignore[arg-type]
    offerer, offer = await kiosk_offer(5)
    try:
        await connection.push(events.RTC_RELAYED, {**offer.model_dump(exclude_none=True), "from": "device"})
        assert connection.signals() == []
        await lawyer.take()
        [answer] = connection.signals()
        assert (answer.type, answer.consultation_id) == ("answer", 5)
    finally:
        await offerer.close()
        await lawyer.close()


async def test_a_transferred_kiosk_waits_again_and_offers_to_the_next_taker() -> None:
    connection = StubConnection({events.CONSULT_START: {
        "consultation": {"id": 9, "state": "queued"}, "resume_token": "k" * 32}})
    kiosk = Kiosk(connection)  # type: ignore[arg-type]
    try:
        await kiosk.start("housing")
        await connection.push(events.CONSULT_TAKEN, {"consultation_id": 9, "role": "kiosk", "peer_name": "李明律师",
                                                     "room": "consultation:9", "ice_servers": []})
        assert kiosk.state == "live" and [s.type for s in connection.signals()] == ["offer"]
        await connection.push(events.CONSULT_ENDED, {"consultation_id": 9, "ended_by": "account:3",
                                                     "reason": "transferred"})
        assert (kiosk.state, kiosk.peer, kiosk.taken) == ("queued", None, None)
        await connection.push(events.CONSULT_TAKEN, {"consultation_id": 9, "role": "kiosk", "peer_name": "张华律师",
                                                     "room": "consultation:9", "ice_servers": []})
        assert kiosk.taken["peer_name"] == "张华律师"
        assert [s.type for s in connection.signals()] == ["offer", "offer"]
    finally:
        await kiosk.close()
