"""Payload types for every event. Inbound payloads are validated with these on the server;
the Python client builds its messages with them too."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_SDP_CHARS = 64_000
MAX_TEXT_CHARS = 2_000

Category = Literal[
    "wages_labour", "marriage_family", "elder_support", "injury_traffic",
    "housing", "debt_contracts", "intellectual_property", "other",
]


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsultStart(Inbound):
    category: str = Field(min_length=1, max_length=40)
    target: Literal["station", "department", "center"] = "center"
    department_id: int | None = Field(default=None, gt=0)
    lawyer_id: int | None = Field(default=None, gt=0, description="directory id of a chosen lawyer (點援制)")
    text: str = Field(default="", max_length=MAX_TEXT_CHARS, description="what the resident typed, if anything")
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=32)


class ConsultRef(Inbound):
    consultation_id: int = Field(gt=0)


class Resume(Inbound):
    resume_token: str = Field(min_length=16, max_length=100)


class Rate(ConsultRef):
    rating: int = Field(ge=1, le=5)


class Note(ConsultRef):
    note: str = Field(default="", max_length=MAX_TEXT_CHARS)
    advice: str = Field(default="", max_length=MAX_TEXT_CHARS)


class Transfer(ConsultRef):
    lawyer_id: int | None = Field(default=None, gt=0)
    unit_id: int | None = Field(default=None, gt=0)
    reason: str = Field(default="", max_length=500)


class QueueTake(Inbound):
    consultation_id: int | None = Field(default=None, gt=0, description="omit to take the next one")


class Availability(Inbound):
    available: bool


class RtcSignal(Inbound):
    consultation_id: int = Field(gt=0)
    type: Literal["offer", "answer", "candidate"]
    sdp: str | None = Field(default=None, max_length=MAX_SDP_CHARS)
    candidate: str | None = Field(default=None, max_length=1_000)
    sdp_mid: str | None = Field(default=None, max_length=64)
    sdp_mline_index: int | None = Field(default=None, ge=0, le=64)


class Empty(Inbound):
    pass


# server → client shapes (documented; the server builds plain dicts of these fields)
class Position(BaseModel):
    consultation_id: int
    position: int
    estimated_wait_seconds: int
    on_duty: int
    state: str


class Taken(BaseModel):
    consultation_id: int
    room: str
    role: Literal["kiosk", "taker"]
    peer_name: str
    resume_token: str
    ice_servers: list[dict]
