"""The message board (網上留言): messages, their replies and history, and the anonymised
public Q&A the center publishes from them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class BoardMessage(Base):
    """A message a resident left at a kiosk or with community staff, or that the consultation
    sweep made from a consultation still queued at closing (source "consultation")."""

    __tablename__ = "board_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # where it was left
    # who answers it now: the station, a department or the center; a hand-over to a unit moves it
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    source: Mapped[str] = mapped_column(String(20))  # kiosk | staff | consultation
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)  # a BoardState
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Added by migration 0004_board:
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")  # actor ref: device:3, account:7, system
    owner_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Added by migration 0009_board_receipts: the SHA-256 of the receipt code the resident was
    # given (server/board/receipts.py); the code itself is kept nowhere.
    receipt_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Its files live in the files domain under parent kind "board" (server/board/attachments.py).

    @property
    def needs_call_back(self) -> bool:
        """Made at closing from a consultation whose resident typed no question or left no way to
        reach them: staff must find the resident through the community point and call back."""
        return self.source == "consultation" and (
            not self.question.strip() or not (self.contact_name.strip() or self.contact_phone.strip()))


class BoardReply(Base):
    __tablename__ = "board_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("board_messages.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    author_name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BoardEvent(Base):
    """What happened to a message, in order: left, claimed, replied, handed_over, closed, published."""

    __tablename__ = "board_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("board_messages.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100), default="")
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")  # the record: ids, units, accounts
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")  # the words typed, if any


class PublicAnswer(Base):
    """An anonymised question and answer the center published: no name, phone or ID number."""

    __tablename__ = "board_public_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("board_messages.id"), unique=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    published_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class ReceiptTry(Base):
    """A wrong try at finding a message by receipt code and phone digits at a kiosk: counted per
    kiosk and per message to stop guessing (server/board/receipts.py)."""

    __tablename__ = "board_receipt_tries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("board_messages.id"), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
