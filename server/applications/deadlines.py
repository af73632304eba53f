"""限時辦結: how many working days each step may take, counted on the service calendar
(holidays and make-up working days included), and the due date an application carries.

The defaults follow the plan and the Legal Aid Law: the center decides within 7 working days
of acceptance and assigns a lawyer within 3 of approval; a submitted application gets its
first response (the review starts) within 2. FAYUAN_APPLICATION_DEADLINES overrides any of
them, e.g. "decision=5,assignment=2". Pure: tests pass any Schedule.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Mapping

from server.applications.state import ApplicationState as S
from server.hours.calendar import Schedule, working_days_after
from server.config import ConfigError

ENV = "FAYUAN_APPLICATION_DEADLINES"
REMINDER_ENV = "FAYUAN_ENFORCEMENT_REMINDER_DAYS"
MAX_WORKING_DAYS = 60
# Civil Procedure Law art. 250: two years to apply for enforcement, for a judgment paid in
# instalments counted from the last instalment's due date.
ENFORCEMENT_PERIOD_YEARS = 2
DEFAULT_REMINDER_DAYS = 30  # calendar days before that deadline


@dataclass(frozen=True)
class Deadlines:
    """Working days per step; each counts from the day the application entered the state."""

    first_response: int = 2  # submitted → the preliminary review starts
    preliminary: int = 3  # preliminary review → approved, returned or rejected
    acceptance: int = 2  # preliminarily approved → accepted (受理通知書)
    decision: int = 7  # accepted → the center's decision (kept through center_review)
    assignment: int = 3  # approved → a lawyer confirmed
    first_contact: int = 2  # lawyer assigned → the lawyer takes up the case
    # asked for missing materials → they must come, else the application is withdrawn; the
    # center may state another time in its request
    supplement: int = 10
    objection: int = 5  # an objection → the justice bureau's decision on it
    reminder_days: int = DEFAULT_REMINDER_DAYS  # calendar days: remind before the enforcement deadline

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Deadlines":
        deadlines = cls()
        names = {f.name for f in fields(cls)} - {"reminder_days"}
        for part in filter(None, (p.strip() for p in env.get(ENV, "").split(","))):
            name, _, value = part.partition("=")
            name, value = name.strip(), value.strip()
            if name not in names:
                raise ConfigError(ENV, f"{name!r} is not a step; use {', '.join(sorted(names))}")
            if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_WORKING_DAYS:
                raise ConfigError(ENV, f"{name}={value!r}: give 1 to {MAX_WORKING_DAYS} working days")
            deadlines = replace(deadlines, **{name: int(value)})
        reminder = env.get(REMINDER_ENV, "").strip()
        if reminder:
            if not (reminder.isascii() and reminder.isdigit()) or not 1 <= int(reminder) <= 365:
                raise ConfigError(REMINDER_ENV, f"{reminder!r}: give 1 to 365 days")
            deadlines = replace(deadlines, reminder_days=int(reminder))
        return deadlines


# Which deadline runs while an application is in a state. accepted and center_review share the
# decision deadline, counted once from acceptance.
STEP_OF: dict[S, str] = {
    S.submitted: "first_response",
    S.preliminary_review: "preliminary",
    S.preliminarily_approved: "acceptance",
    S.accepted: "decision",
    S.center_review: "decision",
    S.approved: "assignment",
    S.lawyer_assigned: "first_contact",
    S.awaiting_materials: "supplement",
    S.objection_review: "objection",
}
KEEPS_DUE_DATE = {S.center_review}  # entering it does not restart the clock


def china_date(schedule: Schedule, at: datetime) -> date:
    return at.astimezone(schedule.tz).date()


def due_for(schedule: Schedule, deadlines: Deadlines, state: S, entered_at: datetime) -> tuple[str, date] | None:
    """(step, last day) for an application that entered `state` at `entered_at`; None when no
    deadline runs in that state."""
    step = STEP_OF.get(state)
    if step is None:
        return None
    return step, working_days_after(schedule, china_date(schedule, entered_at), getattr(deadlines, step))


def working_days_between(schedule: Schedule, start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: the days a pause took from the
    clock (asked on `start`, answered on `end`)."""
    return sum(1 for n in range(1, (end - start).days + 1) if schedule.is_workday(start + timedelta(days=n)))


def is_overdue(due_on: date | None, now: datetime, schedule: Schedule) -> bool:
    """Overdue once its due day has ended (China time)."""
    return due_on is not None and china_date(schedule, now) > due_on


def enforcement_deadline(last_instalment: date) -> date:
    try:
        return last_instalment.replace(year=last_instalment.year + ENFORCEMENT_PERIOD_YEARS)
    except ValueError:  # 29 February
        return last_instalment.replace(year=last_instalment.year + ENFORCEMENT_PERIOD_YEARS, day=28)


def reminder_on(deadline: date, deadlines: Deadlines) -> date:
    return deadline - timedelta(days=deadlines.reminder_days)
