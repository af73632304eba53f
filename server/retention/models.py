from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class LegalHold(Base):
    """A case that must not be deleted, whatever its age (a dispute, a complaint, a court's
    request), until the hold is released. Released holds stay as the record of what was held."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_case", "kind", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # HoldKind
    ref_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(100))  # Actor.ref
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_by: Mapped[str] = mapped_column(String(100), default="")
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
