"""Queue order, who may take from which queue, duty, and the estimated wait."""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account, LawyerProfile
from server.accounts.permissions import Role
from server import notify
from server.db import execute_built
from server.consultations.models import Consultation, DutyShift, LawyerStatus
from server.consultations.rules import Rules
from server.consultations.state import ConsultationState
from server.org.models import Unit, UnitKind
from signaling import events


# the district center's unit id, per database: there is one center, and units are never deleted
_CENTER_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def center_id(session: AsyncSession) -> int:
    # keyed by the sync Engine: an AsyncEngine's hash and == go through its proxy, some µs a call
    engine = session.sync_session.get_bind()
    found = _CENTER_IDS.get(engine)
    if found is None:
        found = await session.scalar(select(Unit.id).where(Unit.kind == UnitKind.center))
        if found is None:
            raise LookupError("there is no center unit")
        _CENTER_IDS[engine] = found
    return found


# The statements a start, a take and the queue round after them run are built once, with their
# values as bound parameters: building a statement and working out its cache key cost SQLAlchemy
# more than SQLite takes to run it (bench/consultation.py). The parameters are named here:
#   unit     a queue's target unit            taker  the taking account   taker_unit  its unit
#   center   the center's unit id             day, minute  now, as the service's local day and minute

# What a queue entry, a waiting kiosk's place and a take's answer need of a waiting consultation
_WAITING = (select(Consultation.id, Consultation.device_id, Consultation.state, Consultation.category,
                   Consultation.unit_id, Consultation.chosen_lawyer_id, Consultation.queued_at,
                   Consultation.resident_text)
            .where(Consultation.target_unit_id == bindparam("unit"), Consultation.state == ConsultationState.queued)
            .order_by(Consultation.queued_at, Consultation.id))


async def waiting(session: AsyncSession, target_unit_id: int) -> list[Row[Any]]:
    """One target's queue, first come first served: the columns `entry` shows and the kiosks'
    (device_id, state), not whole consultations."""
    return list(await execute_built(session, _WAITING, {"unit": target_unit_id}))


_ON_DUTY = (select(DutyShift.account_id)
            .join(LawyerStatus, LawyerStatus.account_id == DutyShift.account_id)
            .join(Account, Account.id == DutyShift.account_id)
            .where(DutyShift.day == bindparam("day"), DutyShift.start_minute <= bindparam("minute"),
                   DutyShift.end_minute > bindparam("minute"), LawyerStatus.available.is_(True),
                   Account.active.is_(True)))
_TAKER_ON_DUTY = _ON_DUTY.where(DutyShift.account_id == bindparam("taker")).exists()


