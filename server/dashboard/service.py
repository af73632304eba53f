"""The center's view of now, read from the stored rows on every request (a wall display asks
once a minute and after each push, a few bounded queries each time), so every process and
every screen shows the same figures.

Only the center's own staff and admins see it: the figures span the whole district, which is
the center's subtree. What it shows is counts, waits and lawyers' names; never a resident.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.accounts.permissions import Role, require
from server.applications.models import Application
from server.applications.state import FINAL
from server.board.deadlines import overdue_before
from server.board.models import BoardMessage
from server.board.state import UNANSWERED
from server.consultations import queue
from server.consultations.models import Consultation, DutyShift
from server.consultations.state import ConsultationState
from server.errors import PermissionDenied
from server.hours import calendar
from server.hours.calendar import Schedule, working_days_after
from server.notify import Notice, Push
from server.org.models import Unit, UnitKind
from signaling import events

# The queues in the order the center reads them: its own, then the liaison centers, then the stations.
QUEUE_KINDS = (UnitKind.center, UnitKind.department, UnitKind.station)
STATUS_ORDER = ("in_call", "available", "away")
# Pushes that change a figure although no queue changed (a start, take, cancel, transfer or a
# lawyer's duty already reaches the page as queue.changed): the dashboard's room hears them too.
ECHOED = (events.CONSULT_ENDED, events.BOARD_CHANGED, events.APPLICATION_CHANGED)


def check_viewer(actor: Actor) -> None:
    """The role's permission, and the center's own unit: the figures span its whole subtree."""
    require(actor, "dashboard.read")
    if actor.kind != "account" or not actor.at_center:
        raise PermissionDenied("the dashboard is for the staff of the legal aid center", permission="dashboard.read")


def echoes(pushes: Iterable[Push]) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) to repeat to the dashboard's room, once each: a board change is pushed to
    every account concerned, the wall needs to hear it once."""
    seen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for push in pushes:
        if isinstance(push, Notice) and push.event in ECHOED:
            seen.setdefault((push.event, repr(sorted(push.data.items()))), (push.event, push.data))
    return list(seen.values())


async def queue_units(session: AsyncSession, actor: Actor) -> list[int]:
    """The units whose queues the dashboard shows (whose queue.changed the page listens to)."""
    check_viewer(actor)
    return list(await session.scalars(select(Unit.id).where(*_queue_unit_filter(actor)).order_by(Unit.id)))


def _queue_unit_filter(actor: Actor) -> tuple[Any, ...]:
    return (Unit.path.startswith(actor.unit_path), Unit.kind.in_(QUEUE_KINDS), Unit.active.is_(True))


async def build(session: AsyncSession, actor: Actor, *, now: datetime, schedule: Schedule,
                reply_working_days: int) -> dict[str, Any]:
    check_viewer(actor)
    subtree = select(Unit.id).where(Unit.path.startswith(actor.unit_path))
    today = now.astimezone(schedule.tz).date()
    return {
        "generated_at": now,
        "today": today.isoformat(),
        "service_open": calendar.is_open(schedule, now),
        "queues": await queues(session, actor, now),
        "lawyers": await lawyers(session, subtree, now, schedule),
        "today_consultations": await today_consultations(session, subtree, today, schedule),
        "board": await board_due(session, subtree, now, schedule, reply_working_days),
        "applications": await applications_due(session, subtree, today, schedule),
    }


async def queues(session: AsyncSession, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Unit.id, Unit.name, Unit.kind, func.count(Consultation.id), func.min(Consultation.queued_at))
        .outerjoin(Consultation, (Consultation.target_unit_id == Unit.id)
                   & (Consultation.state == ConsultationState.queued))
        .where(*_queue_unit_filter(actor))
        .group_by(Unit.id, Unit.name, Unit.kind))
    live = dict((await session.execute(
        select(Consultation.target_unit_id, func.count()).where(Consultation.state == ConsultationState.live)
        .group_by(Consultation.target_unit_id))).all())
    out = [{"unit_id": unit_id, "unit_name": name, "unit_kind": kind, "waiting": count,
            "longest_wait_seconds": max(0, int((now - oldest).total_seconds())) if oldest else 0,
            "in_call": live.get(unit_id, 0)}
           for unit_id, name, kind, count, oldest in rows]
    return sorted(out, key=lambda q: (QUEUE_KINDS.index(UnitKind(q["unit_kind"])), q["unit_name"], q["unit_id"]))


