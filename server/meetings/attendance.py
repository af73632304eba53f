"""Attendance: when each member came and went, and the list as a CSV a spreadsheet opens safely."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.meetings.models import Attendance, MeetingMember
from server.org.models import Unit


def open_attendance(session: AsyncSession, member: MeetingMember, now: datetime) -> None:
    session.add(Attendance(meeting_id=member.meeting_id, account_id=member.account_id, name=member.name,
                           unit_id=member.unit_id, joined_at=now))


async def close_attendance(session: AsyncSession, meeting_id: int, account_id: int, now: datetime) -> None:
    await session.execute(update(Attendance).where(
        Attendance.meeting_id == meeting_id, Attendance.account_id == account_id, Attendance.left_at.is_(None))
        .values(left_at=now))


async def attendance(session: AsyncSession, meeting_id: int) -> list[dict]:
    rows = await session.execute(
        select(Attendance, Unit.name).outerjoin(Unit, Unit.id == Attendance.unit_id)
        .where(Attendance.meeting_id == meeting_id).order_by(Attendance.joined_at, Attendance.id))
    return [{"account_id": a.account_id, "name": a.name, "unit_id": a.unit_id, "unit_name": unit_name or "",
             "joined_at": a.joined_at, "left_at": a.left_at,
             "seconds": int((a.left_at - a.joined_at).total_seconds()) if a.left_at else None}
            for a, unit_name in rows]


def attendance_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "unit", "joined_at", "left_at", "seconds"])
    for row in rows:
        writer.writerow([_csv_safe(row["name"]), _csv_safe(row["unit_name"]), row["joined_at"].isoformat(),
                         row["left_at"].isoformat() if row["left_at"] else "", row["seconds"] or ""])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is quoted as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
