"""Reports per unit and period: consultations, board messages and applications, every figure
computed here from the stored rows of the unit's subtree (the unit tree rule), so the page,
the CSV and a test counting the same rows agree.

A record belongs to a unit's report when it was made at, or handled by, a unit of its subtree:
a consultation's kiosk unit or target unit, a board message's unit or target unit, an
application's filing or reviewing unit. The period is [from, to] in China dates, by when the
record began (queued, left, created).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import mean
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server.applications.models import Application, ApplicationStep
from server.applications.state import GRANTED, REFUSED, ApplicationState
from server.board.deadlines import is_overdue
from server.board.models import BoardEvent, BoardMessage
from server.consultations.models import Consultation
from server.errors import InvalidInput, NotFound, PermissionDenied
from server.hours.calendar import Schedule
from server.org.models import Unit
from server.reports import breakdowns

MAX_PERIOD_DAYS = 366
SECONDS_PER_DAY = 86_400
READERS = frozenset({Role.admin, Role.center_staff, Role.station_staff, Role.department_staff,
                     Role.community_staff})


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self, schedule: Schedule) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time(0), tzinfo=schedule.tz),
                datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=schedule.tz))


def period(start: date | None, end: date | None, today: date) -> Period:
    """Default: this month up to today."""
    end = end or today
    start = start or end.replace(day=1)
    if end < start or (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"give a period of at most {MAX_PERIOD_DAYS} days, 'to' not before 'from'", field="to")
    return Period(start, end)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _avg(values: list[float]) -> float | None:
    return round(mean(values), 2) if values else None


async def report_unit(session: AsyncSession, actor: Actor, unit_id: int | None) -> Unit:
    if actor.kind != "account" or actor.role not in READERS:
        raise PermissionDenied("reports are for the staff of units")
    unit = await session.get(Unit, unit_id or actor.unit_id)
    if unit is None or not actor.sees_unit(unit.path):
        raise NotFound(f"there is no unit {unit_id} that you may see")
    return unit


async def build(session: AsyncSession, actor: Actor, *, unit_id: int | None, start: date | None,
                end: date | None, now: datetime, schedule: Schedule, reply_working_days: int) -> dict[str, Any]:
    unit = await report_unit(session, actor, unit_id)
    span = period(start, end, now.astimezone(schedule.tz).date())
    since, until = span.bounds(schedule)
    subtree = select(Unit.id).where(Unit.path.startswith(unit.path))
    consultations = list(await session.scalars(select(Consultation).where(
        or_(Consultation.unit_id.in_(subtree), Consultation.target_unit_id.in_(subtree)),
        Consultation.queued_at >= since, Consultation.queued_at < until)))
    messages = list(await session.scalars(select(BoardMessage).where(
        or_(BoardMessage.unit_id.in_(subtree), BoardMessage.target_unit_id.in_(subtree)),
        BoardMessage.created_at >= since, BoardMessage.created_at < until)))
    apps = list(await session.scalars(select(Application).where(
        or_(Application.unit_id.in_(subtree), Application.review_unit_id.in_(subtree)),
        Application.created_at >= since, Application.created_at < until)))
    subtree_ids = set(await session.scalars(subtree))
    late_messages = [m for m in messages if is_overdue(schedule, m.state, m.created_at, now, reply_working_days)]
    lawyer_names = await breakdowns.names_of_accounts(
        session, {a.lawyer_account_id for a in apps if a.lawyer_account_id}
        | {c.taker_account_id for c in consultations if c.taker_account_id and c.rating_comment})
    today = now.astimezone(schedule.tz).date()
    return {
        "unit": {"id": unit.id, "name": unit.name, "kind": unit.kind},
        "from": span.start, "to": span.end, "generated_at": now,
        "consultations": _consultations(consultations, lawyer_names),
        "board": await _board(session, messages, subtree_ids, late_messages),
        "applications": await _applications(session, apps, today, lawyer_names),
        "by_lawyer": await breakdowns.by_lawyer(session, consultations, apps),
        "by_unit": await breakdowns.by_unit(session, subtree_ids, consultations, messages, apps),
        "overdue_by_unit": await breakdowns.overdue_by_unit(session, apps, today, late_messages),
    }


def _consultations(rows: list[Consultation], lawyer_names: dict[int, str]) -> dict[str, Any]:
    answered = [c for c in rows if c.taken_at is not None]
    ratings = [c.rating for c in rows if c.rating is not None]
    return {
        "count": len(rows),
        "answered": len(answered),
        "answered_share": _share(len(answered), len(rows)),
        "avg_wait_seconds": _avg([c.wait_seconds for c in answered if c.wait_seconds is not None]),
        "avg_talk_seconds": _avg([c.talk_seconds for c in rows if c.talk_seconds is not None]),
        "rated": len(ratings),
        "avg_satisfaction": _avg([float(r) for r in ratings]),
        "by_state": dict(sorted(Counter(c.state for c in rows).items())),
        "by_category": breakdowns.counted(c.category for c in rows),
        "by_group": breakdowns.by_group(c.applicant_groups for c in rows),
        "satisfaction": breakdowns.satisfaction(ratings),
        "comments": breakdowns.consultation_comments(rows, lawyer_names),
    }


async def _board(session: AsyncSession, rows: list[BoardMessage], subtree_ids: set[int],
                 late: list[BoardMessage]) -> dict[str, Any]:
    answered = [m for m in rows if m.answered_at is not None]
    ids = [m.id for m in rows]
    handed = set(await session.scalars(select(BoardEvent.message_id).where(
        BoardEvent.message_id.in_(ids), BoardEvent.kind == "handed_over"))) if ids else set()
    return {
        "count": len(rows),
        "answered": len(answered),
        "avg_first_response_hours": _avg([(m.answered_at - m.created_at).total_seconds() / 3600
                                          for m in answered if m.answered_at is not None]),
        "overdue": len(late),
        "by_state": dict(sorted(Counter(m.state for m in rows).items())),
        # handled here: the unit answering it now is in the subtree (a hand-over moves it)
        "handled": sum(m.target_unit_id in subtree_ids for m in rows),
        "handed_over": len(handed),
        "by_category": breakdowns.counted(m.category for m in rows),
    }


async def _applications(session: AsyncSession, rows: list[Application], today: date,
                        lawyer_names: dict[int, str]) -> dict[str, Any]:
    ids = [a.id for a in rows]
    steps = list(await session.scalars(select(ApplicationStep).where(ApplicationStep.application_id.in_(ids))
                                       .order_by(ApplicationStep.application_id, ApplicationStep.id))) if ids else []
    granted = sum(ApplicationState(a.state) in GRANTED for a in rows)
    denied = sum(a.state in REFUSED for a in rows)
    return {
        "count": len(rows),
        "by_state": dict(sorted(Counter(a.state for a in rows).items())),
        "granted": granted,
        "denied": denied,
        "approval_rate": _share(granted, granted + denied),
        "avg_days_in_state": days_in_state(steps),
        "overdue": sum(a.due_on is not None and a.due_on < today for a in rows),
        "by_category": breakdowns.counted(a.category for a in rows),
        "by_group": breakdowns.by_group(a.applicant_groups for a in rows),
        "satisfaction": breakdowns.satisfaction([a.satisfaction for a in rows if a.satisfaction is not None]),
        "comments": breakdowns.application_comments(rows, lawyer_names),
    }


def days_in_state(steps: list[ApplicationStep]) -> dict[str, float]:
    """How long, on average, applications stayed in each state they have left: the time from
    the step that entered a state to the step that left it (calendar days, two decimals)."""
    spans: dict[str, list[float]] = {}
    entered: dict[int, ApplicationStep] = {}
    for step in steps:
        previous = entered.get(step.application_id)
        if step.from_state != step.to_state:
            if previous is not None and previous.to_state == step.from_state:
                spans.setdefault(step.from_state, []).append((step.at - previous.at).total_seconds() / SECONDS_PER_DAY)
            entered[step.application_id] = step
    return {state: round(mean(values), 2) for state, values in spans.items()}
