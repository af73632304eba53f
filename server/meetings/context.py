"""What every meeting verb takes (Context) and returns (Outcome)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from server.notify import Notice
from server.meetings.models import Meeting, MeetingMember


@dataclass(frozen=True)
class Context:
    now: datetime
    janus: bool  # FAYUAN_JANUS_URL is set


@dataclass
class Outcome:
    meeting: Meeting
    notices: list[Notice] = field(default_factory=list)
    member: MeetingMember | None = None
    lobby: bool = False
    left: list[int] = field(default_factory=list)  # accounts that left the room (leave their sockets)
