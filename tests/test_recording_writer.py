"""FileWriter on its own, with tracks whose frames the test hands out: what a received
call does to the file when its audio arrives before the first video frame (video waits for a
keyframe), the order that used to lose a Janus feed's video."""
from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from server.recordings.recorder import AUDIO_HOLD_PACKETS, FileWriter
from tests.support import wait_until

AUDIO_SAMPLES = 960  # 20 ms at 48 kHz, as aiortc decodes Opus
VIDEO_SIZE = (320, 240)  # not PyAV's default size


class Handed(MediaStreamTrack):
    """A track that gives out the frames put into it, then ends at None."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.frames: asyncio.Queue[av.frame.Frame | None] = asyncio.Queue()

    async def recv(self) -> av.frame.Frame:
        frame = await self.frames.get()
        if frame is None:
            raise MediaStreamError
        return frame


def audio_frame(n: int) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="stereo", samples=AUDIO_SAMPLES)
    frame.planes[0].update(bytes(frame.planes[0].buffer_size))
    frame.sample_rate, frame.pts, frame.time_base = 48_000, n * AUDIO_SAMPLES, Fraction(1, 48_000)
    return frame


def video_frame(n: int) -> av.VideoFrame:
    width, height = VIDEO_SIZE
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane in frame.planes:
        plane.update(bytes([n % 256]) * plane.buffer_size)
    frame.pts, frame.time_base = n * 6_000, Fraction(1, 90_000)  # 15 fps on the RTP clock
    return frame


async def record(path: Path, audio_first: int, video: int) -> FileWriter:
    audio_track, video_track = Handed("audio"), Handed("video")
    writer = FileWriter(path, [audio_track, video_track])
    for n in range(audio_first):
        audio_track.frames.put_nowait(audio_frame(n))
    await wait_until(lambda: writer.frames >= audio_first, timeout=10)
    for n in range(video):
        video_track.frames.put_nowait(video_frame(n))
        audio_track.frames.put_nowait(audio_frame(audio_first + n))
    await wait_until(lambda: writer.video_frames >= video, timeout=10)
    assert await writer.stop()
    return writer


async def test_audio_before_the_first_video_frame_keeps_the_video_at_its_size(tmp_path: Path) -> None:
    path = tmp_path / "call.mp4"
    await record(path, audio_first=50, video=20)  # a second of audio, then the keyframe
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == VIDEO_SIZE
        assert sum(1 for _ in container.decode(video=0)) == 20
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(audio=0)) >= 60


async def test_audio_does_not_wait_forever_for_a_video_that_is_late(tmp_path: Path) -> None:
    path = tmp_path / "late.mp4"
    await record(path, audio_first=AUDIO_HOLD_PACKETS * 2, video=5)  # the header is out before any video
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 5  # scaled to the header's size, not lost
        assert container.streams.audio[0].duration is not None
