"""The report routes' query, and the shape of the report (service.build returns it as a dict)."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from server.dates import Day
from server.ids import RowId
from server.spreadsheet import LanguageQuery


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    unit_id: RowId | None = Field(default=None, description="this unit and everything below it; default your own")
    from_: Day | None = Field(default=None, alias="from", description="first China date; default the 1st of "
                                                                       "this month")
    to: Day | None = Field(default=None, description="last China date (included); default today")


class ExportQuery(ReportQuery, LanguageQuery):
    """The report's query and the page's language."""


class ReportUnit(BaseModel):
    id: int
    name: str
    kind: str


class Satisfaction(BaseModel):
    rated: int
    avg: float | None
    by_score: dict[str, int]  # "1" … "5"


class Comment(BaseModel):
    """What an applicant said with their rating (recorded by staff with them)."""

    application_id: int
    case_number: str
    satisfaction: int
    comment: str
    lawyer_name: str


class ConsultationComment(BaseModel):
    """What a resident wrote beside their rating at the kiosk."""

    consultation_id: int
    rating: int
    comment: str
    lawyer_name: str


class ConsultationFigures(BaseModel):
    count: int
    answered: int
    answered_share: float | None  # None when there were none
    avg_wait_seconds: float | None
    avg_talk_seconds: float | None
    rated: int
    avg_satisfaction: float | None
    by_state: dict[str, int]
    by_category: dict[str, int]
    by_group: dict[str, int]  # every group of server/applicant_groups.py, 0 included
    satisfaction: Satisfaction
    comments: list[ConsultationComment]


class BoardFigures(BaseModel):
    count: int
    answered: int
    avg_first_response_hours: float | None
    overdue: int
    by_state: dict[str, int]
    handled: int  # the unit answering it now is in the subtree (a hand-over moves a message)
    handed_over: int
    by_category: dict[str, int]


class ApplicationFigures(BaseModel):
    count: int
    by_state: dict[str, int]
    granted: int
    denied: int
    approval_rate: float | None
    avg_days_in_state: dict[str, float]
    overdue: int
    by_category: dict[str, int]
    by_group: dict[str, int]
    satisfaction: Satisfaction
    comments: list[Comment]


class LawyerRow(BaseModel):
    account_id: int
    name: str
    consultations: int  # taken
    consultation_avg_rating: float | None
    applications: int  # assigned
    application_avg_satisfaction: float | None


class UnitRow(BaseModel):
    unit_id: int
    name: str
    kind: str
    consultations: int  # from its kiosks
    consultations_answered: int  # answered from its queue
    board_handled: int  # messages it handles now (handed to it, or never handed on)
    applications_filed: int
    applications_reviewed: int


class LateUnit(BaseModel):
    """A unit late on overdue work: applications whose step is its, board messages it handles."""

    unit_id: int
    name: str
    kind: str
    applications: int
    board: int


class Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    unit: ReportUnit
    from_: date = Field(alias="from")
    to: date
    generated_at: datetime
    consultations: ConsultationFigures
    board: BoardFigures
    applications: ApplicationFigures
    by_lawyer: list[LawyerRow]
    by_unit: list[UnitRow]
    overdue_by_unit: list[LateUnit]
