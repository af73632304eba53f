from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.applicant_groups import Groups

from server.hours.schemas import HHMM
from server.ids import RowId

from server.chat.schemas import ChatMessageOut
from server.recordings.schemas import RecordingOut
from signaling.payloads import GuestKind, GuestStateName



class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: RowId
    day: date
    start: str = Field(pattern=HHMM)
    end: str = Field(pattern=HHMM)


class ShiftOut(BaseModel):
    id: int
    account_id: int
    lawyer_name: str
    day: date
    start: str
    end: str


class RosterQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_: date = Field(alias="from")
    to: date


class DutyNow(BaseModel):
    on_duty: int
    lawyers: list[int]


class RecordQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str | None = Field(default=None, max_length=20)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)


class RecordOut(BaseModel):
    id: int
    state: str
    category: str
    unit_id: int
    target_unit_id: int
    chosen_lawyer_id: int | None
    taker_account_id: int | None
    queued_at: datetime
    taken_at: datetime | None
    ended_at: datetime | None
    ended_by: str
    end_reason: str
    wait_seconds: int | None
    talk_seconds: int | None
    rating: int | None
    note: str
    advice: str
    resident_text: str
    contact_name: str
    contact_phone_masked: str
    applicant_groups: list[str]


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    detail: str


class RecordDetail(RecordOut):
    rating_comment: str = ""  # what the resident wrote beside the rating: only in the audited read
    events: list[EventOut]
    chat: list[ChatMessageOut] = []  # the first MAX_SYNC_MESSAGES; the rest from .../chat
    chat_more: bool = False
    recordings: list[RecordingOut] = []  # played through their url (each playback audited)


class Categories(BaseModel):
    categories: list[str]


class IceServer(BaseModel):
    """One RTCIceServer: a STUN entry has urls only, a TURN entry also its short-lived credentials."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceServersOut(BaseModel):
    ice_servers: list[IceServer]  # empty when neither STUN nor TURN is configured


class GroupsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    applicant_groups: Groups = Field(description="the groups the bureau counts the resident in "
                                     "(server/applicant_groups.py); [] clears them")


# -- guests in a live consultation (consultations/guests.py) ----------------------------------
class GuestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: GuestKind = Field(description="interpreter (sign language, a dialect), family (a relative), lawyer (a second one)")
    name: str = Field(default="", max_length=50, description="how the call shows them, e.g. 王某; may stay empty")


class GuestOut(BaseModel):
    id: int
    ref: str = Field(description='"guest:<id>": how the call names them (rtc.signal `to`)')
    kind: GuestKind
    name: str
    state: GuestStateName
    expires_at: datetime = Field(description="until when the unused invitation works")
    joined_at: datetime | None


class InvitationOut(BaseModel):
    guest: GuestOut
    code: str = Field(description="6 digits for /join, shown this once")
    link: str = Field(description="the one-time link's path (/join#invite=…), shown this once")
    expires_at: datetime


class RedeemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str | None = Field(default=None, min_length=1, max_length=20, description="the 6-digit code, as typed")
    invite: str | None = Field(default=None, min_length=16, max_length=100, description="the link's token")


class AdmissionOut(BaseModel):
    token: str = Field(description="the guest's session: socket.io auth {guest: token}; keep it for this call only")
    guest: GuestOut
    consultation_id: int
    lawyer_name: str
    recording: Literal["off", "requested", "recording"] = Field(
        description="requested or recording: joining needs consent to the current text")
    consent_text_version: str
