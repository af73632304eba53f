from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.ids import MAX_ROW_ID
from server.meetings.state import MeetingKind

RowId = Field(gt=0, le=MAX_ROW_ID)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    agenda: str = Field(default="", max_length=5_000)
    kind: MeetingKind = MeetingKind.meeting
    application_id: int | None = Field(default=None, gt=0, le=MAX_ROW_ID)
    starts_at: datetime
    ends_at: datetime
    unit_ids: list[int] = Field(default_factory=list, max_length=200, description="invited units: all their staff")
    account_ids: list[int] = Field(default_factory=list, max_length=500, description="invited people")

    @field_validator("starts_at", "ends_at")
    @classmethod
    def aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone (e.g. +08:00)")
        return value

    @field_validator("unit_ids", "account_ids")
    @classmethod
    def ids(cls, value: list[int]) -> list[int]:
        if any(not 0 < v <= MAX_ROW_ID for v in value):
            raise ValueError("ids are positive whole numbers")
        return value


class VideoServerOut(BaseModel):
    janus: Literal["ready", "unreachable", "not_configured"] = Field(
        description="the video server (Janus) for trainings and meetings of more than mesh_max: configured and "
                    "answering, configured but not answering, or not configured")
    mesh_max: int = Field(description="the most people a meeting without it may have")


class MeetingOut(BaseModel):
    id: int
    title: str
    agenda: str
    kind: str
    application_id: int | None
    unit_id: int
    host_account_id: int
    starts_at: datetime
    ends_at: datetime
    joinable_from: datetime
    state: str
    locked: bool
    topology: str | None
    started_at: datetime | None
    ended_at: datetime | None
    invited_unit_ids: list[int] = []
    invited_account_ids: list[int] = []
    invited: bool = False  # the caller (or its unit) is invited, or hosts it


class AbsentUnitOut(BaseModel):
    unit_id: int
    unit_name: str


class AttendanceOut(BaseModel):
    account_id: int
    name: str
    unit_id: int | None
    unit_name: str
    joined_at: datetime
    left_at: datetime | None
    seconds: int | None

