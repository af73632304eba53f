"""What every meeting verb takes (Context) and returns (Outcome)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from server.notify import Notice
from server.meetings.models import Meeting, MeetingMember


@dataclass(frozen=True)
class MeetingSettings:
    """The meetings' FAYUAN_* settings, parsed once at start-up (app[keys.MEETING_SETTINGS])."""

    janus_url: str | None = None  # FAYUAN_JANUS_URL: trainings and meetings larger than a mesh

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "MeetingSettings":
        return cls(janus_url=env.get("FAYUAN_JANUS_URL", "").strip() or None)


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
