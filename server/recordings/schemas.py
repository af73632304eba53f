from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class RecordingOut(BaseModel):
    id: int
    subject: str  # whose picture and voice the file holds
    state: str  # RecordingState: recording, ready, failed
    started_at: datetime
    stopped_at: datetime | None
    bytes: int
    url: str  # plays it; each playback is an audit row
