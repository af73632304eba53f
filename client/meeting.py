"""A headless meeting participant (tests, the benchmark): joins a meeting, and sends and
receives synthetic media by the meeting's topology.

- Mesh: one client.peer.Peer per other member. The newcomer offers to everyone already in
  the room; the others answer. When recording starts, everyone offers to the member
  "recorder" too (it only receives).
- Janus: every request goes through our server (`meeting.janus`). A presenter joins its
  "publisher" handle with an offer (join and publish at once); everyone subscribes to each
  publisher's feed on a handle "sub-<feed>": Janus offers, we answer with `start`.
"""
from __future__ import annotations

import asyncio
import logging

from aiortc import RTCPeerConnection, RTCSessionDescription

from client.connection import Connection
from client.media import FrameCounter, synthetic_tracks
from client.peer import Peer, TrackFactory, ice_configuration
from signaling import events
from signaling import meetings as m
from signaling.payloads import RtcSignal

log = logging.getLogger(__name__)


class MeetingClient:
    def __init__(self, connection: Connection, *, tracks: TrackFactory = synthetic_tracks) -> None:
        self.connection = connection
        self.tracks = tracks
        self.meeting_id: int | None = None
        self.me: dict = {}
        self.topology: str | None = None
        self.roster: dict = {}
        self.ice_servers: list[dict] = []
        self.peers: dict[str, Peer] = {}  # mesh: one per other member (and the recorder)
        self.counters: dict[str, FrameCounter] = {}  # frames received, per sender ref (mesh) or feed (Janus)
        self.muted_by_host = False
        self.recording = False
        self.ended: dict | None = None
        self.removed = False
        self.janus_pcs: dict[str, RTCPeerConnection] = {}  # handle label → its connection
        self.feeds: dict[int, str] = {}  # Janus publisher id → display (account ref)
        self._subscribing: set[int] = set()
        connection.on(events.MEETING_SIGNALED, self._on_signal)
        connection.on(events.MEETING_ROSTER, self._on_roster)
        connection.on(events.MEETING_MUTE_ALL, self._on_mute_all)
        connection.on(events.MEETING_RECORDING, self._on_recording)
        connection.on(events.MEETING_ENDED, self._on_ended)
        connection.on(events.MEETING_REMOVED, self._on_removed)
        connection.on(events.MEETING_JANUS_EVENT, self._on_janus_event)

    # -- joining -----------------------------------------------------------------------
    async def join(self, meeting_id: int) -> dict:
        ack = await self.connection.call(events.MEETING_JOIN, m.MeetingRef(meeting_id=meeting_id))
        self.meeting_id = meeting_id
        if ack.get("lobby"):
            return ack
        self.me, self.topology, self.roster = ack["me"], ack["topology"], ack["roster"]
        self.ice_servers = ack.get("ice_servers", [])
        if self.topology == "mesh":
            for other in self.roster["participants"]:
                if other["ref"] != self.me["ref"]:
                    await self._mesh_peer(other["ref"], offerer=True)
        else:
            await self._janus_join()
        return ack

    async def wait_admitted(self, timeout_seconds: float = 10.0) -> dict:
        return await self.connection.wait_for(events.MEETING_ADMITTED, lambda d: d.get("meeting_id") == self.meeting_id,
                                              timeout_seconds)

    async def leave(self) -> None:
        await self.connection.call(events.MEETING_LEAVE, m.MeetingRef(meeting_id=self._id()))
        await self._close_media()

    async def call(self, event: str, **payload: object) -> dict:
        return await self.connection.call(event, {"meeting_id": self._id(), **payload})

    def received(self, kind: str = "video") -> dict[str, int]:
        return {ref: counter.counts[kind] for ref, counter in self.counters.items()}

    async def close(self) -> None:
        await self._close_media()
        await self.connection.close()

    def _id(self) -> int:
        if self.meeting_id is None:
            raise RuntimeError("join a meeting first")
        return self.meeting_id

    async def _close_media(self) -> None:
        for peer in list(self.peers.values()):
            await peer.close()
        self.peers.clear()
        for pc in list(self.janus_pcs.values()):
            await pc.close()
        self.janus_pcs.clear()
        for counter in self.counters.values():
            await counter.stop()

    # -- mesh ----------------------------------------------------------------------------
    async def _mesh_peer(self, ref: str, *, offerer: bool) -> Peer:
        old = self.peers.pop(ref, None)
        if old is not None:
            await old.close()
        counter = self.counters.setdefault(ref, FrameCounter())

        async def send(signal: RtcSignal) -> None:
            await self.connection.call(events.MEETING_SIGNAL, m.MeetingSignal(
                meeting_id=self._id(), to=ref, type=signal.type, sdp=signal.sdp, candidate=signal.candidate,
                sdp_mid=signal.sdp_mid, sdp_mline_index=signal.sdp_mline_index))

        peer = Peer(self._id(), send, offerer=offerer, ice_servers=self.ice_servers, tracks=self.tracks,
                    counter=counter)
        self.peers[ref] = peer
        await peer.start()
        return peer

    async def _on_signal(self, data: dict) -> None:
        if data.get("meeting_id") != self.meeting_id:
            return
        sender = data["from"]
        peer = self.peers.get(sender)
        if peer is None or data.get("type") == "offer" and peer.offerer:
            if data.get("type") != "offer":
                return
            peer = await self._mesh_peer(sender, offerer=False)
        await peer.handle(data)

    async def _on_roster(self, data: dict) -> None:
        if data.get("meeting_id") != self.meeting_id:
            return
        self.roster = data
        present = {p["ref"] for p in data["participants"]}
        for ref in [r for r in self.peers if r != m.RECORDER_REF and r not in present]:
            await self.peers.pop(ref).close()

    def _on_mute_all(self, data: dict) -> None:
        if data.get("meeting_id") == self.meeting_id:
            self.muted_by_host = True  # a client with a microphone would stop sending it here

    async def _on_recording(self, data: dict) -> None:
        if data.get("meeting_id") != self.meeting_id:
            return
        self.recording = bool(data.get("recording"))
        if self.recording and self.topology == "mesh":
            await self._mesh_peer(m.RECORDER_REF, offerer=True)
        elif not self.recording and m.RECORDER_REF in self.peers:
            await self.peers.pop(m.RECORDER_REF).close()

    async def _on_ended(self, data: dict) -> None:
        if data.get("meeting_id") == self.meeting_id:
            self.ended = data
            await self._close_media()

    async def _on_removed(self, data: dict) -> None:
        if data.get("meeting_id") == self.meeting_id:
            self.removed = True
            await self._close_media()

    # -- Janus ---------------------------------------------------------------------------
    async def janus(self, handle: str, request: dict | None = None, jsep: dict | None = None,
                    candidate: dict | None = None) -> dict:
        return await self.connection.call(events.MEETING_JANUS, m.JanusRequest(
            meeting_id=self._id(), handle=handle, request=request, jsep=jsep, candidate=candidate))

    @property
    def presents(self) -> bool:
        return self.me.get("role") in ("host", "presenter")

    async def _janus_join(self) -> None:
        if self.presents:
            pc = RTCPeerConnection(ice_configuration(self.ice_servers))
            self.janus_pcs["publisher"] = pc
            for track in self.tracks():
                pc.addTrack(track)
            await pc.setLocalDescription(await pc.createOffer())
            ack = await self.janus("publisher", {"request": "join", "ptype": "publisher"},
                                   jsep={"type": "offer", "sdp": pc.localDescription.sdp})
            await pc.setRemoteDescription(RTCSessionDescription(sdp=ack["jsep"]["sdp"], type=ack["jsep"]["type"]))
        else:  # listens for publishers without sending anything
            ack = await self.janus("publisher", {"request": "join", "ptype": "publisher"})
        await self._new_publishers(ack["data"].get("publishers", []))

    async def publish(self) -> None:
        """After being promoted: send media on the publisher handle that was only listening."""
        self.me["role"] = "presenter"
        pc = RTCPeerConnection(ice_configuration(self.ice_servers))
        self.janus_pcs["publisher"] = pc
        for track in self.tracks():
            pc.addTrack(track)
        await pc.setLocalDescription(await pc.createOffer())
        ack = await self.janus("publisher", {"request": "publish", "audio": True, "video": True},
                               jsep={"type": "offer", "sdp": pc.localDescription.sdp})
        await pc.setRemoteDescription(RTCSessionDescription(sdp=ack["jsep"]["sdp"], type=ack["jsep"]["type"]))

    async def _new_publishers(self, publishers: list[dict]) -> None:
        for publisher in publishers:
            feed = int(publisher["id"])
            self.feeds[feed] = publisher.get("display", "")
            if feed not in self._subscribing:
                self._subscribing.add(feed)
                asyncio.create_task(self._subscribe(feed), name=f"subscribe-{feed}")

    async def _subscribe(self, feed: int) -> None:
        label = f"sub-{feed}"
        try:
            ack = await self.janus(label, {"request": "join", "ptype": "subscriber", "streams": [{"feed": feed}]})
            pc = RTCPeerConnection(ice_configuration(self.ice_servers))
            self.janus_pcs[label] = pc
            counter = self.counters.setdefault(self.feeds.get(feed) or str(feed), FrameCounter())
            pc.on("track", counter.consume)
            await pc.setRemoteDescription(RTCSessionDescription(sdp=ack["jsep"]["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            await self.janus(label, {"request": "start"}, jsep={"type": "answer", "sdp": pc.localDescription.sdp})
        except Exception:  # noqa: BLE001 - one failed subscription must not stop the others
            log.exception("subscribing to feed %s failed", feed)

    async def _on_janus_event(self, data: dict) -> None:
        if data.get("meeting_id") != self.meeting_id:
            return
        body = data.get("data") or {}
        if data.get("handle") == "publisher" and body.get("publishers"):
            await self._new_publishers(body["publishers"])
