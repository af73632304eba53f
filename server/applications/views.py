"""HTTP routes of applications: parse, call service.py, return. Every action answers with the
application as the caller now sees it (its timeline and the actions left to them)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Awaitable, Callable

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from server import spreadsheet
from server.applications import audience, documents, followup, pdf, reading, service
from server.accounts.actor import Actor
from server.applications.context import Context
from server.applications.models import Application
from server.applications.schemas import (ApplicationDetail, ApplicationIn, ApplicationOut, ApplicationPatch,
                                         AssignIn, CandidateOut, CloseIn, ConfirmIn, DeclineIn, ExportQuery, FollowUpIn,
                                         FollowUpOut, ListQuery, NoteIn, OpinionIn, OverdueUnit, PaidIn, PersonalOut,
                                         ReasonIn, ReminderOut, ReturnIn, ReviewIn, SatisfactionIn, SubmitIn,
                                         SupplementIn, VisitIn)
from server.errors import NotFound
from server.hours.service import load_schedule
from server.web import keys
from server.web.api import Call, Router

router = Router()
TAG = "applications"
ONE = "/api/applications/{application_id}"
CSV_COLUMNS = ("id", "case_number", "state", "unit_name", "applicant_name", "id_number_masked", "phone_masked",
               "category", "created_at", "due_step", "due_on", "overdue", "lawyer_name")


async def context(call: Call) -> Context:
    settings = call.app[keys.APPLICATION_SETTINGS]
    return Context(now=call.clock.now(), schedule=await load_schedule(call.session, call.settings.timezone),
                   deadlines=settings.deadlines, number_format=settings.number_format,
                   categories=call.app[keys.RULES].categories, client_addr=call.client_addr)


async def _detail(call: Call, ctx: Context, application_id: int) -> ApplicationDetail:
    await call.session.flush()
    return ApplicationDetail(**await reading.detail(call.session, call.actor, application_id, ctx))


# Fixed paths first: aiohttp would otherwise take "overdue" for an {application_id}.
@router.get("/api/applications", summary="Applications you may see (ID numbers and phones masked)", tag=TAG,
            query=ListQuery, response=list[ApplicationOut])
async def list_applications(call: Call) -> list[ApplicationOut]:
    rows = await reading.listing(call.session, call.actor, call.query, await context(call))
    return [ApplicationOut(**r) for r in rows]


@router.get("/api/applications/overdue", summary="Overdue applications by the unit that is late "
            "(限時辦結); the center sees all", tag=TAG, response=list[OverdueUnit])
async def overdue(call: Call) -> list[OverdueUnit]:
    return [OverdueUnit(**g) for g in await followup.overdue_by_unit(call.session, call.actor, await context(call))]


@router.get("/api/applications/reminders", summary="Follow-up reminders: enforcement deadlines and instalments",
            tag=TAG, response=list[ReminderOut])
async def reminders(call: Call) -> list[ReminderOut]:
    return [ReminderOut(**r) for r in await followup.reminders(call.session, call.actor, await context(call))]


@router.get("/api/applications/export", summary="The list as CSV (masked as in the list): headings, states and "
            "steps in the page's language, times in the service time zone", tag=TAG, query=ExportQuery,
            media="text/csv")
async def export(call: Call) -> web.Response:
    rows = await reading.export_rows(call.session, call.actor, call.query, await context(call))
    w = spreadsheet.words(call.query.lang)
    tz = call.settings.timezone

    def cell(column: str, value: object) -> str:
        if value is None or value == "":
            return ""
        if column == "state":
            return w(f"app.state.{value}", str(value))
        if column == "due_step":
            return w(f"app.step.{value}", str(value))
        if column == "category":
            return w(f"category.{value}", str(value))
        if column == "overdue":
            return w("app.fu.yes" if value else "app.fu.no", str(value))
        if isinstance(value, datetime):
            return spreadsheet.local_time(value, tz)
        return value.isoformat() if isinstance(value, date) else str(value)

    body = spreadsheet.document([w(f"app.csv.{c}", c) for c in CSV_COLUMNS],
                                ([cell(c, r[c]) for c in CSV_COLUMNS] for r in rows))
    return web.Response(body=body, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="applications.csv"'})


@router.post("/api/applications", summary="Start an application (a draft)", tag=TAG, body=ApplicationIn,
             response=ApplicationDetail)
async def create(call: Call) -> ApplicationDetail:
    ctx = await context(call)
    app = await service.create(call.session, call.actor, call.body, ctx)
    return await _detail(call, ctx, app.id)


@router.get(ONE, summary="One application with its timeline, due date, actions and documents (masked, "
            "without the birth date)",
            tag=TAG, response=ApplicationDetail)
async def get_application(call: Call) -> ApplicationDetail:
    return await _detail(call, await context(call), call.path["application_id"])


@router.get(ONE + "/personal", summary="The full ID number, birth date and phone (an audited read; a proposed "
            "lawyer only after confirming no conflict of interest)", tag=TAG,
            response=PersonalOut)
async def personal(call: Call) -> PersonalOut:
    ctx = await context(call)
    return PersonalOut(**await reading.read_personal(call.session, call.actor, call.path["application_id"], ctx))


@router.get(ONE + "/lawyer-candidates", summary="The lawyers the center may propose, the applicant's chosen one "
            "first, each with the conflicts of interest it declared earlier with a party of this application (masked)",
            tag=TAG, response=list[CandidateOut])
async def lawyer_candidates(call: Call) -> list[CandidateOut]:
    rows = await reading.lawyer_candidates(call.session, call.actor, call.path["application_id"])
    return [CandidateOut(**r) for r in rows]


@router.patch(ONE, summary="Change the form while it is a draft or returned", tag=TAG, body=ApplicationPatch,
              response=ApplicationDetail)
async def edit(call: Call) -> ApplicationDetail:
    ctx = await context(call)
    app = await service.update(call.session, call.actor, call.path["application_id"], call.body, ctx)
    return await _detail(call, ctx, app.id)


@router.delete(ONE, summary="Delete a draft that was never submitted (not one with uploaded papers)", tag=TAG,
               status=204)
async def delete_draft(call: Call) -> None:
    await service.delete_draft(call.session, call.actor, call.path["application_id"], await context(call))


@router.get(ONE + "/documents/{kind}", summary="A document as PDF, as first issued (an audited read): "
            + ", ".join(pdf.KINDS), tag=TAG, path_types={"kind": str},
            media="application/pdf")
async def document(call: Call) -> web.Response:
    kind = call.path_text["kind"]
    if kind not in pdf.KINDS:
        raise NotFound(f"there is no document {kind[:40]!r}", allowed=list(pdf.KINDS))
    ctx = await context(call)
    data = await documents.document_data(call.session, call.actor, call.path["application_id"], kind, ctx)
    body = await call.app[keys.PRINTER].render(data)
    return web.Response(body=body, content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{pdf.filename(data)}"'})


# an action's service call: (session, actor, application id, the body, ctx) → the application
Verb = Callable[[AsyncSession, Actor, int, Any, Context], Awaitable[Application]]


def _action(path: str, summary: str, body: type[BaseModel], name: str, verb: Verb) -> None:
    """Register POST /api/applications/{id}/<path>: verb(session, actor, id, <body value>, ctx)."""

    async def view(call: Call) -> ApplicationDetail:
        ctx = await context(call)
        app = await verb(call.session, call.actor, call.path["application_id"], call.body, ctx)
        out = await _detail(call, ctx, app.id)
        # whoever must act next is told once the step is committed
        notices = await audience.notices(call.session, app, step, skip=call.actor.id)
        await call.session.commit()
        await call.app[keys.DELIVER](notices)
        return out

    view.__name__ = name
    step = path.replace("-", "_")  # the action's name in the timeline and in access.ACTIONS
    router.post(f"{ONE}/{path}", summary=summary, tag=TAG, body=body, response=ApplicationDetail, status=200)(view)


def _note(verb: Callable[..., Awaitable[Application]]) -> Verb:
    return lambda session, actor, aid, body, ctx: verb(session, actor, aid, body.note, ctx)


_action("submit", "Submit for preliminary review (the form must be complete), to the unit chosen from the "
        "application's routes", SubmitIn, "submit", service.submit)
_action("reopen", "Take a returned application back to draft", NoteIn, "reopen", _note(service.reopen))
_action("review", "Start the preliminary review (初審), optionally linking the video review consultation",
        ReviewIn, "start_review",
        lambda s, a, i, b, c: service.start_review(s, a, i, b.consultation_id, b.note, c))
_action("return", "Return for correction, saying what is missing", ReturnIn, "return_for_correction",
        lambda s, a, i, b, c: service.return_for_correction(s, a, i, b.missing, c))
_action("reject", "Reject at the preliminary review, with the reason", ReasonIn, "reject",
        lambda s, a, i, b, c: service.reject(s, a, i, b.reason, c))
_action("preliminary-approve", "Approve at the preliminary review (審批表 back to the community)", OpinionIn,
        "approve_preliminarily", lambda s, a, i, b, c: service.approve_preliminarily(s, a, i, b.opinion, c))
_action("accept", "Accept (受理通知書, a case number) and forward to the center", NoteIn, "accept",
        _note(service.accept))
_action("center-review", "The center starts its review", NoteIn, "start_center_review",
        _note(service.start_center_review))
_action("approve", "The center grants legal aid", OpinionIn, "approve",
        lambda s, a, i, b, c: service.approve(s, a, i, b.opinion, c))
_action("deny", "The center refuses legal aid, with the written reason", ReasonIn, "deny",
        lambda s, a, i, b, c: service.deny(s, a, i, b.reason, c))
_action("request-materials", "补充材料: ask for missing materials; the decision clock pauses until they come "
        "(else the application is withdrawn after the stated working days)", SupplementIn, "request_materials",
        service.request_materials)
_action("materials-received", "The materials came: the decision clock resumes, later by the days paused",
        NoteIn, "materials_received", _note(service.materials_received))
_action("terminate", "终止: the center ends the aid, with the reason (the applicant may object)", ReasonIn,
        "terminate", lambda s, a, i, b, c: service.terminate(s, a, i, b.reason, c))
_action("object", "異議: the applicant objects to the denial or termination; the justice bureau decides within 5 working days",
        ReasonIn, "object_to_denial", lambda s, a, i, b, c: service.object_to_denial(s, a, i, b.reason, c))
_action("uphold-denial", "The justice bureau upholds the denial, with its reasons", ReasonIn, "uphold_denial",
        lambda s, a, i, b, c: service.uphold_denial(s, a, i, b.reason, c))
_action("order-correction", "The justice bureau orders the center to correct its denial: it decides again",
        ReasonIn, "order_correction", lambda s, a, i, b, c: service.order_correction(s, a, i, b.reason, c))
_action("assign", "Propose a lawyer: the applicant's chosen one (點援), or another (指派) with the reason why; a "
        "lawyer who declined for a conflict with a party of this application needs a reason too", AssignIn,
        "propose_lawyer", service.propose_lawyer)
_action("confirm-assignment", "The proposed lawyer confirms no conflict of interest: the assignment stands",
        ConfirmIn, "confirm_assignment", _note(service.confirm_assignment))
_action("decline-assignment", "The proposed lawyer declines (e.g. a conflict of interest with a party, which is "
        "remembered)", DeclineIn, "decline_assignment", service.decline_assignment)
_action("start", "The assigned lawyer takes up the case", NoteIn, "start_work", _note(service.start_work))
_action("close", "Close the case with its outcome", CloseIn, "close_case",
        lambda s, a, i, b, c: service.close(s, a, i, b.outcome, c))
_action("follow-up", "Record the return visit, satisfaction, supervision card and instalments", FollowUpIn,
        "follow_up", service.follow_up)



# -- the follow-up that lasts (followup.py): each answers with the case's follow-up as now recorded
async def _follow_up(call: Call, ctx: Context) -> FollowUpOut:
    await call.session.flush()
    return FollowUpOut(**await followup.read(call.session, call.actor, call.path["application_id"], ctx))


@router.get(ONE + "/follow-up", summary="The follow-up: return visits, instalments, satisfaction and the "
            "supervision card (an audited read; the assigned lawyer sees it too)", tag=TAG, response=FollowUpOut)
async def get_follow_up(call: Call) -> FollowUpOut:
    return await _follow_up(call, await context(call))


@router.post(ONE + "/visits", summary="Record a return visit (回访): its date, channel and outcome (the center "
             "or the assigned lawyer, once the case is closed)", tag=TAG, body=VisitIn, response=FollowUpOut)
async def add_visit(call: Call) -> FollowUpOut:
    ctx = await context(call)
    await followup.add_visit(call.session, call.actor, call.path["application_id"], call.body, ctx)
    return await _follow_up(call, ctx)


@router.post(ONE + "/instalments/{number}/paid", summary="Mark an instalment (from 1, by due date) paid: its "
             "reminder clears", tag=TAG, body=PaidIn, response=FollowUpOut, status=200)
async def instalment_paid(call: Call) -> FollowUpOut:
    ctx = await context(call)
    await followup.mark_paid(call.session, call.actor, call.path["application_id"], call.path["number"], call.body,
                             ctx)
    return await _follow_up(call, ctx)


@router.put(ONE + "/satisfaction", summary="Record the applicant's satisfaction with their comment and the "
            "supervision card's answers (staff with the applicant, not the lawyer)", tag=TAG, body=SatisfactionIn,
            response=FollowUpOut)
async def satisfaction(call: Call) -> FollowUpOut:
    ctx = await context(call)
    await followup.record_satisfaction(call.session, call.actor, call.path["application_id"], call.body, ctx)
    return await _follow_up(call, ctx)