async def lawyers(session: AsyncSession, subtree: Any, now: datetime, schedule: Schedule) -> dict[str, Any]:
    """The lawyers rostered now or answering someone: the roster's shift, the availability the
    queue uses (queue.on_duty_accounts), and the live consultations they hold."""
    local = now.astimezone(schedule.tz)
    minute = local.hour * 60 + local.minute
    rostered = set(await session.scalars(select(DutyShift.account_id).where(
        DutyShift.day == local.date(), DutyShift.start_minute <= minute, DutyShift.end_minute > minute)))
    available = set(await queue.on_duty_accounts(session, now, schedule.tz))
    in_call = set(await session.scalars(select(Consultation.taker_account_id).where(
        Consultation.state == ConsultationState.live, Consultation.taker_account_id.is_not(None))))
    rows = (await session.execute(select(Account.id, Account.display_name).where(
        Account.role == Role.lawyer, Account.active.is_(True), Account.unit_id.in_(subtree),
        Account.id.in_(rostered | in_call)))).all() if rostered | in_call else []
    people = [{"name": name, "status": "in_call" if account_id in in_call
               else "available" if account_id in available else "away"} for account_id, name in rows]
    people.sort(key=lambda p: (STATUS_ORDER.index(p["status"]), p["name"]))
    ids = {account_id for account_id, _ in rows}
    return {"on_duty": len(available & ids), "in_call": len(in_call & ids), "rostered": len(rostered & ids),
            "people": people}


def china_day(schedule: Schedule, day: date) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time(0), tzinfo=schedule.tz),
            datetime.combine(day + timedelta(days=1), time(0), tzinfo=schedule.tz))


async def today_consultations(session: AsyncSession, subtree: Any, today: date, schedule: Schedule) -> dict[str, Any]:
    since, until = china_day(schedule, today)
    where = (or_(Consultation.unit_id.in_(subtree), Consultation.target_unit_id.in_(subtree)),
             Consultation.queued_at >= since, Consultation.queued_at < until)
    by_state: Counter[str] = Counter()
    answered = 0
    for state, count, taken in await session.execute(
            select(Consultation.state, func.count(), func.count(Consultation.taken_at)).where(*where)
            .group_by(Consultation.state)):
        by_state[state] += count
        answered += taken
    wait = await session.scalar(select(func.avg(Consultation.wait_seconds))
                                .where(*where, Consultation.taken_at.is_not(None)))
    S = ConsultationState
    return {"started": sum(by_state.values()), "answered": answered, "waiting": by_state[S.queued],
            "live": by_state[S.live], "ended": by_state[S.ended], "cancelled": by_state[S.cancelled],
            "moved_to_board": by_state[S.moved_to_board],
            "avg_wait_seconds": round(float(wait)) if wait is not None else None}


async def board_due(session: AsyncSession, subtree: Any, now: datetime, schedule: Schedule,
                    working_days: int) -> dict[str, int]:
    """Unanswered messages past their reply day, and those whose reply day is today: the
    deadline moves forward with the day a message was left, so two instants split them."""
    overdue_until = overdue_before(schedule, now, working_days)
    due_today_until = overdue_before(schedule, now + timedelta(days=1), working_days)
    left = BoardMessage.created_at
    rows = await session.execute(select(func.count().filter(left < overdue_until),
                                        func.count().filter(left >= overdue_until, left < due_today_until))
                                 .where(BoardMessage.state.in_(UNANSWERED),
                                        or_(BoardMessage.unit_id.in_(subtree), BoardMessage.target_unit_id.in_(subtree))))
    overdue, due_today = rows.one()
    return {"overdue": int(overdue or 0), "due_today": int(due_today or 0)}


async def applications_due(session: AsyncSession, subtree: Any, today: date, schedule: Schedule) -> dict[str, Any]:
    """Open applications whose step is overdue, due today, or due on the next working day (限時辦結)."""
    next_workday = working_days_after(schedule, today, 1)
    rows = (await session.execute(select(Application.due_on, Application.due_step).where(
        Application.state.not_in(list(FINAL)), Application.due_on.is_not(None), Application.due_on <= next_workday,
        or_(Application.unit_id.in_(subtree), Application.review_unit_id.in_(subtree))))).all()
    dues = [due for due, _ in rows if due is not None]  # the query asked for a due date
    return {"overdue": sum(due < today for due in dues), "due_today": sum(due == today for due in dues),
            "due_next_workday": sum(due > today for due in dues),
            "by_step": dict(sorted(Counter(step for _, step in rows).items()))}
