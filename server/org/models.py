from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class UnitKind(StrEnum):
    center = "center"  # type: ignore[assignment]  # shadows str.center; 區法律援助中心: the root, runs the system
    department = "department"  # 部門聯絡中心: a liaison center under the center
    station = "station"  # 街道法律援助工作站: a street workstation under the center
    community = "community"  # 社區法律援助聯系點: a kiosk point under a station or department


# Which kinds a unit of each kind may hold as children.
CHILD_KINDS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.center: frozenset({UnitKind.department, UnitKind.station}),
    UnitKind.department: frozenset({UnitKind.community}),
    UnitKind.station: frozenset({UnitKind.community}),
    UnitKind.community: frozenset(),
}


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path "/1/4/9/": a unit sees every unit whose path starts with its own.
    path: Mapped[str] = mapped_column(String(400), index=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
