"""Who is invited to a meeting, how many may come without the lobby, and whether that needs Janus."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.meetings.models import Meeting, MeetingInvitation
from server.meetings.state import MeetingKind

MESH_MAX_PARTICIPANTS = 4  # beyond this every participant sends to everyone: too much for a home uplink
NO_JANUS = ("meetings of more than {n} people and every training go through the video server (Janus), "
            "which this installation has not configured (FAYUAN_JANUS_URL); "
            "hold a meeting of at most {n} people, or ask the administrator to set up Janus")


async def invitations(session: AsyncSession, meeting_id: int) -> list[MeetingInvitation]:
    return list(await session.scalars(select(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting_id)))


async def is_invited(session: AsyncSession, meeting: Meeting, actor: Actor) -> bool:
    if actor.kind != "account":
        return False
    if actor.id == meeting.host_account_id:
        return True
    found = await session.scalar(select(MeetingInvitation.id).where(
        MeetingInvitation.meeting_id == meeting.id,
        or_(MeetingInvitation.account_id == actor.id, MeetingInvitation.unit_id == actor.unit_id)).limit(1))
    return found is not None


async def invited_headcount(session: AsyncSession, meeting_id: int, host_id: int) -> int:
    """How many people may come without the lobby: the host, invited people, invited units' staff."""
    people = select(MeetingInvitation.account_id).where(MeetingInvitation.meeting_id == meeting_id,
                                                        MeetingInvitation.account_id.is_not(None))
    units = select(MeetingInvitation.unit_id).where(MeetingInvitation.meeting_id == meeting_id,
                                                    MeetingInvitation.unit_id.is_not(None))
    count = await session.scalar(select(func.count()).select_from(Account).where(
        Account.active, or_(Account.id == host_id, Account.id.in_(people), Account.unit_id.in_(units))))
    return int(count or 0)


def needs_janus(kind: str, headcount: int) -> bool:
    return kind == MeetingKind.training or headcount > MESH_MAX_PARTICIPANTS
