"""When a message must be answered by: pure, so tests call them with any calendar and instant."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from server.board.state import UNANSWERED, BoardState
from server.hours.calendar import Schedule, working_days_after

# How far back overdue_before looks for the last day whose deadline has passed.
OVERDUE_SEARCH_DAYS = 400


def due_on(schedule: Schedule, created_at: datetime, working_days: int) -> date:
    """The last day to reply: `working_days` working days after the China date it was left."""
    return working_days_after(schedule, created_at.astimezone(schedule.tz).date(), working_days)


def is_overdue(schedule: Schedule, state: str, created_at: datetime, now: datetime, working_days: int) -> bool:
    """Still unanswered after the end of its due day."""
    return (BoardState(state) in UNANSWERED
            and now.astimezone(schedule.tz).date() > due_on(schedule, created_at, working_days))


def overdue_before(schedule: Schedule, now: datetime, working_days: int) -> datetime:
    """The instant before which every unanswered message is overdue. Deadlines only move
    forward with the day a message was left, so one boundary serves a whole SQL filter."""
    today = now.astimezone(schedule.tz).date()
    day = today - timedelta(days=1)
    for _ in range(OVERDUE_SEARCH_DAYS):
        if working_days_after(schedule, day, working_days) < today:
            break
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=schedule.tz)


def china_day_start(schedule: Schedule, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=schedule.tz)
