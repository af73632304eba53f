"""Applications: check_* validates, the verbs move an application through its lifecycle.

Every verb takes the session, the acting Actor and a Context, finds the application only
among those the actor's unit may see (else NotFound), checks the actor's role for the step
(else PermissionDenied), then the state (else IllegalTransition), and records the step in the
timeline and the audit log inside the caller's transaction. Services never import aiohttp.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account, LawyerProfile
from server.accounts.permissions import Role
from server.applications import idnumber, numbering
from server.applications.deadlines import (Deadlines, KEEPS_DUE_DATE, due_for, enforcement_deadline,
                                           is_overdue, reminder_on)
from server.applications.models import Application, ApplicationStep
from server.applications.schemas import (ApplicationIn, ApplicationPatch, AssignIn, FollowUpIn, FormFields,
                                         ListQuery)
from server.applications.state import EDITABLE, GRANTED, ApplicationState as S
from server.audit.service import record
from server.consultations.models import Consultation
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.files.models import StoredFile
from server.hours.calendar import Schedule
from server.org.models import Unit, UnitKind
from server.privacy import mask_id_number, mask_phone

PARENT_KIND = "application"  # files attached to an application: ("application", id)
FILER_ROLES = frozenset({Role.community_staff, Role.station_staff, Role.department_staff, Role.center_staff,
                         Role.admin})
REVIEWER_ROLES = frozenset({Role.station_staff, Role.department_staff, Role.admin})
CENTER_ROLES = frozenset({Role.center_staff, Role.admin})
INSTALMENT_NOTICE_DAYS = 7  # remind of an unpaid instalment this many days before it is due
REVIEWED = frozenset({S.preliminarily_approved, S.accepted, S.center_review, S.approved, S.denied,
                      S.lawyer_assigned, S.in_progress, S.closed, S.follow_up})


@dataclass(frozen=True)
class Context:
    """What every verb needs besides the session and the actor."""

    now: datetime
    schedule: Schedule
    deadlines: Deadlines
    number_format: str = numbering.DEFAULT_FORMAT
    categories: tuple[str, ...] = ()
    client_addr: str = ""

    @property
    def today(self) -> date:
        return self.now.astimezone(self.schedule.tz).date()


@dataclass(frozen=True)
class Where:
    """An application with the tree paths its permissions depend on."""

    app: Application
    unit: Unit
    review_unit: Unit
    proposed_account_id: int | None


# -- who may see and do what -----------------------------------------------------------------
def visible_condition(actor: Actor) -> ColumnElement[bool]:
    """Applications the actor may see: filed at or reviewed by a unit of its subtree; a lawyer
    sees those they started, were proposed for, were assigned or acted on (a declined one)."""
    if actor.kind != "account":
        return false()
    if actor.role == Role.lawyer:
        proposed = select(LawyerProfile.id).where(LawyerProfile.account_id == actor.id)
        acted = select(ApplicationStep.application_id).where(ApplicationStep.actor == actor.ref)
        return or_(Application.created_by == actor.ref, Application.lawyer_account_id == actor.id,
                   Application.proposed_lawyer_id.in_(proposed), Application.id.in_(acted))
    subtree = select(Unit.id).where(Unit.path.startswith(actor.unit_path))
    return or_(Application.unit_id.in_(subtree), Application.review_unit_id.in_(subtree))


def may_file(actor: Actor, w: Where) -> bool:
    if actor.role == Role.lawyer:
        return w.app.created_by == actor.ref
    return actor.role in FILER_ROLES and actor.sees_unit(w.unit.path)


def may_review(actor: Actor, w: Where) -> bool:
    return actor.role in REVIEWER_ROLES and actor.sees_unit(w.review_unit.path)


def is_center(actor: Actor) -> bool:
    return actor.role in CENTER_ROLES and actor.at_center


def is_proposed_lawyer(actor: Actor, w: Where) -> bool:
    return actor.role == Role.lawyer and w.proposed_account_id is not None and w.proposed_account_id == actor.id


def is_assigned_lawyer(actor: Actor, w: Where) -> bool:
    return actor.role == Role.lawyer and w.app.lawyer_account_id == actor.id


# action name → (states it starts from, who may take it)
ACTIONS: dict[str, tuple[frozenset[S], Any]] = {
    "edit": (EDITABLE, may_file),
    "submit": (frozenset({S.draft, S.returned}), may_file),
    "reopen": (frozenset({S.returned}), may_file),
    "review": (frozenset({S.submitted}), may_review),
    "return": (frozenset({S.preliminary_review}), may_review),
    "reject": (frozenset({S.preliminary_review}), may_review),
    "preliminary_approve": (frozenset({S.preliminary_review}), may_review),
    "accept": (frozenset({S.preliminarily_approved}), may_review),
    "center_review": (frozenset({S.accepted}), lambda actor, w: is_center(actor)),
    "approve": (frozenset({S.center_review}), lambda actor, w: is_center(actor)),
    "deny": (frozenset({S.center_review}), lambda actor, w: is_center(actor)),
    "assign": (frozenset({S.approved}), lambda actor, w: is_center(actor)),
    "confirm_assignment": (frozenset({S.approved}), is_proposed_lawyer),
    "decline_assignment": (frozenset({S.approved}), is_proposed_lawyer),
    "start": (frozenset({S.lawyer_assigned}), is_assigned_lawyer),
    "close": (frozenset({S.in_progress}), lambda actor, w: is_assigned_lawyer(actor, w) or is_center(actor)),
    "follow_up": (frozenset({S.closed}), lambda actor, w: is_center(actor)),
}


def actions(actor: Actor, w: Where) -> list[str]:
    """What the actor may do with the application now: the page shows these buttons."""
    state = S(w.app.state)
    return [name for name, (states, who) in ACTIONS.items() if state in states and who(actor, w)]


def check_may(actor: Actor, w: Where, action: str) -> None:
    """The role first (403), then the state (409)."""
    states, who = ACTIONS[action]
    if not who(actor, w):
        raise PermissionDenied(f"your role or unit may not {action.replace('_', ' ')} this application",
                               action=action)
    S(w.app.state).check_in(states, action.replace("_", " "))


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


# -- reading ----------------------------------------------------------------------------------
async def _where(session: AsyncSession, actor: Actor, application_id: int, *, lock: bool = False) -> Where:
    if actor.kind != "account":
        raise PermissionDenied("applications are for staff")
    query = select(Application).where(Application.id == application_id, visible_condition(actor))
    app = await session.scalar(query)
    if app is None:
        raise NotFound(f"there is no application {application_id} that you may see")
    unit = await session.get(Unit, app.unit_id)
    review_unit = await session.get(Unit, app.review_unit_id)
    assert unit is not None and review_unit is not None
    proposed = None
    if app.proposed_lawyer_id is not None:
        proposed = await session.scalar(select(LawyerProfile.account_id)
                                        .where(LawyerProfile.id == app.proposed_lawyer_id))
    return Where(app, unit, review_unit, proposed)


async def get(session: AsyncSession, actor: Actor, application_id: int) -> Where:
    return await _where(session, actor, application_id)


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
    w = await _where(session, actor, application_id)
    a = w.app
    (base,) = await rows_out(session, [a], ctx)
    center = await session.get(Unit, a.center_id)
    steps = await session.scalars(select(ApplicationStep).where(ApplicationStep.application_id == a.id)
                                  .order_by(ApplicationStep.id))
    proposed_name = ""
    if a.proposed_lawyer_id:
        proposed_name = await session.scalar(select(LawyerProfile.name)
                                             .where(LawyerProfile.id == a.proposed_lawyer_id)) or ""
    return dict(
        base, review_unit_name=w.review_unit.name, center_name=center.name if center else "",
        created_by_name=a.created_by_name, consultation_id=a.consultation_id, applicant_sex=a.applicant_sex,
        birth_date=a.birth_date, address=a.address, household=a.household,
        economic_situation=a.economic_situation, hardship_grounds=list(a.hardship_grounds or []),
        hardship_other=a.hardship_other, opposing_party=a.opposing_party, amount_in_dispute=_yuan(a.amount_fen),
        summary=a.summary, help_requested=a.help_requested, attachments=list(a.attachments or []),
        review_consultation_id=a.review_consultation_id, missing=a.missing, review_opinion=a.review_opinion,
        accepted_on=a.accepted_on, decision_opinion=a.decision_opinion, decided_on=a.decided_on,
        proposed_lawyer_id=a.proposed_lawyer_id, proposed_lawyer_name=proposed_name,
        assignment_mode=a.assignment_mode, lawyer_id=a.lawyer_id, outcome=a.outcome, visit_notes=a.visit_notes,
        satisfaction=a.satisfaction, supervision_card=dict(a.supervision_card or {}),
        instalments=list(a.instalments or []), enforcement_deadline=a.enforcement_deadline,
        enforcement_reminder_on=a.enforcement_reminder_on,
        steps=[dict(at=s.at, action=s.action, from_state=s.from_state, to_state=s.to_state, actor=s.actor,
                    actor_name=s.actor_name, unit_id=s.unit_id, note=s.note) for s in steps],
        actions=actions(actor, w), documents=documents(a))


async def read_personal(session: AsyncSession, actor: Actor, application_id: int, ctx: Context) -> dict:
    """The full ID number and phone: an audited read."""
    w = await _where(session, actor, application_id)
    _audit(session, actor, ctx, "personal_data.read", w.app, "id_number, phone")
    return {"id_number": w.app.id_number, "phone": w.app.phone}


# -- filling in -------------------------------------------------------------------------------
def _yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{Decimal(fen) / 100:.2f}"


def _fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


async def _check_fields(session: AsyncSession, app: Application, values: dict[str, Any], ctx: Context) -> None:
    """Check what was given, whatever the state: a bad ID number or category is refused even
    in a draft, so a mistake is shown while the applicant is still at the kiosk."""
    if values.get("id_number"):
        values["id_number"] = idnumber.parse(values["id_number"], today=ctx.today).number
    category = values.get("category")
    if category and ctx.categories and category not in ctx.categories:
        raise InvalidInput(f"unknown category {category!r}", field="category", allowed=list(ctx.categories))
    if values.get("hardship_grounds") is not None:
        values["hardship_grounds"] = sorted(set(values["hardship_grounds"]))
    if values.get("attachments") is not None:
        attachments = [dict(a) for a in values["attachments"]]
        ids = [a["file_id"] for a in attachments]
        if len(set(ids)) != len(ids):
            raise InvalidInput("a file is listed twice", field="attachments")
        if ids:
            found = set(await session.scalars(select(StoredFile.id).where(
                StoredFile.id.in_(ids), StoredFile.parent_kind == PARENT_KIND, StoredFile.parent_id == app.id)))
            stray = sorted(set(ids) - found)
            if stray:
                raise InvalidInput(f"files {stray} are not attached to this application; upload them with "
                                   f"parent_kind={PARENT_KIND} and parent_id={app.id}", field="attachments")
        values["attachments"] = attachments


async def _apply(session: AsyncSession, app: Application, values: dict[str, Any], ctx: Context) -> None:
    await _check_fields(session, app, values, ctx)
    if "amount_in_dispute" in values:
        app.amount_fen = _fen(values.pop("amount_in_dispute"))
    for name, value in values.items():
        setattr(app, name, value)


def check_complete(app: Application, ctx: Context) -> None:
    """Everything the form needs before it goes to the preliminary review."""
    required = ("applicant_name", "applicant_sex", "id_number", "birth_date", "phone", "address", "category",
                "summary", "help_requested")
    missing = [name for name in required if not getattr(app, name)]
    if not app.hardship_grounds:
        missing.append("hardship_grounds")
    elif "other" in app.hardship_grounds and not app.hardship_other.strip():
        missing.append("hardship_other")
    if missing:
        raise InvalidInput(f"fill in {', '.join(missing)} before submitting", field=missing[0], missing=missing)
    person = idnumber.parse(app.id_number, today=ctx.today)
    if app.birth_date != person.birth_date:
        raise InvalidInput("the birth date differs from the one in the ID number", field="birth_date")
    if app.applicant_sex != person.sex:
        raise InvalidInput("the sex differs from the one the ID number gives", field="applicant_sex")


async def _review_unit(session: AsyncSession, unit: Unit) -> Unit:
    """Who does the preliminary review: a community's station or department; a station or
    department reviews what it files itself."""
    if unit.kind == UnitKind.community:
        parent = await session.get(Unit, unit.parent_id)
        assert parent is not None
        return parent
    return unit


async def create(session: AsyncSession, actor: Actor, p: ApplicationIn, ctx: Context) -> Application:
    if actor.kind != "account" or (actor.role not in FILER_ROLES and actor.role != Role.lawyer):
        raise PermissionDenied("your role may not start applications")
    consultation = None
    if p.consultation_id is not None:
        consultation = await session.get(Consultation, p.consultation_id)
        if consultation is None:
            raise InvalidInput("there is no such consultation", field="consultation_id")
    if actor.role == Role.lawyer:
        if consultation is None or consultation.taker_account_id != actor.id:
            raise PermissionDenied("a lawyer starts an application from a consultation they took")
        unit = await session.get(Unit, consultation.unit_id)
    else:
        unit = await session.get(Unit, p.unit_id or actor.unit_id)
        if unit is None or not actor.sees_unit(unit.path):
            raise PermissionDenied("that unit is outside your part of the unit tree")
        if consultation is not None:
            kiosk_unit = await session.get(Unit, consultation.unit_id)
            if kiosk_unit is None or not actor.sees_unit(kiosk_unit.path):
                raise InvalidInput("that consultation is outside your part of the unit tree",
                                   field="consultation_id")
    assert unit is not None
    if unit.kind == UnitKind.center or not unit.active:
        raise InvalidInput("applications are filed at an active community point, station or department",
                           field="unit_id")
    review_unit = await _review_unit(session, unit)
    app = Application(state=S.draft, unit_id=unit.id, review_unit_id=review_unit.id,
                      center_id=int(unit.path.split("/")[1]), created_by=actor.ref, created_by_name=actor.name,
                      created_at=ctx.now, updated_at=ctx.now, consultation_id=p.consultation_id,
                      hardship_grounds=[], attachments=[], supervision_card={}, instalments=[])
    session.add(app)
    await session.flush()
    await _apply(session, app, p.model_dump(exclude={"unit_id", "consultation_id"}), ctx)
    _timeline(session, actor, app, ctx, "create", "", S.draft, "")
    _audit(session, actor, ctx, "application.create", app, f"unit {unit.id}")
    return app


async def update(session: AsyncSession, actor: Actor, application_id: int, p: ApplicationPatch,
                 ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    check_may(actor, w, "edit")
    values = p.model_dump(exclude_unset=True)
    await _apply(session, w.app, values, ctx)
    w.app.updated_at = ctx.now
    _audit(session, actor, ctx, "application.edit", w.app, ", ".join(sorted(values)))
    return w.app


# -- the workflow -----------------------------------------------------------------------------
def _timeline(session: AsyncSession, actor: Actor, app: Application, ctx: Context, action: str, source: str,
              target: str, note: str) -> None:
    session.add(ApplicationStep(application_id=app.id, at=ctx.now, action=action, from_state=source,
                                to_state=target, actor=actor.ref, actor_name=actor.name[:100],
                                unit_id=actor.unit_id, note=note))


def _audit(session: AsyncSession, actor: Actor, ctx: Context, action: str, app: Application, detail: str) -> None:
    record(session, at=ctx.now, actor=actor, action=action, object=f"application:{app.id}",
           client_addr=ctx.client_addr, detail=detail)


async def _step(session: AsyncSession, actor: Actor, w: Where, action: str, ctx: Context, *,
                target: S | None = None, note: str = "") -> Application:
    """Check the actor and state, move to `target` (None: the state stays), and record who,
    when and why in the timeline and the audit log."""
    check_may(actor, w, action)
    app = w.app
    source = S(app.state)
    if target is not None:
        source.check(target)
        moved = await session.execute(sql_update(Application).where(Application.id == app.id,
                                                                Application.state == source.value)
                                      .values(state=target.value, updated_at=ctx.now))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("someone else moved this application on just now; reload it")
        app.state = target.value
        if target not in KEEPS_DUE_DATE:
            due = due_for(ctx.schedule, ctx.deadlines, target, ctx.now)
            app.due_step, app.due_on = due if due else ("", None)
    app.updated_at = ctx.now
    _timeline(session, actor, app, ctx, action, source.value, (target or source).value, note)
    _audit(session, actor, ctx, f"application.{action}", app,
           f"{source.value} → {(target or source).value}" + (f": {note[:500]}" if note else ""))
    return app


async def submit(session: AsyncSession, actor: Actor, application_id: int, note: str, ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    check_may(actor, w, "submit")
    check_complete(w.app, ctx)
    return await _step(session, actor, w, "submit", ctx, target=S.submitted, note=note)


async def reopen(session: AsyncSession, actor: Actor, application_id: int, note: str, ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    return await _step(session, actor, w, "reopen", ctx, target=S.draft, note=note)


async def start_review(session: AsyncSession, actor: Actor, application_id: int, consultation_id: int | None,
                       note: str, ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    check_may(actor, w, "review")
    if consultation_id is not None:
        consultation = await session.get(Consultation, consultation_id)
        units = [await session.get(Unit, consultation.unit_id), await session.get(Unit, consultation.target_unit_id)] \
            if consultation else []
        if consultation is None or not any(u is not None and actor.sees_unit(u.path) for u in units):
            raise InvalidInput("that video review consultation is not one your unit may see",
                               field="consultation_id")
        w.app.review_consultation_id = consultation_id
    return await _step(session, actor, w, "review", ctx, target=S.preliminary_review,
                       note=note or (f"video review: consultation {consultation_id}" if consultation_id else ""))


async def return_for_correction(session: AsyncSession, actor: Actor, application_id: int, missing: str,
                                ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    app = await _step(session, actor, w, "return", ctx, target=S.returned, note=missing)
    app.missing = missing
    return app


async def reject(session: AsyncSession, actor: Actor, application_id: int, reason: str, ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    app = await _step(session, actor, w, "reject", ctx, target=S.rejected, note=reason)
    app.review_opinion = reason
    return app


async def approve_preliminarily(session: AsyncSession, actor: Actor, application_id: int, opinion: str,
                                ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    app = await _step(session, actor, w, "preliminary_approve", ctx, target=S.preliminarily_approved,
                      note=opinion)
    app.review_opinion, app.missing = opinion, ""
    return app


async def accept(session: AsyncSession, actor: Actor, application_id: int, note: str, ctx: Context) -> Application:
    """受理: give the case its number and forward it to the center."""
    w = await _where(session, actor, application_id)
    check_may(actor, w, "accept")
    seq = await numbering.allocate(session, w.app.center_id, ctx.today.year)
    w.app.case_number = numbering.format_number(ctx.number_format, ctx.today.year, seq)
    w.app.accepted_on = ctx.today
    return await _step(session, actor, w, "accept", ctx, target=S.accepted,
                       note=note or w.app.case_number)


async def start_center_review(session: AsyncSession, actor: Actor, application_id: int, note: str,
                              ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    return await _step(session, actor, w, "center_review", ctx, target=S.center_review, note=note)


async def approve(session: AsyncSession, actor: Actor, application_id: int, opinion: str,
                  ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    app = await _step(session, actor, w, "approve", ctx, target=S.approved, note=opinion)
    app.decision_opinion, app.decided_on = opinion, ctx.today
    return app


async def deny(session: AsyncSession, actor: Actor, application_id: int, reason: str, ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    app = await _step(session, actor, w, "deny", ctx, target=S.denied, note=reason)
    app.decision_opinion, app.decided_on = reason, ctx.today
    return app


async def propose_lawyer(session: AsyncSession, actor: Actor, application_id: int, p: AssignIn,
                         ctx: Context) -> Application:
    """點援 (the applicant's pick) or 指派 (the center designates): it stands only once the
    lawyer confirms there is no conflict of interest."""
    w = await _where(session, actor, application_id)
    check_may(actor, w, "assign")
    lawyer = await session.get(LawyerProfile, p.lawyer_id)
    account = await session.get(Account, lawyer.account_id) if lawyer else None
    if lawyer is None or account is None or not account.active or account.role != Role.lawyer:
        raise InvalidInput("choose an active lawyer from the directory", field="lawyer_id")
    if p.mode == "picked" and not lawyer.listed:
        raise InvalidInput("the applicant can pick only lawyers listed in the directory", field="lawyer_id")
    w.app.proposed_lawyer_id, w.app.assignment_mode = lawyer.id, p.mode
    mode = "點援 picked by the applicant" if p.mode == "picked" else "指派 designated by the center"
    return await _step(session, actor, w, "assign", ctx, note=f"{lawyer.name} ({mode})" + (f": {p.note}" if p.note
                                                                                            else ""))


async def confirm_assignment(session: AsyncSession, actor: Actor, application_id: int, note: str,
                             ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    check_may(actor, w, "confirm_assignment")
    app = w.app
    app.lawyer_id, app.lawyer_account_id, app.proposed_lawyer_id = app.proposed_lawyer_id, actor.id, None
    return await _step(session, actor, w, "confirm_assignment", ctx, target=S.lawyer_assigned,
                       note="no conflict of interest confirmed" + (f": {note}" if note else ""))


async def decline_assignment(session: AsyncSession, actor: Actor, application_id: int, reason: str,
                             ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    check_may(actor, w, "decline_assignment")
    app = await _step(session, actor, w, "decline_assignment", ctx, note=reason)
    app.proposed_lawyer_id, app.assignment_mode = None, ""
    return app


async def start_work(session: AsyncSession, actor: Actor, application_id: int, note: str,
                     ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    return await _step(session, actor, w, "start", ctx, target=S.in_progress, note=note)


async def close(session: AsyncSession, actor: Actor, application_id: int, outcome: str, ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    app = await _step(session, actor, w, "close", ctx, target=S.closed, note=outcome)
    app.outcome = outcome
    return app


async def follow_up(session: AsyncSession, actor: Actor, application_id: int, p: FollowUpIn,
                    ctx: Context) -> Application:
    w = await _where(session, actor, application_id)
    check_may(actor, w, "follow_up")
    app = w.app
    instalments = sorted(p.instalments, key=lambda i: i.due)
    deadline = p.enforcement_deadline or (enforcement_deadline(instalments[-1].due) if instalments else None)
    app.visit_notes, app.satisfaction = p.visit_notes, p.satisfaction
    app.supervision_card = p.supervision_card.model_dump(mode="json")
    app.instalments = [i.model_dump(mode="json") for i in instalments]
    app.enforcement_deadline = deadline
    app.enforcement_reminder_on = reminder_on(deadline, ctx.deadlines) if deadline else None
    return await _step(session, actor, w, "follow_up", ctx, target=S.follow_up,
                       note=f"satisfaction {p.satisfaction}/5")


# -- deadlines and reminders --------------------------------------------------------------------
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


async def export_rows(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> list[dict]:
    """The list as an export: masked exactly as on screen."""
    q = q.model_copy(update={"offset": 0, "limit": 10_000})
    return await listing(session, actor, q, ctx)


# -- documents ----------------------------------------------------------------------------------
async def document_data(session: AsyncSession, actor: Actor, application_id: int, kind: str,
                        ctx: Context) -> dict:
    """What a PDF shows; printing one is an audited read of the full personal data."""
    w = await _where(session, actor, application_id)
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
