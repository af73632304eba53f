"""The recorder: an aiortc peer that receives each participant's audio and video and writes
one mp4 per participant to `<data dir>/recordings/`.

In a mesh meeting it is the member "recorder": each client offers it a send-only connection
when recording starts, through meeting.signal like to any member (MeshRecorder). Through
Janus it is one more subscriber of every feed, with a Janus session of its own (JanusRecorder). The encoder runs in the event loop, so it is tuned for speed: x264
`ultrafast` + `zerolatency` costs ~13% of a core per stream where the defaults cost several
times that (shared/WEBRTC-NOTES.md). Every received track is read to its end by the file
writer: an unread track grows aiortc's queue without bound.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Awaitable, Callable

import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

if TYPE_CHECKING:
    from server.meetings.janus import JanusSession

log = logging.getLogger(__name__)

CONTAINER = "mp4"
VIDEO_CODEC = "libx264"
VIDEO_OPTIONS = {"preset": "ultrafast", "tune": "zerolatency"}
VIDEO_RATE_FPS = 30  # the stream's nominal rate; frames keep their own timestamps
AUDIO_CODEC = "aac"
TRACK_WAIT_SECONDS = 2.0  # after the first track, how long to wait for the other before writing

SendSignal = Callable[[str, dict], Awaitable[None]]  # (to ref, message)
FileStarted = Callable[[str, str], Awaitable[int]]  # (subject ref, file key) → recording id
FileDone = Callable[[int, bool, int], Awaitable[None]]  # (recording id, playable, bytes)


def new_key() -> str:
    return f"{secrets.token_hex(16)}.{CONTAINER}"


class FileWriter:
    """Encodes the given tracks into one file until they end or stop() is called."""

    def __init__(self, path: Path, tracks: list[MediaStreamTrack]) -> None:
        self.path = path
        self.frames = 0
        self.video_frames = 0
        self._container = av.open(str(path), mode="w", format=CONTAINER)
        self._streams: dict[MediaStreamTrack, av.stream.Stream] = {}
        for track in tracks:
            if track.kind == "video":
                stream = self._container.add_stream(VIDEO_CODEC, rate=VIDEO_RATE_FPS, options=dict(VIDEO_OPTIONS))
                stream.pix_fmt = "yuv420p"
            else:
                stream = self._container.add_stream(AUDIO_CODEC)
            self._streams[track] = stream
        self._tasks = [asyncio.create_task(self._run(t, s), name=f"record-{t.kind}") for t, s in self._streams.items()]

    async def _run(self, track: MediaStreamTrack, stream: av.stream.Stream) -> None:
        sized = False
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not sized and track.kind == "video":
                stream.width, stream.height = frame.width, frame.height
                sized = True
            for packet in stream.encode(frame):
                self._container.mux(packet)
            self.frames += 1
            self.video_frames += track.kind == "video"

    async def stop(self) -> bool:
        """Flush and close the file; True when it holds anything."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            for stream in self._streams.values():
                for packet in stream.encode(None):
                    self._container.mux(packet)
            self._container.close()
        except (av.error.FFmpegError, ValueError) as exc:
            log.warning("closing recording %s failed: %s", self.path.name, exc)
            return False
        return self.frames > 0


@dataclass
class _Member:
    pc: RTCPeerConnection
    tracks: list[MediaStreamTrack] = field(default_factory=list)
    writer: FileWriter | None = None
    recording_id: int | None = None
    waiting: asyncio.Task[None] | None = None


