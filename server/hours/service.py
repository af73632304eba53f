"""Service hours in the database: windows and calendar days, seeded and edited, loaded into a
pure Schedule (see calendar.py) for every question about being open."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import URL, delete, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.hours.calendar import DEFAULT_WINDOWS, Schedule, status
from server.hours.models import CalendarDay, ServiceWindow
from server.hours.public_holidays import OFFICIAL, STATUTORY, builtin_year, year_days

MANUAL = "manual"  # CalendarDay.source of an admin's override

# Years around "now" that the calendar table is filled for (any other year is answered from the
# built-in calendar, and written to the table when an admin edits one of its days).
SEED_YEARS_BEFORE, SEED_YEARS_AFTER = 1, 2
# The years anyone may ask about: far enough from year 1 and 9999 that converting offsets and
# looking SEARCH_HORIZON_DAYS ahead stay inside datetime's range.
FIRST_YEAR, LAST_YEAR = 1900, 2999


async def _table_holds(session: AsyncSession, year: int) -> bool:
    """Whether the table holds the year (any row not an admin's override)."""
    return bool(await session.scalar(select(func.count()).select_from(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day < date(year + 1, 1, 1), CalendarDay.source != MANUAL)))


async def seed_year(session: AsyncSession, year: int) -> bool:
    """Write a year of the built-in calendar into the table when the table does not hold it, or
    holds only the statutory guess and the official schedule has since become known; manual rows
    stay. True when rows were written. Two transactions filling the same year: the second finds
    the first's rows (its savepoint rolls back) and leaves them."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    held = dict((await session.execute(
        select(CalendarDay.day, CalendarDay.source).where(CalendarDay.day >= start, CalendarDay.day < end))).all())
    filled_from = {source for source in held.values() if source != MANUAL}
    builtin = year_days(year)
    if filled_from and not (filled_from == {STATUTORY} and builtin.source == OFFICIAL):
        return False
    _changed(session)
    try:
        async with session.begin_nested():
            if filled_from:
                await session.execute(delete(CalendarDay).where(
                    CalendarDay.day >= start, CalendarDay.day < end, CalendarDay.source == STATUTORY))
            for day, (kind, name) in sorted(builtin.days.items()):
                if held.get(day) != MANUAL:
                    session.add(CalendarDay(day=day, kind=kind, name=name[:100], source=builtin.source,
                                            provisional=builtin.provisional))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def ensure_defaults(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> None:
    """Default weekly windows when none exist; calendar years around now when missing."""
    if not await session.scalar(select(func.count()).select_from(ServiceWindow)):
        _changed(session)
        for weekday in range(5):
            for start, end in DEFAULT_WINDOWS:
                session.add(ServiceWindow(weekday=weekday, start_minute=start, end_minute=end))
    year = now.astimezone(tz).year
    for y in range(year - SEED_YEARS_BEFORE, year + SEED_YEARS_AFTER + 1):
        await seed_year(session, y)
    await session.flush()


# Every socket event and many requests ask for the schedule; it changes a few times a year.
# Kept per database for SCHEDULE_TTL_SECONDS (monotonic time: a cache, not business time) and
# dropped by this process's own writes as they commit; another process's edit shows within the TTL.
SCHEDULE_TTL_SECONDS = 5.0
_cache: dict[URL, tuple[float, ZoneInfo, Schedule]] = {}


def _database(session: Session) -> URL:
    """The database a session works on, whatever it is bound to: an engine of the app's, the
    group commit's (its own engine on SQLite, a connection it keeps) — one schedule for all."""
    return session.get_bind().engine.url


def _changed(session: AsyncSession) -> None:
    """Writers call this: forget the schedule now and again when their transaction commits."""
    session.sync_session.info["hours_changed"] = True
    _cache.pop(_database(session.sync_session), None)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop("hours_changed", False):
        _cache.pop(_database(session), None)


async def load_schedule(session: AsyncSession, tz: ZoneInfo, *, fresh: bool = False) -> Schedule:
    """The schedule; `fresh` reads it from the database even when this process has it cached
    (for what cannot be undone, such as moving the queue to the board at closing)."""
    database = _database(session.sync_session)
    cached = _cache.get(database)
    if not fresh and cached is not None and cached[1] == tz and time.monotonic() - cached[0] < SCHEDULE_TTL_SECONDS:
        return cached[2]
    windows: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in await session.execute(
            select(ServiceWindow.weekday, ServiceWindow.start_minute, ServiceWindow.end_minute)
            .order_by(ServiceWindow.start_minute)):
        windows.setdefault(weekday, []).append((start, end))
    days: dict[date, str] = {}
    provisional: set[int] = set()
    filled: set[int] = set()
    for day, kind, source, is_provisional in await session.execute(
            select(CalendarDay.day, CalendarDay.kind, CalendarDay.source, CalendarDay.provisional)):
        days[day] = kind
        if is_provisional:
            provisional.add(day.year)
        if source != MANUAL:
            filled.add(day.year)
    schedule = Schedule(tz=tz, windows={k: tuple(v) for k, v in windows.items()}, days=days,
                        provisional_years=frozenset(provisional), table_years=frozenset(filled),
                        builtin=builtin_year)
    if not session.sync_session.info.get("hours_changed"):
        _cache[database] = (time.monotonic(), tz, schedule)
    return schedule


def builtin_schedule(tz: ZoneInfo) -> Schedule:
    """The answer without a database: the plan's default windows over the built-in calendar."""
    return Schedule.default(tz, builtin=builtin_year)


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601; a time without an offset is local (Asia/Shanghai by default)."""
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO 8601 time such as 2026-11-30T10:00:00+08:00",
                           field="at") from None
    _check_year(at.date(), "at")
    return at.replace(tzinfo=tz) if at.tzinfo is None else at


def _check_year(day: date, field: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(f"{day.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR}", field=field)


def status_json(schedule: Schedule, at: datetime) -> dict[str, object]:
    return status(schedule, at)


async def set_windows(session: AsyncSession, windows: list[tuple[int, int, int]]) -> None:
    """Replace every weekly window: (weekday, start_minute, end_minute)."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in windows:
        if start >= end:
            raise InvalidInput(f"a window must end after it starts (weekday {weekday})", field="windows")
        by_day.setdefault(weekday, []).append((start, end))
    for weekday, spans in by_day.items():
        spans.sort()
        for (_, end_a), (start_b, _) in zip(spans, spans[1:]):
            if start_b < end_a:
                raise InvalidInput(f"windows overlap on weekday {weekday}", field="windows")
    _changed(session)
    await session.execute(delete(ServiceWindow))
    for weekday, start, end in windows:
        session.add(ServiceWindow(weekday=weekday, start_minute=start, end_minute=end))


async def set_day(session: AsyncSession, day: date, kind: str, name: str) -> CalendarDay:
    _check_year(day, "day")
    await seed_year(session, day.year)  # the override then sits on a complete year, not an empty one
    _changed(session)
    row = await session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, kind=kind, name=name, source=MANUAL, provisional=False)
        session.add(row)
    else:
        row.kind, row.name, row.source, row.provisional = kind, name, MANUAL, False
    return row


async def clear_day(session: AsyncSession, day: date) -> bool:
    """Remove an override: the date goes back to its weekday's rule."""
    _check_year(day, "day")
    await seed_year(session, day.year)
    row = await session.get(CalendarDay, day)
    if row is None:
        return False
    _changed(session)
    await session.delete(row)
    return True


async def list_days(session: AsyncSession, start: date, end: date) -> list[CalendarDay]:
    """The calendar's rows in a range; for a year the table does not hold, the built-in
    calendar's days as unsaved rows (under any manual rows of that year)."""
    _check_year(start, "from")
    _check_year(end, "to")
    if end < start:
        raise InvalidInput("'to' is before 'from'", field="to")
    if end - start > timedelta(days=800):
        raise InvalidInput("ask for at most 800 days at once", field="to")
    rows = {row.day: row for row in await session.scalars(
        select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end))}
    for year in range(start.year, end.year + 1):
        if await _table_holds(session, year):
            continue
        builtin = year_days(year)
        for day, (kind, name) in builtin.days.items():
            if start <= day <= end and day not in rows:
                rows[day] = CalendarDay(day=day, kind=kind, name=name[:100], source=builtin.source,
                                        provisional=builtin.provisional)
    return [rows[day] for day in sorted(rows)]
