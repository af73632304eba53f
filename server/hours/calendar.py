"""Pure service-hours arithmetic: no database, no clock. Every function takes the time it
is asked about, so tests and the CLI pass any instant they like.

A day is a working day when the calendar says makeup_workday, or when it is Monday to Friday
and the calendar does not say holiday. The calendar is the database's table for the years it
holds and the built-in calendar (public_holidays.py, passed in as `builtin`) for every other
year. A working day has its weekday's windows; a make-up workday on a weekend borrows Monday's.
Windows are [start, end): 09:30 is open, 11:30 closed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
# How far next_open looks ahead before answering None (no window configured at all).
SEARCH_HORIZON_DAYS = 400
MINUTES_PER_DAY = 24 * 60
DEFAULT_WINDOWS: tuple[tuple[int, int], ...] = ((9 * 60 + 30, 11 * 60 + 30), (14 * 60, 16 * 60))
# year → (date → HOLIDAY or MAKEUP_WORKDAY, whether that year is a guess)
YearSource = Callable[[int], tuple[Mapping[date, str], bool]]


@dataclass(frozen=True)
class Schedule:
    tz: ZoneInfo
    # weekday (0 = Monday) → sorted [(start_minute, end_minute)] in local time
    windows: dict[int, tuple[tuple[int, int], ...]]
    # date → HOLIDAY or MAKEUP_WORKDAY
    days: dict[date, str] = field(default_factory=dict)
    # years whose days came from the statutory fallback, not the official schedule
    provisional_years: frozenset[int] = frozenset()
    # years `days` holds in full; a day of any other year not in `days` is asked of `builtin`
    table_years: frozenset[int] = frozenset()
    builtin: YearSource | None = None

    @classmethod
    def default(cls, tz: ZoneInfo, days: dict[date, str] | None = None,
                provisional_years: frozenset[int] = frozenset(), builtin: YearSource | None = None) -> "Schedule":
        return cls(tz=tz, windows={d: DEFAULT_WINDOWS for d in range(5)}, days=days or {},
                   provisional_years=provisional_years, builtin=builtin)

    def kind_of(self, day: date) -> str | None:
        """HOLIDAY, MAKEUP_WORKDAY, or None for a day that follows its weekday."""
        kind = self.days.get(day)
        if kind is None and self.builtin is not None and day.year not in self.table_years:
            kind = self.builtin(day.year)[0].get(day)
        return kind

    def is_workday(self, day: date) -> bool:
        kind = self.kind_of(day)
        if kind == MAKEUP_WORKDAY:
            return True
        if kind == HOLIDAY:
            return False
        return day.weekday() < 5

    def windows_on(self, day: date) -> tuple[tuple[int, int], ...]:
        if not self.is_workday(day):
            return ()
        weekday = day.weekday()
        if weekday >= 5:  # a make-up workday on a weekend keeps a normal weekday's hours
            weekday = 0
        return self.windows.get(weekday, ())

    def is_provisional(self, day: date) -> bool:
        if day.year in self.provisional_years:
            return True
        return self.builtin is not None and day.year not in self.table_years and self.builtin(day.year)[1]


def _local(schedule: Schedule, at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("service-hours functions need an aware datetime")
    return at.astimezone(schedule.tz)


def _at_minute(schedule: Schedule, day: date, minute: int) -> datetime:
    return datetime.combine(day, time(0), tzinfo=schedule.tz) + timedelta(minutes=minute)


def current_window(schedule: Schedule, at: datetime) -> tuple[datetime, datetime] | None:
    """The open period containing `at`, as aware local datetimes, or None when closed."""
    local = _local(schedule, at)
    minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6
    for start, end in schedule.windows_on(local.date()):
        if start <= minute < end:
            return _at_minute(schedule, local.date(), start), _period_end(schedule, local.date(), end)
    return None


def _period_end(schedule: Schedule, day: date, end_minute: int) -> datetime:
    """Where the service really closes after a window ending at `end_minute` of `day`: windows
    that touch it (one starting as it ends, also at 00:00 the next day after one ending at 24:00)
    carry on without a closing, so no cut-off, warning or board move happens between them."""
    for _ in range(SEARCH_HORIZON_DAYS):
        if end_minute >= MINUTES_PER_DAY:
            day, end_minute = day + timedelta(days=1), end_minute - MINUTES_PER_DAY
        following = [end for start, end in schedule.windows_on(day) if start <= end_minute < end]
        if not following:
            break
        end_minute = max(following)
    return _at_minute(schedule, day, end_minute)


def is_open(schedule: Schedule, at: datetime) -> bool:
    return current_window(schedule, at) is not None


def closes_at(schedule: Schedule, at: datetime) -> datetime | None:
    """When the open period that `at` lies in ends; None when closed at `at`."""
    window = current_window(schedule, at)
    return window[1] if window else None


def next_open(schedule: Schedule, at: datetime) -> datetime | None:
    """The start of the next window strictly after `at` (when open now, the next one after
    this open period). None when no window opens within SEARCH_HORIZON_DAYS."""
    window = current_window(schedule, at)
    local = _local(schedule, window[1] if window else at)
    for offset in range(SEARCH_HORIZON_DAYS):
        day = local.date() + timedelta(days=offset)
        for start, _end in schedule.windows_on(day):
            begins = _at_minute(schedule, day, start)
            if begins > local:
                return begins
    return None


def working_days_after(schedule: Schedule, start: date, count: int) -> date:
    """The date `count` working days after `start` (a deadline in 工作日)."""
    day, left = start, count
    while left > 0:
        day += timedelta(days=1)
        if schedule.is_workday(day):
            left -= 1
    return day


def status(schedule: Schedule, at: datetime) -> dict[str, object]:
    """The JSON answer of GET /api/service-hours/status and `fayuan hours at`."""
    window = current_window(schedule, at)
    upcoming = next_open(schedule, at)
    local = _local(schedule, at)
    return {
        "open": window is not None,
        "closes_at": window[1].isoformat() if window else None,
        "next_open": upcoming.isoformat() if upcoming else None,
        "provisional": schedule.is_provisional(local.date())
        or (upcoming is not None and schedule.is_provisional(upcoming.date())),
    }
