"""Meetings over socket.io: the `meeting.*` handlers added to the gateway's table, the Janus
relay, and the recorder.

- Mesh (≤ 4 people): `meeting.signal` is relayed only to the one named member present in the
  same meeting (room `meeting:<id>/<ref>`); the sender must be present itself. Who is present,
  and through which process and socket, is the database's (meetings/holders.py), so the members
  of one meeting may be connected to different processes; the room reaches them through Redis.
- Janus: clients never talk to Janus. Each `meeting.janus` request is checked against the
  member's role (janus_requests.check_janus_request: our room and pin filled in, publishing only for
  presenters) and sent with a Janus session and handles the server keeps per member; Janus'
  events for those handles come back as `meeting.janus_event`. The room secret and pin never
  leave the server, so nobody joins the Janus room except through us.
- Recording: the host's `meeting.record` starts a PeerRecorder (mesh) or a JanusRecorder once
  everyone present has consented; a withdrawal, or someone joining without consent, stops it.
  The meeting row names the process recording it: any process stops a recording by clearing
  that (the recorder's own process closes its files on its next round), and when the recorder's
  process dies the recording stops for `recorder_lost` while the meeting goes on.
- Every HOLDERS_ROUND_SECONDS each process lets go of what a dead process held (its members leave
  the roster) and of what it holds here that the database says is over.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.notify import Notice
from server.errors import Conflict, InvalidInput, PermissionDenied
from server.meetings import holders, janus_requests, membership, reading, recording, rooms, service
from server.meetings.context import Context, Outcome
from server.realtime.janus import JanusError, JanusRooms, JanusSession
from server.realtime.janus_recorder import JanusRecorder
from server.meetings.state import Topology
from server.recordings import service as recordings
from server.recordings.recorder import PeerRecorder, recordings_folder
from server.realtime.gateway import Gateway, Peer
from server.tasks import periodic, stop_task
from server.web import keys
from signaling import events
from signaling import meetings as m

log = logging.getLogger(__name__)

HOLDERS_ROUND_SECONDS = 2.0  # how often dead processes' members and recorders are let go


def recorder_inbox(meeting_id: int) -> str:
    """The pub/sub channel on which a mesh recorder hears members connected to other processes."""
    return f"meeting-recorder:{meeting_id}"


def janus_url(app: web.Application) -> str | None:
    return app[keys.MEETING_SETTINGS].janus_url


@dataclass
class MemberJanus:
    """One member's Janus session and the handles it labelled."""

    session: JanusSession
    handles: dict[str, int] = field(default_factory=dict)

    def label_of(self, handle_id: int) -> str | None:
        return next((label for label, hid in self.handles.items() if hid == handle_id), None)


