"""The recorder: an aiortc peer that receives each participant's audio and video and writes
one mp4 per participant to `<data dir>/recordings/`.

PeerRecorder is a member of a room like any other: each participant offers it a send-only
connection when recording starts (a mesh meeting through meeting.signal to the member
"recorder", a consultation through consultation.recorder_signal), and it answers. Meetings
through Janus use JanusRecorder (server/realtime/janus_recorder.py), which shares FileWriter.
The encoder runs in the event loop, so it is tuned for speed: x264 `ultrafast` +
`zerolatency` costs ~13% of a core per stream where the defaults cost several times that
(shared/WEBRTC-NOTES.md). Every received track is read to its end by the file writer: an
unread track grows aiortc's queue without bound.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, Final

import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from server.tasks import stop_task

log = logging.getLogger(__name__)

FOLDER = "recordings"  # under the data directory
CONTAINER = "mp4"
VIDEO_CODEC: Final = "libx264"
VIDEO_OPTIONS = {"preset": "ultrafast", "tune": "zerolatency"}
VIDEO_RATE_FPS = 30  # the stream's nominal rate; frames keep their own timestamps
AUDIO_CODEC: Final = "aac"
# at most this many audio packets (~5 s of AAC: 1024 samples at 48 kHz) wait for the video's size
AUDIO_HOLD_PACKETS = 250
TRACK_WAIT_SECONDS = 2.0  # after the first track, how long to wait for the other before writing

SendSignal = Callable[[str, dict], Awaitable[None]]  # (to ref, message)
FileStarted = Callable[[str, str], Awaitable[int]]  # (subject ref, file key) → recording id
FileDone = Callable[[int, bool, int], Awaitable[None]]  # (recording id, playable, bytes)


def recordings_folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def new_key() -> str:
    return f"{secrets.token_hex(16)}.{CONTAINER}"


class FileWriter:
    """Encodes the given tracks into one file until they end or stop() is called."""

    def __init__(self, path: Path, tracks: list[MediaStreamTrack]) -> None:
        self.path = path
        self.frames = 0
        self.video_frames = 0
        self._container = av.open(str(path), mode="w", format=CONTAINER)
        self._streams: dict[MediaStreamTrack, av.VideoStream | av.AudioStream] = {}
        for track in tracks:
            if track.kind == "video":
                video = self._container.add_stream(VIDEO_CODEC, rate=VIDEO_RATE_FPS, options=dict(VIDEO_OPTIONS))
                video.pix_fmt = "yuv420p"
                self._streams[track] = video
            else:
                self._streams[track] = self._container.add_stream(AUDIO_CODEC)
        # The first packet muxed writes the file's header, which opens every stream's encoder:
        # a video encoder opened before its first frame is stuck at PyAV's default size, and
        # setting the real one then raises. Audio flows at once while video waits for a
        # keyframe, so audio packets are held until every video stream has its size (or
        # AUDIO_HOLD_PACKETS have waited: a feed whose video never comes is still recorded).
        self._unsized = {s.index for s in self._streams.values() if s.type == "video"}
        self._held: list[av.Packet] = []
        self._tasks = [asyncio.create_task(self._run(t, s), name=f"record-{t.kind}") for t, s in self._streams.items()]
        for task in self._tasks:
            task.add_done_callback(self._task_done)

    async def _run(self, track: MediaStreamTrack, stream: av.VideoStream | av.AudioStream) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if stream.index in self._unsized:
                # only video streams wait for a size, and a video track's frames are VideoFrames
                assert isinstance(stream, av.VideoStream) and isinstance(frame, av.VideoFrame)
                if not stream.codec_context.is_open:  # else the header is out: PyAV scales frames to its size
                    stream.width, stream.height = frame.width, frame.height
                self._unsized.discard(stream.index)
            # aiortc types recv() as any Frame or Packet; a track gives its own kind's frames
            self._mux(stream.encode(frame))  # type: ignore[arg-type]
            self.frames += 1
            self.video_frames += track.kind == "video"

    def _mux(self, packets: list[av.Packet]) -> None:
        if self._unsized and len(self._held) < AUDIO_HOLD_PACKETS:
            self._held.extend(packets)
            return
        if self._held:
            packets, self._held = self._held + packets, []
        self._container.mux(packets)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("recording %s: %s stopped", self.path.name, task.get_name(), exc_info=task.exception())

    async def stop(self) -> bool:
        """Flush and close the file; True when it holds anything."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._unsized.clear()  # nothing more will come: write what is held
        try:
            for stream in self._streams.values():
                self._mux(stream.encode(None))
            self._container.close()
        except (av.error.FFmpegError, ValueError) as exc:
            log.warning("closing recording %s failed: %s", self.path.name, exc)
            return False
        return self.frames > 0


async def close_member(member: "Member", on_done: FileDone) -> None:
    """Finish the member's file (if it has one), close its connection, report the file."""
    ok = await member.writer.stop() if member.writer else False
    await member.pc.close()
    if member.writer is not None and member.recording_id is not None:
        size = member.writer.path.stat().st_size if member.writer.path.exists() else 0
        await on_done(member.recording_id, ok, size)


@dataclass
class Member:
    """One participant's (or Janus feed's) connection to the recorder, and its file."""

    pc: RTCPeerConnection
    tracks: list[MediaStreamTrack] = field(default_factory=list)
    writer: FileWriter | None = None
    recording_id: int | None = None
    waiting: asyncio.Task[None] | None = None


class PeerRecorder:
    """Answers each participant's offer and records what it sends, one file per participant."""

    def __init__(self, folder: Path, send: SendSignal, on_file: FileStarted, on_done: FileDone) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._send = send
        self._on_file = on_file
        self._on_done = on_done
        self._members: dict[str, Member] = {}
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
                member = Member(pc)
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

    def _track(self, sender: str, member: Member, track: MediaStreamTrack) -> None:
        member.tracks.append(track)
        if member.waiting is None:
            member.waiting = asyncio.create_task(self._start_when_ready(sender, member))

    async def _start_when_ready(self, sender: str, member: Member) -> None:
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
        await stop_task(member.waiting)
        await close_member(member, self._on_done)

    async def stop(self) -> None:
        async with self._lock:
            self.stopped = True
            for sender in list(self._members):
                await self._drop(sender)
