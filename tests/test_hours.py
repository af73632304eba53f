"""Service hours: the pure calendar functions over the real holiday data, the HTTP routes under
a fake clock, and `fayuan hours at`."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from server.cli import main as cli_main
from server.clock import FakeClock
from server.db import Database, make_engine
from server.hours import calendar
from server.hours.calendar import HOLIDAY, MAKEUP_WORKDAY, Schedule
from server.hours.models import CalendarDay
from server.hours.public_holidays import official_days, statutory_days, year_days
from server.hours.service import builtin_schedule, ensure_defaults, load_schedule, seed_year
from tests.conftest import SHANGHAI
from tests.support import fresh_sqlite

OFFICIAL_YEAR, PROVISIONAL_YEAR = 2026, 2027  # chinesecalendar 1.11 carries 2026, not 2027


def schedule_for(*years: int) -> Schedule:
    """What seed_year + load_schedule build, without a database."""
    days: dict[date, str] = {}
    provisional = set()
    for year in years:
        found = official_days(year)
        if found is None:
            provisional.add(year)
            found = statutory_days(year)
        days.update({day: kind for day, (kind, _name) in found.items()})
    return Schedule.default(SHANGHAI, days, frozenset(provisional))


SCHEDULE = schedule_for(2025, OFFICIAL_YEAR, PROVISIONAL_YEAR)


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def test_the_calendar_data_is_what_these_tests_assume() -> None:
    """If a chinesecalendar upgrade changes these, the cases below need new dates."""
    assert official_days(OFFICIAL_YEAR) is not None
    assert official_days(PROVISIONAL_YEAR) is None
    assert SCHEDULE.days[date(2026, 10, 1)] == HOLIDAY
    assert SCHEDULE.days[date(2026, 9, 20)] == MAKEUP_WORKDAY
    assert SCHEDULE.days[date(2026, 10, 10)] == MAKEUP_WORKDAY
    assert all(SCHEDULE.days[date(2026, 10, d)] == HOLIDAY for d in (1, 2, 5, 6, 7))
    assert date(2026, 10, 8) not in SCHEDULE.days
    assert MAKEUP_WORKDAY not in {k for d, k in SCHEDULE.days.items() if d.year == PROVISIONAL_YEAR}


# (asked at, open, closes_at, next_open, provisional); every time in +08:00 unless written otherwise
CASES = [
    # window edges on Monday 30 November 2026: [09:30, 11:30) and [14:00, 16:00)
    ("2026-11-30T09:29:59", False, None, "2026-11-30T09:30:00", False),
    ("2026-11-30T09:30:00", True, "2026-11-30T11:30:00", "2026-11-30T14:00:00", False),
    ("2026-11-30T11:29:59", True, "2026-11-30T11:30:00", "2026-11-30T14:00:00", False),
    ("2026-11-30T11:29:59.999999", True, "2026-11-30T11:30:00", "2026-11-30T14:00:00", False),
    ("2026-11-30T11:30:00", False, None, "2026-11-30T14:00:00", False),
    ("2026-11-30T12:45:00", False, None, "2026-11-30T14:00:00", False),  # lunch gap
    ("2026-11-30T13:59:59", False, None, "2026-11-30T14:00:00", False),
    ("2026-11-30T14:00:00", True, "2026-11-30T16:00:00", "2026-12-01T09:30:00", False),
    ("2026-11-30T16:00:00", False, None, "2026-12-01T09:30:00", False),
    ("2026-11-30T00:00:00", False, None, "2026-11-30T09:30:00", False),
    # weekend: Friday evening → Monday
    ("2026-11-27T16:00:00", False, None, "2026-11-30T09:30:00", False),
    ("2026-11-28T10:00:00", False, None, "2026-11-30T09:30:00", False),
    ("2026-11-29T15:00:00", False, None, "2026-11-30T09:30:00", False),
    # a holiday on a weekday, and the National Day week
    ("2026-10-01T10:00:00", False, None, "2026-10-08T09:30:00", False),
    ("2026-09-30T16:00:00", False, None, "2026-10-08T09:30:00", False),
    ("2026-10-07T15:00:00", False, None, "2026-10-08T09:30:00", False),
    ("2026-09-25T10:00:00", False, None, "2026-09-28T09:30:00", False),  # Mid-autumn, a Friday
    # make-up workdays on a Sunday and a Saturday keep weekday hours
    ("2026-09-20T10:00:00", True, "2026-09-20T11:30:00", "2026-09-20T14:00:00", False),
    ("2026-09-19T10:00:00", False, None, "2026-09-20T09:30:00", False),
    ("2026-10-10T14:30:00", True, "2026-10-10T16:00:00", "2026-10-12T09:30:00", False),
    ("2026-10-09T16:00:00", False, None, "2026-10-10T09:30:00", False),
    # other offsets mean the same instant
    ("2026-11-30T01:30:00+00:00", True, "2026-11-30T11:30:00", "2026-11-30T14:00:00", False),
    ("2026-11-30T01:29:59+00:00", False, None, "2026-11-30T09:30:00", False),
    ("2026-11-29T20:30:00-05:00", True, "2026-11-30T11:30:00", "2026-11-30T14:00:00", False),
    ("2026-11-30T15:59:00+09:00", True, "2026-11-30T16:00:00", "2026-12-01T09:30:00", False),
    # a year the official schedule does not carry: statutory fallback, provisional
    ("2027-10-01T10:00:00", False, None, "2027-10-06T09:30:00", True),
    ("2027-03-01T10:00:00", True, "2027-03-01T11:30:00", "2027-03-01T14:00:00", True),
    ("2026-12-31T16:00:00", False, None, "2027-01-04T09:30:00", True),  # the answer lies in 2027
]


@pytest.mark.parametrize("asked, is_open, closes, upcoming, provisional", CASES, ids=[c[0] for c in CASES])
def test_status(asked: str, is_open: bool, closes: str | None, upcoming: str, provisional: bool) -> None:
    def local(text: str | None) -> str | None:
        return None if text is None else at(text).isoformat()

    assert calendar.status(SCHEDULE, at(asked)) == {
        "open": is_open, "closes_at": local(closes), "next_open": local(upcoming), "provisional": provisional,
    }
    assert calendar.is_open(SCHEDULE, at(asked)) is is_open


def test_touching_windows_are_one_open_period_also_over_midnight() -> None:
    """A service open around the clock does not close (cut-off, warnings, board move) at each
    midnight, nor one whose windows meet at noon; it closes where the windows stop."""
    around_the_clock = Schedule(tz=SHANGHAI, windows={d: ((0, 24 * 60),) for d in range(5)},
                                days={date(2026, 12, 12): MAKEUP_WORKDAY, date(2026, 12, 13): MAKEUP_WORKDAY,
                                      date(2026, 12, 14): HOLIDAY})
    assert calendar.status(around_the_clock, at("2026-12-12T23:55:00")) == {
        "open": True, "closes_at": at("2026-12-14T00:00:00").isoformat(),
        "next_open": at("2026-12-15T00:00:00").isoformat(), "provisional": False}
    meeting_at_noon = Schedule(tz=SHANGHAI, windows={0: ((9 * 60, 12 * 60), (12 * 60, 17 * 60))})
    assert calendar.status(meeting_at_noon, at("2026-11-30T11:00:00")) == {
        "open": True, "closes_at": at("2026-11-30T17:00:00").isoformat(),
        "next_open": at("2026-12-07T09:00:00").isoformat(), "provisional": False}


def test_status_times_are_china_time_whatever_offset_was_asked() -> None:
    answer = calendar.status(SCHEDULE, at("2026-11-30T01:30:00+00:00"))
    assert answer["closes_at"].endswith("+08:00") and answer["next_open"].endswith("+08:00")


def test_naive_times_are_refused_by_the_pure_functions() -> None:
    with pytest.raises(ValueError):
        calendar.is_open(SCHEDULE, datetime(2026, 11, 30, 10, 0))


def test_no_windows_at_all_means_no_next_open() -> None:
    closed = Schedule(tz=SHANGHAI, windows={})
    assert calendar.next_open(closed, at("2026-11-30T10:00:00")) is None
    assert calendar.status(closed, at("2026-11-30T10:00:00"))["next_open"] is None


def test_working_days_skip_holidays_and_count_makeup_days() -> None:
    assert calendar.working_days_after(SCHEDULE, date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.working_days_after(SCHEDULE, date(2026, 10, 8), 2) == date(2026, 10, 10)
    assert calendar.working_days_after(SCHEDULE, date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert calendar.working_days_after(SCHEDULE, date(2026, 11, 27), 7) == date(2026, 12, 8)


async def test_the_seeded_database_builds_the_same_schedule(db: Database) -> None:
    async with db.sessions.begin() as session:
        await ensure_defaults(session, now=at("2026-11-30T10:00:00"), tz=SHANGHAI)
    async with db.sessions() as session:
        loaded = await load_schedule(session, SHANGHAI)
    assert loaded.provisional_years == {2027, 2028}
    assert loaded.windows == {d: calendar.DEFAULT_WINDOWS for d in range(5)}
    assert {d: k for d, k in loaded.days.items() if d.year in (2025, 2026, 2027)} == SCHEDULE.days


# --- HTTP ----------------------------------------------------------------------------------------

async def test_status_route_answers_for_a_given_time(api) -> None:
    status, body = await api.get("/api/service-hours/status", params={"at": "2026-10-01T10:00:00+08:00"})
    assert status == 200
    assert body == {"open": False, "closes_at": None, "next_open": "2026-10-08T09:30:00+08:00", "provisional": False}
    status, body = await api.get("/api/service-hours/status", params={"at": "2026-11-30T01:30:00Z"})
    assert body["open"] is True and body["closes_at"] == "2026-11-30T11:30:00+08:00"
    status, body = await api.get("/api/service-hours/status", params={"at": "2026-11-30T11:30:00"})
    assert body["open"] is False and body["next_open"] == "2026-11-30T14:00:00+08:00"
    status, body = await api.get("/api/service-hours/status", params={"at": "2027-10-01T10:00:00+08:00"})
    assert body["provisional"] is True


async def test_status_route_defaults_to_the_clock(api, clock: FakeClock) -> None:
    status, body = await api.get("/api/service-hours/status")
    assert status == 200 and body["open"] is True and body["closes_at"] == "2026-11-30T11:30:00+08:00"
    clock.advance(minutes=90)  # 11:30
    status, body = await api.get("/api/service-hours/status")
    assert body == {"open": False, "closes_at": None, "next_open": "2026-11-30T14:00:00+08:00",
                    "provisional": False}


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T10:00:00", "2026-11-30T25:00:00",
                                 "2026-11-30T10:00:00+08:00junk", "9999-12-31T23:00:00-10:00",
                                 "0001-01-01T00:00:00+08:00", "2026-11-30\x00"])
async def test_status_route_refuses_a_malformed_time(api, bad: str) -> None:
    status, body = await api.get("/api/service-hours/status", params={"at": bad})
    assert status == 400, body
    assert body["error"]["code"] == "invalid" and body["error"]["message"]


async def test_calendar_route_lists_every_day_with_its_kind(api) -> None:
    status, days = await api.get("/api/service-hours/calendar", params={"from": "2026-09-19", "to": "2026-10-11"})
    assert status == 200 and len(days) == 23
    by_day = {d["day"]: d for d in days}
    weekday_hours = ["09:30-11:30", "14:00-16:00"]
    assert (by_day["2026-09-19"]["kind"], by_day["2026-09-19"]["workday"], by_day["2026-09-19"]["windows"]) == (
        "weekend", False, [])
    assert by_day["2026-09-20"]["kind"] == "makeup_workday" and by_day["2026-09-20"]["windows"] == weekday_hours
    assert by_day["2026-10-01"]["kind"] == "holiday" and by_day["2026-10-01"]["workday"] is False
    assert by_day["2026-10-01"]["source"] == "official" and by_day["2026-10-01"]["name"]
    assert by_day["2026-10-08"] == {"day": "2026-10-08", "weekday": 3, "workday": True, "kind": "workday", "name": "",
                                    "source": "weekly", "provisional": False, "windows": weekday_hours}
    assert by_day["2026-10-10"]["workday"] is True
    status, days = await api.get("/api/service-hours/calendar", params={"from": "2027-10-01", "to": "2027-10-01"})
    assert days[0]["provisional"] is True and days[0]["source"] == "statutory" and days[0]["workday"] is False


@pytest.mark.parametrize("params", [
    {"from": "2026-10-02", "to": "2026-10-01"},
    {"from": "2026-01-01", "to": "2029-01-01"},
    {"from": "2026-01-01"},
    {"from": "2026-02-30", "to": "2026-03-01"},
    {"from": "9999-12-30", "to": "9999-12-31"},
    {"from": "2026-01-01", "to": "2026-01-02", "extra": "1"},
])
async def test_calendar_route_refuses_bad_ranges(api, params: dict) -> None:
    status, body = await api.get("/api/service-hours/calendar", params=params)
    assert status == 400, body
    assert body["error"]["code"] == "invalid"


async def test_an_admin_override_changes_the_answer(api) -> None:
    await api.login("admin")
    status, _ = await api.put("/api/service-hours/days/2026-12-01", {"kind": "holiday", "name": "test"})
    assert status == 200
    _, body = await api.get("/api/service-hours/status", params={"at": "2026-12-01T10:00:00+08:00"})
    assert body["open"] is False and body["next_open"] == "2026-12-02T09:30:00+08:00"
    status, _ = await api.delete("/api/service-hours/days/2026-12-01")
    assert status == 204
    _, body = await api.get("/api/service-hours/status", params={"at": "2026-12-01T10:00:00+08:00"})
    assert body["open"] is True


# --- CLI -----------------------------------------------------------------------------------------

@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite with default windows and 2025-2028 seeded, named by the CLI's variables."""
    async def prepare() -> str:
        url = await fresh_sqlite(tmp_path)
        database = Database(make_engine(url))
        async with database.sessions.begin() as session:
            await ensure_defaults(session, now=at("2026-11-30T10:00:00"), tz=SHANGHAI)
        await database.dispose()
        return url

    monkeypatch.setenv("FAYUAN_DATABASE_URL", asyncio.run(prepare()))
    monkeypatch.setenv("FAYUAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAYUAN_TIMEZONE", raising=False)
    return tmp_path


