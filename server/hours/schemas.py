from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"


class StatusQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: str | None = Field(default=None, max_length=64, description="ISO 8601; no offset means Asia/Shanghai")


class StatusOut(BaseModel):
    open: bool
    closes_at: str | None
    next_open: str | None
    provisional: bool


class CalendarQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_: date = Field(alias="from")
    to: date

DayKind = Literal["workday", "weekend", "holiday", "makeup_workday"]


class DayOut(BaseModel):
    day: date
    weekday: int
    workday: bool
    kind: DayKind
    name: str
    source: str
    provisional: bool
    windows: list[str]


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: str = Field(pattern=HHMM)
    end: str = Field(pattern=HHMM)


class WindowsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    windows: list[Window] = Field(max_length=50)


class DayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["holiday", "makeup_workday"]
    name: str = Field(default="", max_length=100)

    @field_validator("name")
    @classmethod
    def strip(cls, v: str) -> str:
        return v.strip()


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def weekly_windows(windows: dict[int, tuple[tuple[int, int], ...]]) -> list[Window]:
    """A schedule's weekly windows (weekday → [(start, end)] minutes), as the API shows them."""
    return [Window(weekday=d, start=hhmm(s), end=hhmm(e)) for d in sorted(windows) for s, e in windows[d]]
