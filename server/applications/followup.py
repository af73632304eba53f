"""After the case: overdue applications by unit, reminders of enforcement deadlines and instalments,
and the follow-up that lasts: return visits (several, each with its date, channel and outcome),
instalments marked paid as they are paid (their reminder clears), the applicant's satisfaction
with a comment and the supervision card's answers.

Who does what (DOMAIN.md, step 6): the center and the assigned lawyer make return visits and
mark instalments paid; the applicant's satisfaction and card are recorded by staff with them
(the filing unit's, up the tree, or the center's), never by the lawyer being rated. All of it
while the case is closed or in follow-up; reading it is an audited read of personal data.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server.applications.audience import late_unit_id
from server.applications.access import (Where, is_assigned_lawyer, is_center, may_file, visible_condition,
                                        visible_where)
from server.applications.context import Context
from server.applications.models import Application, ReturnVisit
from server.applications.reading import rows_out
from server.applications.records import audit_application
from server.applications.schemas import PaidIn, SatisfactionIn, VisitIn
from server.applications.state import ApplicationState as S
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.org.models import Unit

INSTALMENT_NOTICE_DAYS = 7  # remind of an unpaid instalment this many days before it is due


async def overdue_by_unit(session: AsyncSession, actor: Actor, ctx: Context) -> list[dict]:
    """Overdue applications the actor may see, grouped by the unit that is late (audience.late_unit_id)."""
    if actor.kind != "account":
        raise PermissionDenied("applications are for staff")
    rows = list(await session.scalars(select(Application).where(
        visible_condition(actor), Application.due_on.is_not(None), Application.due_on < ctx.today)
        .order_by(Application.due_on, Application.id)))
    late = [late_unit_id(a) for a in rows]
    names = dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(late))))).all()) if rows else {}
    groups: dict[int, dict] = {}
    for unit_id, item in zip(late, await rows_out(session, rows, ctx)):
        group = groups.setdefault(unit_id, {"unit_id": unit_id, "unit_name": names.get(unit_id, ""), "count": 0,
                                            "applications": []})
        group["count"] += 1
        group["applications"].append(item)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["unit_id"]))


async def reminders(session: AsyncSession, actor: Actor, ctx: Context) -> list[dict]:
    """Follow-up reminders due now: the deadline to apply for enforcement is near, or an
    instalment of the judgment falls due within INSTALMENT_NOTICE_DAYS and is unpaid."""
    if actor.kind != "account":
        raise PermissionDenied("applications are for staff")
    rows = await session.scalars(select(Application).where(visible_condition(actor),
                                                           Application.state == S.follow_up)
                                 .order_by(Application.id))
    out = []
    soon = ctx.today + timedelta(days=INSTALMENT_NOTICE_DAYS)
    for a in rows:
        if (a.enforcement_reminder_on and a.enforcement_deadline
                and a.enforcement_reminder_on <= ctx.today <= a.enforcement_deadline):
            out.append(dict(application_id=a.id, case_number=a.case_number, applicant_name=a.applicant_name,
                            kind="enforcement", on=a.enforcement_deadline,
                            detail="the deadline to apply for enforcement"))
        for i in a.instalments or []:
            due = date.fromisoformat(i["due"])
            if not i.get("paid") and due <= soon:
                out.append(dict(application_id=a.id, case_number=a.case_number, applicant_name=a.applicant_name,
                                kind="instalment", on=due, detail=f"instalment of {i['amount']} yuan"))
    return sorted(out, key=lambda r: r["on"])


AFTER_THE_CASE = frozenset({S.closed, S.follow_up})


def may_visit(actor: Actor, w: Where) -> bool:
    """Return visits and payments: the center and the assigned lawyer."""
    return is_center(actor) or is_assigned_lawyer(actor, w)


def may_rate(actor: Actor, w: Where) -> bool:
    """The applicant's satisfaction and card: staff with the applicant, not the lawyer."""
    return actor.role != Role.lawyer and (may_file(actor, w) or is_center(actor))


WHO = {"visit": may_visit, "pay": may_visit, "rate": may_rate}


def _may(actor: Actor, w: Where) -> list[str]:
    if S(w.app.state) not in AFTER_THE_CASE:
        return []
    return [name for name, who in WHO.items() if who(actor, w)]


def _check(actor: Actor, w: Where, what: str, doing: str) -> None:
    """The role first (403), then the state (409), as access.check_may."""
    if not WHO[what](actor, w):
        raise PermissionDenied(f"your role or unit may not {doing} for this application", action=what)
    S(w.app.state).check_in(AFTER_THE_CASE, doing)


