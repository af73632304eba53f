"""Applications: check_* validates, the verbs move an application through its lifecycle.

Every verb takes the session, the acting Actor and a Context, finds the application only
among those the actor's unit may see (else NotFound), checks the actor's role for the step
(else PermissionDenied), then the state (else IllegalTransition), and records the step in the
timeline and the audit log inside the caller's transaction. Services never import aiohttp.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete as sql_delete, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import SYSTEM, Actor
from server.accounts.models import Account, LawyerProfile
from server.accounts.permissions import Role
from server.applications import numbering
from server.applications.access import FILER_ROLES, Where, check_may, visible_where
from server.applications.choices import (check_chosen_lawyer, check_destination, chosen_still_available,
                                         destinations, lawyer_candidates)
from server.applications.conflicts import remember, warnings
from server.applications.context import Context
from server.applications.deadlines import (KEEPS_DUE_DATE, STEP_OF, due_for, enforcement_deadline, reminder_on,
                                          working_days_between)
from server.db import rows_changed
from server.hours.calendar import working_days_after
from server.applications.form import PARENT_KIND, check_complete, fill_in
from server.applications.models import Application, ApplicationStep
from server.applications.records import add_step, audit_application
from server.applications.schemas import (ApplicationIn, ApplicationPatch, AssignIn, DeclineIn, FollowUpIn, SubmitIn,
                                         SupplementIn)
from server.applications.state import ApplicationState as S
from server.consultations.models import Consultation
from server.files.models import StoredFile
from server.errors import Conflict, InvalidInput, PermissionDenied
from server.org.models import Unit, UnitKind


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
    if not p.applicant_name.strip():
        # an empty form saved as a draft only clutters the list: the applicant's name starts one
        raise InvalidInput("a draft needs at least the applicant's name", field="applicant_name")
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
    await fill_in(session, app, p.model_dump(exclude={"unit_id", "consultation_id"}), ctx)
    add_step(session, actor, app, ctx, "create", "", S.draft, "")
    audit_application(session, actor, ctx, "application.create", app, f"unit {unit.id}")
    return app


async def update(session: AsyncSession, actor: Actor, application_id: int, p: ApplicationPatch,
                 ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "edit")
    values = p.model_dump(exclude_unset=True)
    await fill_in(session, w.app, values, ctx)
    w.app.updated_at = ctx.now
    audit_application(session, actor, ctx, "application.edit", w.app, ", ".join(sorted(values)))
    return w.app


async def delete_draft(session: AsyncSession, actor: Actor, application_id: int, ctx: Context) -> None:
    """Delete a draft that was never submitted, with its timeline. One with uploaded papers is
    kept: those files have their own retention and audit, which a delete must not cut short."""
    w = await visible_where(session, actor, application_id, lock=True)
    check_may(actor, w, "edit")
    S(w.app.state).check_in(frozenset({S.draft}), "delete")
    if w.app.attachments or await session.scalar(select(StoredFile.id).where(
            StoredFile.parent_kind == PARENT_KIND, StoredFile.parent_id == w.app.id).limit(1)):
        raise Conflict("this draft has uploaded papers: it is kept", reason="has_attachments")
    audit_application(session, actor, ctx, "application.delete", w.app, f"unit {w.app.unit_id}")
    await session.execute(sql_delete(ApplicationStep).where(ApplicationStep.application_id == w.app.id))
    await session.delete(w.app)


# -- the workflow -----------------------------------------------------------------------------
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
        if rows_changed(moved) != 1:
            raise Conflict("someone else moved this application on just now; reload it")
        app.state = target.value
        if target not in KEEPS_DUE_DATE:
            due = due_for(ctx.schedule, ctx.deadlines, target, ctx.now)
            app.due_step, app.due_on = due if due else ("", None)
    app.updated_at = ctx.now
    add_step(session, actor, app, ctx, action, source.value, (target or source).value, note)
    audit_application(session, actor, ctx, f"application.{action}", app,
           f"{source.value} → {(target or source).value}" + (f": {note[:500]}" if note else ""))
    return app


async def submit(session: AsyncSession, actor: Actor, application_id: int, p: SubmitIn, ctx: Context) -> Application:
    """Send it for the preliminary review, to the unit the filer chose (choices.py: a community's
    station or department, a department liaison center, the center), by default the first."""
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "submit")
    check_complete(w.app, ctx)
    if w.app.chosen_lawyer_id is not None:
        await check_chosen_lawyer(session, w.app.chosen_lawyer_id)  # still listed and active
    if p.review_unit_id is not None:
        review_unit = await check_destination(session, w.unit, p.review_unit_id)
    else:
        review_unit = (await destinations(session, w.unit))[0]
    if review_unit.id != w.app.review_unit_id:
        w = replace(w, review_unit=review_unit)
        w.app.review_unit_id = review_unit.id
    return await _step(session, actor, w, "submit", ctx, target=S.submitted,
                       note=p.note or (review_unit.name if review_unit.id != w.unit.id else ""))


async def reopen(session: AsyncSession, actor: Actor, application_id: int, note: str, ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    return await _step(session, actor, w, "reopen", ctx, target=S.draft, note=note)


async def start_review(session: AsyncSession, actor: Actor, application_id: int, consultation_id: int | None,
                       note: str, ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
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
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "return", ctx, target=S.returned, note=missing)
    app.missing = missing
    return app


async def reject(session: AsyncSession, actor: Actor, application_id: int, reason: str, ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "reject", ctx, target=S.rejected, note=reason)
    app.review_opinion = reason
    return app


async def approve_preliminarily(session: AsyncSession, actor: Actor, application_id: int, opinion: str,
                                ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "preliminary_approve", ctx, target=S.preliminarily_approved,
                      note=opinion)
    app.review_opinion, app.missing = opinion, ""
    return app


async def accept(session: AsyncSession, actor: Actor, application_id: int, note: str, ctx: Context) -> Application:
    """受理: give the case its number and forward it to the center."""
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "accept")
    seq = await numbering.allocate(session, w.app.center_id, ctx.today.year)
    w.app.case_number = numbering.format_number(ctx.number_format, ctx.today.year, seq)
    w.app.accepted_on = ctx.today
    return await _step(session, actor, w, "accept", ctx, target=S.accepted,
                       note=note or w.app.case_number)


async def start_center_review(session: AsyncSession, actor: Actor, application_id: int, note: str,
                              ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    return await _step(session, actor, w, "center_review", ctx, target=S.center_review, note=note)


async def approve(session: AsyncSession, actor: Actor, application_id: int, opinion: str,
                  ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "approve", ctx, target=S.approved, note=opinion)
    app.decision_opinion, app.decided_on = opinion, ctx.today
    return app


async def deny(session: AsyncSession, actor: Actor, application_id: int, reason: str, ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "deny", ctx, target=S.denied, note=reason)
    app.decision_opinion, app.decided_on = reason, ctx.today
    return app


async def request_materials(session: AsyncSession, actor: Actor, application_id: int, p: SupplementIn,
                            ctx: Context) -> Application:
    """补充材料: the center (the station before acceptance) asks for what is missing. The running
    due date is held until the materials come back; until then the step's deadline is the time
    given to the applicant."""
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "request_materials")
    held = w.app.due_on
    days = p.working_days or ctx.deadlines.supplement
    app = await _step(session, actor, w, "request_materials", ctx, target=S.awaiting_materials,
                      note=f"{p.missing} ({days} working days)")
    app.missing, app.paused_on, app.paused_due_on = p.missing, ctx.today, held
    app.due_step, app.due_on = "supplement", working_days_after(ctx.schedule, ctx.today, days)
    return app


async def materials_received(session: AsyncSession, actor: Actor, application_id: int, note: str,
                             ctx: Context) -> Application:
    """The materials came: the review goes on, its due date later by the working days the
    applicant took (those after the request, up to and including today)."""
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "materials_received")
    app = w.app
    paused = working_days_between(ctx.schedule, app.paused_on or ctx.today, ctx.today)
    held = app.paused_due_on
    back = S.center_review if app.accepted_on is not None else S.preliminary_review
    await _step(session, actor, w, "materials_received", ctx, target=back,
                note=f"paused {paused} working days" + (f": {note}" if note else ""))
    app.due_step = STEP_OF[back]
    app.due_on = working_days_after(ctx.schedule, held, paused) if held else None
    app.paused_working_days = (app.paused_working_days or 0) + paused
    app.paused_on = app.paused_due_on = None
    return app


async def withdraw_unsupplied(session: AsyncSession, ctx: Context) -> list[Application]:
    """The sweep: applications whose materials did not come by the end of the stated day are
    treated as withdrawn (視為撤回)."""
    late = await session.scalars(select(Application).where(Application.state == S.awaiting_materials.value,
                                                            Application.due_on < ctx.today))
    withdrawn = []
    for app in late:
        w = Where(app, await session.get_one(Unit, app.unit_id), await session.get_one(Unit, app.review_unit_id), None)
        try:
            await _step(session, SYSTEM, w, "withdraw", ctx, target=S.withdrawn,
                        note=f"the materials asked for on {app.paused_on} did not come by {app.due_on}")
        except Conflict:  # another process's sweep took it
            continue
        app.due_step, app.due_on, app.paused_due_on = "", None, None
        withdrawn.append(app)
    return withdrawn


async def terminate(session: AsyncSession, actor: Actor, application_id: int, reason: str,
                    ctx: Context) -> Application:
    """终止法律援助: the center ends the aid, with the reason (the applicant may object)."""
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "terminate", ctx, target=S.terminated, note=reason)
    app.outcome = reason
    return app


def _terminated(app: Application) -> bool:
    """Whether the objection under review is to a termination (a lawyer was assigned) rather
    than to a denial."""
    return app.lawyer_account_id is not None


async def object_to_denial(session: AsyncSession, actor: Actor, application_id: int, reason: str,
                           ctx: Context) -> Application:
    """異議: the applicant objects to the denial or termination, through the unit that filed it;
    the justice bureau's 5 working days start."""
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "object", ctx, target=S.objection_review, note=reason)
    app.objection = reason
    return app


