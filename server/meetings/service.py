"""Meetings: check_* validates, the verbs change rows and return the Notices of who must be
told. Talking to Janus and recording are the realtime layer's (server/realtime/meetings.py);
the verbs say when a Janus room is needed. Services never import aiohttp or socketio."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.accounts.permissions import Role as AccountRole
from server.notify import Notice, account
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.meetings.attendance import close_attendance, open_attendance
from server.meetings.context import Context, Outcome
from server.meetings.invitations import MESH_MAX_PARTICIPANTS, NO_JANUS, invited_headcount, is_invited, needs_janus
from server.meetings.membership import check_present, find_member, present_members, roster_notice
from server.meetings.models import Attendance, Meeting, MeetingInvitation, MeetingMember
from server.meetings.reading import JOIN_EARLY, get
from server.meetings.rooms import janus_room_id, room
from server.meetings.state import MeetingKind, MeetingState as S, Role, Topology
from server.org.models import Unit
from signaling import events

MAX_MEETING_HOURS = 12


def _default_role(meeting: Meeting, actor: Actor) -> Role:
    if actor.id == meeting.host_account_id:
        return Role.host
    return Role.viewer if meeting.kind == MeetingKind.training else Role.presenter


async def create(session: AsyncSession, actor: Actor, *, title: str, agenda: str, kind: MeetingKind,
                 starts_at: datetime, ends_at: datetime, unit_ids: list[int], account_ids: list[int],
                 application_id: int | None, ctx: Context) -> Meeting:
    if actor.kind != "account":
        raise PermissionDenied("meetings are scheduled by staff")
    if ends_at <= starts_at:
        raise InvalidInput("a meeting must end after it starts", field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_MEETING_HOURS):
        raise InvalidInput(f"a meeting may last at most {MAX_MEETING_HOURS} hours", field="ends_at")
    if ends_at <= ctx.now:
        raise InvalidInput("that meeting would be over already", field="ends_at")
    unit_ids, account_ids = sorted(set(unit_ids)), sorted(set(account_ids) - {actor.id})
    if unit_ids:
        found = set(await session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids), Unit.active)))
        if missing := [u for u in unit_ids if u not in found]:
            raise InvalidInput(f"no active units {missing}", field="unit_ids")
    if account_ids:
        found = set(await session.scalars(select(Account.id).where(Account.id.in_(account_ids), Account.active)))
        if missing := [a for a in account_ids if a not in found]:
            raise InvalidInput(f"no active accounts {missing}", field="account_ids")
    if application_id is not None and kind != MeetingKind.case_coordination:
        raise InvalidInput("only a case coordination meeting is linked to an application", field="application_id")
    meeting = Meeting(title=title, agenda=agenda, kind=kind, application_id=application_id, unit_id=actor.unit_id,
                      host_account_id=actor.id, starts_at=starts_at, ends_at=ends_at, state=S.scheduled,
                      created_at=ctx.now)
    session.add(meeting)
    await session.flush()
    session.add_all([MeetingInvitation(meeting_id=meeting.id, unit_id=u) for u in unit_ids] +
                    [MeetingInvitation(meeting_id=meeting.id, account_id=a) for a in account_ids])
    await session.flush()
    if not ctx.janus and needs_janus(kind, await invited_headcount(session, meeting.id, actor.id)):
        raise Conflict(NO_JANUS.format(n=MESH_MAX_PARTICIPANTS), reason="janus_not_configured")
    return meeting


async def join(session: AsyncSession, actor: Actor, meeting_id: int, ctx: Context) -> Outcome:
    if actor.kind != "account":
        raise PermissionDenied("meetings are for staff")
    meeting = await get(session, meeting_id, lock=True)
    if meeting.state in (S.ended, S.cancelled):
        raise Conflict(f"this meeting has {'ended' if meeting.state == S.ended else 'been cancelled'}",
                       state=meeting.state)
    if ctx.now < meeting.starts_at - JOIN_EARLY:
        raise Conflict("the room opens 10 minutes before the start", opens_at=(meeting.starts_at - JOIN_EARLY)
                       .isoformat())
    member = await find_member(session, meeting.id, actor.id)
    if member is not None and member.removed:
        raise PermissionDenied("the host removed you from this meeting")
    host = actor.id == meeting.host_account_id
    if member is None:
        member = MeetingMember(meeting_id=meeting.id, account_id=actor.id, name=actor.name, unit_id=actor.unit_id,
                               role=_default_role(meeting, actor), admitted=await is_invited(session, meeting, actor),
                               waiting=False, present=False, removed=False, hand_raised=False, muted=False,
                               camera_off=False, sharing=False)
        session.add(member)
    if not host and (not member.admitted or (meeting.locked and not member.present)):
        if not member.waiting:
            member.waiting = True
            await session.flush()
            return Outcome(meeting, [await roster_notice(session, meeting)], member, lobby=True)
        return Outcome(meeting, [], member, lobby=True)
    outcome = Outcome(meeting, member=member)
    if meeting.state == S.scheduled:
        S(meeting.state).check(S.live)
        headcount = await invited_headcount(session, meeting.id, meeting.host_account_id)
        if needs_janus(meeting.kind, headcount):
            if not ctx.janus:
                raise Conflict(NO_JANUS.format(n=MESH_MAX_PARTICIPANTS), reason="janus_not_configured")
            meeting.topology = Topology.janus
            meeting.janus_room = janus_room_id(meeting.id)
            meeting.janus_secret, meeting.janus_pin = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        else:
            meeting.topology = Topology.mesh
        meeting.state, meeting.started_at = S.live, ctx.now
    if not member.present:
        if meeting.topology == Topology.mesh and len(await present_members(session, meeting.id)) >= MESH_MAX_PARTICIPANTS:
            raise Conflict(NO_JANUS.format(n=MESH_MAX_PARTICIPANTS) if not ctx.janus else
                           f"this meeting is held peer to peer, which carries at most {MESH_MAX_PARTICIPANTS} people",
                           reason="mesh_full")
        member.present, member.waiting = True, False
        open_attendance(session, member, ctx.now)
    await session.flush()
    outcome.notices.append(await roster_notice(session, meeting))
    return outcome


async def leave(session: AsyncSession, actor: Actor, meeting_id: int, ctx: Context,
                held_by: tuple[str, str] | None = None) -> Outcome:
    """`held_by` (process, sid): leave only if that socket still holds the member in the room
    (a dropped socket does not take out someone who came back through another one)."""
    meeting = await get(session, meeting_id)
    member = await find_member(session, meeting_id, actor.known_id)
    outcome = Outcome(meeting)
    if member is None or not (member.present or member.waiting):
        return outcome
    if held_by is not None and member.present and (member.process_id, member.sid) != held_by:
        return outcome
    if member.present:
        await close_attendance(session, meeting_id, member.account_id, ctx.now)
        outcome.left.append(member.account_id)
    member.present = member.waiting = member.hand_raised = member.sharing = False
    await session.flush()
    outcome.notices.append(await roster_notice(session, meeting))
    return outcome


async def hold(member: MeetingMember, process_id: str, sid: str) -> str | None:
    """The socket (and its process) that holds a present member in the room; returns the socket
    that held them before, if another (a second tab, or a reconnect through another process)."""
    before = member.sid if (member.process_id, member.sid) != (process_id, sid) else None
    member.process_id, member.sid = process_id, sid
    return before


async def lost(session: AsyncSession, meeting_id: int, account_ids: list[int], ctx: Context) -> list[Notice]:
    """Members whose process died were taken out (meetings/holders.py): their stay ends now."""
    for account_id in account_ids:
        await close_attendance(session, meeting_id, account_id, ctx.now)
    return [await roster_notice(session, await get(session, meeting_id))]


async def control(session: AsyncSession, actor: Actor, meeting_id: int, action: str, account_id: int | None,
                  ctx: Context) -> Outcome:
    """The host's controls. `end` closes everyone's attendance; `remove` bars the person."""
    meeting, me = await check_present(session, actor, meeting_id)
    if me.role != Role.host:
        raise PermissionDenied("only the host controls the room")
    outcome = Outcome(meeting, member=me)
    target = None
    if action in ("admit", "remove", "promote", "demote"):
        if account_id is None or account_id == actor.id:
            raise InvalidInput(f"{action} needs the account_id of another member", field="account_id")
        target = await find_member(session, meeting.id, account_id)
        if target is None or target.removed:
            raise NotFound(f"account {account_id} is not in this meeting or its lobby")
    if action == "admit":
        assert target is not None
        if not target.waiting:
            raise Conflict("that person is not waiting in the lobby")
        target.admitted, target.waiting = True, False
        outcome.notices.append(Notice(account(target.account_id), events.MEETING_ADMITTED, {"meeting_id": meeting.id}))
    elif action == "remove":
        assert target is not None
        if target.present:
            await close_attendance(session, meeting.id, target.account_id, ctx.now)
            outcome.left.append(target.account_id)
        target.removed, target.present, target.waiting, target.admitted = True, False, False, False
        outcome.notices.append(Notice(account(target.account_id), events.MEETING_REMOVED, {"meeting_id": meeting.id}))
    elif action in ("promote", "demote"):
        assert target is not None
        if meeting.kind != MeetingKind.training:
            raise Conflict("everyone presents in a meeting; promoting is for trainings")
        target.role = Role.presenter if action == "promote" else Role.viewer
    elif action == "mute_all":
        await session.execute(update(MeetingMember).where(
            MeetingMember.meeting_id == meeting.id, MeetingMember.present, MeetingMember.role != Role.host)
            .values(muted=True))
        outcome.notices.append(Notice(room(meeting.id), events.MEETING_MUTE_ALL, {"meeting_id": meeting.id, "by": actor.name}))
    elif action in ("lock", "unlock"):
        meeting.locked = action == "lock"
    elif action == "end":
        return await end(session, actor, meeting, ctx)
    await session.flush()
    outcome.notices.insert(0, await roster_notice(session, meeting))
    return outcome


async def end(session: AsyncSession, actor: Actor, meeting: Meeting, ctx: Context) -> Outcome:
    S(meeting.state).check(S.ended)
    present = await present_members(session, meeting.id)
    await session.execute(update(Attendance).where(Attendance.meeting_id == meeting.id,
                                                   Attendance.left_at.is_(None)).values(left_at=ctx.now))
    await session.execute(update(MeetingMember).where(MeetingMember.meeting_id == meeting.id)
                          .values(present=False, waiting=False, hand_raised=False, sharing=False))
    meeting.state, meeting.ended_at = S.ended, ctx.now
    await session.flush()
    return Outcome(meeting, [Notice(room(meeting.id), events.MEETING_ENDED, {"meeting_id": meeting.id, "by": actor.name})],
                   left=[x.account_id for x in present])


async def cancel(session: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    """Call off a meeting nobody has joined yet: its host, or staff of the center. Invitations
    stay listed, marked cancelled, with no way in (join refuses a cancelled meeting)."""
    meeting = await get(session, meeting_id, lock=True)
    center_staff = actor.role in (AccountRole.center_staff, AccountRole.admin) and actor.at_center
    if actor.kind != "account" or not (actor.id == meeting.host_account_id or center_staff):
        raise PermissionDenied("only the host or the center's staff cancel a meeting")
    S(meeting.state).check(S.cancelled)
    meeting.state = S.cancelled
    await session.flush()
    return meeting
