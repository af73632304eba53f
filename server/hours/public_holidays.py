"""The built-in calendar of China's public holidays, for any year: the State Council's published
schedule where the chinesecalendar package carries it (holidays and make-up workdays), the
statutory rules otherwise (the holidays package: holidays only, since make-up workdays are
announced a year at a time and cannot be known in advance, so such a year is provisional).

Pure: no database, no clock. The database's calendar table is filled from here and overrides it;
a year the table does not hold is answered from here directly (see calendar.Schedule).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from server.hours.calendar import HOLIDAY, MAKEUP_WORKDAY

OFFICIAL, STATUTORY = "official", "statutory"
# The holidays package computes the lunar festivals only from 1950 to 2100; the fixed-date
# statutory days (元旦, 劳动节, 国庆节) are added whatever the year, so that no year the service
# may be asked about has National Day open unless an admin opens it on purpose (holiday duty).
FIXED_STATUTORY_DAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节"))


@dataclass(frozen=True)
class YearDays:
    year: int
    # date → (HOLIDAY or MAKEUP_WORKDAY, name); only the dates that differ from their weekday
    days: Mapping[date, tuple[str, str]]
    source: str  # OFFICIAL | STATUTORY

    @property
    def provisional(self) -> bool:
        return self.source != OFFICIAL


def official_days(year: int) -> dict[date, tuple[str, str]] | None:
    """The State Council schedule for a year as the chinesecalendar package carries it
    (date → (kind, name)), or None when the package does not carry that year."""
    from chinese_calendar import constants

    if year not in _official_years():
        return None
    days: dict[date, tuple[str, str]] = {}
    for day, name in constants.holidays.items():
        if day.year == year and day.weekday() < 5:
            days[day] = (HOLIDAY, _holiday_name(name))
    for day, name in constants.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = (MAKEUP_WORKDAY, _holiday_name(name))
    return days


def statutory_days(year: int) -> dict[date, tuple[str, str]]:
    """The fallback for a year not yet published: statutory holidays on weekdays, no make-up days."""
    import holidays

    # names in Simplified Chinese, as the official schedule's and as the pages show them
    days = {day: (HOLIDAY, name) for day, name in holidays.China(years=year, language="zh_CN").items()
            if day.weekday() < 5}
    for month, day_of_month, name in FIXED_STATUTORY_DAYS:
        day = date(year, month, day_of_month)
        if day.weekday() < 5:
            days.setdefault(day, (HOLIDAY, name))
    return days


@lru_cache(maxsize=None)  # a few hundred years at most (service.FIRST_YEAR-LAST_YEAR); lru_cache is thread safe
def year_days(year: int) -> YearDays:
    """One year of the built-in calendar, computed once per process."""
    official = official_days(year)
    if official is not None:
        return YearDays(year, MappingProxyType(official), OFFICIAL)
    return YearDays(year, MappingProxyType(statutory_days(year)), STATUTORY)


@lru_cache(maxsize=None)
def builtin_year(year: int) -> tuple[Mapping[date, str], bool]:
    """calendar.YearSource: what a Schedule asks about a year its table does not hold."""
    found = year_days(year)
    return MappingProxyType({day: kind for day, (kind, _name) in found.days.items()}), found.provisional


@lru_cache(maxsize=1)
def _official_years() -> frozenset[int]:
    from chinese_calendar import constants

    return frozenset(d.year for d in constants.holidays)


def _holiday_name(name: object) -> str:
    return str(getattr(name, "value", name)).split(",")[0]
