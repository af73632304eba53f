"""Payload types for every event. Inbound payloads are validated with these on the server;
the Python client builds its messages with them too."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_SDP_CHARS = 64_000
MAX_TEXT_CHARS = 2_000
# Ids are positive and fit PostgreSQL's INTEGER: a huge id is refused as invalid, not a crash.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(gt=0, le=MAX_ROW_ID)]

Category = Literal[
    "wages_labour", "marriage_family", "elder_support", "injury_traffic",
    "housing", "debt_contracts", "intellectual_property", "other",
]


def error_ack(code: str, message: str, **details: Any) -> dict:
    """What an event's ack carries when it was refused: {"error": {"code", "message"[, "details"]}}."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsultStart(Inbound):
    category: str = Field(min_length=1, max_length=40)
    target: Literal["station", "department", "center"] = "center"
    department_id: RowId | None = None
    lawyer_id: RowId | None = None
    text: str = Field(default="", max_length=MAX_TEXT_CHARS, description="what the resident typed, if anything")
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=32)


class ConsultRef(Inbound):
    consultation_id: RowId


class Resume(Inbound):
    resume_token: str = Field(min_length=16, max_length=100)


MAX_RATING_COMMENT_CHARS = 500


class Rate(ConsultRef):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=MAX_RATING_COMMENT_CHARS,
                         description="what the resident wrote beside the rating, if anything")


class Note(ConsultRef):
    note: str = Field(default="", max_length=MAX_TEXT_CHARS)
    advice: str = Field(default="", max_length=MAX_TEXT_CHARS)


class Transfer(ConsultRef):
    lawyer_id: RowId | None = None
    unit_id: RowId | None = None
    reason: str = Field(default="", max_length=500)


class QueueTake(Inbound):
    consultation_id: RowId | None = None


class Availability(Inbound):
    available: bool


class Signal(Inbound):
    """An SDP offer or answer, or one trickled ICE candidate: the fields of every WebRTC signal
    (RtcSignal, RecorderSignal, signaling.meetings.MeetingSignal), each adding whom it is for."""

    type: Literal["offer", "answer", "candidate"]
    sdp: str | None = Field(default=None, max_length=MAX_SDP_CHARS)
    candidate: str | None = Field(default=None, max_length=1_000)
    sdp_mid: str | None = Field(default=None, max_length=64)
    sdp_mline_index: int | None = Field(default=None, ge=0, le=64)


# a member of a consultation's call: its kiosk, its taker or one of its guests
MEMBER_REF = r"^(device|account|guest):[1-9][0-9]{0,9}$"


class RtcSignal(Signal, ConsultRef):
    """To the other side of a consultation, relayed to its room; with `to`, to that one member
    of its call only (the mesh with guests: every pair has a connection of its own)."""

    to: str | None = Field(default=None, max_length=21, pattern=MEMBER_REF,
                           description="a member of the call (device:<id>, account:<id>, guest:<id>); none: the other side")


class Empty(Inbound):
    pass


# -- recording a consultation --------------------------------------------------------------
# The consent text the kiosk and the console show is `recording.consent_text` in the pages'
# catalogs, whose `recording.consent_version` is this; a new text gets a new version, and only
# consents to the current version count.
CONSENT_TEXT_VERSION = "2026-12"
RecordingState = Literal["off", "requested", "recording"]


class Record(ConsultRef):
    on: bool = Field(description="true: ask to record (it starts once both sides consent); false: stop")


class Consent(ConsultRef):
    consent: bool = Field(description="true: give consent to the text of text_version; false: withdraw it")
    text_version: str = Field(default=CONSENT_TEXT_VERSION, min_length=1, max_length=20,
                              pattern=r"^[A-Za-z0-9_.-]+$")


class RecorderSignal(Signal, ConsultRef):
    """To the server's recorder: an offer of send-only media, or a trickled candidate."""

    type: Literal["offer", "candidate"]


class GuestJoin(ConsultRef):
    """A guest enters the call; while recording is asked for, only with consent to the current text."""

    consent: bool = Field(default=False, description="true: consent to the recording text of text_version")
    text_version: str = Field(default=CONSENT_TEXT_VERSION, min_length=1, max_length=20,
                              pattern=r"^[A-Za-z0-9_.-]+$")


# server → client shapes (documented; the server builds plain dicts of these fields)
class Position(BaseModel):
    consultation_id: int
    position: int
    estimated_wait_seconds: int
    on_duty: int  # how many can take from this queue now
    # a roster shift covers now (the center's queue: whether or not its lawyer is at their desk;
    # a station's or department's: it has staff)
    rostered_now: bool
    # nobody rostered now: when the next duty starts (ISO 8601, service time zone), within 14
    # days; null otherwise, when none is planned, and for a station's or department's queue
    next_duty_at: str | None
    state: str


class RecordingStatus(BaseModel):
    consultation_id: int
    state: RecordingState
    # whose consent to the current text is missing: "kiosk", "taker", or a guest's ref ("guest:4")
    waiting_for: list[str]
    text_version: str
    reason: str | None = None  # why it is off: stopped, declined, consent_withdrawn, ended, transferred, …


GuestKind = Literal["interpreter", "family", "lawyer"]  # a sign-language or dialect interpreter, a relative, a second lawyer
GuestStateName = Literal["invited", "admitted", "present", "left", "removed", "revoked", "expired"]


class Guest(BaseModel):
    id: int
    ref: str  # "guest:<id>": whom rtc.signal's `to` names
    kind: GuestKind
    name: str  # what the taker typed, maybe nothing
    state: GuestStateName
    expires_at: str  # of the unused invitation (ISO 8601)
    joined_at: str | None


class Guests(BaseModel):
    """`consultation.guests`: the open invitations and the guests, to the call's members."""

    consultation_id: int
    guests: list[Guest]


class Taken(BaseModel):
    consultation_id: int
    room: str
    role: Literal["kiosk", "taker"]
    peer_name: str
    ice_servers: list[dict]  # the kiosk keeps the resume token it got from consultation.start


# -- chat -------------------------------------------------------------------------------
MAX_CHAT_CHARS = 2_000
MAX_CLIENT_ID_CHARS = 64
MAX_SYNC_MESSAGES = 500
CHAT_ROOM = r"^[a-z]{1,20}:[1-9][0-9]{0,9}$"  # "<kind>:<id>", e.g. "consultation:12"
CLIENT_ID = r"^[A-Za-z0-9_.:-]+$"


class ChatSend(Inbound):
    room: str = Field(pattern=CHAT_ROOM, max_length=31)
    client_id: str = Field(min_length=1, max_length=MAX_CLIENT_ID_CHARS, pattern=CLIENT_ID,
                           description="the sender's id for this message: a resend with it returns the stored one")
    text: str = Field(description=f"plain text, 1 to {MAX_CHAT_CHARS} characters; shown as text, never as HTML")


class ChatSync(Inbound):
    room: str = Field(pattern=CHAT_ROOM, max_length=31)
    since_seq: int = Field(default=0, ge=0, le=2**31 - 1, description="the last seq the client has; 0 for all")


class ChatMessage(BaseModel):
    room: str
    seq: int
    client_id: str
    text: str
    sender: str  # "device:<id>" or "account:<id>"
    sender_name: str
    at: str  # ISO 8601, UTC
