"""Recording a meeting held through Janus: the recorder is one more subscriber of every feed,
with a Janus session of its own, writing each feed with the shared FileWriter
(server/recordings/recorder.py)."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiortc import RTCPeerConnection, RTCSessionDescription

from server.realtime.janus import JanusSession
from server.recordings.recorder import FileDone, FileStarted, FileWriter, Member, close_member, new_key

log = logging.getLogger(__name__)


class JanusRecorder:
    """Records a Janus room: a listening publisher handle hears of every feed, and one
    subscriber handle per feed receives it into a FileWriter. `subject` of a file is the
    feed's display (the member's ref, which the server set when relaying its join)."""

    def __init__(self, session: JanusSession, room: int, pin: str, folder: Path, on_file: FileStarted,
                 on_done: FileDone) -> None:
        self.session = session
        self.room, self.pin = room, pin
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._on_file, self._on_done = on_file, on_done
        self._feeds: dict[int, Member] = {}
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
        member = Member(pc)
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
        await close_member(member, self._on_done)

    async def leave(self, subject: str) -> None:
        """Members leave Janus by themselves (their session goes); the event drops the feed."""

    async def stop(self) -> None:
        async with self._lock:
            self.stopped = True
            for feed in list(self._feeds):
                await self._drop(feed)
        await self.session.destroy()
