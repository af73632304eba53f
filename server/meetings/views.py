"""Meetings over HTTP: schedule, list (with invitations), attendance (also as CSV),
recordings and their audited playback; and the retention job that deletes old recordings."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from pathlib import Path
from typing import AsyncIterator

from aiohttp import web

from server.audit.service import record
from server.config import ConfigError
from server.errors import NotFound, PermissionDenied
from server.meetings import service
from server.meetings.models import Recording
from server.meetings.schemas import AttendanceOut, MeetingIn, MeetingOut, RecordingOut
from server.meetings.state import RecordingState
from server.web import keys
from server.web.api import Call, Router

log = logging.getLogger(__name__)
router = Router()
RECORDINGS_FOLDER = "recordings"
DEFAULT_RETENTION_DAYS = 90
RETENTION_SWEEP_INTERVAL_SECONDS = 3600.0


def _context(call: Call) -> service.Context:
    return service.Context(now=call.clock.now(), janus=bool(call.settings.extra.get("FAYUAN_JANUS_URL")))


async def _out(call: Call, meeting: service.Meeting) -> dict:
    data = service.public(meeting, await service.invitations(call.session, meeting.id))
    data["invited"] = await service.is_invited(call.session, meeting, call.actor)
    return data


@router.get("/api/meetings", summary="Meetings I host, am invited to (me or my unit), or my part of the unit tree "
            "holds; upcoming and recent", tag="meetings", response=list[MeetingOut])
async def list_meetings(call: Call) -> list[dict]:
    meetings = await service.visible(call.session, call.actor, since=call.clock.now() - timedelta(days=30))
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


@router.get("/api/meetings/{meeting_id}", summary="One meeting", tag="meetings", response=MeetingOut)
async def get_meeting(call: Call) -> dict:
    return await _out(call, await service.readable(call.session, call.actor, call.path["meeting_id"]))


@router.get("/api/meetings/{meeting_id}/attendance", summary="Who joined and left when, per person and unit",
            tag="meetings", response=list[AttendanceOut])
async def attendance(call: Call) -> list[dict]:
    meeting = await service.readable(call.session, call.actor, call.path["meeting_id"])
    return await service.attendance(call.session, meeting.id)


@router.get("/api/meetings/{meeting_id}/attendance.csv", summary="The attendance as CSV (UTF-8 with BOM)",
            tag="meetings")
async def attendance_csv(call: Call) -> web.Response:
    meeting = await service.readable(call.session, call.actor, call.path["meeting_id"])
    text = service.attendance_csv(await service.attendance(call.session, meeting.id))
    return web.Response(body=("\ufeff" + text).encode(), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}-attendance.csv"'})


def _recording_out(r: Recording) -> dict:
    return {"id": r.id, "subject": r.subject, "state": r.state, "started_at": r.started_at,
            "stopped_at": r.stopped_at, "bytes": r.bytes, "url": f"/api/recordings/{r.id}/media"}


@router.get("/api/meetings/{meeting_id}/recordings", summary="The meeting's recordings", tag="meetings",
            response=list[RecordingOut])
async def meeting_recordings(call: Call) -> list[dict]:
    meeting = await service.readable(call.session, call.actor, call.path["meeting_id"])
    return [_recording_out(r) for r in await service.recordings(call.session, "meeting", meeting.id)]


@router.get("/api/recordings/{recording_id}/media", summary="Play a recording (each playback is an audit row)",
            tag="meetings")
async def play_recording(call: Call) -> web.StreamResponse:
    recording = await call.session.get(Recording, call.path["recording_id"])
    if recording is None or recording.state != RecordingState.ready:
        raise NotFound(f"there is no playable recording {call.path['recording_id']}")
    if recording.parent_kind != "meeting":
        raise PermissionDenied("only meeting recordings are played here")
    await service.readable(call.session, call.actor, recording.parent_id)
    path = recordings_folder(call.settings.data_dir) / recording.key
    if not path.exists():
        raise NotFound("the recording's file is gone")
    record(call.session, at=call.clock.now(), actor=call.actor, action="recording.play",
           object=f"recording:{recording.id}", client_addr=call.client_addr,
           detail=f"meeting:{recording.parent_id} {call.request.headers.get('Range', '')}"[:200])
    return web.FileResponse(path, headers={"Content-Type": "video/mp4", "X-Content-Type-Options": "nosniff",
                                           "Cache-Control": "private, no-store",
                                           "Content-Disposition": f'inline; filename="recording-{recording.id}.mp4"'})


# -- retention ---------------------------------------------------------------------------
def recordings_folder(data_dir: Path) -> Path:
    return data_dir / RECORDINGS_FOLDER


def retention(extra: dict[str, str]) -> timedelta:
    text = extra.get("FAYUAN_RECORDING_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))
    try:
        days = int(text)
    except ValueError:
        raise ConfigError("FAYUAN_RECORDING_RETENTION_DAYS", f"{text!r} is not a whole number") from None
    if days < 1:
        raise ConfigError("FAYUAN_RECORDING_RETENTION_DAYS", "keep recordings at least 1 day")
    return timedelta(days=days)


async def delete_expired(app: web.Application) -> int:
    """Delete recordings older than the retention period: the file first, then its row."""
    now, keep = app[keys.CLOCK].now(), retention(app[keys.SETTINGS].extra)
    folder = recordings_folder(app[keys.SETTINGS].data_dir)
    async with app[keys.DB].sessions() as session:
        expired = await service.expired_recordings(session, now, keep)
        for recording in expired:
            (folder / recording.key).unlink(missing_ok=True)
            await session.delete(recording)
        await session.commit()
    return len(expired)


def install(app: web.Application) -> None:
    retention(app[keys.SETTINGS].extra)  # a bad value stops start-up, naming the variable
    app.cleanup_ctx.append(_retention_job)


async def _retention_job(app: web.Application) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            try:
                deleted = await delete_expired(app)
                if deleted:
                    log.info("deleted %d recordings past their retention period", deleted)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("recording retention job failed")
            await asyncio.sleep(RETENTION_SWEEP_INTERVAL_SECONDS)

    task = asyncio.create_task(loop(), name="recording-retention")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
