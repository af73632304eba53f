"""One side's media connection for one consultation: an RTCPeerConnection driven by `rtc.signal`.

The kiosk is the offerer (docs/protocol.md, Kiosk flow 4). aiortc does not trickle: its
candidates are all in the SDP after setLocalDescription, so a Python peer only ever sends
offers and answers; a browser on the other side trickles `candidate` messages, which are
parsed here. aiortc cannot restart ICE either, so a peer that must reconnect builds a new
RTCPeerConnection: the offerer on `rebuild()`, the answerer when an offer arrives with new
ICE credentials. An offer with the same credentials is a renegotiation of the live
connection (a browser adding a screen share, switching camera).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Iterable

from aiortc import RTCConfiguration, RTCIceCandidate, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from client.media import FrameCounter, synthetic_tracks
from signaling.payloads import RtcSignal

log = logging.getLogger(__name__)

SendSignal = Callable[[RtcSignal], Awaitable[object]]
TrackFactory = Callable[[], list[MediaStreamTrack]]

CANDIDATE_PREFIX = "candidate:"


def ice_configuration(ice_servers: Iterable[dict]) -> RTCConfiguration:
    """The `ice_servers` of `consultation.taken` / `queue.take` (browser RTCIceServer dicts)."""
    return RTCConfiguration(iceServers=[
        RTCIceServer(urls=server["urls"], username=server.get("username"), credential=server.get("credential"))
        for server in ice_servers
    ])


def candidate_from_signal(message: dict) -> RTCIceCandidate | None:
    """A browser's trickled candidate; None for its end-of-candidates (an empty candidate)."""
    text = (message.get("candidate") or "").strip()
    if not text:
        return None
    if text.startswith(CANDIDATE_PREFIX):
        text = text[len(CANDIDATE_PREFIX):]
    candidate = candidate_from_sdp(text)
    candidate.sdpMid = message.get("sdp_mid")
    candidate.sdpMLineIndex = message.get("sdp_mline_index")
    return candidate


def ice_ufrag(sdp: str) -> str | None:
    """The first ICE username fragment of a description: it changes when the sender starts over."""
    for line in sdp.splitlines():
        if line.startswith("a=ice-ufrag:"):
            return line.split(":", 1)[1].strip()
    return None


class Peer:
    """The RTCPeerConnection of one side of one consultation, rebuilt when the path is lost."""

    def __init__(self, consultation_id: int, send: SendSignal, *, offerer: bool,
                 ice_servers: Iterable[dict] = (), tracks: TrackFactory = synthetic_tracks,
                 counter: FrameCounter | None = None) -> None:
        self.consultation_id = consultation_id
        self.offerer = offerer
        self.counter = counter or FrameCounter()
        self.pc: RTCPeerConnection | None = None
        self.rebuilds = 0  # how many times the connection was built anew after the first
        self._send = send
        self._configuration = ice_configuration(ice_servers)
        self._tracks = tracks
        self._local_tracks: list[MediaStreamTrack] = []
        self._pending_candidates: list[RTCIceCandidate | None] = []
        # Negotiation steps await; one at a time keeps the signaling state machine legal.
        self._lock = asyncio.Lock()

    @property
    def connection_state(self) -> str:
        return self.pc.connectionState if self.pc else "new"

    async def start(self) -> None:
        """Build the connection; the offerer sends its offer."""
        async with self._lock:
            await self._build()
            if self.offerer:
                await self._offer()

    async def rebuild(self) -> None:
        """Start over with a new connection (after a reconnect): aiortc has no ICE restart."""
        async with self._lock:
            await self._teardown()
            self.rebuilds += 1
            await self._build()
            if self.offerer:
                await self._offer()

    async def renegotiate(self) -> None:
        """A new offer on the live connection (the offerer only)."""
        async with self._lock:
            if self.pc is None:
                raise RuntimeError("renegotiate() before start()")
            await self._offer()

    async def handle(self, message: dict) -> None:
        """Apply one relayed `rtc.signal` message (offer, answer or candidate)."""
        async with self._lock:
            kind = message.get("type")
            if kind == "offer":
                await self._answer(message["sdp"])
            elif kind == "answer":
                await self._accept_answer(message["sdp"])
            elif kind == "candidate":
                await self._add_candidate(candidate_from_signal(message))

    async def close(self) -> None:
        async with self._lock:
            await self._teardown()
        await self.counter.stop()

    async def _build(self) -> None:
        pc = RTCPeerConnection(self._configuration)
        pc.on("track", self.counter.consume)
        self.pc = pc
        self._local_tracks = self._tracks()
        self._pending_candidates = []
        if self.offerer:
            for track in self._local_tracks:
                pc.addTrack(track)

    async def _teardown(self) -> None:
        if self.pc is not None:
            await self.pc.close()
            self.pc = None
        for track in self._local_tracks:
            track.stop()
        self._local_tracks = []

    async def _offer(self) -> None:
        assert self.pc is not None
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_description()

    async def _answer(self, sdp: str) -> None:
        if self.pc is not None and self.pc.signalingState == "have-local-offer":
            # Offers collide: the kiosk's own offer wins; the other side answers it.
            log.info("consultation %s: ignoring an offer that collides with ours", self.consultation_id)
            return
        if self.pc is None or self._starts_over(sdp):
            if self.pc is not None:
                self.rebuilds += 1
            await self._teardown()
            await self._build()
        pc = self.pc
        assert pc is not None
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await self._flush_candidates()
        senders = {sender.track for sender in pc.getSenders() if sender.track is not None}
        for track in self._local_tracks:
            if track not in senders:
                pc.addTrack(track)
        await pc.setLocalDescription(await pc.createAnswer())
        await self._send_description()

    def _starts_over(self, offer_sdp: str) -> bool:
        """Whether an offer needs a new connection rather than a renegotiation of this one."""
        assert self.pc is not None
        if self.pc.connectionState in ("failed", "closed"):
            return True
        current = self.pc.remoteDescription
        return current is not None and ice_ufrag(current.sdp) != ice_ufrag(offer_sdp)

    async def _accept_answer(self, sdp: str) -> None:
        if self.pc is None or self.pc.signalingState != "have-local-offer":
            log.info("consultation %s: ignoring an answer to no offer of ours", self.consultation_id)
            return
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        await self._flush_candidates()

    async def _add_candidate(self, candidate: RTCIceCandidate | None) -> None:
        if self.pc is None or self.pc.remoteDescription is None:
            self._pending_candidates.append(candidate)  # they may overtake the description they belong to
            return
        await self.pc.addIceCandidate(candidate)

    async def _flush_candidates(self) -> None:
        pending, self._pending_candidates = self._pending_candidates, []
        assert self.pc is not None  # called once the remote description is set on it
        for candidate in pending:
            await self.pc.addIceCandidate(candidate)

    async def _send_description(self) -> None:
        assert self.pc is not None and self.pc.localDescription is not None
        description = self.pc.localDescription
        # aiortc types the description's type as any str; the model checks it is one of ours
        await self._send(RtcSignal.model_validate({"consultation_id": self.consultation_id,
                                                   "type": description.type, "sdp": description.sdp}))
