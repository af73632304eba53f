"""The meetings part of the wire contract: payload types (docs/protocol.md, "Meetings"; the
event names are in signaling/events.py with all others). Participants are named by their `ref` ("account:7"); the recorder, when it
records a mesh meeting, is the member "recorder"."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from signaling.payloads import Inbound, RowId, Signal

RECORDER_REF = "recorder"
CONSENT_TEXT_VERSION = "2026-11"  # the consent text shown in the room; a new text gets a new version

Action = Literal["admit", "remove", "mute_all", "lock", "unlock", "end", "promote", "demote"]


class MeetingRef(Inbound):
    meeting_id: RowId


class MeetingSignal(Signal, MeetingRef):
    """Mesh: to one named member present in the meeting (or its recorder)."""

    to: str = Field(min_length=1, max_length=40, pattern=r"^(account:[1-9][0-9]{0,9}|recorder)$")


class MeetingState(MeetingRef):
    muted: bool | None = None
    camera_off: bool | None = None
    hand_raised: bool | None = None
    sharing: bool | None = None


class Control(MeetingRef):
    action: Action
    account_id: RowId | None = Field(default=None, description="whom: for admit, remove, promote, demote")


class Consent(MeetingRef):
    consent: bool
    text_version: str = Field(default=CONSENT_TEXT_VERSION, max_length=20)


class Record(MeetingRef):
    on: bool


class JanusRequest(MeetingRef):
    """One VideoRoom request on one of my handles. `handle` is my own label for it
    ("publisher", "sub-1", …); the server attaches a Janus handle for each label it has not
    seen. The server fills in the room and its pin and refuses what my role may not do."""

    handle: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")
    request: dict[str, Any] | None = None
    jsep: dict[str, Any] | None = None
    candidate: dict[str, Any] | None = Field(default=None, description="trickle; {} ends the candidates")
