from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from signaling.payloads import MAX_SYNC_MESSAGES


class ChatQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since_seq: int = Field(default=0, ge=0, le=2**31 - 1)
    limit: int = Field(default=MAX_SYNC_MESSAGES, ge=1, le=MAX_SYNC_MESSAGES)


class ChatMessageOut(BaseModel):
    """A stored chat message. `text` is plain text: show it as text, never as HTML."""

    room: str
    seq: int
    client_id: str
    text: str
    sender: str
    sender_name: str
    at: datetime
