"""Meetings: check_* validates, the verbs change rows and return the Notices of who must be
told. Talking to Janus and recording are the realtime layer's (server/realtime/meetings.py);
the verbs say when a Janus room is needed. Services never import aiohttp or socketio."""
from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.consultations.rooms import Notice, account
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.meetings.models import (Attendance, Meeting, MeetingInvitation, MeetingMember, Recording,
                                    RecordingConsent)
from server.meetings.state import MeetingKind, MeetingState as S, RecordingState, Role, Topology
from server.org.models import Unit
from signaling import meetings as m

JOIN_EARLY = timedelta(minutes=10)  # the join button shows, and joining works, this long before the start
MESH_MAX_PARTICIPANTS = 4  # beyond this every participant sends to everyone: too much for a home uplink
JANUS_ROOM_OFFSET = 1_000_000  # Janus room ids: meeting id + this (leaves Janus' demo room ids alone)
JANUS_MAX_PUBLISHERS = 16
MAX_MEETING_HOURS = 12
NO_JANUS = ("meetings of more than {n} people and every training go through the video server (Janus), "
            "which this installation has not configured (FAYUAN_JANUS_URL); "
            "hold a meeting of at most {n} people, or ask the administrator to set up Janus")


@dataclass(frozen=True)
class Context:
    now: datetime
    janus: bool  # FAYUAN_JANUS_URL is set


@dataclass
class Outcome:
    meeting: Meeting
    notices: list[Notice] = field(default_factory=list)
    member: MeetingMember | None = None
    lobby: bool = False
    janus_room_needed: bool = False  # the realtime layer creates it (with the secret) before commit
    left: list[int] = field(default_factory=list)  # accounts that left the room (leave their sockets)


def room(meeting_id: int) -> str:
    """Everyone present (and chat.sync readers: the same name as the chat room)."""
    return f"meeting:{meeting_id}"


def member_room(meeting_id: int, ref: str) -> str:
    """One member in one meeting: where signals to them go."""
    return f"meeting:{meeting_id}/{ref}"


def janus_room_id(meeting_id: int) -> int:
    return JANUS_ROOM_OFFSET + meeting_id


# -- reading -------------------------------------------------------------------------------
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


def member_public(member: MeetingMember) -> dict:
    return {"ref": f"account:{member.account_id}", "account_id": member.account_id, "name": member.name,
            "unit_id": member.unit_id, "role": member.role, "hand_raised": member.hand_raised,
            "muted": member.muted, "camera_off": member.camera_off, "sharing": member.sharing}


