from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (
        # a queue in order (queue.waiting), on every change to it
        Index("ix_consultations_queue", "target_unit_id", "state", "queued_at", "id"),
        # a take counts the taker's live consultations (service.take)
        Index("ix_consultations_taker_state", "taker_account_id", "state"),
        # the queue's estimate averages a unit's last talk times (queue.average_service_seconds)
        Index("ix_consultations_recent_talks", "target_unit_id", "id", sqlite_where=text("talk_seconds IS NOT NULL"),
              postgresql_where=text("talk_seconds IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the kiosk's unit
    category: Mapped[str] = mapped_column(String(40))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    chosen_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyer_profiles.id"), nullable=True)
    taker_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_by: Mapped[str] = mapped_column(String(100), default="")
    end_reason: Mapped[str] = mapped_column(String(40), default="")
    wait_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    talk_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Added by migration 0014_rating_comment: what the resident wrote beside the rating
    rating_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    resident_text: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    # server/applicant_groups.py: who the resident is, for the bureau's figures
    applicant_groups: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # when the window the consultation was taken in closes: the grace period counts from it
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    warned_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    choice_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    kiosk_away_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    taker_away_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    kiosk_resume: Mapped[str] = mapped_column(String(64), default="")  # sha256 of the resume token
    taker_resume: Mapped[str] = mapped_column(String(64), default="")


class ConsultationEvent(Base):
    """What happened to a consultation, in order: queued, taken, transferred, away, back, ended."""

    __tablename__ = "consultation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")


class DutyShift(Base):
    """A lawyer on duty at the center on a date, between two local times."""

    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class LawyerStatus(Base):
    """Available or away, as the lawyer last said."""

    __tablename__ = "lawyer_status"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # last time a server process held a connection of this lawyer (renewed while connected):
    # availability ends when it is older than the reconnect grace, whichever process held it
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)



class ConsultationGuest(Base):
    """A third person in a live consultation (server/consultations/guests.py): an interpreter, a
    family member or a second lawyer whom the taker invited with a one-time code and link. Only
    the SHA-256 of the code, the link token and the guest's own session token is kept."""

    __tablename__ = "consultation_guests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    invited_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))  # the taker who invited them
    kind: Mapped[str] = mapped_column(String(20))  # guests.GuestKind
    name: Mapped[str] = mapped_column(String(50), default="")  # what the taker typed, if anything
    state: Mapped[str] = mapped_column(String(20), index=True)  # state.GuestState
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    link_hash: Mapped[str] = mapped_column(String(64), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), default="", index=True)  # set when the invitation is used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())  # of the unused invitation
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # first time in the call
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(40), default="")


class GuestCodeTry(Base):
    """A wrong invitation code or link, counted per client address and overall to stop guessing."""

    __tablename__ = "consultation_guest_tries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
