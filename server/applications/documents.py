"""The PDFs an application has by now, and what each of them shows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import LawyerProfile
from server.applications.access import _where, check_may_read_personal
from server.applications.context import Context
from server.applications.form import _yuan
from server.applications.models import Application, ApplicationStep
from server.applications.records import _audit
from server.applications.state import GRANTED, ApplicationState as S
from server.errors import NotFound
from server.org.models import Unit

REVIEWED = frozenset({S.preliminarily_approved, S.accepted, S.center_review, S.approved, S.denied,
                      S.lawyer_assigned, S.in_progress, S.closed, S.follow_up})


def documents(app: Application) -> list[str]:
    """The PDFs this application has by now (pdf.KINDS)."""
    state = S(app.state)
    docs = ["application_form"]
    if state in REVIEWED:
        docs.append("preliminary_approval")
    if app.case_number:
        docs.append("acceptance_notice")
    if app.decided_on is not None:
        docs.append("approval_form")
    return docs


async def document_data(session: AsyncSession, actor: Actor, application_id: int, kind: str,
                        ctx: Context) -> dict:
    """What a PDF shows; printing one is an audited read of the full personal data."""
    w = await _where(session, actor, application_id)
    check_may_read_personal(actor, w)
    a = w.app
    if kind not in documents(a):
        raise NotFound(f"this application has no {kind} (yet)", kind=kind, available=documents(a))
    center = await session.get(Unit, a.center_id)
    steps = {s.action: s for s in await session.scalars(
        select(ApplicationStep).where(ApplicationStep.application_id == a.id).order_by(ApplicationStep.id))}
    lawyer = await session.get(LawyerProfile, a.lawyer_id) if a.lawyer_id else None
    _audit(session, actor, ctx, "personal_data.read", a, f"document {kind}")
    tz = ctx.schedule.tz

    def on(action: str) -> date | None:
        step = steps.get(action)
        return step.at.astimezone(tz).date() if step else None

    def by(action: str) -> str:
        step = steps.get(action)
        return step.actor_name if step else ""

    return dict(
        kind=kind, application_id=a.id, case_number=a.case_number, state=a.state,
        unit_name=w.unit.name, review_unit_name=w.review_unit.name, center_name=center.name if center else "",
        applicant_name=a.applicant_name, applicant_sex=a.applicant_sex, id_number=a.id_number,
        birth_date=a.birth_date, phone=a.phone, address=a.address, household=a.household,
        economic_situation=a.economic_situation, hardship_grounds=list(a.hardship_grounds or []),
        hardship_other=a.hardship_other, category=a.category, opposing_party=a.opposing_party,
        amount_in_dispute=_yuan(a.amount_fen), summary=a.summary, help_requested=a.help_requested,
        attachments=len(a.attachments or []), created_on=a.created_at.astimezone(tz).date(),
        submitted_on=on("submit"), reviewed_on=on("preliminary_approve"), reviewer=by("preliminary_approve"),
        review_opinion=a.review_opinion, accepted_on=a.accepted_on, accepted_by=by("accept"),
        decided_on=a.decided_on, decision_opinion=a.decision_opinion, decided_by=by("approve") or by("deny"),
        granted=S(a.state) in GRANTED, lawyer_name=lawyer.name if lawyer else "",
        lawyer_firm=lawyer.firm if lawyer else "", decision_days=ctx.deadlines.decision,
        decision_due_on=a.due_on if a.due_step == "decision" else None, printed_on=ctx.today)
