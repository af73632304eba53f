"""HTTP routes of reports: the figures as JSON for the page's charts, and as CSV."""
from __future__ import annotations

from aiohttp import web

from server.audit.service import record
from server.hours.service import load_schedule
from server.reports import export as csv_export, service
from server.reports.schemas import ExportQuery, Report, ReportQuery
from server.web import keys
from server.web.api import Call, Router

router = Router()


async def _build(call: Call) -> dict:
    q = call.query
    return await service.build(call.session, call.actor, unit_id=q.unit_id, start=q.from_, end=q.to,
                               now=call.clock.now(), schedule=await load_schedule(call.session, call.settings.timezone),
                               reply_working_days=call.app[keys.BOARD_SETTINGS].reply_working_days)


@router.get("/api/reports", summary="Figures for a unit's subtree and a period: consultations, board, "
            "applications", tag="reports", query=ReportQuery, response=Report)
async def report(call: Call) -> dict:
    data = await _build(call)
    said = len(data["consultations"]["comments"]) + len(data["applications"]["comments"])
    if said:  # residents' and applicants' own words: who read them is on record
        record(call.session, at=call.clock.now(), actor=call.actor, action="personal_data.read",
               object=f"unit:{data['unit']['id']}", client_addr=call.client_addr,
               detail=f"report comments {data['from']}..{data['to']} ({said})")
    return data


@router.get("/api/reports/export", summary="The same figures as CSV: headings and figure names in the page's "
            "language, a code per figure that stays the same in every language, times in the service time zone",
            tag="reports", query=ExportQuery, media="text/csv")
async def export(call: Call) -> web.Response:
    data = await _build(call)
    text = csv_export.to_csv(data, call.query.lang, call.settings.timezone)
    name = f"report-{data['unit']['id']}-{data['from']}-{data['to']}.csv"
    return web.Response(body=text, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
