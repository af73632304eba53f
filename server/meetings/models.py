"""Meetings: the schedule, who is invited, who is in the room now, attendance. Recording
consents and recordings are server/recordings/models.py's."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))  # MeetingKind
    # no foreign key: applications come from a sibling migration branch
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the host's unit
    host_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(20), index=True)  # MeetingState
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    topology: Mapped[str] = mapped_column(String(10), default="")  # Topology, chosen when it goes live
    janus_room: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Janus' room secret and pin: the server's alone, never sent to a client
    janus_secret: Mapped[str] = mapped_column(String(64), default="")
    janus_pin: Mapped[str] = mapped_column(String(64), default="")
    # the server process whose recorder records the meeting now (realtime/meetings.py); None: not recording
    recorder_process: Mapped[str | None] = mapped_column(String(32), nullable=True)
    recording_stopped_reason: Mapped[str] = mapped_column(String(40), default="")  # why the last recording stopped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class MeetingInvitation(Base):
    """One invited unit (all its staff) or one invited person."""

    __tablename__ = "meeting_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)


class MeetingMember(Base):
    """A person's place in one meeting's room: admitted, present, and what the room shows of them."""

    __tablename__ = "meeting_members"
    __table_args__ = (UniqueConstraint("meeting_id", "account_id", name="uq_meeting_members_meeting_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    role: Mapped[str] = mapped_column(String(12))  # Role
    admitted: Mapped[bool] = mapped_column(Boolean, default=False)  # invited, or let in from the lobby
    waiting: Mapped[bool] = mapped_column(Boolean, default=False)  # in the lobby now
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # the host removed them: no way back
    hand_raised: Mapped[bool] = mapped_column(Boolean, default=False)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    camera_off: Mapped[bool] = mapped_column(Boolean, default=False)
    sharing: Mapped[bool] = mapped_column(Boolean, default=False)
    # while present: the server process and socket that hold them in the room (meetings/holders.py)
    process_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # their Janus session (made by that process): destroyed by another if that process dies
    janus_session: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Attendance(Base):
    """One stay in the room: who, from which unit, from when to when."""

    __tablename__ = "meeting_attendance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
