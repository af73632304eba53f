"""Synthetic media to send and a counter for the media received.

The headless clients have no camera or microphone: they send moving colour bars and a sine
tone, small enough to encode cheaply, and count the frames they decode from the other side.
A received track is decoded into an unbounded queue inside aiortc, so every remote track is
read by a consumer task for as long as it lives; otherwise memory grows.
"""
from __future__ import annotations

import asyncio
import fractions
import math
from array import array
from collections import Counter

from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack, VideoStreamTrack
from av import AudioFrame, VideoFrame
from av.video.plane import VideoPlane

VIDEO_WIDTH_PX = 320
VIDEO_HEIGHT_PX = 240
VIDEO_FRAMES_PER_SECOND = 15
VIDEO_CLOCK_RATE_HZ = 90_000  # the RTP clock of every video codec
# Bars move this far per frame, so a viewer can tell a live picture from a frozen one.
BAR_STEP_PX = 4

AUDIO_SAMPLE_RATE_HZ = 48_000  # Opus' own rate: no resampling before the encoder
AUDIO_FRAME_SECONDS = 0.020  # the 20 ms packetisation aiortc sends
AUDIO_SAMPLES_PER_FRAME = int(AUDIO_SAMPLE_RATE_HZ * AUDIO_FRAME_SECONDS)
TONE_HZ = 440  # a whole number of cycles per second, so one second of samples loops seamlessly
TONE_AMPLITUDE = 0.25  # of full scale: audible, never clipping

# BT.601 limited-range (Y, U, V) of the classic bars: white, yellow, cyan, green,
# magenta, red, blue, black.
BAR_COLOURS_YUV = [
    (235, 128, 128), (210, 16, 146), (170, 166, 16), (145, 54, 34),
    (106, 202, 222), (81, 90, 240), (41, 240, 110), (16, 128, 128),
]


class Pacer:
    """Releases frames at a steady rate measured from the first one, so delays do not add up.

    It reads the event loop's monotonic clock, the one time source of this module."""

    def __init__(self, frames_per_second: float) -> None:
        self.interval_seconds = 1 / frames_per_second
        self.frames = 0
        self._start: float | None = None

    async def next_frame(self) -> int:
        """Wait for the next frame's turn; returns its index, counting from 0."""
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        else:
            self.frames += 1
            delay_seconds = self._start + self.frames * self.interval_seconds - loop.time()
            if delay_seconds > 0:
                await asyncio.sleep(delay_seconds)
        return self.frames


def bar_rows(width_px: int) -> tuple[bytes, bytes, bytes]:
    """One row of each of the Y, U and V planes of the bars, twice as wide as the picture so
    that any window of it, sliced at an offset, is the bars moved by that offset."""
    def row(component: int, row_width_px: int) -> bytes:
        bar_px = row_width_px // len(BAR_COLOURS_YUV)
        one = b"".join(bytes([colour[component]]) * bar_px for colour in BAR_COLOURS_YUV)
        one = one.ljust(row_width_px, bytes([BAR_COLOURS_YUV[-1][component]]))
        return one * 2

    return row(0, width_px), row(1, width_px // 2), row(2, width_px // 2)


def fill_plane(plane: VideoPlane, row: bytes, offset_px: int, width_px: int, height_px: int) -> None:
    """Writes the same row on every line of a plane, respecting its line padding."""
    line = row[offset_px:offset_px + width_px].ljust(plane.line_size, b"\0")
    plane.update(line * height_px)


class ColourBars(VideoStreamTrack):
    """A video track of colour bars sliding to the left: 320x240, 15 frames a second."""

    def __init__(self, width_px: int = VIDEO_WIDTH_PX, height_px: int = VIDEO_HEIGHT_PX,
                 frames_per_second: int = VIDEO_FRAMES_PER_SECOND) -> None:
        super().__init__()
        self.width_px, self.height_px = width_px, height_px
        self._rows = bar_rows(width_px)
        self._pacer = Pacer(frames_per_second)
        self._ticks_per_frame = VIDEO_CLOCK_RATE_HZ // frames_per_second

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_frame()
        offset_px = (index * BAR_STEP_PX) % self.width_px
        frame = VideoFrame(width=self.width_px, height=self.height_px, format="yuv420p")
        y_row, u_row, v_row = self._rows
        fill_plane(frame.planes[0], y_row, offset_px, self.width_px, self.height_px)
        fill_plane(frame.planes[1], u_row, offset_px // 2, self.width_px // 2, self.height_px // 2)
        fill_plane(frame.planes[2], v_row, offset_px // 2, self.width_px // 2, self.height_px // 2)
        frame.pts = index * self._ticks_per_frame
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE_HZ)
        return frame


def tone_frames(tone_hz: int = TONE_HZ) -> list[bytes]:
    """One second of a sine tone as 16-bit mono samples, cut into 20 ms frames."""
    peak = TONE_AMPLITUDE * 32767
    samples = array("h", (round(peak * math.sin(2 * math.pi * tone_hz * n / AUDIO_SAMPLE_RATE_HZ))
                          for n in range(AUDIO_SAMPLE_RATE_HZ)))
    data = samples.tobytes()
    frame_bytes = AUDIO_SAMPLES_PER_FRAME * samples.itemsize
    return [data[start:start + frame_bytes] for start in range(0, len(data), frame_bytes)]


class SineTone(AudioStreamTrack):
    """An audio track of a steady 440 Hz tone, 48 kHz mono, in 20 ms frames."""

    def __init__(self, tone_hz: int = TONE_HZ) -> None:
        super().__init__()
        self._frames = tone_frames(tone_hz)
        self._pacer = Pacer(1 / AUDIO_FRAME_SECONDS)

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_frame()
        frame = AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES_PER_FRAME)
        samples = self._frames[index % len(self._frames)]
        frame.planes[0].update(samples.ljust(frame.planes[0].buffer_size, b"\0"))
        frame.pts = index * AUDIO_SAMPLES_PER_FRAME
        frame.sample_rate = AUDIO_SAMPLE_RATE_HZ
        frame.time_base = fractions.Fraction(1, AUDIO_SAMPLE_RATE_HZ)
        return frame


def synthetic_tracks() -> list[MediaStreamTrack]:
    """What a headless kiosk or lawyer sends: one audio and one video track, new each call."""
    return [SineTone(), ColourBars()]


class FrameCounter:
    """Reads every remote track to its end and counts the decoded frames per kind."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    def consume(self, track: MediaStreamTrack) -> None:
        task = asyncio.create_task(self._read(track), name=f"consume-{track.kind}-{track.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            self.counts[track.kind] += 1

    def as_dict(self) -> dict[str, int]:
        return {"audio": self.counts["audio"], "video": self.counts["video"]}

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
