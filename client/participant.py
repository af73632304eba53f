"""What a headless kiosk and a headless lawyer share: one consultation at a time, its media
peer, and the pushes that concern it on either side (relayed signals, the other side going
away and coming back, the end), plus resuming after socket.io reconnects by itself.

The kiosk is the offerer: it (re)builds its peer and offers when the call starts, when it
resumes and when the other side comes back. The lawyer answers, rebuilding its peer when an
offer starts over (see client.peer).
"""
from __future__ import annotations

import logging
from collections import deque
from typing import ClassVar

from client.connection import RECONNECTED, Connection, SignalingError
from client.media import FrameCounter, synthetic_tracks
from client.peer import Peer, TrackFactory
from client.recording import RecordingLink
from signaling import events
from signaling.payloads import ConsultRef, Resume, RtcSignal

log = logging.getLogger(__name__)

ENDED_TIMEOUT_SECONDS = 10.0
# Relayed signals kept while this side has no peer yet: the kiosk's offer can overtake the
# ack of the lawyer's own queue.take (the server writes the audit record before it acks).
EARLY_SIGNALS = 50
# The consultation states (server-side ConsultationState) in which a dropped side may resume.
RESUMABLE_STATES = ("queued", "live")


class Participant:
    """One side of consultations on one connection; subclasses say whether it offers."""

    offerer: ClassVar[bool]

    def __init__(self, connection: Connection, *, tracks: TrackFactory = synthetic_tracks) -> None:
        self.connection = connection
        self.tracks = tracks
        self.consultation_id: int | None = None
        self.state: str | None = None  # the consultation's state as this side last heard it
        self.resume_token: str | None = None
        self.ice_servers: list[dict] = []
        self.peer: Peer | None = None
        self.counter = FrameCounter()
        self.ended: dict | None = None  # the consultation.ended push: ended_by, reason
        self.peer_away: dict | None = None  # the last peer.away push, until peer.back
        self.warnings: list[dict] = []  # consultation.warning pushes: minutes_left before the grace ends
        self._early_signals: deque[dict] = deque(maxlen=EARLY_SIGNALS)
        self.recording = RecordingLink(self)  # consent, and media to the server's recorder while it records
        connection.on(events.RTC_RELAYED, self._on_signal)
        connection.on(events.PEER_AWAY, self._on_peer_away)
        connection.on(events.PEER_BACK, self._on_peer_back)
        connection.on(events.CONSULT_ENDED, self._on_ended)
        connection.on(events.CONSULT_WARNING, self._on_warning)
        connection.on(RECONNECTED, self._on_reconnected)

    @property
    def counts(self) -> dict[str, int]:
        """Frames decoded from the other side in the current or last consultation, per kind."""
        return self.counter.as_dict()

    async def connect(self) -> dict:
        return await self.connection.connect()

    async def hangup(self) -> dict:
        ack = await self.connection.call(events.CONSULT_HANGUP, ConsultRef(consultation_id=self._current()))
        self.state = "ended"
        await self._leave()
        return ack["consultation"]

    async def resume(self) -> dict:
        """Rejoin after a dropped connection; the kiosk offers anew if the call is live."""
        if self.resume_token is None:
            raise SignalingError("not_found", "nothing to resume: no consultation started or taken")
        ack = await self.connection.call(events.CONSULT_RESUME, Resume(resume_token=self.resume_token))
        self.state = ack.get("state", self.state)
        self.ice_servers = ack.get("ice_servers", self.ice_servers)
        if self.state == "live":
            await self._media_anew()
        return ack

    async def wait_ended(self, timeout_seconds: float = ENDED_TIMEOUT_SECONDS) -> dict:
        consultation_id = self._current()
        if self.ended is not None and self.ended.get("consultation_id") == consultation_id:
            return self.ended
        return await self.connection.wait_for(events.CONSULT_ENDED,
                                              lambda d: d.get("consultation_id") == consultation_id, timeout_seconds)

    async def stay(self, seconds: float) -> dict | None:
        """Stay in the call for `seconds` or until it ends; returns the end push if it ended."""
        try:
            return await self.wait_ended(seconds)
        except SignalingError as exc:
            if exc.code != "timeout":
                raise
            return None

    async def close(self) -> None:
        await self._leave()
        await self.connection.close()

    def _current(self) -> int:
        if self.consultation_id is None:
            raise SignalingError("not_found", "no consultation yet")
        return self.consultation_id

    def _is_current(self, data: dict) -> bool:
        return self.consultation_id is not None and data.get("consultation_id") == self.consultation_id

    async def _join(self, consultation_id: int, resume_token: str | None, ice_servers: list[dict]) -> None:
        """The consultation is live: build the media peer (and offer, on the kiosk)."""
        if self.peer is not None:
            await self._leave()
        self.consultation_id, self.state, self.ended = consultation_id, "live", None
        self.resume_token = resume_token or self.resume_token
        self.ice_servers = ice_servers
        self.counter = FrameCounter()
        peer = Peer(consultation_id, self._send_signal, offerer=self.offerer, ice_servers=ice_servers,
                    tracks=self.tracks, counter=self.counter)
        await peer.start()
        while self._early_signals:
            data = self._early_signals.popleft()
            if data.get("consultation_id") == consultation_id:
                await peer.handle(data)
        self.peer = peer  # no await since the backlog emptied: later signals go straight to it

    async def _media_anew(self) -> None:
        if self.peer is None:
            await self._join(self._current(), self.resume_token, self.ice_servers)
        elif self.offerer:
            await self.peer.rebuild()
        # the answerer rebuilds when the kiosk's new offer comes

    async def _leave(self) -> None:
        await self.recording.close()
        peer, self.peer = self.peer, None
        if peer is not None:
            await peer.close()

    async def _send_signal(self, signal: RtcSignal) -> None:
        await self.connection.call(events.RTC_SIGNAL, signal)

    async def _on_signal(self, data: dict) -> None:
        if self.peer is None:
            self._early_signals.append(data)
        elif self._is_current(data):
            await self.peer.handle(data)

    def _on_peer_away(self, data: dict) -> None:
        if self._is_current(data):
            self.peer_away = data

    async def _on_peer_back(self, data: dict) -> None:
        if self._is_current(data):
            self.peer_away = None
            if self.state == "live":
                await self._media_anew()

    async def _on_ended(self, data: dict) -> None:
        if self._is_current(data):
            self.ended, self.state = data, "ended"
            await self._leave()

    def _on_warning(self, data: dict) -> None:
        if self._is_current(data):
            self.warnings.append(data)

    async def _on_reconnected(self, data: dict) -> None:
        if self.resume_token is not None and self.state in RESUMABLE_STATES:
            try:
                await self.resume()
            except SignalingError as exc:
                # Too late (the grace ran out) or refused: the consultation is over for this side.
                log.warning("consultation %s: resume failed: %s", self.consultation_id, exc)
                self.state = "ended"
                await self._leave()
