"""Which server processes are alive, and which connections each one holds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class ServerProcess(Base):
    """A running `fayuan serve`, alive while it renews its lease (presence/service.py)."""

    __tablename__ = "server_processes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LiveConnection(Base):
    """One socket a process holds: whose it is and which consultation's room it is in."""

    __tablename__ = "live_connections"

    process_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor: Mapped[str] = mapped_column(String(40), index=True)  # device:3, account:7
    consultation_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
