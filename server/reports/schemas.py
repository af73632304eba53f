"""The report routes' query, and the shape of the report (service.build returns it as a dict)."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from server.dates import Day
from server.ids import RowId


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    unit_id: RowId | None = Field(default=None, description="this unit and everything below it; default your own")
    from_: Day | None = Field(default=None, alias="from", description="first China date; default the 1st of "
                                                                       "this month")
    to: Day | None = Field(default=None, description="last China date (included); default today")


class ReportUnit(BaseModel):
    id: int
    name: str
    kind: str


class ConsultationFigures(BaseModel):
    count: int
    answered: int
    answered_share: float | None  # None when there were none
    avg_wait_seconds: float | None
    avg_talk_seconds: float | None
    rated: int
    avg_satisfaction: float | None
    by_state: dict[str, int]


class BoardFigures(BaseModel):
    count: int
    answered: int
    avg_first_response_hours: float | None
    overdue: int
    by_state: dict[str, int]


class ApplicationFigures(BaseModel):
    count: int
    by_state: dict[str, int]
    granted: int
    denied: int
    approval_rate: float | None
    avg_days_in_state: dict[str, float]
    overdue: int


class Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    unit: ReportUnit
    from_: date = Field(alias="from")
    to: date
    generated_at: datetime
    consultations: ConsultationFigures
    board: BoardFigures
    applications: ApplicationFigures
