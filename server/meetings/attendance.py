"""Attendance: when each member came and went, the invited units nobody came from, and the list
as a CSV (server/spreadsheet.py: headings in the page's language, times in the service's zone)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.meetings.models import Attendance, MeetingInvitation, MeetingMember
from server.org.models import Unit
from server.spreadsheet import Language, document, local_time, words


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


async def absent_units(session: AsyncSession, meeting_id: int) -> list[dict]:
    """The invited units from which nobody came: a unit is invited with all its staff, and it
    attended when anyone of it was in the room (whether they came with the unit or by name)."""
    came = select(Attendance.unit_id).where(Attendance.meeting_id == meeting_id, Attendance.unit_id.is_not(None))
    rows = await session.execute(
        select(Unit.id, Unit.name).join(MeetingInvitation, MeetingInvitation.unit_id == Unit.id)
        .where(MeetingInvitation.meeting_id == meeting_id, Unit.id.not_in(came)).order_by(Unit.path))
    return [{"unit_id": unit_id, "unit_name": name} for unit_id, name in rows.all()]


def attendance_csv(rows: list[dict], absent: list[dict], lang: Language, tz: ZoneInfo) -> bytes:
    """One line per stay, then one per invited unit nobody came from (its "attended" cell: no)."""
    w = words(lang)
    headings = [w(f"meetings.col.{c}", c) for c in ("name", "unit", "joined", "left", "seconds", "attended")]
    yes, no = w("meetings.attended.yes", "yes"), w("meetings.attended.no", "no")
    lines = [[row["name"], row["unit_name"], local_time(row["joined_at"], tz), local_time(row["left_at"], tz),
              str(row["seconds"] or ""), yes] for row in rows]
    lines += [["", unit["unit_name"], "", "", "", no] for unit in absent]
    return document(headings, lines)
