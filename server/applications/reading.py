"""Reading applications: one in detail and the lists with the ID number and phone masked and no birth
date (server/privacy.py), the export; the full values only through the audited read."""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import LawyerProfile
from server.applications.access import (Where, actions, check_may_read_personal, is_center, visible_condition,
                                        visible_where)
from server.applications.choices import destinations, lawyer_candidates as lawyer_candidates_of
from server.applications.context import Context
from server.applications.deadlines import is_overdue
from server.applications.documents import documents
from server.applications.form import as_yuan
from server.applications.models import Application, ApplicationStep
from server.applications.records import audit_application
from server.applications.schemas import ListQuery
from server.errors import NotFound, PermissionDenied
from server.org.models import Unit
from server.privacy import mask_id_number, mask_phone


async def get(session: AsyncSession, actor: Actor, application_id: int) -> Where:
    return await visible_where(session, actor, application_id)


async def listing(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> list[dict]:
    if actor.kind != "account":
        raise PermissionDenied("applications are for staff")
    query = select(Application).where(visible_condition(actor))
    if q.state:
        query = query.where(Application.state == q.state)
    if q.unit_id is not None:
        unit = await session.get(Unit, q.unit_id)
        if unit is None or not actor.sees_unit(unit.path):
            raise NotFound(f"there is no unit {q.unit_id} that you may see")
        subtree = select(Unit.id).where(Unit.path.startswith(unit.path))
        query = query.where(or_(Application.unit_id.in_(subtree), Application.review_unit_id.in_(subtree)))
    if q.overdue is not None:
        late = and_(Application.due_on.is_not(None), Application.due_on < ctx.today)
        query = query.where(late if q.overdue else ~late | Application.due_on.is_(None))
    rows = list(await session.scalars(query.order_by(Application.id.desc()).offset(q.offset).limit(q.limit)))
    return await rows_out(session, rows, ctx)


async def rows_out(session: AsyncSession, rows: list[Application], ctx: Context) -> list[dict]:
    unit_ids = {a.unit_id for a in rows} | {a.review_unit_id for a in rows}
    names = dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))).all()) \
        if unit_ids else {}
    lawyer_ids = {a.lawyer_id for a in rows if a.lawyer_id}
    lawyers = dict((await session.execute(select(LawyerProfile.id, LawyerProfile.name)
                                          .where(LawyerProfile.id.in_(lawyer_ids)))).all()) if lawyer_ids else {}
    return [row(a, names, lawyers, ctx) for a in rows]


def row(a: Application, unit_names: dict[int, str], lawyer_names: dict[int, str], ctx: Context) -> dict:
    """A list row: the ID number and phone masked, as in every list and export."""
    return dict(id=a.id, state=a.state, unit_id=a.unit_id, unit_name=unit_names.get(a.unit_id, ""),
                review_unit_id=a.review_unit_id, applicant_name=a.applicant_name,
                id_number_masked=mask_id_number(a.id_number) if a.id_number else "",
                phone_masked=mask_phone(a.phone) if a.phone else "", category=a.category,
                case_number=a.case_number, created_at=a.created_at, updated_at=a.updated_at,
                due_step=a.due_step, due_on=a.due_on, overdue=is_overdue(a.due_on, ctx.now, ctx.schedule),
                lawyer_name=lawyer_names.get(a.lawyer_id or 0, ""))


async def detail(session: AsyncSession, actor: Actor, application_id: int, ctx: Context) -> dict:
    w = await visible_where(session, actor, application_id)
    a = w.app
    (base,) = await rows_out(session, [a], ctx)
    center = await session.get(Unit, a.center_id)
    steps = list(await session.scalars(select(ApplicationStep).where(ApplicationStep.application_id == a.id)
                                  .order_by(ApplicationStep.id)))
    proposed_name = await _lawyer_name(session, a.proposed_lawyer_id)
    may = actions(actor, w)
    routes = [dict(unit_id=u.id, name=u.name, kind=u.kind) for u in await destinations(session, w.unit)] \
        if "submit" in may else []
    return dict(
        base, review_unit_name=w.review_unit.name, center_name=center.name if center else "",
        created_by_name=a.created_by_name, consultation_id=a.consultation_id, applicant_sex=a.applicant_sex,
        address=a.address, household=a.household,
        economic_situation=a.economic_situation, hardship_grounds=list(a.hardship_grounds or []),
        hardship_other=a.hardship_other, applicant_groups=list(a.applicant_groups or []),
        opposing_party=a.opposing_party, amount_in_dispute=as_yuan(a.amount_fen),
        summary=a.summary, help_requested=a.help_requested, attachments=list(a.attachments or []),
        review_consultation_id=a.review_consultation_id, missing=a.missing, review_opinion=a.review_opinion,
        accepted_on=a.accepted_on, decision_opinion=a.decision_opinion, decided_on=a.decided_on,
        proposed_lawyer_id=a.proposed_lawyer_id, proposed_lawyer_name=proposed_name,
        chosen_lawyer_id=a.chosen_lawyer_id, chosen_lawyer_name=await _lawyer_name(session, a.chosen_lawyer_id),
        routes=routes,
        assignment_mode=a.assignment_mode, lawyer_id=a.lawyer_id, outcome=a.outcome, visit_notes=a.visit_notes,
        satisfaction=a.satisfaction, supervision_card=dict(a.supervision_card or {}),
        instalments=list(a.instalments or []), enforcement_deadline=a.enforcement_deadline,
        enforcement_reminder_on=a.enforcement_reminder_on, paused_on=a.paused_on,
        paused_working_days=a.paused_working_days or 0, objection=a.objection,
        objection_decision=a.objection_decision,
        steps=[dict(at=s.at, action=s.action, from_state=s.from_state, to_state=s.to_state, actor=s.actor,
                    actor_name=s.actor_name, unit_id=s.unit_id, note=s.note) for s in steps],
        actions=may, documents=documents({s.action for s in steps}))


async def _lawyer_name(session: AsyncSession, lawyer_id: int | None) -> str:
    if lawyer_id is None:
        return ""
    return await session.scalar(select(LawyerProfile.name).where(LawyerProfile.id == lawyer_id)) or ""


async def lawyer_candidates(session: AsyncSession, actor: Actor, application_id: int) -> list[dict]:
    """Whom the center may propose (choices.lawyer_candidates): for the center only."""
    w = await visible_where(session, actor, application_id)
    if not is_center(actor):
        raise PermissionDenied("the center proposes the lawyer", action="assign")
    return await lawyer_candidates_of(session, w.app)


async def read_personal(session: AsyncSession, actor: Actor, application_id: int, ctx: Context) -> dict:
    """The full ID number, birth date and phone: an audited read. The birth date is here and not
    in the detail because it is digits 7–14 of the ID number (privacy.py)."""
    w = await visible_where(session, actor, application_id)
    check_may_read_personal(actor, w)
    audit_application(session, actor, ctx, "personal_data.read", w.app, "id_number, birth_date, phone")
    return {"id_number": w.app.id_number, "birth_date": w.app.birth_date, "phone": w.app.phone}


async def export_rows(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> list[dict]:
    """The list as an export: masked exactly as on screen."""
    q = q.model_copy(update={"offset": 0, "limit": 10_000})
    return await listing(session, actor, q, ctx)