@pytest.mark.parametrize("asked", ["2026-10-01T10:00:00+08:00", "2026-11-30T01:30:00Z", "2026-09-20T10:00:00",
                                   "2026-12-31T16:00:00"])
def test_cli_prints_the_same_json_as_the_route(cli_env: Path, capsys: pytest.CaptureFixture[str],
                                               asked: str) -> None:
    assert cli_main(["hours", "at", asked]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == calendar.status(SCHEDULE, at(asked.replace("Z", "+00:00")))


@pytest.mark.parametrize("bad", ["not-a-time", "2026-11-30T24:30:00", "9999-12-31T23:00:00-10:00"])
def test_cli_refuses_a_malformed_time(cli_env: Path, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    assert cli_main(["hours", "at", bad]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("fayuan hours: ") and bad[:10] in captured.err


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(at("2026-11-30T10:00:00"))
    first = clock.now()
    assert clock.now() == first
    assert clock.advance(minutes=1) - first == timedelta(minutes=1)


async def test_schedule_cache_is_dropped_when_an_edit_commits(db, demo) -> None:
    from datetime import date as _date
    from zoneinfo import ZoneInfo as _Zone

    from server.hours import service as hours_service

    tz = _Zone("Asia/Shanghai")
    day = _date(2026, 12, 2)  # a Wednesday
    async with db.sessions() as reader:
        assert (await hours_service.load_schedule(reader, tz)).is_workday(day)
        async with db.sessions.begin() as writer:
            await hours_service.set_day(writer, day, "holiday", "測試")
            # not committed yet: a reader in between must not cache the old schedule for long
            assert (await hours_service.load_schedule(reader, tz)).is_workday(day)
        assert not (await hours_service.load_schedule(reader, tz)).is_workday(day)
        async with db.sessions.begin() as writer:
            await hours_service.clear_day(writer, day)
        assert (await hours_service.load_schedule(reader, tz)).is_workday(day)


# --- years the calendar table does not hold ------------------------------------------------------

# (year, official?, a Spring Festival weekday, an ordinary weekday) for years around the seeded ones
MOVED_YEARS = [
    (2024, True, "2024-02-12", "2024-03-12"),   # official (chinesecalendar), before the seeded range
    (2029, False, "2029-02-13", "2029-03-13"),  # statutory rules, after it
    (2035, False, "2035-02-08", "2035-03-13"),
]


def check_moved_year(schedule: Schedule, year: int, official: bool, spring: str, ordinary: str) -> None:
    for day in (1, 2, 3):
        answer = calendar.status(schedule, at(f"{year}-10-{day:02d}T10:00:00+08:00"))
        assert answer["open"] is False and answer["provisional"] is (not official), (day, answer)
    answer = calendar.status(schedule, at(f"{spring}T10:00:00+08:00"))
    assert answer["open"] is False and answer["provisional"] is (not official)
    answer = calendar.status(schedule, at(f"{ordinary}T10:00:00+08:00"))
    assert answer == {"open": True, "closes_at": at(f"{ordinary}T11:30:00").isoformat(),
                      "next_open": at(f"{ordinary}T14:00:00").isoformat(), "provisional": not official}


@pytest.mark.parametrize("year, official, spring, ordinary", MOVED_YEARS, ids=[str(y[0]) for y in MOVED_YEARS])
def test_the_builtin_calendar_answers_any_year(year: int, official: bool, spring: str, ordinary: str) -> None:
    check_moved_year(builtin_schedule(SHANGHAI), year, official, spring, ordinary)


@pytest.mark.parametrize("year, official, spring, ordinary", MOVED_YEARS, ids=[str(y[0]) for y in MOVED_YEARS])
async def test_a_year_outside_the_table_is_filled_in_on_demand(db: Database, year: int, official: bool, spring: str,
                                                               ordinary: str) -> None:
    async with db.sessions.begin() as session:
        await ensure_defaults(session, now=at("2026-11-30T10:00:00"), tz=SHANGHAI)  # the table: 2025-2028
    async with db.sessions() as session:
        schedule = await load_schedule(session, SHANGHAI)
    assert year not in schedule.table_years
    check_moved_year(schedule, year, official, spring, ordinary)


def test_national_day_is_never_open_in_the_builtin_calendar() -> None:
    schedule = builtin_schedule(SHANGHAI)
    for year in [1900, 1949, *range(1950, 2200, 7), 2100, 2101, 2999]:
        for day in (1, 2, 3):
            assert not calendar.is_open(schedule, at(f"{year}-10-{day:02d}T10:00:00+08:00")), (year, day)


def test_a_year_without_lunar_data_still_has_its_fixed_holidays() -> None:
    """The holidays package stops computing the lunar festivals after 2100."""
    found = year_days(2101)
    assert found.provisional and found.source == "statutory"
    assert {date(2101, 10, 3), date(2101, 5, 2)} <= set(found.days)  # a Monday and a Monday-Friday date


async def test_routes_answer_for_a_year_outside_the_table(api) -> None:
    _, body = await api.get("/api/service-hours/status", params={"at": "2029-10-01T10:00+08:00"})
    assert body["open"] is False and body["provisional"] is True
    _, body = await api.get("/api/service-hours/status", params={"at": "2024-10-01T10:00+08:00"})
    assert body["open"] is False and body["provisional"] is False
    status, days = await api.get("/api/service-hours/calendar", params={"from": "2029-09-30", "to": "2029-10-04"})
    assert status == 200
    by_day = {d["day"]: d for d in days}
    assert by_day["2029-10-01"]["kind"] == "holiday" and by_day["2029-10-01"]["source"] == "statutory"
    assert by_day["2029-10-01"]["provisional"] is True and by_day["2029-10-01"]["workday"] is False
    assert by_day["2029-10-04"]["workday"] is True and by_day["2029-10-04"]["source"] == "weekly"
    _, days = await api.get("/api/service-hours/calendar", params={"from": "2024-09-14", "to": "2024-09-14"})
    assert days[0]["kind"] == "makeup_workday" and days[0]["source"] == "official" and days[0]["workday"] is True


async def test_an_override_in_a_year_outside_the_table_keeps_the_rest_of_that_year(api) -> None:
    await api.login("admin")
    status, _ = await api.put("/api/service-hours/days/2035-03-13", {"kind": "holiday", "name": "test"})
    assert status == 200
    for asked in ("2035-03-13T10:00+08:00", "2035-10-02T10:00+08:00", "2035-02-08T10:00+08:00"):
        _, body = await api.get("/api/service-hours/status", params={"at": asked})
        assert body["open"] is False, asked
    _, body = await api.get("/api/service-hours/status", params={"at": "2035-03-14T10:00+08:00"})
    assert body["open"] is True and body["provisional"] is True


async def test_a_guessed_year_is_replaced_once_the_official_schedule_is_known(db: Database) -> None:
    """A table filled with the statutory guess for 2026 (an older chinesecalendar) takes the official
    schedule when seeded again; an admin's override in that year stays."""
    async with db.sessions.begin() as session:
        for day, (kind, name) in statutory_days(OFFICIAL_YEAR).items():
            session.add(CalendarDay(day=day, kind=kind, name=name, source="statutory", provisional=True))
        session.add(CalendarDay(day=date(2026, 12, 2), kind=HOLIDAY, name="manual", source="manual",
                                provisional=False))
    async with db.sessions.begin() as session:
        assert await seed_year(session, OFFICIAL_YEAR) is True
        assert await seed_year(session, OFFICIAL_YEAR) is False  # idempotent
    async with db.sessions() as session:
        schedule = await load_schedule(session, SHANGHAI)
        sources = set(await session.scalars(select(CalendarDay.source).where(CalendarDay.day >= date(2026, 1, 1),
                                                                             CalendarDay.day < date(2027, 1, 1))))
    assert sources == {"official", "manual"}
    assert not schedule.is_provisional(date(2026, 6, 1))
    assert schedule.is_workday(date(2026, 9, 20))  # an official make-up workday
    assert not schedule.is_workday(date(2026, 12, 2))


async def test_two_transactions_filling_the_same_year_leave_one_copy(db: Database) -> None:
    """On PostgreSQL the second looks before the first commits, then meets the first's rows as it
    inserts: its savepoint rolls back, its transaction goes on, and the year is in the table once
    (SQLite lets one writer at a time through, so there the second simply finds the year held)."""
    async with db.sessions() as first, db.sessions() as second:
        await first.begin()
        assert await seed_year(first, 2031) is True
        await second.begin()
        racing = asyncio.ensure_future(seed_year(second, 2031))
        await asyncio.sleep(0.3)  # the second has read (nothing yet) and waits on the first's rows or lock
        await first.commit()
        assert await asyncio.wait_for(racing, 10) is False
        second.add(CalendarDay(day=date(2031, 3, 4), kind=HOLIDAY, name="still usable", source="manual",
                               provisional=False))
        await second.commit()
    async with db.sessions() as session:
        rows = dict((await session.execute(select(CalendarDay.day, CalendarDay.source).where(
            CalendarDay.day >= date(2031, 1, 1), CalendarDay.day < date(2032, 1, 1)))).all())
    assert len(rows) == len(year_days(2031).days) + 1 and rows[date(2031, 3, 4)] == "manual"