class MeshRecorder:
    """Answers each member's offer and records what it sends."""

    def __init__(self, folder: Path, send: SendSignal, on_file: FileStarted, on_done: FileDone) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._send = send
        self._on_file = on_file
        self._on_done = on_done
        self._members: dict[str, _Member] = {}
        self._lock = asyncio.Lock()
        self.stopped = False

    async def handle(self, sender: str, message: dict) -> None:
        async with self._lock:
            if self.stopped:
                return
            kind = message.get("type")
            if kind == "offer":
                await self._drop(sender)
                pc = RTCPeerConnection()
                member = _Member(pc)
                self._members[sender] = member
                pc.on("track", lambda track: self._track(sender, member, track))
                await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                await self._send(sender, {"type": "answer", "sdp": pc.localDescription.sdp})
            elif kind == "candidate" and sender in self._members:
                text = (message.get("candidate") or "").strip().removeprefix("candidate:")
                if text:
                    candidate = candidate_from_sdp(text)
                    candidate.sdpMid, candidate.sdpMLineIndex = message.get("sdp_mid"), message.get("sdp_mline_index")
                    await self._members[sender].pc.addIceCandidate(candidate)

    def _track(self, sender: str, member: _Member, track: MediaStreamTrack) -> None:
        member.tracks.append(track)
        if member.waiting is None:
            member.waiting = asyncio.create_task(self._start_when_ready(sender, member))

    async def _start_when_ready(self, sender: str, member: _Member) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TRACK_WAIT_SECONDS
        while len({t.kind for t in member.tracks}) < 2 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if self.stopped or self._members.get(sender) is not member:
            return
        key = new_key()
        member.writer = FileWriter(self.folder / key, member.tracks)
        member.recording_id = await self._on_file(sender, key)

    async def leave(self, sender: str) -> None:
        async with self._lock:
            await self._drop(sender)

    async def _drop(self, sender: str) -> None:
        member = self._members.pop(sender, None)
        if member is None:
            return
        if member.waiting is not None:
            member.waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await member.waiting
        ok = await member.writer.stop() if member.writer else False
        await member.pc.close()
        if member.writer is not None and member.recording_id is not None:
            size = member.writer.path.stat().st_size if member.writer.path.exists() else 0
            await self._on_done(member.recording_id, ok, size)

    async def stop(self) -> None:
        async with self._lock:
            self.stopped = True
            for sender in list(self._members):
                await self._drop(sender)


class JanusRecorder:
    """Records a Janus room: a listening publisher handle hears of every feed, and one
    subscriber handle per feed receives it into a FileWriter. `subject` of a file is the
    feed's display (the member's ref, which the server set when relaying its join)."""

    def __init__(self, session: "JanusSession", room: int, pin: str, folder: Path, on_file: FileStarted,
                 on_done: FileDone) -> None:
        self.session = session
        self.room, self.pin = room, pin
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._on_file, self._on_done = on_file, on_done
        self._feeds: dict[int, _Member] = {}
        self._listener: int | None = None
        self._lock = asyncio.Lock()
        self.stopped = False

    async def start(self) -> None:
        self.session.on_event = self._event
        self._listener = await self.session.attach()
        event = await self.session.message(self._listener, {"request": "join", "ptype": "publisher", "room": self.room,
                                                            "pin": self.pin, "display": "recorder"})
        await self._publishers(event.get("plugindata", {}).get("data", {}).get("publishers", []))

    async def _event(self, event: dict) -> None:
        data = event.get("plugindata", {}).get("data", {})
        if data.get("publishers"):
            await self._publishers(data["publishers"])
        gone = data.get("unpublished", data.get("leaving"))
        if isinstance(gone, int):
            async with self._lock:
                await self._drop(gone)

    async def _publishers(self, publishers: list[dict]) -> None:
        for publisher in publishers:
            feed = int(publisher["id"])
            async with self._lock:
                if self.stopped or feed in self._feeds:
                    continue
                try:
                    await self._subscribe(feed, str(publisher.get("display", feed)))
                except Exception:  # noqa: BLE001 - one feed failing must not stop the others
                    log.exception("recording feed %s failed", feed)

    async def _subscribe(self, feed: int, subject: str) -> None:
        handle = await self.session.attach()
        offer = await self.session.message(handle, {"request": "join", "ptype": "subscriber", "room": self.room,
                                                    "pin": self.pin, "streams": [{"feed": feed}]})
        pc = RTCPeerConnection()
        member = _Member(pc)
        self._feeds[feed] = member
        pc.on("track", lambda track: member.tracks.append(track))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["jsep"]["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.session.message(handle, {"request": "start"},
                                   jsep={"type": "answer", "sdp": pc.localDescription.sdp})
        key = new_key()
        member.writer = FileWriter(self.folder / key, member.tracks)
        member.recording_id = await self._on_file(subject, key)

    async def _drop(self, feed: int) -> None:
        member = self._feeds.pop(feed, None)
        if member is None:
            return
        ok = await member.writer.stop() if member.writer else False
        await member.pc.close()
        if member.writer is not None and member.recording_id is not None:
            size = member.writer.path.stat().st_size if member.writer.path.exists() else 0
            await self._on_done(member.recording_id, ok, size)

    async def leave(self, subject: str) -> None:
        """Members leave Janus by themselves (their session goes); the event drops the feed."""

    async def stop(self) -> None:
        async with self._lock:
            self.stopped = True
            for feed in list(self._feeds):
                await self._drop(feed)
        await self.session.destroy()