async def uphold_denial(session: AsyncSession, actor: Actor, application_id: int, opinion: str,
                        ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    upheld = S.termination_upheld if _terminated(w.app) else S.denial_upheld
    app = await _step(session, actor, w, "uphold_denial", ctx, target=upheld, note=opinion)
    app.objection_decision = opinion
    return app


async def order_correction(session: AsyncSession, actor: Actor, application_id: int, opinion: str,
                           ctx: Context) -> Application:
    """The bureau orders the center to correct itself: a denial is decided again, with a new
    decision deadline from the order; a terminated case goes on with its lawyer."""
    w = await visible_where(session, actor, application_id)
    if _terminated(w.app):
        app = await _step(session, actor, w, "order_correction", ctx, target=S.in_progress, note=opinion)
    else:
        app = await _step(session, actor, w, "order_correction", ctx, target=S.center_review, note=opinion)
        app.due_step, app.due_on = "decision", working_days_after(ctx.schedule, ctx.today, ctx.deadlines.decision)
    app.objection_decision = opinion
    return app


async def propose_lawyer(session: AsyncSession, actor: Actor, application_id: int, p: AssignIn,
                         ctx: Context) -> Application:
    """點援 (the applicant's pick) or 指派 (the center designates): it stands only once the
    lawyer confirms there is no conflict of interest.

    When the form names the applicant's chosen lawyer, that lawyer is the one to propose: another
    needs the reason why not (400 without it), unless the chosen one has declined this case or
    left the directory. A lawyer who once declined for a conflict with a party of this
    application needs a reason too (the center is warned, conflicts.py). Each reason is a step
    of its own in the timeline and an audit row."""
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "assign")
    app = w.app
    lawyer = await session.get(LawyerProfile, p.lawyer_id)
    account = await session.get(Account, lawyer.account_id) if lawyer else None
    if lawyer is None or account is None or not account.active or account.role != Role.lawyer:
        raise InvalidInput("choose an active lawyer from the directory", field="lawyer_id")
    chosen = await session.get(LawyerProfile, app.chosen_lawyer_id) if app.chosen_lawyer_id else None
    mode = p.mode or "designated"
    if chosen is not None:
        mode = "picked" if lawyer.id == chosen.id else "designated"
        if p.mode is not None and p.mode != mode:
            raise InvalidInput(f"the applicant chose {chosen.name}: proposing {lawyer.name} is "
                               f"{'picked' if mode == 'picked' else 'designated'}, not {p.mode}", field="mode",
                               reason="mode_contradicts_choice")
    if mode == "picked" and not lawyer.listed:
        raise InvalidInput("the applicant can pick only lawyers listed in the directory", field="lawyer_id")
    candidates = await lawyer_candidates(session, app)
    this = next((c for c in candidates if c["lawyer_id"] == lawyer.id), None)
    passing_over = chosen is not None and lawyer.id != chosen.id
    conflicts = this["conflicts"] if this else (await warnings(session, app, [lawyer.id])).get(lawyer.id, [])
    needs = [problem for problem, applies in (
        ("not_chosen_lawyer", passing_over and chosen_still_available(candidates)),
        ("remembered_conflict", bool(conflicts))) if applies]
    reason = p.reason.strip()
    if needs and not reason:
        words = {"not_chosen_lawyer": f"the applicant chose {chosen.name if chosen else ''}",
                 "remembered_conflict": f"{lawyer.name} declined an earlier case for a conflict of interest with "
                                        "a party of this one"}
        raise InvalidInput("; ".join(words[n] for n in needs) + ": give the reason for proposing "
                           f"{lawyer.name}", field="reason", reason=needs[0], problems=needs,
                           conflicts=[_json_safe(c) for c in conflicts])
    app.proposed_lawyer_id, app.assignment_mode = lawyer.id, mode
    # The note is data shown as written in either language: the mode is a code (assignment_mode)
    # that the pages translate, not words in it.
    await _step(session, actor, w, "assign", ctx, note=lawyer.name + (f": {p.note}" if p.note else ""))
    if passing_over:
        assert chosen is not None
        _record(session, actor, app, ctx, "pass_over_chosen", f"{chosen.name}: {reason}" if reason else chosen.name)
    if conflicts:
        _record(session, actor, app, ctx, "override_conflict", f"{lawyer.name}: {reason}",
                audit=f"declined application(s) {sorted({c['application_id'] for c in conflicts})}: {reason[:500]}")
    return app