def _not_future(day: date, ctx: Context, field: str) -> None:
    if day > ctx.today:
        raise InvalidInput(f"{day.isoformat()} is after today ({ctx.today.isoformat()})", field=field)


async def add_visit(session: AsyncSession, actor: Actor, application_id: int, p: VisitIn, ctx: Context) -> None:
    w = await visible_where(session, actor, application_id)
    _check(actor, w, "visit", "record a return visit")
    _not_future(p.visited_on, ctx, "visited_on")
    session.add(ReturnVisit(application_id=w.app.id, visited_on=p.visited_on, channel=p.channel, outcome=p.outcome,
                            recorded_at=ctx.now, recorded_by=actor.ref, recorded_by_name=actor.name[:100]))
    audit_application(session, actor, ctx, "application.visit", w.app, f"{p.visited_on.isoformat()} {p.channel}")


async def mark_paid(session: AsyncSession, actor: Actor, application_id: int, number: int, p: PaidIn,
                    ctx: Context) -> None:
    """Instalment `number` (from 1, in order of due date) was paid: its reminder clears. The row
    is locked while its list is rewritten, so two payments recorded at once both stay."""
    w = await visible_where(session, actor, application_id)
    _check(actor, w, "pay", "mark an instalment paid")
    _not_future(p.paid_on, ctx, "paid_on")
    await session.refresh(w.app, attribute_names=["instalments"], with_for_update=True)
    plan = [dict(i) for i in w.app.instalments or []]
    if not 1 <= number <= len(plan):
        raise NotFound(f"this case has no instalment {number}", count=len(plan))
    chosen = plan[number - 1]
    if chosen.get("paid"):
        raise Conflict(f"instalment {number} is already marked paid", reason="already_paid")
    chosen.update(paid=True, paid_on=p.paid_on.isoformat(), paid_recorded_by=actor.name[:100])
    w.app.instalments = plan
    w.app.updated_at = ctx.now
    audit_application(session, actor, ctx, "application.instalment_paid", w.app,
                      f"instalment {number} of {chosen['amount']} yuan paid on {p.paid_on.isoformat()}")


async def record_satisfaction(session: AsyncSession, actor: Actor, application_id: int, p: SatisfactionIn,
                              ctx: Context) -> None:
    """The applicant's satisfaction, with their comment, and the card's answers when it came
    back. Recording again corrects it (the audit log keeps each)."""
    w = await visible_where(session, actor, application_id)
    _check(actor, w, "rate", "record the applicant's satisfaction")
    app = w.app
    app.satisfaction, app.satisfaction_comment = p.satisfaction, p.comment
    app.satisfaction_on, app.satisfaction_by = ctx.today, actor.name[:100]
    if p.supervision_card is not None:
        app.supervision_card = p.supervision_card.model_dump(mode="json")
    app.updated_at = ctx.now
    audit_application(session, actor, ctx, "application.satisfaction", app,
                      f"satisfaction {p.satisfaction}/5" + (", supervision card" if p.supervision_card else ""))


async def read(session: AsyncSession, actor: Actor, application_id: int, ctx: Context) -> dict[str, Any]:
    """The follow-up of one case, shown to the staff who see it and to its lawyer: an audited read."""
    w = await visible_where(session, actor, application_id)
    app = w.app
    visits = await session.scalars(select(ReturnVisit).where(ReturnVisit.application_id == app.id)
                                   .order_by(ReturnVisit.visited_on, ReturnVisit.id))
    audit_application(session, actor, ctx, "personal_data.read", app, "follow-up")
    return dict(
        application_id=app.id, state=app.state,
        visits=[dict(id=v.id, visited_on=v.visited_on, channel=v.channel, outcome=v.outcome,
                     recorded_at=v.recorded_at, recorded_by_name=v.recorded_by_name) for v in visits],
        instalments=[dict(number=n, due=i["due"], amount=i["amount"], paid=bool(i.get("paid")),
                          paid_on=i.get("paid_on"), paid_recorded_by=i.get("paid_recorded_by", ""))
                     for n, i in enumerate(app.instalments or [], start=1)],
        enforcement_deadline=app.enforcement_deadline, satisfaction=app.satisfaction,
        satisfaction_comment=app.satisfaction_comment, satisfaction_on=app.satisfaction_on,
        satisfaction_by=app.satisfaction_by, supervision_card=dict(app.supervision_card or {}),
        may=_may(actor, w))
