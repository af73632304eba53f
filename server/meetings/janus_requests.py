"""Janus requests on a member's behalf: what a participant may ask of its own handles, and the room's secret."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, InvalidInput, PermissionDenied
from server.meetings.models import Meeting, MeetingMember
from server.meetings.reading import get
from server.meetings.state import Role, Topology

JANUS_MAX_PUBLISHERS = 16
# what a participant may ask of its own handles; never create, destroy, kick, moderate, …
PARTICIPANT_REQUESTS = frozenset({"configure", "publish", "unpublish", "start", "pause", "update", "leave"})
ALLOWED_FIELDS = frozenset({"request", "audio", "video", "data", "bitrate", "streams", "subscribe", "unsubscribe",
                            "descriptions", "restart", "keyframe", "substream", "temporal", "mid", "send"})


def check_janus_request(meeting: Meeting, member: MeetingMember, request: dict, jsep: dict | None) -> dict:
    """The request as forwarded to Janus: only what a member may ask of its own handles, with
    our room and pin filled in. Everyone may join as a publisher to hear of the feeds; only
    the host and presenters may send an offer (media into Janus): a viewer's only description
    is the answer that starts a subscription. Raises what the member did wrong."""
    if meeting.topology != Topology.janus or meeting.janus_room is None:
        raise Conflict("this meeting is held peer to peer: use meeting.signal")
    kind = request.get("request")
    may_publish = member.role in (Role.host, Role.presenter)
    if jsep is not None and not may_publish and not (kind == "start" and jsep.get("type") == "answer"):
        raise PermissionDenied("viewers of a training do not publish; the host may make you a presenter")
    if kind == "publish" and not may_publish:
        raise PermissionDenied("viewers of a training do not publish; the host may make you a presenter")
    if kind == "join":
        ptype = request.get("ptype")
        if ptype == "publisher":
            return {"request": "join", "ptype": "publisher", "room": meeting.janus_room, "pin": meeting.janus_pin,
                    "display": f"account:{member.account_id}"}
        if ptype == "subscriber":
            streams = request.get("streams")
            if not isinstance(streams, list) or not streams or len(streams) > JANUS_MAX_PUBLISHERS * 2:
                raise InvalidInput("a subscriber joins with the list of streams it wants", field="request.streams")
            clean = []
            for one in streams:
                if not isinstance(one, dict) or not isinstance(one.get("feed"), int):
                    raise InvalidInput("each stream names a feed (a publisher id)", field="request.streams")
                clean.append({k: v for k, v in one.items() if k in ("feed", "mid") and isinstance(v, (int, str))})
            return {"request": "join", "ptype": "subscriber", "room": meeting.janus_room, "pin": meeting.janus_pin,
                    "streams": clean}
        raise InvalidInput("join as ptype publisher or subscriber", field="request.ptype")
    if kind not in PARTICIPANT_REQUESTS:
        raise PermissionDenied(f"the request {str(kind)[:30]!r} is not one a participant may send")
    return {k: v for k, v in request.items() if k in ALLOWED_FIELDS}


async def janus_credentials(session: AsyncSession, meeting_id: int) -> tuple[int, str] | None:
    meeting = await get(session, meeting_id)
    if meeting.janus_room is None:
        return None
    return meeting.janus_room, meeting.janus_secret
