"""What recording leaves behind: consents (who agreed, when, to which text version) and the
recorded files, for meetings and consultations alike (`parent_kind`, `parent_id`)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class RecordingState(StrEnum):
    recording = "recording"  # the recorder peer is writing the file
    ready = "ready"  # finished: playable
    failed = "failed"  # the recorder could not write a playable file


class RecordingConsent(Base):
    """A person's (or a kiosk's resident's) consent to being recorded in a meeting or a consultation,
    and its withdrawal. Kept after the recording is deleted: it says who agreed to what, when."""

    __tablename__ = "recording_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_kind: Mapped[str] = mapped_column(String(20))  # "meeting" or "consultation"
    parent_id: Mapped[int] = mapped_column(Integer, index=True)
    who: Mapped[str] = mapped_column(String(40))  # Actor.ref: "account:7", "device:3"
    name: Mapped[str] = mapped_column(String(100))
    text_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Recording(Base):
    """One recorded file: one participant's audio and video while recording was on."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the parent's unit (meeting host, kiosk)
    subject: Mapped[str] = mapped_column(String(100))  # whose picture and voice it holds
    key: Mapped[str] = mapped_column(String(80))  # file name under <data dir>/recordings/
    state: Mapped[str] = mapped_column(String(12))  # RecordingState
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
