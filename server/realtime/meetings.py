"""Meetings over socket.io: the `meeting.*` handlers added to the gateway's table, the Janus
relay, and the recorder.

- Mesh (≤ 4 people): `meeting.signal` is relayed only to the one named member present in the
  same meeting (room `meeting:<id>/<ref>`); the sender must be present itself.
- Janus: clients never talk to Janus. Each `meeting.janus` request is checked against the
  member's role (service.check_janus_request: our room and pin filled in, publishing only for
  presenters) and sent with a Janus session and handles the server keeps per member; Janus'
  events for those handles come back as `meeting.janus_event`. The room secret and pin never
  leave the server, so nobody joins the Janus room except through us.
- Recording: the host's `meeting.record` starts a PeerRecorder (mesh) or a JanusRecorder once
  everyone present has consented; a withdrawal, or someone joining without consent, stops it.
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
from server.meetings import service
from server.meetings.janus import JanusError, JanusRooms, JanusSession
from server.meetings.janus_recorder import JanusRecorder
from server.meetings.state import Topology
from server.recordings import service as recordings
from server.recordings.recorder import PeerRecorder, recordings_folder
from server.realtime.gateway import Gateway, Peer
from server.web import keys
from signaling import events
from signaling import meetings as m

log = logging.getLogger(__name__)


def janus_url(app: web.Application) -> str | None:
    return app[keys.SETTINGS].extra.get("FAYUAN_JANUS_URL") or None


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
        self.sids: dict[tuple[int, int], str] = {}  # (meeting, account) → the socket in the room
        self.recorders: dict[int, PeerRecorder | JanusRecorder] = {}
        self._janus_locks: dict[tuple[int, int], asyncio.Lock] = {}

    # -- plumbing ---------------------------------------------------------------------
    def handlers(self) -> dict[str, tuple[type, Any]]:
        return {events.MEETING_JOIN: (m.MeetingRef, self.join), events.MEETING_LEAVE: (m.MeetingRef, self.leave),
                events.MEETING_SIGNAL: (m.MeetingSignal, self.signal), events.MEETING_STATE: (m.MeetingState, self.state),
                events.MEETING_CONTROL: (m.Control, self.control), events.MEETING_CONSENT: (m.Consent, self.consent),
                events.MEETING_RECORD: (m.Record, self.record), events.MEETING_JANUS: (m.JanusRequest, self.janus_request)}

    def context(self) -> service.Context:
        return service.Context(now=self.app[keys.CLOCK].now(), janus=janus_url(self.app) is not None)

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

    def _recording(self, meeting_id: int) -> bool:
        return meeting_id in self.recorders

    # -- joining and leaving ----------------------------------------------------------
    async def join(self, sid: str, peer: Peer, p: m.MeetingRef) -> dict:
        ctx = self.context()

        async def work(session: AsyncSession) -> tuple[service.Outcome, dict]:
            out = await service.join(session, peer.actor, p.meeting_id, ctx)
            return out, await service.roster(session, out.meeting, self._recording(p.meeting_id))

        out, roster = await self._tx(work)
        if not out.lobby and out.meeting.topology == Topology.janus:
            # over HTTP, so after the commit rather than with the meeting row locked; every join
            # makes sure of it, so a Janus that lost the room (a restart) gets it back
            try:
                await self._ensure_janus_room(out.meeting)
            except Conflict:
                left = await self._tx(lambda s: service.leave(s, peer.actor, p.meeting_id, ctx))
                await self._deliver(left.notices)
                raise
        meeting = service.public(out.meeting)
        if out.lobby:
            await self._deliver(out.notices)
            return {"lobby": True, "meeting": meeting}
        self.sids[(p.meeting_id, peer.actor.id)] = sid
        await self.gateway.enter_room(sid, service.room(p.meeting_id))
        await self.gateway.enter_room(sid, service.member_room(p.meeting_id, peer.actor.ref))
        for n in out.notices:
            if n.event == events.MEETING_ROSTER:
                n.data["recording"] = self._recording(p.meeting_id)
        await self._deliver(out.notices)
        if self._recording(p.meeting_id):
            await self._stop_if_unconsented(p.meeting_id)
        assert out.member is not None
        return {"lobby": False, "meeting": meeting, "me": service.member_public(out.member), "roster": roster,
                "topology": out.meeting.topology, "ice_servers": self.gateway._ice(peer.actor),
                "consent_text_version": m.CONSENT_TEXT_VERSION}

    async def _ensure_janus_room(self, meeting: Any) -> None:
        if self.rooms is None:
            raise Conflict("the video server is not configured", reason="janus_not_configured")
        try:
            await self.rooms.ensure(meeting.janus_room, secret=meeting.janus_secret, pin=meeting.janus_pin,
                                    description=f"meeting {meeting.id}", publishers=service.JANUS_MAX_PUBLISHERS)
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
        """Sockets, Janus sessions and recorder peers of people who left the room."""
        for account_id in account_ids:
            sid = self.sids.pop((meeting_id, account_id), None)
            if sid is not None:
                await self.gateway.leave_room(sid, service.room(meeting_id))
                await self.gateway.leave_room(sid, service.member_room(meeting_id, f"account:{account_id}"))
            await self._drop_janus(meeting_id, account_id)
            recorder = self.recorders.get(meeting_id)
            if recorder is not None:
                await recorder.leave(f"account:{account_id}")

    async def disconnected(self, sid: str, peer: Peer) -> None:
        """A socket in a room dropped: that person left the room (attendance closes)."""
        ctx = self.context()
        for (meeting_id, account_id), room_sid in list(self.sids.items()):
            if room_sid != sid:
                continue
            try:
                out = await self._tx(lambda s, mid=meeting_id: service.leave(s, peer.actor, mid, ctx))
                await self._gone(meeting_id, [account_id])
                await self._deliver(out.notices)
            except Exception:  # noqa: BLE001 - a failed bookkeeping write must not break disconnects
                log.exception("leaving meeting %s on disconnect failed", meeting_id)

    # -- in the room --------------------------------------------------------------------
    def _check_in_room(self, sid: str, peer: Peer, meeting_id: int) -> None:
        if self.sids.get((meeting_id, peer.actor.id)) != sid:
            raise PermissionDenied("join the meeting first")

    async def signal(self, sid: str, peer: Peer, p: m.MeetingSignal) -> dict:
        self._check_in_room(sid, peer, p.meeting_id)
        message = p.model_dump(exclude_none=True, exclude={"to", "meeting_id"})
        if p.to == m.RECORDER_REF:
            recorder = self.recorders.get(p.meeting_id)
            if not isinstance(recorder, PeerRecorder):
                raise Conflict("nothing is being recorded peer to peer")
            await recorder.handle(peer.actor.ref, message)
            return {"ok": True}
        to_account = int(p.to.split(":", 1)[1])
        if (p.meeting_id, to_account) not in self.sids:
            raise Conflict("that person is not in the room")
        await self.gateway.emit(events.MEETING_SIGNALED, {**message, "meeting_id": p.meeting_id, "from": peer.actor.ref},
                                room=service.member_room(p.meeting_id, p.to))
        return {"ok": True}

    async def state(self, sid: str, peer: Peer, p: m.MeetingState) -> dict:
        out = await self._tx(lambda s: service.set_state(s, peer.actor, p.meeting_id, muted=p.muted,
                                                         camera_off=p.camera_off, hand_raised=p.hand_raised,
                                                         sharing=p.sharing))
        await self._deliver(self._with_recording(out.notices, p.meeting_id))
        assert out.member is not None
        return {"me": service.member_public(out.member)}

    def _with_recording(self, notices: list[Notice], meeting_id: int) -> list[Notice]:
        for n in notices:
            if n.event == events.MEETING_ROSTER:
                n.data["recording"] = self._recording(meeting_id)
        return notices

    async def control(self, sid: str, peer: Peer, p: m.Control) -> dict:
        ctx = self.context()
        out = await self._tx(lambda s: service.control(s, peer.actor, p.meeting_id, p.action, p.account_id, ctx))
        await self._deliver(self._with_recording(out.notices, p.meeting_id))
        if p.action == "end":
            await self._stop_recording(p.meeting_id, "ended")
            await self._gone(p.meeting_id, out.left)
            await self.gateway.close_room(service.room(p.meeting_id))
            credentials = await self._tx(lambda s: service.janus_credentials(s, p.meeting_id))
            if credentials is not None and self.rooms is not None:
                with contextlib.suppress(JanusError, aiohttp.ClientError, asyncio.TimeoutError):
                    await self.rooms.destroy(credentials[0], secret=credentials[1])
        elif out.left:
            await self._gone(p.meeting_id, out.left)
        return {"meeting": service.public(out.meeting)}

    # -- recording ----------------------------------------------------------------------
    async def consent(self, sid: str, peer: Peer, p: m.Consent) -> dict:
        ctx = self.context()
        withdrawn = await self._tx(lambda s: service.consent(s, peer.actor, p.meeting_id, p.consent, p.text_version,
                                                             ctx))
        if withdrawn and self._recording(p.meeting_id):
            await self._stop_recording(p.meeting_id, "consent_withdrawn")
        return {"consent": p.consent, "text_version": p.text_version}

    async def record(self, sid: str, peer: Peer, p: m.Record) -> dict:
        if not p.on:
            await self._tx(lambda s: service.check_present(s, peer.actor, p.meeting_id))
            await self._stop_recording(p.meeting_id, "stopped")
            return {"recording": False}
        meeting = await self._tx(lambda s: service.check_may_record(s, peer.actor, p.meeting_id))
        if self._recording(p.meeting_id):
            return {"recording": True}
        started, done = self._recording_rows(meeting)
        folder = recordings_folder(self.app[keys.SETTINGS].data_dir)
        if meeting.topology == Topology.mesh:
            self.recorders[p.meeting_id] = PeerRecorder(folder, self._recorder_signals(meeting.id), started, done)
            announce = {"peer": m.RECORDER_REF}
        else:
            if self.http is None:
                raise Conflict("the video server is not configured", reason="janus_not_configured")
            recorder = JanusRecorder(JanusSession(self.http, janus_url(self.app) or ""), meeting.janus_room,
                                     meeting.janus_pin, folder, started, done)
            try:
                await recorder.session.create()
                await recorder.start()
            except (JanusError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                await recorder.stop()
                raise Conflict(f"the video server did not let the recorder in: {exc}", reason="janus_unavailable") \
                    from None
            self.recorders[p.meeting_id] = recorder
            announce = {}
        await self.gateway.emit(events.MEETING_RECORDING, {"meeting_id": p.meeting_id, "recording": True, **announce},
                                room=service.room(p.meeting_id))
        return {"recording": True}

    def _recorder_signals(self, meeting_id: int) -> Any:
        async def send(to: str, message: dict) -> None:
            await self.gateway.emit(events.MEETING_SIGNALED, {**message, "meeting_id": meeting_id, "from": m.RECORDER_REF},
                                    room=service.member_room(meeting_id, to))

        return send

    def _recording_rows(self, meeting: Any) -> tuple[Any, Any]:
        """The recorder's callbacks: a row when a file starts, its size and state when it ends."""
        meeting_id = meeting.id

        async def started(subject: str, key: str) -> int:
            now = self.app[keys.CLOCK].now()

            async def add(session: AsyncSession) -> int:
                row = service.add_recording(session, meeting, await service.name_of(session, meeting_id, subject),
                                            key, now)
                await session.flush()
                return row.id

            return await self._tx(add)

        async def done(recording_id: int, ok: bool, size: int) -> None:
            now = self.app[keys.CLOCK].now()
            await self._tx(lambda s: recordings.finish(s, recording_id, ok=ok, size_bytes=size, now=now))

        return started, done

    async def _stop_recording(self, meeting_id: int, reason: str) -> None:
        recorder = self.recorders.pop(meeting_id, None)
        if recorder is None:
            return
        await self.gateway.emit(events.MEETING_RECORDING, {"meeting_id": meeting_id, "recording": False, "reason": reason},
                                room=service.room(meeting_id))
        await recorder.stop()

    async def _stop_if_unconsented(self, meeting_id: int) -> None:
        missing = await self._tx(lambda s: service.without_consent(s, meeting_id))
        if missing:
            await self._stop_recording(meeting_id, "joined_without_consent")

    # -- Janus ----------------------------------------------------------------------------
    async def janus_request(self, sid: str, peer: Peer, p: m.JanusRequest) -> dict:
        self._check_in_room(sid, peer, p.meeting_id)
        if self.http is None:
            raise Conflict("the video server is not configured", reason="janus_not_configured")
        key = (p.meeting_id, peer.actor.id)
        async with self._janus_locks.setdefault(key, asyncio.Lock()):
            if p.request is None and p.candidate is None:
                raise InvalidInput("send a request or a candidate", field="request")
            request = None
            if p.request is not None:
                request = await self._tx(lambda s: self._checked(s, peer, p))
            member = await self._member_janus(p.meeting_id, peer.actor.id, sid)
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
        meeting, member = await service.check_present(session, peer.actor, p.meeting_id)
        return service.check_janus_request(meeting, member, p.request or {}, p.jsep)

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
    app[MEETINGS] = realtime
    return realtime
