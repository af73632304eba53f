"""The documents an application has by now, what each shows, and keeping what was issued.

Each document but a draft's application form is issued by a step of the timeline (ISSUED_BY).
The first time it is printed, what it shows is kept (ApplicationDocument, keyed by the step);
every later print of it shows exactly that, whatever the application has become since: the
acceptance notice keeps its decision due date after the case is decided, a supplement notice
keeps the list of materials it asked for. Values are taken from the issuing step (its date,
its note), not from the application's current state.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import LawyerProfile
from server.applications.access import Where, visible_where, check_may_read_personal
from server.applications.context import Context
from server.applications.deadlines import due_for
from server.applications.form import as_yuan
from server.applications.models import ApplicationDocument, ApplicationStep
from server.applications.records import audit_application
from server.applications.state import EDITABLE, ApplicationState as S
from server.db import dialect_insert
from server.errors import NotFound
from server.org.models import Unit

# The steps that issue each document (the latest such step is the one in force), in the order
# the documents come about. The application form is issued by its submission; before that it
# is a draft and prints as it stands.
ISSUED_BY: dict[str, tuple[str, ...]] = {
    "application_form": ("submit",),
    "supplement_notice": ("return",),
    "non_acceptance_notice": ("reject",),
    "preliminary_approval": ("preliminary_approve",),
    "acceptance_notice": ("accept",),
    "approval_form": ("approve", "deny"),
    "grant_decision": ("approve",),
    "denial_decision": ("deny",),
    "assignment_notice": ("confirm_assignment",),
    "supervision_card": ("confirm_assignment",),
}
KINDS = tuple(ISSUED_BY)


def documents(actions: set[str]) -> list[str]:
    """The documents an application whose timeline holds `actions` has by now."""
    return [kind for kind, by in ISSUED_BY.items()
            if kind == "application_form" or actions.intersection(by)]


def issuing_step(kind: str, state: str, steps: list[ApplicationStep]) -> ApplicationStep | None:
    """The step whose document is in force: the latest of its issuing actions (None: a draft form)."""
    if kind == "application_form" and S(state) in EDITABLE:
        return None
    return next((s for s in reversed(steps) if s.action in ISSUED_BY[kind]), None)


async def document_data(session: AsyncSession, actor: Actor, application_id: int, kind: str,
                        ctx: Context) -> dict:
    """What a document shows (JSON-safe): as first issued when it was printed before, else as
    of its issuing step, kept now. Printing one is an audited read of the full personal data."""
    w = await visible_where(session, actor, application_id)
    check_may_read_personal(actor, w)
    steps = list(await session.scalars(select(ApplicationStep).where(ApplicationStep.application_id == w.app.id)
                                       .order_by(ApplicationStep.id)))
    available = documents({s.action for s in steps})
    if kind not in available:
        raise NotFound(f"this application has no {kind} (yet)", kind=kind, available=available)
    audit_application(session, actor, ctx, "personal_data.read", w.app, f"document {kind}")
    step = issuing_step(kind, w.app.state, steps)
    if step is None:
        return await current_data(session, w, kind, steps, None, ctx)
    kept = await session.scalar(select(ApplicationDocument.content).where(
        ApplicationDocument.application_id == w.app.id, ApplicationDocument.kind == kind,
        ApplicationDocument.step_id == step.id))
    if kept is not None:
        return dict(kept)
    data = await current_data(session, w, kind, steps, step, ctx)
    # Two first prints at once both try to keep theirs; the first one kept is the issued one.
    await session.execute(dialect_insert(session)(ApplicationDocument).values(
        application_id=w.app.id, kind=kind, step_id=step.id, issued_at=ctx.now, issued_by=actor.ref, content=data,
    ).on_conflict_do_nothing(index_elements=["application_id", "kind", "step_id"]))
    kept = await session.scalar(select(ApplicationDocument.content).where(
        ApplicationDocument.application_id == w.app.id, ApplicationDocument.kind == kind,
        ApplicationDocument.step_id == step.id))
    return dict(kept) if kept is not None else data


async def current_data(session: AsyncSession, w: Where, kind: str, steps: list[ApplicationStep],
                       issued_by: ApplicationStep | None, ctx: Context) -> dict:
    a = w.app
    center = await session.get(Unit, a.center_id)
    lawyer = await session.get(LawyerProfile, a.lawyer_id) if a.lawyer_id else None
    chosen = await session.get(LawyerProfile, a.chosen_lawyer_id) if a.chosen_lawyer_id else None
    tz = ctx.schedule.tz

    def last(*actions: str) -> ApplicationStep | None:
        return next((s for s in reversed(steps) if s.action in actions), None)

    def on(*actions: str) -> str | None:
        step = last(*actions)
        return step.at.astimezone(tz).date().isoformat() if step else None

    def by(*actions: str) -> str:
        step = last(*actions)
        return step.actor_name if step else ""

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    accepted = last("accept")
    if a.due_step == "decision":  # the deadline now running, with any pause already counted
        decision_due = a.due_on
    else:
        due = due_for(ctx.schedule, ctx.deadlines, S.accepted, accepted.at) if accepted else None
        decision_due = due[1] if due else None
    return dict(
        kind=kind, application_id=a.id, case_number=a.case_number,
        issued_on=(issued_by.at.astimezone(tz).date() if issued_by else ctx.today).isoformat(),
        unit_name=w.unit.name, review_unit_name=w.review_unit.name, center_name=center.name if center else "",
        center_phone=center.contact_phone if center else "",
        applicant_name=a.applicant_name, applicant_sex=a.applicant_sex, id_number=a.id_number,
        birth_date=iso(a.birth_date), phone=a.phone, address=a.address, household=a.household,
        economic_situation=a.economic_situation, hardship_grounds=list(a.hardship_grounds or []),
        hardship_other=a.hardship_other, applicant_groups=list(a.applicant_groups or []),
        category=a.category, opposing_party=a.opposing_party,
        amount_in_dispute=as_yuan(a.amount_fen), summary=a.summary, help_requested=a.help_requested,
        attachments=len(a.attachments or []), created_on=a.created_at.astimezone(tz).date().isoformat(),
        submitted_on=on("submit"), missing=(returned.note if (returned := last("return")) else ""),
        supplement_due_on=None,
        reviewed_on=on("preliminary_approve", "reject"), reviewer=by("preliminary_approve", "reject"),
        review_opinion=a.review_opinion, accepted_on=iso(a.accepted_on), accepted_by=by("accept"),
        decision_days=ctx.deadlines.decision, decision_due_on=iso(decision_due),
        decided_on=iso(a.decided_on), decision_opinion=a.decision_opinion, decided_by=by("approve", "deny"),
        granted=last("approve") is not None, assigned_on=on("confirm_assignment"),
        lawyer_name=lawyer.name if lawyer else "", lawyer_firm=lawyer.firm if lawyer else "",
        chosen_lawyer_name=chosen.name if chosen else "", chosen_lawyer_firm=chosen.firm if chosen else "")