async def get(session: AsyncSession, meeting_id: int, *, lock: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    meeting = await session.scalar(query.with_for_update() if lock else query)
    if meeting is None:
        raise NotFound(f"there is no meeting {meeting_id}")
    return meeting


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


# -- scheduling ----------------------------------------------------------------------------
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


# -- the room ------------------------------------------------------------------------------
async def _member(session: AsyncSession, meeting_id: int, account_id: int) -> MeetingMember | None:
    return await session.scalar(select(MeetingMember).where(MeetingMember.meeting_id == meeting_id,
                                                            MeetingMember.account_id == account_id))


async def _present(session: AsyncSession, meeting_id: int) -> list[MeetingMember]:
    return list(await session.scalars(select(MeetingMember).where(
        MeetingMember.meeting_id == meeting_id, MeetingMember.present).order_by(MeetingMember.id)))


async def roster(session: AsyncSession, meeting: Meeting, recording: bool = False) -> dict:
    members = list(await session.scalars(select(MeetingMember).where(
        MeetingMember.meeting_id == meeting.id, or_(MeetingMember.present, MeetingMember.waiting))
        .order_by(MeetingMember.id)))
    return {"meeting_id": meeting.id, "state": meeting.state, "locked": meeting.locked, "recording": recording,
            "participants": [member_public(x) for x in members if x.present],
            "lobby": [{"account_id": x.account_id, "name": x.name, "unit_id": x.unit_id}
                      for x in members if x.waiting]}


async def _roster_notice(session: AsyncSession, meeting: Meeting, recording: bool = False) -> Notice:
    return Notice(room(meeting.id), m.ROSTER, await roster(session, meeting, recording))


def _open_attendance(session: AsyncSession, member: MeetingMember, now: datetime) -> None:
    session.add(Attendance(meeting_id=member.meeting_id, account_id=member.account_id, name=member.name,
                           unit_id=member.unit_id, joined_at=now))


async def _close_attendance(session: AsyncSession, meeting_id: int, account_id: int, now: datetime) -> None:
    await session.execute(update(Attendance).where(
        Attendance.meeting_id == meeting_id, Attendance.account_id == account_id, Attendance.left_at.is_(None))
        .values(left_at=now))


def _default_role(meeting: Meeting, actor: Actor) -> Role:
    if actor.id == meeting.host_account_id:
        return Role.host
    return Role.viewer if meeting.kind == MeetingKind.training else Role.presenter


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
    member = await _member(session, meeting.id, actor.id)  # type: ignore[arg-type]
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
            return Outcome(meeting, [await _roster_notice(session, meeting)], member, lobby=True)
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
            outcome.janus_room_needed = True
        else:
            meeting.topology = Topology.mesh
        meeting.state, meeting.started_at = S.live, ctx.now
    if not member.present:
        if meeting.topology == Topology.mesh and len(await _present(session, meeting.id)) >= MESH_MAX_PARTICIPANTS:
            raise Conflict(NO_JANUS.format(n=MESH_MAX_PARTICIPANTS) if not ctx.janus else
                           f"this meeting is held peer to peer, which carries at most {MESH_MAX_PARTICIPANTS} people",
                           reason="mesh_full")
        member.present, member.waiting = True, False
        _open_attendance(session, member, ctx.now)
    await session.flush()
    outcome.notices.append(await _roster_notice(session, meeting))
    return outcome


async def leave(session: AsyncSession, actor: Actor, meeting_id: int, ctx: Context) -> Outcome:
    meeting = await get(session, meeting_id)
    member = await _member(session, meeting_id, actor.id)  # type: ignore[arg-type]
    outcome = Outcome(meeting)
    if member is None or not (member.present or member.waiting):
        return outcome
    if member.present:
        await _close_attendance(session, meeting_id, member.account_id, ctx.now)
        outcome.left.append(member.account_id)
    member.present = member.waiting = member.hand_raised = member.sharing = False
    await session.flush()
    outcome.notices.append(await _roster_notice(session, meeting))
    return outcome


async def present_in(session: AsyncSession, actor: Actor) -> list[int]:
    """The meetings the actor is in (or waiting for), to leave when its last connection drops."""
    return list(await session.scalars(select(MeetingMember.meeting_id).where(
        MeetingMember.account_id == actor.id, or_(MeetingMember.present, MeetingMember.waiting))))


async def check_present(session: AsyncSession, actor: Actor, meeting_id: int) -> tuple[Meeting, MeetingMember]:
    meeting = await get(session, meeting_id)
    member = await _member(session, meeting_id, actor.id) if actor.kind == "account" else None  # type: ignore[arg-type]
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
    return Outcome(meeting, [await _roster_notice(session, meeting)], member)


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
        target = await _member(session, meeting.id, account_id)
        if target is None or target.removed:
            raise NotFound(f"account {account_id} is not in this meeting or its lobby")
    if action == "admit":
        assert target is not None
        if not target.waiting:
            raise Conflict("that person is not waiting in the lobby")
        target.admitted, target.waiting = True, False
        outcome.notices.append(Notice(account(target.account_id), m.ADMITTED, {"meeting_id": meeting.id}))
    elif action == "remove":
        assert target is not None
        if target.present:
            await _close_attendance(session, meeting.id, target.account_id, ctx.now)
            outcome.left.append(target.account_id)
        target.removed, target.present, target.waiting, target.admitted = True, False, False, False
        outcome.notices.append(Notice(account(target.account_id), m.REMOVED, {"meeting_id": meeting.id}))
    elif action in ("promote", "demote"):
        assert target is not None
        if meeting.kind != MeetingKind.training:
            raise Conflict("everyone presents in a meeting; promoting is for trainings")
        target.role = Role.presenter if action == "promote" else Role.viewer
    elif action == "mute_all":
        await session.execute(update(MeetingMember).where(
            MeetingMember.meeting_id == meeting.id, MeetingMember.present, MeetingMember.role != Role.host)
            .values(muted=True))
        outcome.notices.append(Notice(room(meeting.id), m.MUTE_ALL, {"meeting_id": meeting.id, "by": actor.name}))
    elif action in ("lock", "unlock"):
        meeting.locked = action == "lock"
    elif action == "end":
        return await end(session, actor, meeting, ctx)
    await session.flush()
    outcome.notices.insert(0, await _roster_notice(session, meeting))
    return outcome


async def end(session: AsyncSession, actor: Actor, meeting: Meeting, ctx: Context) -> Outcome:
    S(meeting.state).check(S.ended)
    present = await _present(session, meeting.id)
    await session.execute(update(Attendance).where(Attendance.meeting_id == meeting.id,
                                                   Attendance.left_at.is_(None)).values(left_at=ctx.now))
    await session.execute(update(MeetingMember).where(MeetingMember.meeting_id == meeting.id)
                          .values(present=False, waiting=False, hand_raised=False, sharing=False))
    meeting.state, meeting.ended_at = S.ended, ctx.now
    await session.flush()
    return Outcome(meeting, [Notice(room(meeting.id), m.ENDED, {"meeting_id": meeting.id, "by": actor.name})],
                   left=[x.account_id for x in present])


# -- Janus requests on a member's behalf ---------------------------------------------------
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


# -- recording -----------------------------------------------------------------------------
async def consent(session: AsyncSession, actor: Actor, meeting_id: int, given: bool, text_version: str,
                  ctx: Context) -> bool:
    """Give or withdraw consent; returns True when a withdrawal must stop a running recording."""
    await check_present(session, actor, meeting_id)
    current = await session.scalar(select(RecordingConsent).where(
        RecordingConsent.parent_kind == "meeting", RecordingConsent.parent_id == meeting_id,
        RecordingConsent.who == actor.ref, RecordingConsent.withdrawn_at.is_(None)))
    if given:
        if current is None or current.text_version != text_version:
            if current is not None:
                current.withdrawn_at = ctx.now
            session.add(RecordingConsent(parent_kind="meeting", parent_id=meeting_id, who=actor.ref, name=actor.name,
                                         text_version=text_version, given_at=ctx.now))
        return False
    if current is not None:
        current.withdrawn_at = ctx.now
    return True


async def without_consent(session: AsyncSession, meeting_id: int) -> list[str]:
    """Names of the people present who have not consented to the current consent text."""
    consented = select(RecordingConsent.who).where(
        RecordingConsent.parent_kind == "meeting", RecordingConsent.parent_id == meeting_id,
        RecordingConsent.withdrawn_at.is_(None), RecordingConsent.text_version == m.CONSENT_TEXT_VERSION)
    refs = set(await session.scalars(consented))
    return [x.name for x in await _present(session, meeting_id) if f"account:{x.account_id}" not in refs]


async def check_may_record(session: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    meeting, member = await check_present(session, actor, meeting_id)
    if member.role != Role.host:
        raise PermissionDenied("only the host starts or stops recording")
    missing = await without_consent(session, meeting_id)
    if missing:
        raise Conflict("recording starts only when everyone present has consented", waiting_for=missing)
    return meeting


async def name_of(session: AsyncSession, meeting_id: int, ref: str) -> str:
    account_id = int(ref.split(":", 1)[1]) if ref.startswith("account:") else 0
    member = await _member(session, meeting_id, account_id)
    return member.name if member else ref


def add_recording(session: AsyncSession, meeting: Meeting, subject: str, key: str, now: datetime) -> Recording:
    recording = Recording(parent_kind="meeting", parent_id=meeting.id, unit_id=meeting.unit_id, subject=subject,
                          key=key, state=RecordingState.recording, started_at=now, bytes=0)
    session.add(recording)
    return recording


async def finish_recording(session: AsyncSession, recording_id: int, *, ok: bool, size_bytes: int,
                           now: datetime) -> None:
    await session.execute(update(Recording).where(Recording.id == recording_id).values(
        state=RecordingState.ready if ok else RecordingState.failed, stopped_at=now, bytes=size_bytes))


async def recordings(session: AsyncSession, parent_kind: str, parent_id: int) -> list[Recording]:
    return list(await session.scalars(select(Recording).where(
        Recording.parent_kind == parent_kind, Recording.parent_id == parent_id).order_by(Recording.id)))


async def expired_recordings(session: AsyncSession, now: datetime, retention: timedelta) -> list[Recording]:
    return list(await session.scalars(select(Recording).where(Recording.started_at < now - retention,
                                                              Recording.state != RecordingState.recording)))


# -- attendance ----------------------------------------------------------------------------
async def attendance(session: AsyncSession, meeting_id: int) -> list[dict]:
    rows = await session.execute(
        select(Attendance, Unit.name).outerjoin(Unit, Unit.id == Attendance.unit_id)
        .where(Attendance.meeting_id == meeting_id).order_by(Attendance.joined_at, Attendance.id))
    return [{"account_id": a.account_id, "name": a.name, "unit_id": a.unit_id, "unit_name": unit_name or "",
             "joined_at": a.joined_at, "left_at": a.left_at,
             "seconds": int((a.left_at - a.joined_at).total_seconds()) if a.left_at else None}
            for a, unit_name in rows]


def attendance_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "unit", "joined_at", "left_at", "seconds"])
    for row in rows:
        writer.writerow([_csv_safe(row["name"]), _csv_safe(row["unit_name"]), row["joined_at"].isoformat(),
                         row["left_at"].isoformat() if row["left_at"] else "", row["seconds"] or ""])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is quoted as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
