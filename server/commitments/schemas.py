from __future__ import annotations

from pydantic import BaseModel, Field

from server.hours.schemas import Window


class ConsultationPromises(BaseModel):
    chosen_lawyer_wait_minutes: int = Field(description="then the resident may take the next free lawyer")
    closing_cutoff_minutes: int = Field(description="before closing, a wait that cannot end in time is refused")
    grace_minutes: int = Field(description="a live call runs on this long after closing")


class ApplicationPromises(BaseModel):
    """Working days per step of an application (限時辦結), and the enforcement reminder."""

    first_response: int
    preliminary: int
    acceptance: int
    decision: int
    assignment: int
    first_contact: int
    supplement: int
    objection: int
    enforcement_reminder_days: int = Field(description="calendar days before the deadline to apply for enforcement")


class CommitmentsOut(BaseModel):
    timezone: str
    hours: list[Window] = Field(description="the weekly windows; closed on public holidays, open on make-up days")
    consultation: ConsultationPromises
    board_reply_working_days: int
    application_working_days: ApplicationPromises
