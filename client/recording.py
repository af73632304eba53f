"""One side's part in recording its consultation (docs/protocol.md, "Recording a consultation"):
consent, the taker's request, and, while the server records, a send-only connection to its
recorder. That connection is a client.peer.Peer of its own that offers, like the kiosk does,
through `consultation.recorder_signal`; the recorder answers and sends nothing back."""
from __future__ import annotations

from typing import TYPE_CHECKING

from client.peer import Peer
from signaling import events
from signaling.payloads import CONSENT_TEXT_VERSION, Consent, Record, RecorderSignal, RtcSignal

if TYPE_CHECKING:
    from client.participant import Participant


class RecordingLink:
    def __init__(self, side: "Participant") -> None:
        self.side = side
        self.status: dict | None = None  # the last consultation.recording of the current consultation
        self.peer: Peer | None = None  # to the recorder, while it records
        side.connection.on(events.CONSULT_RECORDING, self._on_status)
        side.connection.on(events.RECORDER_SIGNALED, self._on_answer)

    @property
    def recording(self) -> bool:
        return bool(self.status and self.status["state"] == "recording")

    async def consent(self, given: bool = True, text_version: str = CONSENT_TEXT_VERSION) -> dict:
        """Give (or, with False, decline or withdraw) consent; the ack is the recording status."""
        return await self.side.connection.call(events.CONSULT_CONSENT, Consent(
            consultation_id=self.side._current(), consent=given, text_version=text_version))

    async def ask(self, on: bool = True) -> dict:
        """The taker: ask to record (it starts once both sides consent), or stop."""
        return await self.side.connection.call(events.CONSULT_RECORD,
                                               Record(consultation_id=self.side._current(), on=on))

    async def close(self) -> None:
        peer, self.peer = self.peer, None
        if peer is not None:
            await peer.close()

    async def _on_status(self, data: dict) -> None:
        if not self.side._is_current(data):
            return
        self.status = data
        if data["state"] == "recording" and self.peer is None:
            await self._offer(data["consultation_id"])
        elif data["state"] != "recording":
            await self.close()

    async def _offer(self, consultation_id: int) -> None:
        async def send(signal: RtcSignal) -> None:
            # the recorder is offered to: its peer sends offers and candidates, never answers
            await self.side.connection.call(events.RECORDER_SIGNAL, RecorderSignal.model_validate(
                {"consultation_id": consultation_id, "type": signal.type, "sdp": signal.sdp}))

        self.peer = Peer(consultation_id, send, offerer=True, ice_servers=self.side.ice_servers,
                         tracks=self.side.tracks)
        await self.peer.start()

    async def _on_answer(self, data: dict) -> None:
        if self.peer is not None and self.side._is_current(data):
            await self.peer.handle(data)
