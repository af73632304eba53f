"""Recording a meeting: consent given and withdrawn, who may start it, and its Recording rows
(server/recordings/ keeps the consents and files of every kind of parent)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.errors import Conflict, PermissionDenied
from server.meetings.context import Context
from server.meetings.membership import present_members, check_present
from server.meetings.models import Meeting
from server.meetings.state import Role
from server.recordings import service as recordings
from server.recordings.models import Recording
from signaling import meetings as m

KIND = "meeting"


async def consent(session: AsyncSession, actor: Actor, meeting_id: int, given: bool, text_version: str,
                  ctx: Context) -> bool:
    """Give or withdraw consent; returns True when a withdrawal must stop a running recording."""
    await check_present(session, actor, meeting_id)
    if given:
        await recordings.give(session, KIND, meeting_id, who=actor.ref, name=actor.name, text_version=text_version,
                              now=ctx.now)
        return False
    await recordings.withdraw(session, KIND, meeting_id, who=actor.ref, now=ctx.now)
    return True


async def without_consent(session: AsyncSession, meeting_id: int) -> list[str]:
    """Names of the people present who have not consented to the current consent text."""
    refs = await recordings.consented(session, KIND, meeting_id, m.CONSENT_TEXT_VERSION)
    return [x.name for x in await present_members(session, meeting_id) if f"account:{x.account_id}" not in refs]


async def check_may_record(session: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    meeting, member = await check_present(session, actor, meeting_id)
    if member.role != Role.host:
        raise PermissionDenied("only the host starts or stops recording")
    missing = await without_consent(session, meeting_id)
    if missing:
        raise Conflict("recording starts only when everyone present has consented", waiting_for=missing)
    return meeting


def add_recording(session: AsyncSession, meeting: Meeting, subject: str, key: str, now: datetime) -> Recording:
    return recordings.add(session, KIND, meeting.id, unit_id=meeting.unit_id, subject=subject, key=key, now=now)
