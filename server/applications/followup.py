"""After the case: overdue applications by unit, and reminders of enforcement deadlines and instalments."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.applications.access import visible_condition
from server.applications.context import Context
from server.applications.models import Application
from server.applications.reading import rows_out
from server.applications.state import ApplicationState as S
from server.errors import PermissionDenied

INSTALMENT_NOTICE_DAYS = 7  # remind of an unpaid instalment this many days before it is due


async def overdue_by_unit(session: AsyncSession, actor: Actor, ctx: Context) -> list[dict]:
    """Overdue applications the actor may see, grouped by the unit they were filed at."""
    if actor.kind != "account":
        raise PermissionDenied("applications are for staff")
    rows = list(await session.scalars(select(Application).where(
        visible_condition(actor), Application.due_on.is_not(None), Application.due_on < ctx.today)
        .order_by(Application.due_on, Application.id)))
    out = await rows_out(session, rows, ctx)
    groups: dict[int, dict] = {}
    for item in out:
        group = groups.setdefault(item["unit_id"], {"unit_id": item["unit_id"], "unit_name": item["unit_name"],
                                                    "count": 0, "applications": []})
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
