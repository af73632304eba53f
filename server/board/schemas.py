"""Request and response models of the message board."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from server.board.state import BoardState
from server.ids import RowId

# A mainland mobile number, or a landline with its area code (010-12345678, 0755 1234567).
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# Years a date filter may name: beyond them converting China dates to UTC could overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2999

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Category = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


class MessageIn(BaseModel):
    """What a resident leaves, at a kiosk or with community staff."""

    model_config = ConfigDict(extra="forbid")
    category: Category
    question: Text
    contact_name: Name
    contact_phone: str = Field(max_length=32, description="a mainland mobile (1[3-9] and 9 digits) or a "
                                                          "landline with area code (0xx-xxxxxxxx)")
    target: Literal["station", "department", "center"] = "station"
    department_id: RowId | None = None

    @field_validator("contact_phone")
    @classmethod
    def phone(cls, value: str) -> str:
        compact = re.sub(r"[\s()]", "", value)
        if not PHONE.match(compact):
            raise ValueError("give a mainland mobile number (11 digits from 13…19) or a landline with its "
                             "area code, such as 010-12345678")
        return compact

    @model_validator(mode="after")
    def department_named(self) -> "MessageIn":
        if self.target == "department" and self.department_id is None:
            raise ValueError("name the department (department_id) the message is for")
        return self


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Text


class HandOverIn(BaseModel):
    """To a person (who then owns it) or to a unit (whose staff may claim it): one of the two."""

    model_config = ConfigDict(extra="forbid")
    to_account_id: RowId | None = None
    to_unit_id: RowId | None = None
    note: Note = ""

    @model_validator(mode="after")
    def exactly_one(self) -> "HandOverIn":
        if (self.to_account_id is None) == (self.to_unit_id is None):
            raise ValueError("hand over to a person (to_account_id) or to a unit (to_unit_id), not both")
        return self


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note = ""


class PublishIn(BaseModel):
    """The publisher's edited text: no name, phone number or ID number may remain."""

    model_config = ConfigDict(extra="forbid")
    question: Text
    answer: Text


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    state: BoardState | None = None
    unanswered: bool = False
    overdue: bool = False
    mine: bool = False
    category: Category | None = None
    unit_id: RowId | None = Field(default=None, description="left at, or for, this unit or one below it")
    from_: date | None = Field(default=None, alias="from", description="left on or after this China date")
    to: date | None = Field(default=None, description="left on or before this China date")
    q: str | None = Field(default=None, max_length=100, description="words in the question or contact name")
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)

    @field_validator("from_", "to")
    @classmethod
    def sane_year(cls, value: date | None) -> date | None:
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"choose a date in the years {FIRST_YEAR}-{LAST_YEAR}")
        return value

    @model_validator(mode="after")
    def ordered(self) -> "ListQuery":
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class PublicQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Category | None = None
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)


class UnitRef(BaseModel):
    id: int
    name: str
    kind: str


class PersonRef(BaseModel):
    id: int
    name: str
    role: str
    unit_id: int
    unit_name: str


class ReplyOut(BaseModel):
    id: int
    author_name: str
    unit_name: str
    body: str
    created_at: datetime


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor_name: str
    detail: str  # the record, in English, with ids
    note: str  # what the person typed (a hand-over's or a closing's note), for the page


class MessageOut(BaseModel):
    id: int
    state: BoardState
    category: str
    question: str
    contact_name: str  # masked at a kiosk: the screen may be seen by whoever stands behind
    contact_phone_masked: str
    source: str
    unit: UnitRef  # where it was left
    target_unit: UnitRef  # who answers it now
    owner_account_id: int | None
    owner_name: str
    created_at: datetime
    due_on: date  # the reply deadline, counted in working days of the service-hours calendar
    overdue: bool
    answered_at: datetime | None
    closed_at: datetime | None
    consultation_id: int | None
    needs_call_back: bool = False  # left at closing without a question or a contact (BoardMessage)
    published: bool
    replies: list[ReplyOut]
    actions: list[str]  # what the asker may do now: claim, reply, hand_over, close, publish, read_phone


class LeftOut(MessageOut):
    """The message just left, with its receipt code: shown (and printable) this once only."""

    receipt_code: str = Field(description="8 digits; with the phone's last 4 it finds the message again at a "
                                          "kiosk (POST /api/board/receipt). Only its hash is stored.")


class ReceiptIn(BaseModel):
    """What a resident types at a kiosk to see their own message and its answers."""

    model_config = ConfigDict(extra="forbid")
    receipt_code: str = Field(min_length=1, max_length=32, description="the 8 digits; spaces and dashes are fine")
    phone_last4: str = Field(pattern=r"^[0-9]{4}$", description="the last four digits of the contact phone")


class PublicDraft(BaseModel):
    question: str
    answer: str


class MessageDetail(MessageOut):
    events: list[EventOut]
    public_draft: PublicDraft | None = None  # an anonymised starting point, for those who may publish


class MessagePage(BaseModel):
    total: int
    rows: list[MessageOut]


class PhoneOut(BaseModel):
    contact_phone: str


class TargetsOut(BaseModel):
    """Where a message may be left for: the asker's station, the departments, the center."""

    station: UnitRef | None
    departments: list[UnitRef]
    center: UnitRef
    categories: list[str]


class HandOverTargets(BaseModel):
    units: list[UnitRef]
    people: list[PersonRef]


class PublicAnswerOut(BaseModel):
    id: int
    category: str
    question: str
    answer: str
    published_at: datetime


class PublicPage(BaseModel):
    total: int
    rows: list[PublicAnswerOut]
