"""Who is in a meeting's room: its members, the roster with the lobby, presence, and a member's own state."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.notify import Notice
from server.errors import PermissionDenied
from server.meetings.context import Outcome
from server.meetings.models import Meeting, MeetingMember
from server.meetings.reading import get
from server.meetings.rooms import room
from server.meetings.state import MeetingState as S, Role
from signaling import events


def member_public(member: MeetingMember) -> dict:
    return {"ref": f"account:{member.account_id}", "account_id": member.account_id, "name": member.name,
            "unit_id": member.unit_id, "role": member.role, "hand_raised": member.hand_raised,
            "muted": member.muted, "camera_off": member.camera_off, "sharing": member.sharing}


async def find_member(session: AsyncSession, meeting_id: int, account_id: int) -> MeetingMember | None:
    return await session.scalar(select(MeetingMember).where(MeetingMember.meeting_id == meeting_id,
                                                            MeetingMember.account_id == account_id))


async def present_members(session: AsyncSession, meeting_id: int) -> list[MeetingMember]:
    return list(await session.scalars(select(MeetingMember).where(
        MeetingMember.meeting_id == meeting_id, MeetingMember.present).order_by(MeetingMember.id)))


async def roster(session: AsyncSession, meeting: Meeting) -> dict:
    members = list(await session.scalars(select(MeetingMember).where(
        MeetingMember.meeting_id == meeting.id, or_(MeetingMember.present, MeetingMember.waiting))
        .order_by(MeetingMember.id)))
    return {"meeting_id": meeting.id, "state": meeting.state, "locked": meeting.locked,
            "recording": meeting.recorder_process is not None,
            "participants": [member_public(x) for x in members if x.present],
            "lobby": [{"account_id": x.account_id, "name": x.name, "unit_id": x.unit_id}
                      for x in members if x.waiting]}


async def roster_notice(session: AsyncSession, meeting: Meeting) -> Notice:
    return Notice(room(meeting.id), events.MEETING_ROSTER, await roster(session, meeting))


async def present_in(session: AsyncSession, actor: Actor) -> list[int]:
    """The meetings the actor is in (or waiting for), to leave when its last connection drops."""
    return list(await session.scalars(select(MeetingMember.meeting_id).where(
        MeetingMember.account_id == actor.id, or_(MeetingMember.present, MeetingMember.waiting))))


async def check_present(session: AsyncSession, actor: Actor, meeting_id: int) -> tuple[Meeting, MeetingMember]:
    meeting = await get(session, meeting_id)
    member = await find_member(session, meeting_id, actor.id) if actor.kind == "account" else None
    if member is None or not member.present or meeting.state != S.live:
        raise PermissionDenied("join the meeting first")
    return meeting, member


async def set_state(session: AsyncSession, actor: Actor, meeting_id: int, *, muted: bool | None,
                    camera_off: bool | None, hand_raised: bool | None, sharing: bool | None) -> Outcome:
    meeting, member = await check_present(session, actor, meeting_id)
    if member.role == Role.viewer and (sharing or muted is False):
        raise PermissionDenied("viewers of a training watch and chat; the host may make you a presenter")
    for name, value in (("muted", muted), ("camera_off", camera_off), ("hand_raised", hand_raised),
                        ("sharing", sharing)):
        if value is not None:
            setattr(member, name, value)
    await session.flush()
    return Outcome(meeting, [await roster_notice(session, meeting)], member)


async def name_of(session: AsyncSession, meeting_id: int, ref: str) -> str:
    account_id = int(ref.split(":", 1)[1]) if ref.startswith("account:") else 0
    member = await find_member(session, meeting_id, account_id)
    return member.name if member else ref
