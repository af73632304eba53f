"""The three counts of the staff header, each with the rule its own list uses, so a count never
names an item its page would not show: the console's queue (consultations.queue), the board's
unanswered messages the person handles (board.access), the applications whose workflow waits
on the person (applications.access.actions)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import LawyerProfile
from server.accounts.permissions import Role
from server.applications.access import Where, actions
from server.applications.access import visible_condition as application_visible
from server.applications.models import Application
from server.applications.state import FINAL
from server.board.access import HANDLER_ROLES
from server.board.access import visible_condition as board_visible
from server.board.models import BoardMessage
from server.board.state import UNANSWERED
from server.consultations import queue
from server.consultations.models import Consultation
from server.consultations.state import ConsultationState
from server.org.models import Unit

# Editing a draft is possible for a long time; it is not a step the workflow waits for.
NOT_A_STEP = frozenset({"edit"})
# A center sees thousands of closed applications; the header counts the newest ones.
APPLICATIONS_EXAMINED = 500


async def queue_count(session: AsyncSession, actor: Actor, now: datetime, tz: ZoneInfo) -> int:
    watched = await queue.watched_units(session, actor)
    takeable = await queue.takeable(session, actor, now, tz)
    mine = or_(Consultation.target_unit_id.in_(watched) if watched else false(),
               takeable.condition if takeable is not None else false())
    count = await session.scalar(select(func.count()).select_from(Consultation)
                                 .where(Consultation.state == ConsultationState.queued, mine),
                                 takeable.params if takeable is not None else {})
    return int(count or 0)


async def board_count(session: AsyncSession, actor: Actor) -> int:
    """Unanswered messages that are the person's: claimed by them, or unclaimed and for a unit
    they answer for (a lawyer: their own unit's; staff: their subtree's)."""
    if actor.role not in HANDLER_ROLES:
        return 0
    if actor.role == Role.lawyer:
        for_me = BoardMessage.target_unit_id == actor.unit_id
    else:
        for_me = BoardMessage.target_unit_id.in_(select(Unit.id).where(Unit.path.startswith(actor.unit_path)))
    assigned = or_(BoardMessage.owner_account_id == actor.id,
                   BoardMessage.owner_account_id.is_(None) & for_me)
    count = await session.scalar(select(func.count()).select_from(BoardMessage).where(
        board_visible(actor), BoardMessage.state.in_(UNANSWERED), assigned))
    return int(count or 0)


async def application_count(session: AsyncSession, actor: Actor) -> int:
    apps = list(await session.scalars(
        select(Application).where(application_visible(actor), Application.state.not_in(list(FINAL)))
        .order_by(Application.id.desc()).limit(APPLICATIONS_EXAMINED)))
    if not apps:
        return 0
    unit_ids = {a.unit_id for a in apps} | {a.review_unit_id for a in apps}
    units = {u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    proposed_ids = {a.proposed_lawyer_id for a in apps if a.proposed_lawyer_id is not None}
    proposed: dict[int | None, int] = dict((await session.execute(select(LawyerProfile.id, LawyerProfile.account_id)
                                           .where(LawyerProfile.id.in_(proposed_ids)))).all()) \
        if proposed_ids else {}
    waiting = 0
    for a in apps:
        where = Where(a, units[a.unit_id], units[a.review_unit_id], proposed.get(a.proposed_lawyer_id))
        if set(actions(actor, where)) - NOT_A_STEP:
            waiting += 1
    return waiting


async def counts(session: AsyncSession, actor: Actor, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    return {"queue": await queue_count(session, actor, now, tz), "board": await board_count(session, actor),
            "applications": await application_count(session, actor)}
