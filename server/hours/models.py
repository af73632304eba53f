from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class ServiceWindow(Base):
    """One weekly opening, e.g. Monday 09:30–11:30 (start inclusive, end exclusive), local time."""

    __tablename__ = "service_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday … 6 = Sunday
    start_minute: Mapped[int] = mapped_column(Integer)  # minutes after local midnight
    end_minute: Mapped[int] = mapped_column(Integer)


class CalendarDay(Base):
    """A date whose kind overrides its weekday: a holiday on a weekday, or a make-up workday
    (調休上班) on a weekend. A make-up workday uses the windows of a normal weekday (Monday)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | makeup_workday
    name: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(16))  # official | statutory | manual
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
