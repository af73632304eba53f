"""Recordings over HTTP: a consultation's recordings, and playback of any recording by whoever
may read its parent (a meeting's record, a consultation's record), one audit row per request.
Meetings list theirs in server/meetings/views.py."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.audit.service import record
from server.consultations import records
from server.errors import NotFound
from server.meetings.reading import readable as readable_meeting
from server.recordings import service
from server.recordings.models import Recording, RecordingState
from server.recordings.recorder import recordings_folder
from server.recordings.schemas import RecordingOut
from server.web.api import Call, Router

router = Router()


async def check_reader(session: AsyncSession, actor: Actor, recording: Recording) -> None:
    """The parent's read rule: PermissionDenied (or NotFound) when `actor` may not play it."""
    if recording.parent_kind == "meeting":
        await readable_meeting(session, actor, recording.parent_id)
    elif recording.parent_kind == "consultation":
        await records.readable(session, actor, recording.parent_id)
    else:
        raise NotFound(f"there is no playable recording {recording.id}")


@router.get("/api/consultations/{consultation_id}/recordings", summary="The consultation's recordings "
            "(whoever may read its record)", tag="recordings", response=list[RecordingOut])
async def consultation_recordings(call: Call) -> list[dict]:
    c = await records.readable(call.session, call.actor, call.path["consultation_id"])
    return [service.public(r) for r in await service.listed(call.session, "consultation", c.id)]


@router.get("/api/recordings/{recording_id}/media", summary="Play a recording (each request is an audit row)",
            tag="recordings", media="video/mp4", ranges=True)
async def play_recording(call: Call) -> web.StreamResponse:
    recording = await call.session.get(Recording, call.path["recording_id"])
    if recording is None or recording.state != RecordingState.ready:
        raise NotFound(f"there is no playable recording {call.path['recording_id']}")
    await check_reader(call.session, call.actor, recording)
    path = recordings_folder(call.settings.data_dir) / recording.key
    if not path.exists():
        raise NotFound("the recording's file is gone")
    parent = f"{recording.parent_kind}:{recording.parent_id}"
    record(call.session, at=call.clock.now(), actor=call.actor, action="recording.play",
           object=f"recording:{recording.id}", client_addr=call.client_addr,
           detail=f"{parent} {call.request.headers.get('Range', '')}"[:200])
    return web.FileResponse(path, headers={"Content-Type": "video/mp4", "X-Content-Type-Options": "nosniff",
                                           "Cache-Control": "private, no-store",
                                           "Content-Disposition": f'inline; filename="recording-{recording.id}.mp4"'})
