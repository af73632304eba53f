"""The shape of the center's dashboard: figures and lawyers' names, nothing about a resident."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class QueueFigures(BaseModel):
    unit_id: int
    unit_name: str
    unit_kind: str = Field(description="center, department or station: the units a consultation may wait for")
    waiting: int = Field(description="residents queued now")
    longest_wait_seconds: int = Field(description="how long the first of them has waited; 0 when none waits")
    in_call: int = Field(description="its consultations being answered now")


class LawyerNow(BaseModel):
    name: str
    status: Literal["in_call", "available", "away"] = Field(
        description="in_call: answering a consultation; available: on duty and ready; away: rostered now "
                    "but not available (or not connected)")


class LawyerFigures(BaseModel):
    on_duty: int = Field(description="rostered now and available (as the queue counts them)")
    in_call: int = Field(description="lawyers answering a consultation now")
    rostered: int = Field(description="lawyers whose shift covers now")
    people: list[LawyerNow] = Field(description="every lawyer rostered now or in a call, in a stable order")


class TodayFigures(BaseModel):
    started: int = Field(description="consultations started today (China date)")
    answered: int = Field(description="of those, taken by someone")
    waiting: int
    live: int
    ended: int
    cancelled: int
    moved_to_board: int
    avg_wait_seconds: int | None = Field(description="of today's answered ones; none when nothing was answered")


class BoardDue(BaseModel):
    overdue: int = Field(description="unanswered past their reply day")
    due_today: int = Field(description="unanswered whose reply day is today")


class ApplicationsDue(BaseModel):
    overdue: int = Field(description="open applications whose step is past its due day")
    due_today: int
    due_next_workday: int = Field(description="due on the next working day")
    by_step: dict[str, int] = Field(description="the three above, by the step that is due")


class Dashboard(BaseModel):
    generated_at: datetime
    today: str = Field(description="the China date the day's figures count")
    service_open: bool
    queues: list[QueueFigures]
    lawyers: LawyerFigures
    today_consultations: TodayFigures
    board: BoardDue
    applications: ApplicationsDue
