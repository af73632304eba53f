"""Request and response models of the application routes."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.applicant_groups import Groups
from server.dates import Day
from server.ids import RowId
from server.spreadsheet import LanguageQuery

HARDSHIP_GROUNDS = ("minimum_living_allowance", "disability", "elderly_without_support", "migrant_worker_wages",
                    "other")
Hardship = Literal["minimum_living_allowance", "disability", "elderly_without_support", "migrant_worker_wages",
                   "other"]
AttachmentKind = Literal["id_card", "hardship_proof", "evidence", "other"]
MAX_ATTACHMENTS = 20
MAX_INSTALMENTS = 60
MAX_AMOUNT = Decimal("1000000000000")  # yuan
PHONE = r"^[0-9+\- ]*$"


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file_id: RowId
    kind: AttachmentKind


class FormFields(BaseModel):
    """The form's fields. In a draft anything may be blank; submitting checks completeness."""

    model_config = ConfigDict(extra="forbid")
    applicant_name: str = Field(default="", max_length=100)
    applicant_sex: Literal["", "male", "female"] = ""
    id_number: str = Field(default="", max_length=18, description="18 characters; checked when not blank")
    birth_date: Day | None = None
    phone: str = Field(default="", max_length=32, pattern=PHONE)
    address: str = Field(default="", max_length=300)
    household: str = Field(default="", max_length=300)
    economic_situation: str = Field(default="", max_length=2000)
    hardship_grounds: list[Hardship] = Field(default_factory=list, max_length=len(HARDSHIP_GROUNDS))
    hardship_other: str = Field(default="", max_length=300)
    applicant_groups: Groups = Field(default_factory=list, description="the groups the bureau counts the applicant in")
    category: str = Field(default="", max_length=40)
    opposing_party: str = Field(default="", max_length=200)
    amount_in_dispute: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT, decimal_places=2,
                                              description="yuan")
    summary: str = Field(default="", max_length=5000)
    help_requested: str = Field(default="", max_length=2000)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    chosen_lawyer_id: RowId | None = Field(default=None, description="點援: the lawyer the applicant chose from the "
                                           "directory (listed, active); null: none chosen")


class ApplicationIn(FormFields):
    unit_id: RowId | None = Field(default=None, description="the filing unit; default your own")
    consultation_id: RowId | None = Field(default=None, description="the consultation it started from")


class ApplicationPatch(FormFields):
    """Only the fields given change (the service reads model_dump(exclude_unset=True)). The types
    are the form's own, so a field the database keeps as text takes "" to clear it, never null;
    only birth_date, amount_in_dispute and chosen_lawyer_id (no lawyer chosen) may be null."""


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000)


class SubmitIn(NoteIn):
    review_unit_id: RowId | None = Field(default=None, description="where it goes for the preliminary review: one "
                                         "of the application's `routes` (a community's station or department, a "
                                         "department liaison center, the center); default the first")


class ReviewIn(NoteIn):
    consultation_id: RowId | None = Field(default=None, description="the video review's consultation")


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    missing: str = Field(min_length=1, max_length=2000, description="what is missing or must be corrected")


class SupplementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    missing: str = Field(min_length=1, max_length=2000, description="the materials the applicant must supply")
    working_days: int | None = Field(default=None, ge=1, le=60, description="the time given, in working days; "
                                     "default FAYUAN_APPLICATION_DEADLINES' supplement")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opinion: str = Field(default="", max_length=2000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lawyer_id: RowId = Field(description="a lawyer directory entry")
    mode: Literal["picked", "designated"] | None = Field(
        default=None, description="picked by the applicant (點援) or designated (指派); when the form names a chosen "
        "lawyer the server decides it (picked for that lawyer), else default designated")
    note: str = Field(default="", max_length=1000)
    reason: str = Field(default="", max_length=1000, description="required when this is not the applicant's chosen "
                        "lawyer, or the lawyer once declined for a conflict with a party of this application: why")


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    no_conflict: Literal[True] = Field(description="the lawyer confirms no conflict of interest")
    note: str = Field(default="", max_length=1000)


Party = Literal["applicant", "opposing_party"]


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000, description="e.g. a conflict of interest")
    conflict_with: list[Party] = Field(default_factory=list, max_length=2, description="the parties the lawyer has a "
                                       "conflict of interest with: remembered, and warned of when proposed again")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(min_length=1, max_length=5000)


Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]


class SupervisionCard(BaseModel):
    """服務質量監督卡, as the applicant filled it in."""

    model_config = ConfigDict(extra="forbid")
    attitude: Rating
    quality: Rating
    charged_fees: bool = Field(description="the lawyer asked for money or gifts")
    comments: str = Field(default="", max_length=1000)


class Instalment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    due: Day
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT, decimal_places=2)
    paid: bool = False


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visit_notes: str = Field(min_length=1, max_length=5000)
    satisfaction: int = Field(ge=1, le=5)
    supervision_card: SupervisionCard
    instalments: list[Instalment] = Field(default_factory=list, max_length=MAX_INSTALMENTS)
    enforcement_deadline: Day | None = Field(default=None, description="default: two years after the last "
                                                                        "instalment")


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str | None = Field(default=None, max_length=24)
    unit_id: RowId | None = Field(default=None, description="filed at, or reviewed by, this unit or one below it")
    overdue: bool | None = None
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)


