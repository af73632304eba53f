from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class CannedReply(Base):
    """One short answer kept by a unit; its staff and everyone below it may insert it."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))  # "zh-CN" or "en": the page shows the ones of its language
    title: Mapped[str] = mapped_column(String(60))  # what the picker lists and filters on
    body: Mapped[str] = mapped_column(String(1000))  # what is inserted
    position: Mapped[int] = mapped_column(Integer)  # order within the unit and language, from 0
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
