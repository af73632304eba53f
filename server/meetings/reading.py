"""Reading meetings: one as its participants see it, who may read its record, the actor's meetings."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.errors import NotFound, PermissionDenied
from server.meetings.invitations import is_invited
from server.meetings.models import Meeting, MeetingInvitation, MeetingMember
from server.org.models import Unit

JOIN_EARLY = timedelta(minutes=10)  # the join button shows, and joining works, this long before the start


def public(meeting: Meeting, invitations: list[MeetingInvitation] | None = None) -> dict:
    """The meeting as its participants see it: never the Janus secret or pin."""
    out = {
        "id": meeting.id, "title": meeting.title, "agenda": meeting.agenda, "kind": meeting.kind,
        "application_id": meeting.application_id, "unit_id": meeting.unit_id,
        "host_account_id": meeting.host_account_id, "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(), "joinable_from": (meeting.starts_at - JOIN_EARLY).isoformat(),
        "state": meeting.state, "locked": meeting.locked, "topology": meeting.topology or None,
        "started_at": meeting.started_at.isoformat() if meeting.started_at else None,
        "ended_at": meeting.ended_at.isoformat() if meeting.ended_at else None,
    }
    if invitations is not None:
        out["invited_unit_ids"] = sorted(i.unit_id for i in invitations if i.unit_id is not None)
        out["invited_account_ids"] = sorted(i.account_id for i in invitations if i.account_id is not None)
    return out


async def get(session: AsyncSession, meeting_id: int, *, lock: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    meeting = await session.scalar(query.with_for_update() if lock else query)
    if meeting is None:
        raise NotFound(f"there is no meeting {meeting_id}")
    return meeting


async def _unit_path(session: AsyncSession, unit_id: int) -> str:
    return await session.scalar(select(Unit.path).where(Unit.id == unit_id)) or ""


async def check_reader(session: AsyncSession, actor: Actor, meeting: Meeting) -> None:
    """The host, the invited, whoever was in the room, and staff whose part of the unit tree
    holds the host's unit may read a meeting's record (attendance, recordings)."""
    if actor.kind != "account":
        raise PermissionDenied("meetings are for staff")
    if await is_invited(session, meeting, actor):
        return
    was_in = await session.scalar(select(MeetingMember.id).where(
        MeetingMember.meeting_id == meeting.id, MeetingMember.account_id == actor.id, MeetingMember.admitted))
    if was_in is not None or actor.sees_unit(await _unit_path(session, meeting.unit_id)):
        return
    raise PermissionDenied("this meeting is outside your part of the unit tree and you were not invited")


async def readable(session: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    meeting = await get(session, meeting_id)
    await check_reader(session, actor, meeting)
    return meeting


async def visible(session: AsyncSession, actor: Actor, *, since: datetime | None = None) -> list[Meeting]:
    """Meetings the actor hosts, is invited to (itself or its unit), or that its subtree holds."""
    invited = select(MeetingInvitation.meeting_id).where(
        or_(MeetingInvitation.account_id == actor.id, MeetingInvitation.unit_id == actor.unit_id))
    in_tree = select(Unit.id).where(Unit.path.startswith(actor.unit_path)) if actor.unit_path else None
    conditions = [Meeting.host_account_id == actor.id, Meeting.id.in_(invited)]
    if in_tree is not None:
        conditions.append(Meeting.unit_id.in_(in_tree))
    query = select(Meeting).where(or_(*conditions))
    if since is not None:
        query = query.where(Meeting.ends_at >= since)
    return list(await session.scalars(query.order_by(Meeting.starts_at, Meeting.id).limit(500)))
