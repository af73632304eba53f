"""Meetings over HTTP: schedule, cancel, list (with invitations), attendance (also as CSV) and
the list of recordings (played through server/recordings/views.py)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from server.audit.service import record
from server.meetings import attendance as attendances
from server.meetings import reading, service
from server.meetings.context import Context
from server.meetings.invitations import MESH_MAX_PARTICIPANTS, invitations, is_invited
from server.meetings.models import Meeting
from server.meetings.schemas import AbsentUnitOut, AttendanceOut, MeetingIn, MeetingOut, VideoServerOut
from server.recordings import service as recordings
from server.recordings.schemas import RecordingOut
from server.spreadsheet import LanguageQuery
from server.web import keys
from server.web.api import Call, Router

router = Router()


def _context(call: Call) -> Context:
    return Context(now=call.clock.now(), janus=call.app[keys.MEETING_SETTINGS].janus_url is not None)


async def _out(call: Call, meeting: Meeting) -> dict:
    data = reading.public(meeting, await invitations(call.session, meeting.id))
    data["invited"] = await is_invited(call.session, meeting, call.actor)
    return data


@router.get("/api/meetings", summary="Meetings I host, am invited to (me or my unit), or my part of the unit tree "
            "holds; upcoming and recent", tag="meetings", response=list[MeetingOut])
async def list_meetings(call: Call) -> list[dict]:
    meetings = await reading.visible(call.session, call.actor, since=call.clock.now() - timedelta(days=30))
    return [await _out(call, meeting) for meeting in meetings]


@router.post("/api/meetings", summary="Schedule a meeting, training or case coordination and invite units and "
             "people", tag="meetings", body=MeetingIn, response=MeetingOut)
async def create_meeting(call: Call) -> dict:
    b = call.body
    meeting = await service.create(call.session, call.actor, title=b.title, agenda=b.agenda, kind=b.kind,
                                   starts_at=b.starts_at, ends_at=b.ends_at, unit_ids=b.unit_ids,
                                   account_ids=b.account_ids, application_id=b.application_id, ctx=_context(call))
    record(call.session, at=call.clock.now(), actor=call.actor, action="meeting.create", object=f"meeting:{meeting.id}",
           client_addr=call.client_addr, detail=b.kind)
    return await _out(call, meeting)


@router.get("/api/meetings/video-server", summary="Whether trainings and meetings larger than a mesh can be "
            "held here: the video server (Janus) configured and answering now", tag="meetings",
            response=VideoServerOut)
async def video_server(call: Call) -> dict:
    url = call.app[keys.MEETING_SETTINGS].janus_url
    ready = call.app[keys.JANUS_READY]
    state = "not_configured" if not url else "ready" if await asyncio.to_thread(ready, url) else "unreachable"
    return {"janus": state, "mesh_max": MESH_MAX_PARTICIPANTS}


@router.post("/api/meetings/{meeting_id}/cancel", summary="Call off a meeting that has not begun (its host or "
             "center staff); a live or ended one is 409", tag="meetings", response=MeetingOut, status=200)
async def cancel_meeting(call: Call) -> dict:
    meeting = await service.cancel(call.session, call.actor, call.path["meeting_id"])
    record(call.session, at=call.clock.now(), actor=call.actor, action="meeting.cancel", object=f"meeting:{meeting.id}",
           client_addr=call.client_addr, detail=meeting.title[:100])
    return await _out(call, meeting)


@router.get("/api/meetings/{meeting_id}", summary="One meeting", tag="meetings", response=MeetingOut)
async def get_meeting(call: Call) -> dict:
    return await _out(call, await reading.readable(call.session, call.actor, call.path["meeting_id"]))


@router.get("/api/meetings/{meeting_id}/attendance", summary="Who joined and left when, per person and unit",
            tag="meetings", response=list[AttendanceOut])
async def attendance(call: Call) -> list[dict]:
    meeting = await reading.readable(call.session, call.actor, call.path["meeting_id"])
    return await attendances.attendance(call.session, meeting.id)


@router.get("/api/meetings/{meeting_id}/absent-units", summary="The invited units from which nobody came",
            tag="meetings", response=list[AbsentUnitOut])
async def absent_units(call: Call) -> list[dict]:
    meeting = await reading.readable(call.session, call.actor, call.path["meeting_id"])
    return await attendances.absent_units(call.session, meeting.id)


@router.get("/api/meetings/{meeting_id}/attendance.csv", summary="The attendance as CSV (UTF-8 with BOM), with "
            "the invited units nobody came from; headings in the page's language, times in the service time zone",
            tag="meetings", query=LanguageQuery, media="text/csv")
async def attendance_csv(call: Call) -> web.Response:
    meeting = await reading.readable(call.session, call.actor, call.path["meeting_id"])
    body = attendances.attendance_csv(await attendances.attendance(call.session, meeting.id),
                                          await attendances.absent_units(call.session, meeting.id),
                                          call.query.lang, call.settings.timezone)
    return web.Response(body=body, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}-attendance.csv"'})


@router.get("/api/meetings/{meeting_id}/recordings", summary="The meeting's recordings", tag="meetings",
            response=list[RecordingOut])
async def meeting_recordings(call: Call) -> list[dict]:
    meeting = await reading.readable(call.session, call.actor, call.path["meeting_id"])
    return [recordings.public(r) for r in await recordings.listed(call.session, "meeting", meeting.id)]