def _json_safe(warning: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in warning.items()}


def _record(session: AsyncSession, actor: Actor, app: Application, ctx: Context, action: str, note: str, *,
            audit: str | None = None) -> None:
    """A reason the center gave, as a step of its own (the state stays) and an audit row."""
    add_step(session, actor, app, ctx, action, app.state, app.state, note)
    audit_application(session, actor, ctx, f"application.{action}", app, (audit if audit is not None else note)[:600])


async def confirm_assignment(session: AsyncSession, actor: Actor, application_id: int, note: str,
                             ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "confirm_assignment")
    app = w.app
    app.lawyer_id, app.lawyer_account_id, app.proposed_lawyer_id = app.proposed_lawyer_id, actor.id, None
    return await _step(session, actor, w, "confirm_assignment", ctx, target=S.lawyer_assigned,
                       note="no conflict of interest confirmed" + (f": {note}" if note else ""))


async def decline_assignment(session: AsyncSession, actor: Actor, application_id: int, p: DeclineIn,
                             ctx: Context) -> Application:
    """The proposed lawyer declines. A conflict of interest with a party is remembered
    (conflicts.py), so that proposing this lawyer for that party again warns the center."""
    w = await visible_where(session, actor, application_id)
    check_may(actor, w, "decline_assignment")
    lawyer_id = w.app.proposed_lawyer_id
    assert lawyer_id is not None  # is_proposed_lawyer
    if p.conflict_with:
        await remember(session, actor, w.app, lawyer_id, list(p.conflict_with), ctx)
    app = await _step(session, actor, w, "decline_assignment", ctx, note=p.reason)
    if p.conflict_with:
        # the roles only: the party's name and ID number stay out of the audit log
        audit_application(session, actor, ctx, "application.conflict_declared", app,
                          "conflict of interest with " + ", ".join(sorted(set(p.conflict_with))))
    app.proposed_lawyer_id, app.assignment_mode = None, ""
    return app


async def start_work(session: AsyncSession, actor: Actor, application_id: int, note: str,
                     ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    return await _step(session, actor, w, "start", ctx, target=S.in_progress, note=note)


async def close(session: AsyncSession, actor: Actor, application_id: int, outcome: str, ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
    app = await _step(session, actor, w, "close", ctx, target=S.closed, note=outcome)
    app.outcome = outcome
    return app


async def follow_up(session: AsyncSession, actor: Actor, application_id: int, p: FollowUpIn,
                    ctx: Context) -> Application:
    w = await visible_where(session, actor, application_id)
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