class MeetingsRealtime:
    def __init__(self, app: web.Application, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway
        self.http: aiohttp.ClientSession | None = None
        self.rooms: JanusRooms | None = None
        self.janus: dict[tuple[int, int], MemberJanus] = {}
        self.recorders: dict[int, PeerRecorder | JanusRecorder] = {}
        self.inboxes: dict[int, asyncio.Task[None]] = {}  # a mesh recorder's reader of recorder_inbox
        self._janus_locks: dict[tuple[int, int], asyncio.Lock] = {}

    # -- plumbing ---------------------------------------------------------------------
    def handlers(self) -> dict[str, tuple[type, Any]]:
        return {events.MEETING_JOIN: (m.MeetingRef, self.join), events.MEETING_LEAVE: (m.MeetingRef, self.leave),
                events.MEETING_SIGNAL: (m.MeetingSignal, self.signal), events.MEETING_STATE: (m.MeetingState, self.state),
                events.MEETING_CONTROL: (m.Control, self.control), events.MEETING_CONSENT: (m.Consent, self.consent),
                events.MEETING_RECORD: (m.Record, self.record), events.MEETING_JANUS: (m.JanusRequest, self.janus_request)}

    def context(self) -> Context:
        return Context(now=self.app[keys.CLOCK].now(), janus=janus_url(self.app) is not None)

    async def lifetime(self, app: web.Application) -> AsyncIterator[None]:
        url = janus_url(app)
        if url:
            self.http = aiohttp.ClientSession()
            self.rooms = JanusRooms(self.http, url)
        yield
        for meeting_id in list(self.recorders):
            await self._stop_recording(meeting_id, "server_stopping")
        for key in list(self.janus):
            await self._drop_janus(*key)
        if self.rooms is not None:
            await self.rooms.close()
        if self.http is not None:
            await self.http.close()

    async def _tx(self, work: Any) -> Any:
        async with self.app[keys.DB].sessions() as session:
            result = await work(session)
            await session.commit()
        return result

    async def _deliver(self, notices: list[Notice]) -> None:
        await self.gateway.deliver(notices)

    @property
    def me(self) -> str:
        return self.gateway.process_id

    # -- joining and leaving ----------------------------------------------------------
    async def join(self, sid: str, peer: Peer, p: m.MeetingRef) -> dict:
        ctx = self.context()

        async def work(session: AsyncSession) -> tuple[Outcome, dict, str | None]:
            out = await service.join(session, peer.actor, p.meeting_id, ctx)
            before = None
            if not out.lobby:
                assert out.member is not None
                before = await service.hold(out.member, self.me, sid)
            return out, await membership.roster(session, out.meeting), before

        out, roster, before = await self._tx(work)
        if before is not None:
            # the socket that held them before (here or on another process) hears the room no more;
            # a Janus session here was that socket's (its events went to it)
            await self._take_out(before, p.meeting_id, peer.actor.ref)
            await self._drop_janus(p.meeting_id, peer.actor.known_id)
        if not out.lobby and out.meeting.topology == Topology.janus:
            # over HTTP, so after the commit rather than with the meeting row locked; every join
            # makes sure of it, so a Janus that lost the room (a restart) gets it back
            try:
                await self._ensure_janus_room(out.meeting)
            except Conflict:
                left = await self._tx(lambda s: service.leave(s, peer.actor, p.meeting_id, ctx))
                await self._deliver(left.notices)
                raise
        meeting = reading.public(out.meeting)
        if out.lobby:
            await self._deliver(out.notices)
            return {"lobby": True, "meeting": meeting}
        await self.gateway.enter_room(sid, rooms.room(p.meeting_id))
        await self.gateway.enter_room(sid, rooms.member_room(p.meeting_id, peer.actor.ref))
        await self._deliver(out.notices)
        if out.meeting.recorder_process is not None:
            await self._stop_if_unconsented(p.meeting_id)
        assert out.member is not None
        return {"lobby": False, "meeting": meeting, "me": membership.member_public(out.member), "roster": roster,
                "topology": out.meeting.topology, "ice_servers": self.gateway.ice_servers(peer.actor),
                "consent_text_version": m.CONSENT_TEXT_VERSION}

    async def _ensure_janus_room(self, meeting: Any) -> None:
        if self.rooms is None:
            raise Conflict("the video server is not configured", reason="janus_not_configured")
        try:
            await self.rooms.ensure(meeting.janus_room, secret=meeting.janus_secret, pin=meeting.janus_pin,
                                    description=f"meeting {meeting.id}", publishers=janus_requests.JANUS_MAX_PUBLISHERS)
        except (JanusError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("creating the Janus room of meeting %s failed: %s", meeting.id, exc)
            raise Conflict("the video server (Janus) did not answer; try again in a moment",
                           reason="janus_unavailable") from None

    async def leave(self, sid: str, peer: Peer, p: m.MeetingRef) -> dict:
        ctx = self.context()
        out = await self._tx(lambda s: service.leave(s, peer.actor, p.meeting_id, ctx))
        await self._gone(p.meeting_id, out.left or [peer.actor.id])
        await self._deliver(out.notices)
        return {"left": True}

    async def _gone(self, meeting_id: int, account_ids: list[int]) -> None:
        """Sockets, Janus sessions and recorder peers of people who left the room. Their sockets
        may be on another process: python-socketio's Redis manager takes them out of the rooms
        there; their Janus sessions there go on that process's next round (_let_go)."""
        if not account_ids:
            return

        async def read(session: AsyncSession) -> tuple[dict[int, str], str | None]:
            return (await holders.last_sockets(session, meeting_id, account_ids),
                    await holders.recorder_of(session, meeting_id))

        sids, recorder_process = await self._tx(read)
        for account_id in account_ids:
            sid = sids.get(account_id)
            if sid is not None:
                await self._take_out(sid, meeting_id, f"account:{account_id}")
            await self._drop_janus(meeting_id, account_id)
            recorder = self.recorders.get(meeting_id)
            if recorder is not None:
                await recorder.leave(f"account:{account_id}")
            elif recorder_process not in (None, self.me):
                await self.app[keys.PUBSUB].publish(recorder_inbox(meeting_id), {"left": f"account:{account_id}"})

    async def _take_out(self, sid: str, meeting_id: int, ref: str) -> None:
        """A socket, on any process (the Redis manager relays it), leaves the meeting's rooms."""
        await self.gateway.leave_room(sid, rooms.room(meeting_id))
        await self.gateway.leave_room(sid, rooms.member_room(meeting_id, ref))

    async def disconnected(self, sid: str, peer: Peer) -> None:
        """A socket in a room dropped: that person left the room (attendance closes)."""
        ctx = self.context()
        if peer.actor.kind != "account":
            return
        try:
            meeting_ids = await self._tx(lambda s: holders.held_by_socket(s, self.me, sid))
        except Exception:  # noqa: BLE001 - a failed read must not break disconnects; the round lets go later
            log.exception("reading the meetings of a dropped socket failed")
            return
        for meeting_id in meeting_ids:
            try:
                out = await self._tx(lambda s, mid=meeting_id: service.leave(s, peer.actor, mid, ctx,
                                                                             held_by=(self.me, sid)))
                await self._gone(meeting_id, out.left)
                await self._deliver(out.notices)
            except Exception:  # noqa: BLE001 - a failed bookkeeping write must not break disconnects
                log.exception("leaving meeting %s on disconnect failed", meeting_id)

    # -- in the room --------------------------------------------------------------------
    async def _check_in_room(self, sid: str, peer: Peer, meeting_id: int, *others: int) -> set[int]:
        """The sender must be in the room through this socket; returns which of `others` are in it."""
        if peer.actor.kind != "account":
            raise PermissionDenied("join the meeting first")
        me = peer.actor.id
        held = await self._tx(lambda s: holders.present_holders(s, meeting_id, [me, *others]))
        if held.get(me) != (self.me, sid):
            raise PermissionDenied("join the meeting first")
        return set(held) & set(others)

    async def signal(self, sid: str, peer: Peer, p: m.MeetingSignal) -> dict:
        to_account = int(p.to.split(":", 1)[1]) if p.to != m.RECORDER_REF else None
        present = await self._check_in_room(sid, peer, p.meeting_id, *([to_account] if to_account else []))
        message = p.model_dump(exclude_none=True, exclude={"to", "meeting_id"})
        if p.to == m.RECORDER_REF:
            await self._to_recorder(p.meeting_id, peer.actor.ref, message)
            return {"ok": True}
        if to_account not in present:
            raise Conflict("that person is not in the room")
        await self.gateway.emit(events.MEETING_SIGNALED, {**message, "meeting_id": p.meeting_id, "from": peer.actor.ref},
                                room=rooms.member_room(p.meeting_id, p.to))
        return {"ok": True}

    async def state(self, sid: str, peer: Peer, p: m.MeetingState) -> dict:
        out = await self._tx(lambda s: membership.set_state(s, peer.actor, p.meeting_id, muted=p.muted,
                                                         camera_off=p.camera_off, hand_raised=p.hand_raised,
                                                         sharing=p.sharing))
        await self._deliver(out.notices)
        assert out.member is not None
        return {"me": membership.member_public(out.member)}

    async def control(self, sid: str, peer: Peer, p: m.Control) -> dict:
        ctx = self.context()
        out = await self._tx(lambda s: service.control(s, peer.actor, p.meeting_id, p.action, p.account_id, ctx))
        await self._deliver(out.notices)
        if p.action == "end":
            await self._stop_recording(p.meeting_id, "ended")
            await self._gone(p.meeting_id, out.left)
            await self.gateway.close_room(rooms.room(p.meeting_id))
            credentials = await self._tx(lambda s: janus_requests.janus_credentials(s, p.meeting_id))
            if credentials is not None and self.rooms is not None:
                with contextlib.suppress(JanusError, aiohttp.ClientError, asyncio.TimeoutError):
                    await self.rooms.destroy(credentials[0], secret=credentials[1])
        elif out.left:
            await self._gone(p.meeting_id, out.left)
        return {"meeting": reading.public(out.meeting)}

    # -- recording ----------------------------------------------------------------------
    async def consent(self, sid: str, peer: Peer, p: m.Consent) -> dict:
        ctx = self.context()
        withdrawn = await self._tx(lambda s: recording.consent(s, peer.actor, p.meeting_id, p.consent, p.text_version,
                                                             ctx))
        if withdrawn:
            await self._stop_recording(p.meeting_id, "consent_withdrawn")
        return {"consent": p.consent, "text_version": p.text_version}

    async def record(self, sid: str, peer: Peer, p: m.Record) -> dict:
        if not p.on:
            await self._tx(lambda s: membership.check_present(s, peer.actor, p.meeting_id))
            await self._stop_recording(p.meeting_id, "stopped")
            return {"recording": False}
        async def claim(session: AsyncSession) -> tuple[Any, bool]:
            meeting = await recording.check_may_record(session, peer.actor, p.meeting_id)
            return meeting, await holders.claim_recorder(session, p.meeting_id, self.me)

        meeting, claimed = await self._tx(claim)
        if not claimed:
            return {"recording": True}  # some process records it already
        try:
            announce = await self._start_recorder(meeting)
        except BaseException:
            await self._tx(lambda s: holders.release_recorder(s, meeting.id, "failed_to_start", holder=self.me))
            raise
        await self.gateway.emit(events.MEETING_RECORDING, {"meeting_id": p.meeting_id, "recording": True, **announce},
                                room=rooms.room(p.meeting_id))
        return {"recording": True}

    async def _start_recorder(self, meeting: Any) -> dict:
        """This process's recorder for the meeting; what `meeting.recording` announces of it."""
        started, done = self._recording_rows(meeting)
        folder = recordings_folder(self.app[keys.SETTINGS].data_dir)
        if meeting.topology == Topology.mesh:
            recorder = self.recorders[meeting.id] = PeerRecorder(folder, self._recorder_signals(meeting.id), started,
                                                                 done)
            await self._open_inbox(meeting.id, recorder)
            return {"peer": m.RECORDER_REF}
        else:
            if self.http is None:
                raise Conflict("the video server is not configured", reason="janus_not_configured")
            janus = JanusRecorder(JanusSession(self.http, janus_url(self.app) or ""), meeting.janus_room,
                                  meeting.janus_pin, folder, started, done)
            try:
                await janus.session.create()
                await janus.start()
            except (JanusError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                await janus.stop()
                raise Conflict(f"the video server did not let the recorder in: {exc}", reason="janus_unavailable") \
                    from None
            self.recorders[meeting.id] = janus
            return {}

    async def _to_recorder(self, meeting_id: int, sender: str, message: dict) -> None:
        """A member's signal to the mesh recorder, here or on the process that records."""
        recorder = self.recorders.get(meeting_id)
        if isinstance(recorder, PeerRecorder):
            await recorder.handle(sender, message)
            return
        if recorder is None and await self._tx(lambda s: holders.recorder_of(s, meeting_id)) not in (None, self.me):
            await self.app[keys.PUBSUB].publish(recorder_inbox(meeting_id), {"from": sender, "message": message})
            return
        raise Conflict("nothing is being recorded peer to peer")

    async def _open_inbox(self, meeting_id: int, recorder: PeerRecorder) -> None:
        """Signals and departures of members on other processes reach this process's recorder."""
        sub = await self.app[keys.PUBSUB].subscribe(recorder_inbox(meeting_id))

        async def read() -> None:
            try:
                async for item in sub:
                    try:
                        if "left" in item:
                            await recorder.leave(str(item["left"]))
                        else:
                            await recorder.handle(str(item["from"]), dict(item["message"]))
                    except Exception:  # noqa: BLE001 - one bad signal must not deafen the recorder
                        log.exception("a relayed signal to the recorder of meeting %s failed", meeting_id)
            finally:
                await sub.close()

        self.inboxes[meeting_id] = asyncio.create_task(read(), name=f"recorder inbox {meeting_id}")

    async def _close_recorder(self, meeting_id: int) -> None:
        """This process's recorder of the meeting, if any, closes its files."""
        inbox = self.inboxes.pop(meeting_id, None)
        if inbox is not None:
            await stop_task(inbox)
        recorder = self.recorders.pop(meeting_id, None)
        if recorder is not None:
            await recorder.stop()

    def _recorder_signals(self, meeting_id: int) -> Any:
        async def send(to: str, message: dict) -> None:
            await self.gateway.emit(events.MEETING_SIGNALED, {**message, "meeting_id": meeting_id, "from": m.RECORDER_REF},
                                    room=rooms.member_room(meeting_id, to))

        return send

    def _recording_rows(self, meeting: Any) -> tuple[Any, Any]:
        """The recorder's callbacks: a row when a file starts, its size and state when it ends."""
        meeting_id = meeting.id

        async def started(subject: str, key: str) -> int:
            now = self.app[keys.CLOCK].now()

            async def add(session: AsyncSession) -> int:
                row = recording.add_recording(session, meeting, await membership.name_of(session, meeting_id, subject),
                                            key, now)
                await session.flush()
                return row.id

            return await self._tx(add)

        async def done(recording_id: int, ok: bool, size: int) -> None:
            now = self.app[keys.CLOCK].now()
            await self._tx(lambda s: recordings.finish(s, recording_id, ok=ok, size_bytes=size, now=now))

        return started, done

    async def _stop_recording(self, meeting_id: int, reason: str) -> None:
        """Whichever process records it: cleared in the database, announced once; a recorder of
        another process closes its files on that process's next round."""
        if await self._tx(lambda s: holders.release_recorder(s, meeting_id, reason)):
            await self._announce_stopped(meeting_id, reason)
        await self._close_recorder(meeting_id)

    async def _announce_stopped(self, meeting_id: int, reason: str) -> None:
        await self.gateway.emit(events.MEETING_RECORDING, {"meeting_id": meeting_id, "recording": False, "reason": reason},
                                room=rooms.room(meeting_id))

    async def _stop_if_unconsented(self, meeting_id: int) -> None:
        missing = await self._tx(lambda s: recording.without_consent(s, meeting_id))
        if missing:
            await self._stop_recording(meeting_id, "joined_without_consent")

    # -- what dead processes held, and what this one holds that is over ---------------------
    async def let_go(self) -> None:
        """One round (every HOLDERS_ROUND_SECONDS): members a dead process held leave the roster,
        a dead process's recording stops for `recorder_lost`; here, Janus sessions of members no
        longer held by this process and recorders another process stopped are closed."""
        ctx = self.context()
        # taken before reading: a session or recorder started meanwhile is not mistaken for a stale one
        janus_keys, recording_ids = list(self.janus), list(self.recorders)
        orphans: list[int] = []  # Janus sessions of members a dead process held

        async def work(session: AsyncSession) -> tuple[dict[int, list[int]], list[Notice], list[int], set, set]:
            lost = await holders.claim_lost_recorders(session, self.me, ctx.now)  # first: rosters say so
            dead: dict[int, list[int]] = {}
            for meeting_id, account_id, janus_session in await holders.claim_dead_members(session, self.me, ctx.now):
                dead.setdefault(meeting_id, []).append(account_id)
                if janus_session is not None:
                    orphans.append(janus_session)
            notices = [n for meeting_id, ids in dead.items() for n in await service.lost(session, meeting_id, ids, ctx)]
            # the rosters of meetings whose recording stopped say so too (the pages' record button)
            notices += [n for meeting_id in lost if meeting_id not in dead
                        for n in await service.lost(session, meeting_id, [], ctx)]
            here = await holders.held_here(session, self.me) if janus_keys else set()
            recording = await holders.recorders_held(session, recording_ids, self.me) if recording_ids else set()
            return dead, notices, lost, here, recording

        dead, notices, lost, here, recording = await self._tx(work)
        for meeting_id, account_ids in dead.items():
            await self._gone(meeting_id, account_ids)
        if orphans and self.http is not None:
            # their handles leave the Janus room now, not when Janus' session timeout runs out
            for janus_session in orphans:
                await JanusSession.existing(self.http, janus_url(self.app) or "", janus_session).destroy()
        await self._deliver(notices)
        for meeting_id in lost:
            log.warning("the recorder of meeting %s was lost with its process; the recording stopped", meeting_id)
            await self._announce_stopped(meeting_id, holders.RECORDER_LOST)
        for key in janus_keys:
            if key not in here:
                await self._drop_janus(*key)
        for meeting_id in recording_ids:
            if meeting_id not in recording:
                await self._close_recorder(meeting_id)

    # -- Janus ----------------------------------------------------------------------------
    async def janus_request(self, sid: str, peer: Peer, p: m.JanusRequest) -> dict:
        await self._check_in_room(sid, peer, p.meeting_id)
        if self.http is None:
            raise Conflict("the video server is not configured", reason="janus_not_configured")
        key = (p.meeting_id, peer.actor.known_id)
        async with self._janus_locks.setdefault(key, asyncio.Lock()):
            if p.request is None and p.candidate is None:
                raise InvalidInput("send a request or a candidate", field="request")
            request = None
            if p.request is not None:
                request = await self._tx(lambda s: self._checked(s, peer, p))
            member = await self._member_janus(p.meeting_id, peer.actor.known_id, sid)
            handle = member.handles.get(p.handle)
            if handle is None:
                if request is None:
                    raise InvalidInput("this handle has sent no request yet", field="handle")
                handle = member.handles[p.handle] = await member.session.attach()
        try:
            if p.candidate is not None:
                await member.session.trickle(handle, p.candidate or None)
                if request is None:
                    return {"ok": True}
            assert request is not None
            event = await member.session.message(handle, request, p.jsep)
        except JanusError as exc:
            raise Conflict(f"the video server refused: {exc.reason}", janus_code=exc.code) from None
        except (aiohttp.ClientError, asyncio.TimeoutError):
            raise Conflict("the video server (Janus) did not answer", reason="janus_unavailable") from None
        return {"handle": p.handle, "data": event.get("plugindata", {}).get("data", {}), "jsep": event.get("jsep")}

    async def _checked(self, session: AsyncSession, peer: Peer, p: m.JanusRequest) -> dict:
        meeting, member = await membership.check_present(session, peer.actor, p.meeting_id)
        return janus_requests.check_janus_request(meeting, member, p.request or {}, p.jsep)

    async def _member_janus(self, meeting_id: int, account_id: int, sid: str) -> MemberJanus:
        member = self.janus.get((meeting_id, account_id))
        if member is not None:
            return member
        assert self.http is not None

        async def on_event(event: dict) -> None:
            label = member.label_of(int(event.get("sender", 0))) if member else None
            if label is None or event.get("janus") not in ("event", "hangup", "webrtcup", "media"):
                return
            await self.gateway.emit(events.MEETING_JANUS_EVENT, {
                "meeting_id": meeting_id, "handle": label, "janus": event.get("janus"),
                "data": event.get("plugindata", {}).get("data", {}), "jsep": event.get("jsep")}, to=sid)

        session = JanusSession(self.http, janus_url(self.app) or "", on_event=on_event)
        try:
            await session.create()
        except (JanusError, aiohttp.ClientError, asyncio.TimeoutError):
            raise Conflict("the video server (Janus) did not answer", reason="janus_unavailable") from None
        member = self.janus[(meeting_id, account_id)] = MemberJanus(session)
        janus_id = session.id
        assert janus_id is not None
        await self._tx(lambda s: holders.keep_janus_session(s, meeting_id, account_id, janus_id))
        return member

    async def _drop_janus(self, meeting_id: int, account_id: int) -> None:
        member = self.janus.pop((meeting_id, account_id), None)
        self._janus_locks.pop((meeting_id, account_id), None)
        if member is not None:
            await member.session.destroy()  # Janus takes its handles out of the room


MEETINGS = web.AppKey("meetings", MeetingsRealtime)


def install(app: web.Application, gateway: Gateway) -> MeetingsRealtime:
    realtime = MeetingsRealtime(app, gateway)
    gateway.handlers.update(realtime.handlers())
    gateway.disconnect_hooks.append(realtime.disconnected)
    app.cleanup_ctx.append(realtime.lifetime)
    app.cleanup_ctx.append(periodic("letting go of what dead processes held in meetings", HOLDERS_ROUND_SECONDS,
                                    lambda app: app[MEETINGS].let_go()))
    app[MEETINGS] = realtime
    return realtime