class ExportQuery(ListQuery, LanguageQuery):
    """The list's filters and the page's language."""


class StepOut(BaseModel):
    at: datetime
    action: str
    from_state: str
    to_state: str
    actor: str
    actor_name: str
    unit_id: int | None
    note: str


class ApplicationOut(BaseModel):
    """A row of a list: personal data masked (server/privacy.py)."""

    id: int
    state: str
    unit_id: int
    unit_name: str
    review_unit_id: int
    applicant_name: str
    id_number_masked: str
    phone_masked: str
    category: str
    case_number: str
    created_at: datetime
    updated_at: datetime
    due_step: str
    due_on: date | None
    overdue: bool
    lawyer_name: str


class AttachmentOut(BaseModel):
    file_id: int
    kind: str


class RouteOut(BaseModel):
    """A unit the filer may send the application to for its preliminary review."""

    unit_id: int
    name: str
    kind: str


class ConflictWarning(BaseModel):
    """A conflict of interest the lawyer declared earlier with a party of this application (masked)."""

    application_id: int = Field(description="where the lawyer declined")
    declared_at: datetime
    party: str = Field(description="the party's role here: applicant | opposing_party")
    earlier_party: str = Field(description="its role where the lawyer declined")
    party_name: str
    id_number_masked: str
    matched_by: Literal["id_number", "name"]


class CandidateOut(BaseModel):
    """A lawyer the center may propose: the applicant's chosen one first."""

    lawyer_id: int
    name: str
    firm: str
    chosen: bool = Field(description="the applicant's choice (點援)")
    declined_here: bool = Field(description="declined this application already")
    conflicts: list[ConflictWarning]
    needs_reason: bool = Field(description="proposing this lawyer needs a recorded reason")


class ApplicationDetail(ApplicationOut):
    review_unit_name: str
    center_name: str
    created_by_name: str
    consultation_id: int | None
    applicant_sex: str
    address: str
    household: str
    economic_situation: str
    hardship_grounds: list[str]
    hardship_other: str
    applicant_groups: list[str]
    opposing_party: str
    amount_in_dispute: str | None
    summary: str
    help_requested: str
    attachments: list[AttachmentOut]
    review_consultation_id: int | None
    missing: str
    review_opinion: str
    accepted_on: date | None
    decision_opinion: str
    decided_on: date | None
    proposed_lawyer_id: int | None
    proposed_lawyer_name: str
    chosen_lawyer_id: int | None
    chosen_lawyer_name: str
    routes: list[RouteOut] = Field(description="where the caller may send it when submitting (else empty)")
    assignment_mode: str
    lawyer_id: int | None
    outcome: str
    visit_notes: str
    satisfaction: int | None
    supervision_card: dict
    instalments: list[dict]
    enforcement_deadline: date | None
    enforcement_reminder_on: date | None
    paused_on: date | None
    paused_working_days: int
    objection: str
    objection_decision: str
    steps: list[StepOut]
    actions: list[str]
    documents: list[str]


class PersonalOut(BaseModel):
    id_number: str
    birth_date: date | None
    phone: str


class OverdueUnit(BaseModel):
    unit_id: int
    unit_name: str
    count: int
    applications: list[ApplicationOut]


class ReminderOut(BaseModel):
    application_id: int
    case_number: str
    applicant_name: str
    kind: Literal["enforcement", "instalment"]
    on: date
    detail: str


# -- follow-up that lasts (followup.py) -------------------------------------------------------
Channel = Literal["phone", "in_person", "video", "sms"]


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visited_on: Day = Field(description="the China date of the return visit (回访); not in the future")
    channel: Channel
    outcome: str = Field(min_length=1, max_length=5000, description="what the applicant said, what follows")


class PaidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paid_on: Day = Field(description="the China date it was paid; not in the future")


class SatisfactionIn(BaseModel):
    """Recorded by staff with the applicant (never by the lawyer being rated)."""

    model_config = ConfigDict(extra="forbid")
    satisfaction: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000, description="what the applicant said, in their words")
    supervision_card: SupervisionCard | None = Field(default=None, description="the card's answers, if returned")


class VisitOut(BaseModel):
    id: int
    visited_on: date
    channel: str
    outcome: str
    recorded_at: datetime
    recorded_by_name: str


class InstalmentOut(BaseModel):
    number: int
    due: date
    amount: str
    paid: bool
    paid_on: date | None
    paid_recorded_by: str


class FollowUpOut(BaseModel):
    """The follow-up of one case (an audited read: the outcomes and comments are about a person)."""

    application_id: int
    state: str
    visits: list[VisitOut]
    instalments: list[InstalmentOut]
    enforcement_deadline: date | None
    satisfaction: int | None
    satisfaction_comment: str
    satisfaction_on: date | None
    satisfaction_by: str
    supervision_card: dict
    may: list[Literal["visit", "pay", "rate"]]
