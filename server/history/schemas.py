from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel


class HistoryKind(StrEnum):
    consultation = "consultation"
    board = "board"
    application = "application"


Match = Literal["kiosk", "phone", "id_number"]  # why an item is in the history


class HistoryRow(BaseModel):
    """One earlier item, masked as every unaudited read is (server/privacy.py)."""

    kind: HistoryKind
    id: int
    at: datetime  # when it was queued, left or filed
    state: str
    category: str
    summary: str  # its first words, with ID, card and phone numbers and the contact's name redacted
    rating: int | None  # the resident's satisfaction, 1–5, where given
    contact_name_masked: str
    phone_masked: str
    id_number_masked: str  # applications only; "" elsewhere
    matched: list[Match]


class HistoryOut(BaseModel):
    consultation_id: int
    consultations: list[HistoryRow]  # newest first, at most HISTORY_ROWS of each kind
    board: list[HistoryRow]
    applications: list[HistoryRow]


class HistoryDetail(BaseModel):
    """One item in full: an audited read of personal data."""

    kind: HistoryKind
    id: int
    at: datetime
    state: str
    category: str
    unit_name: str  # where it was started, left or filed
    contact_name: str
    phone: str
    id_number: str  # applications only
    text: str  # what the resident said: the consultation's text, the message, the application's summary
    note: str  # the consultation's record (咨询记录)
    answer: str  # the advice given, the board's replies, the application's decision opinion
    rating: int | None
    rating_comment: str  # consultations: what the resident wrote beside the rating