def _local_minute(now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    local = now.astimezone(tz)
    return {"day": local.date(), "minute": local.hour * 60 + local.minute}


async def on_duty_accounts(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[int]:
    """Lawyers whose shift covers now and who said they are available."""
    return sorted(set((await execute_built(session, _ON_DUTY, _local_minute(now, tz))).scalars()))


# A roster shift further ahead than this is no wait a resident at the kiosk can plan around:
# the kiosk then says no duty is planned yet, and offers the message board.
NEXT_DUTY_LOOKAHEAD_DAYS = 14


def _rostered(now: datetime, tz: ZoneInfo) -> tuple[Select, date, int]:
    """The shifts of active accounts, and now as a local day and minute of the day."""
    local = now.astimezone(tz)
    return (select(DutyShift).join(Account, Account.id == DutyShift.account_id).where(Account.active.is_(True)),
            local.date(), local.hour * 60 + local.minute)


async def rostered_now(session: AsyncSession, now: datetime, tz: ZoneInfo) -> bool:
    """Whether a roster shift covers now, whether or not its lawyer is at their desk."""
    shifts, day, minute = _rostered(now, tz)
    covering = shifts.where(DutyShift.day == day, DutyShift.start_minute <= minute, DutyShift.end_minute > minute)
    return await session.scalar(covering.limit(1)) is not None


async def next_duty_start(session: AsyncSession, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the next roster shift begins after now (later today or on a later day, local time),
    within NEXT_DUTY_LOOKAHEAD_DAYS; None when none is planned."""
    shifts, day, minute = _rostered(now, tz)
    later = or_(and_(DutyShift.day == day, DutyShift.start_minute > minute),
                and_(DutyShift.day > day, DutyShift.day <= day + timedelta(days=NEXT_DUTY_LOOKAHEAD_DAYS)))
    first = await session.scalar(shifts.where(later).order_by(DutyShift.day, DutyShift.start_minute).limit(1))
    if first is None:
        return None
    return datetime.combine(first.day, time(), tzinfo=tz) + timedelta(minutes=first.start_minute)


async def duty_outlook(session: AsyncSession, target_unit_id: int, center: int, takers: int, now: datetime,
                       tz: ZoneInfo) -> dict:
    """What a waiting kiosk is told about who can answer its queue: besides the takers now,
    whether anyone is rostered now and, when nobody is, when the next duty starts. Only the
    center's queue has a roster; a station's or department's staff answer whenever they are in."""
    if target_unit_id != center:
        return {"rostered_now": takers > 0, "next_duty_at": None}
    if takers > 0 or await rostered_now(session, now, tz):
        return {"rostered_now": True, "next_duty_at": None}
    upcoming = await next_duty_start(session, now, tz)
    return {"rostered_now": False, "next_duty_at": upcoming.isoformat() if upcoming else None}


async def is_on_duty(session: AsyncSession, account_id: int, now: datetime, tz: ZoneInfo) -> bool:
    return bool(await session.scalar(select(_TAKER_ON_DUTY), {"taker": account_id, **_local_minute(now, tz)}))


_UNIT_STAFF = select(func.count()).select_from(Account).where(
    Account.unit_id == bindparam("unit"), Account.active.is_(True),
    Account.role.in_([Role.station_staff, Role.department_staff]))


async def takers_for(session: AsyncSession, target_unit_id: int, center: int, now: datetime, tz: ZoneInfo) -> int:
    """How many people can answer this queue now: on-duty lawyers for the center, active staff
    accounts for a station or department."""
    if target_unit_id == center:
        return len(await on_duty_accounts(session, now, tz))
    return int((await execute_built(session, _UNIT_STAFF, {"unit": target_unit_id})).scalar() or 0)


_RECENT_TALKS = (select(Consultation.talk_seconds)
                 .where(Consultation.target_unit_id == bindparam("unit"), Consultation.talk_seconds.is_not(None))
                 .order_by(Consultation.id.desc()).limit(bindparam("recent")).subquery())
_AVERAGE_TALK = select(func.avg(_RECENT_TALKS.c.talk_seconds))


async def average_service_seconds(session: AsyncSession, target_unit_id: int, rules: Rules) -> float:
    average = (await execute_built(session, _AVERAGE_TALK, {"unit": target_unit_id,
                                                            "recent": rules.recent_for_estimate})).scalar()
    return float(average) if average else float(rules.default_service_seconds)


def estimate_wait_seconds(position: int, takers: int, average_seconds: float) -> int:
    """Everyone ahead is served in rounds of `takers` at a time."""
    ahead = max(0, position - 1)
    return int(math.ceil(ahead / max(1, takers)) * average_seconds)


# Who takes what (queue.take, the console's counts). Staff take their own unit's queue, except
# consultations that chose a lawyer; a lawyer takes those that chose them (點援) and, while on
# duty, the center's others. Whether the lawyer is on duty and which directory entry is theirs
# are subqueries, so that a take is one statement (service.take).
STAFF_TAKES = and_(Consultation.target_unit_id == bindparam("taker_unit"), Consultation.chosen_lawyer_id.is_(None))
_PROFILE_OF_TAKER = select(LawyerProfile.id).where(LawyerProfile.account_id == bindparam("taker"))
LAWYER_TAKES = or_(and_(Consultation.target_unit_id == bindparam("center"), Consultation.chosen_lawyer_id.is_(None),
                        _TAKER_ON_DUTY),
                   Consultation.chosen_lawyer_id == _PROFILE_OF_TAKER.scalar_subquery())
TAKES: dict[str, ColumnElement[bool]] = {"staff": STAFF_TAKES, "lawyer": LAWYER_TAKES}
_LAWYER_TAKES_ANY = select(or_(_PROFILE_OF_TAKER.exists(), _TAKER_ON_DUTY))


@dataclass(frozen=True)
class Takeable:
    """The queued consultations an actor may take: the condition TAKES[taker] on Consultation,
    with the values of its bound parameters."""

    taker: str
    params: dict[str, Any]

    @property
    def condition(self) -> ColumnElement[bool]:
        return TAKES[self.taker]


async def takeable(session: AsyncSession, actor: Actor, now: datetime, tz: ZoneInfo) -> Takeable | None:
    """What this actor may take; None when the role takes nothing."""
    if actor.kind != "account":
        return None
    if actor.role in (Role.station_staff, Role.department_staff):
        return Takeable("staff", {"taker_unit": actor.unit_id})
    if actor.role == Role.lawyer:
        return Takeable("lawyer", {"taker": actor.id, "center": await center_id(session), **_local_minute(now, tz)})
    return None


async def takes_from_a_queue(session: AsyncSession, actor: Actor, now: datetime, tz: ZoneInfo) -> bool:
    """Whether anything could be takeable for this actor now: a staff member always, a lawyer
    with a directory entry (chosen by name) or on duty."""
    if actor.role == Role.lawyer and actor.kind == "account":
        return bool(await session.scalar(_LAWYER_TAKES_ANY, {"taker": actor.id, **_local_minute(now, tz)}))
    return await takeable(session, actor, now, tz) is not None


async def watched_units(session: AsyncSession, actor: Actor) -> list[int]:
    """The queues a staff member or lawyer sees live."""
    if actor.role in (Role.station_staff, Role.department_staff) and actor.unit_id is not None:
        return [actor.unit_id]
    if actor.role in (Role.lawyer, Role.center_staff, Role.admin):
        return [await center_id(session)]
    return []


def entry(c: Row[Any], now: datetime) -> dict:
    """A queue entry as staff see it: no contact details."""
    return {
        "consultation_id": c.id,
        "category": c.category,
        "unit_id": c.unit_id,
        "chosen_lawyer_id": c.chosen_lawyer_id,
        "queued_at": c.queued_at.isoformat(),
        "waited_seconds": int((now - c.queued_at).total_seconds()),
        "has_text": bool(c.resident_text),
    }


async def notices_for(session: AsyncSession, target_unit_id: int, now: datetime, tz: ZoneInfo,
                      rules: Rules) -> list[notify.Notice]:
    """After any change to a queue: every waiting kiosk's position, and the queue for its watchers."""
    entries = await waiting(session, target_unit_id)
    center = await center_id(session)
    takers = await takers_for(session, target_unit_id, center, now, tz)
    average = await average_service_seconds(session, target_unit_id, rules)
    outlook = await duty_outlook(session, target_unit_id, center, takers, now, tz) if entries else {}
    notices = [notify.Notice(notify.queue(target_unit_id), events.QUEUE_CHANGED,
                            {"unit_id": target_unit_id, "entries": [entry(c, now) for c in entries]})]
    for position, c in enumerate(entries, start=1):
        notices.append(notify.Notice(notify.kiosk(c.device_id), events.QUEUE_POSITION, {
            "consultation_id": c.id, "position": position, "state": c.state,
            "estimated_wait_seconds": estimate_wait_seconds(position, takers, average), "on_duty": takers,
            **outlook}))
    return notices
