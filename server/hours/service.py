"""Service hours in the database: windows and calendar days, seeded and edited, loaded into a
pure Schedule (see calendar.py) for every question about being open."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.hours.calendar import DEFAULT_WINDOWS, HOLIDAY, MAKEUP_WORKDAY, Schedule, status
from server.hours.models import CalendarDay, ServiceWindow

# Years around "now" that the calendar is seeded for when they have no rows yet.
SEED_YEARS_BEFORE, SEED_YEARS_AFTER = 1, 2
# The years anyone may ask about: far enough from year 1 and 9999 that converting offsets and
# looking SEARCH_HORIZON_DAYS ahead stay inside datetime's range.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def official_days(year: int) -> dict[date, tuple[str, str]] | None:
    """The State Council schedule for a year as the chinesecalendar package carries it
    (date → (kind, name)), or None when the package does not carry that year."""
    import chinese_calendar
    from chinese_calendar import constants

    carried = {d.year for d in constants.holidays}
    if year not in carried:
        return None
    days: dict[date, tuple[str, str]] = {}
    for day, name in constants.holidays.items():
        if day.year == year and day.weekday() < 5:
            days[day] = (HOLIDAY, str(getattr(name, "value", name)).split(",")[0])
    for day, name in constants.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = (MAKEUP_WORKDAY, str(getattr(name, "value", name)).split(",")[0])
    del chinese_calendar
    return days


def statutory_days(year: int) -> dict[date, tuple[str, str]]:
    """The fallback for a year not yet published: statutory holidays only, no make-up days."""
    import holidays

    return {day: (HOLIDAY, name) for day, name in holidays.China(years=year).items() if day.weekday() < 5}


async def seed_year(session: AsyncSession, year: int) -> bool:
    """Fill a year's calendar if it has no rows; True when it was filled."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    exists = await session.scalar(
        select(func.count()).select_from(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day < end))
    if exists:
        return False
    _changed(session)
    official = official_days(year)
    days, source = (official, "official") if official is not None else (statutory_days(year), "statutory")
    for day, (kind, name) in sorted(days.items()):
        session.add(CalendarDay(day=day, kind=kind, name=name[:100], source=source,
                                provisional=official is None))
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
_cache: "WeakKeyDictionary[Engine, tuple[float, ZoneInfo, Schedule]]" = WeakKeyDictionary()


def _changed(session: AsyncSession) -> None:
    """Writers call this: forget the schedule now and again when their transaction commits."""
    session.sync_session.info["hours_changed"] = True
    _cache.pop(session.sync_session.get_bind(), None)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop("hours_changed", False):
        _cache.pop(session.get_bind(), None)


async def load_schedule(session: AsyncSession, tz: ZoneInfo, *, fresh: bool = False) -> Schedule:
    """The schedule; `fresh` reads it from the database even when this process has it cached
    (for what cannot be undone, such as moving the queue to the board at closing)."""
    engine = session.sync_session.get_bind()
    cached = _cache.get(engine)
    if not fresh and cached is not None and cached[1] == tz and time.monotonic() - cached[0] < SCHEDULE_TTL_SECONDS:
        return cached[2]
    windows: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in await session.execute(
            select(ServiceWindow.weekday, ServiceWindow.start_minute, ServiceWindow.end_minute)
            .order_by(ServiceWindow.start_minute)):
        windows.setdefault(weekday, []).append((start, end))
    days: dict[date, str] = {}
    provisional: set[int] = set()
    for day, kind, is_provisional in await session.execute(
            select(CalendarDay.day, CalendarDay.kind, CalendarDay.provisional)):
        days[day] = kind
        if is_provisional:
            provisional.add(day.year)
    schedule = Schedule(tz=tz, windows={k: tuple(v) for k, v in windows.items()}, days=days,
                        provisional_years=frozenset(provisional))
    if not session.sync_session.info.get("hours_changed"):
        _cache[engine] = (time.monotonic(), tz, schedule)
    return schedule


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
    _changed(session)
    row = await session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, kind=kind, name=name, source="manual", provisional=False)
        session.add(row)
    else:
        row.kind, row.name, row.source, row.provisional = kind, name, "manual", False
    return row


async def clear_day(session: AsyncSession, day: date) -> bool:
    """Remove an override: the date goes back to its weekday's rule."""
    row = await session.get(CalendarDay, day)
    if row is None:
        return False
    _changed(session)
    await session.delete(row)
    return True


async def list_days(session: AsyncSession, start: date, end: date) -> list[CalendarDay]:
    _check_year(start, "from")
    _check_year(end, "to")
    if end < start:
        raise InvalidInput("'to' is before 'from'", field="to")
    if end - start > timedelta(days=800):
        raise InvalidInput("ask for at most 800 days at once", field="to")
    rows = await session.scalars(
        select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end).order_by(CalendarDay.day))
    return list(rows)
