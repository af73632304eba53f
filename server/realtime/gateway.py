"""The socket.io gateway: authenticate connections, validate every inbound payload against
signaling/, call a consultation service, then deliver the Notices it returns.

One table (HANDLERS) maps each event to its payload type and handler; a bad payload, a
refused action or an unexpected error becomes an error ack, never a dropped connection.
Packets reach it already read and rate-limited (relay.py, inbound.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable, Sequence

import socketio
from aiohttp import web
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import sessions
from server.accounts.actor import Actor
from server.applications import jobs as application_jobs
from server import notify
from server.consultations import guests, jobs, queue, service
from server.consultations.rules import Rules
from server.dashboard import service as dashboard
from server.db import database_unreachable
from server.errors import FayuanError, InvalidInput, PermissionDenied
from server.hours import service as hours
from server.logs import context as log_context
from server.presence import service as presence
from server.realtime import relay
from server.realtime.fanout import FanOutUnavailable
from server.ice import ice_servers
from server.realtime.queues import QueueNotices
from server.web import keys
from signaling import PROTOCOL_VERSION, SESSION_COOKIE, events, payloads

log = logging.getLogger(__name__)
NAMESPACE = "/"


@dataclass(slots=True)
class Peer:
    actor: Actor
    used: bool = False  # sent an event since the last liveness round (realtime/liveness.py)


class Gateway(socketio.AsyncNamespace):
    def __init__(self, app: web.Application, rules: Rules) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        self.rules = rules
        self.peers: dict[str, Peer] = {}
        self.process_id = app[keys.PROCESS_ID]
        self.queues = QueueNotices(self)
        self.events_counted = app[keys.METRICS].socket_events
        # its children by (event, outcome): event names of the table and error codes, a few dozen
        self.counted: dict[tuple[str, str], Any] = {}
        self.sweep_seconds = app[keys.METRICS].sweep_duration
        # called with (sid, peer) for every dropped socket: other domains' rooms (meetings)
        self.disconnect_hooks: list[Callable[[str, Peer], Awaitable[None]]] = []
        # called with (consultation_id, reason) after each consultation.ended push (recording stops)
        self.ended_hooks: list[Callable[[int, str], Awaitable[None]]] = []
        # what a consultation's guest may send besides rtc.signal (realtime/consultation_guests.py):
        # the call's own events, nothing of the service's other rooms, queues or records
        self.guest_events: set[str] = set()
        self.handlers: dict[str, tuple[type[BaseModel], Callable[..., Awaitable[Any]]]] = {
            events.CONSULT_START: (payloads.ConsultStart, self._start),
            events.CONSULT_CANCEL: (payloads.ConsultRef, self._cancel),
            events.CONSULT_KEEP_WAITING: (payloads.ConsultRef, self._keep_waiting),
            events.CONSULT_ANY_LAWYER: (payloads.ConsultRef, self._any_lawyer),
            events.CONSULT_RESUME: (payloads.Resume, self._resume),
            events.CONSULT_HANGUP: (payloads.ConsultRef, self._hangup),
            events.CONSULT_RATE: (payloads.Rate, self._rate),
            events.CONSULT_NOTE: (payloads.Note, self._note),
            events.CONSULT_TRANSFER: (payloads.Transfer, self._transfer),
            events.QUEUE_WATCH: (payloads.Empty, self._watch),
            events.QUEUE_TAKE: (payloads.QueueTake, self._take),
            events.DUTY_SET: (payloads.Availability, self._availability),
            events.DASHBOARD_WATCH: (payloads.Empty, self._watch_dashboard),
        }

    # -- connection ---------------------------------------------------------------------
    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        actor = await self._authenticate(environ, auth)
        # python-socketio keeps the handshake's environ (every header) as long as the socket
        # lives; nothing reads it after this: 1.5 KB a connection
        environ.clear()
        if actor is None:
            # reaches the client as connect_error {"message", "data": {"code"}}
            raise socketio.exceptions.ConnectionRefusedError(
                "log in, or configure the kiosk with its device token", {"code": "unauthenticated"})
        async with self.app[keys.DB].sessions() as session:
            await presence.connected(session, self.process_id, sid, actor.ref)
            await session.commit()
        self.peers[sid] = Peer(actor)
        own = {"device": notify.kiosk, "guest": notify.guest}.get(actor.kind, notify.account)(actor.known_id)
        await self.enter_room(sid, own)
        await self.emit(events.HELLO, {"protocol": PROTOCOL_VERSION, "role": actor.role, "name": actor.name,
                                  "unit_id": actor.unit_id, "id": actor.id, "kind": actor.kind}, to=sid)

    async def _authenticate(self, environ: dict, auth: Any) -> Actor | None:
        now = self.app[keys.CLOCK].now()
        token = auth.get("token") if isinstance(auth, dict) and isinstance(auth.get("token"), str) else None
        guest = auth.get("guest") if isinstance(auth, dict) and isinstance(auth.get("guest"), str) else None
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session_token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
        async with self.app[keys.DB].sessions() as db:
            if token:
                return await sessions.resolve_device(db, token, now)
            if guest:
                return await guests.resolve(db, guest, now)
            if session_token:
                return await sessions.resolve_session(db, session_token, now)
        return None

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        peer = self.peers.pop(sid, None)
        if peer is None:
            return
        for hook in self.disconnect_hooks:
            await hook(sid, peer)

        async def gone(session: AsyncSession, ctx: service.Context) -> list[notify.Push]:
            await presence.disconnected(session, self.process_id, sid)
            # away only from the rooms no other live connection of the side is in, on any process
            # (a kiosk that came back through another process; another tab does not count)
            active = [c.id for c in await service.active_for(session, peer.actor)]
            held = await presence.rooms_held(session, peer.actor.ref, active, self.process_id, ctx.now)
            return await service.went_away(session, peer.actor, ctx, still_in=held)

        try:
            await self._run(peer, gone)
        except Exception:  # noqa: BLE001 - a failed bookkeeping write must not break disconnects
            log.exception("recording a disconnect failed")

    # -- dispatch -----------------------------------------------------------------------
    async def trigger_event(self, event: str, sid: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, sid, *args)
        if event == events.RTC_SIGNAL:  # relay.py hands it to `signal` directly; this is the stock way there
            return await self.signal(sid, args[0] if args else None)
        ack = await self._dispatch(event, sid, *args)
        self._count(event if event in self.handlers else "unknown", ack)
        return ack

    async def signal(self, sid: str, data: Any) -> Any:
        """rtc.signal, the hot path (relay.py calls it inline, straight from the packet): no log
        context, it logs only on failure; its ack, counted like every event's."""
        peer = self.peers.get(sid)
        if peer is None:
            ack = payloads.error_ack("unauthenticated", "connect again")
        else:
            peer.used = True
            try:
                ack = await self._relay(sid, peer, data)
            except Exception:  # noqa: BLE001 - it runs inline (relay.py): never break the connection
                log.exception("relaying a signal failed")
                ack = payloads.error_ack("internal", "something went wrong on the server; it has been logged")
        self._count(events.RTC_SIGNAL, ack)
        return ack

    def _count(self, event: str, ack: Any) -> None:
        """One increment by (event, outcome); `event` is a name of the table or "unknown" (a
        client may send any string)."""
        error = ack.get("error") if isinstance(ack, dict) else None
        key = (event, error["code"] if error else "ok")
        counter = self.counted.get(key)
        if counter is None:  # labels() checks and locks on every call: a few µs a relayed signal
            counter = self.counted[key] = self.events_counted.labels(*key)
        counter.inc()

    async def _dispatch(self, event: str, sid: str, *args: Any) -> Any:
        peer = self.peers.get(sid)
        if peer is None:
            return payloads.error_ack("unauthenticated", "connect again")
        peer.used = True
        data = args[0] if args else None
        log_context.start(None, peer.actor.ref)
        if isinstance(data, dict):
            log_context.note_ids(data)
        entry = self.handlers.get(event)
        if entry is None:
            return payloads.error_ack("unknown_event", f"there is no event {event[:60]!r}")
        if peer.actor.kind == "guest" and event not in self.guest_events:
            return payloads.error_ack("forbidden", "a guest takes part in the call only")
        model, handler = entry
        try:
            payload = model.model_validate(data if data is not None else {})
            return await handler(sid, peer, payload)
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_context=False, include_input=False)[0]
            where = ".".join(str(p) for p in err["loc"]) or "payload"
            return payloads.error_ack("invalid", f"{where}: {err['msg']}", field=where)
        except FayuanError as exc:
            return exc.to_json()
        except Exception as exc:  # noqa: BLE001 - one bad event must not take the connection down
            if database_unreachable(exc):
                log.warning("database unreachable for %s (%s)", event, type(exc).__name__)
                return payloads.error_ack("unavailable", "the database is not answering; try again in a moment")
            log.exception("handler for %s failed", event)
            return payloads.error_ack("internal", "something went wrong on the server; it has been logged")

    async def _relay(self, sid: str, peer: Peer, data: Any) -> Any:
        """The hot path (relay.py): validate, check room membership in memory, forward to the others."""
        try:
            out = relay.check_signal(data)
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_context=False, include_input=False)[0]
            return payloads.error_ack("invalid", f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}")
        cid, to = out["consultation_id"], out.pop("to", None)
        # to one member of the call (its room is joined by members only), from a member; else to the other side
        mine = notify.call_member(cid, peer.actor.ref) if to else notify.consultation(cid)
        room = notify.call_member(cid, to) if to else mine
        rooms = self.server.manager.rooms.get(NAMESPACE, {})
        members = rooms.get(room)
        if sid not in rooms.get(mine, ()):
            return payloads.error_ack("forbidden", "you are not in this consultation's room")
        out["from"] = peer.actor.kind
        if to:
            out["from_ref"] = peer.actor.ref
        try:
            await self.server.relay(events.RTC_RELAYED, out, room=room, skip_sid=sid)
        except FanOutUnavailable:
            if not any(member != sid for member in members or ()):  # the other side is on another process, out of reach now
                return payloads.error_ack("unavailable", "the other side cannot be reached right now; send it again")
        return {"ok": True}

    # -- helpers ------------------------------------------------------------------------
    async def context(self, session: AsyncSession) -> service.Context:
        settings = self.app[keys.SETTINGS]
        return service.Context(now=self.app[keys.CLOCK].now(), tz=settings.timezone,
                               schedule=await hours.load_schedule(session, settings.timezone), rules=self.rules)

    async def transaction(self, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """`work` in one transaction of its own, committed; its result."""
        async with self.app[keys.DB].sessions() as session:
            result = await work(session)
            await session.commit()
        return result

    async def _run(self, peer: Peer | None, work: Callable[[AsyncSession, service.Context], Awaitable[Any]],
                   *, joiner: str | None = None, grouped: bool = False) -> Any:
        """One transaction per event, or with `grouped` one shared with others (a start, a take:
        server/group_commit.py); Notices go out only after it commits. The sid `joiner`
        enters the consultation's room first, so that whatever a notice prompts the other side
        to send (an offer) already finds it there."""
        async def transaction(session: AsyncSession) -> Any:
            result = await work(session, await self.context(session))
            if joiner is not None:
                await presence.joined(session, self.process_id, joiner, result.consultation.id)
            return result

        if grouped:
            result = await self.app[keys.GROUP_COMMIT].run(transaction)
        else:
            async with self.app[keys.DB].sessions() as session:
                result = await transaction(session)
                await session.commit()
        room = None
        if joiner is not None:
            assert peer is not None
            room = notify.consultation(result.consultation.id)
            await self.enter_room(joiner, room)
            await self.enter_room(joiner, notify.call_member(result.consultation.id, peer.actor.ref))
        if isinstance(result, service.Outcome):
            notices = result.notices
        else:
            notices = result[1] if isinstance(result, tuple) else result
        # what the room is told about the joiner (peer.back) is for the others only
        await self.deliver(notices, skip=(room, [joiner] if joiner else []))
        return result

    async def deliver(self, pushes: Sequence[notify.Push], skip: tuple[str | None, Sequence[str]] = (None, [])) -> None:
        """The one delivery path for what services return (app[keys.DELIVER]: socket handlers,
        HTTP views and jobs alike), after their commit: notices in order; a changed queue goes to
        QueueNotices (realtime/queues.py). A push that fails is logged: the change is saved, and a
        screen that missed it catches up on resume or reload."""
        self.queues.changed(p.unit_id for p in pushes if isinstance(p, notify.QueueChanged))
        for n in pushes:
            if isinstance(n, notify.QueueChanged):
                continue
            data = n.data
            if n.event == events.CONSULT_TAKEN:
                # wall time, not the domain clock: coturn checks the expiry against its own clock
                data = {**data, "ice_servers": ice_servers(self.app[keys.SETTINGS], n.to,
                                                           self.app[keys.WALL_CLOCK].now())}
            await self._push(n.event, data, n.to, skip[1] if n.to == skip[0] else None)
            if n.event == events.CONSULT_ENDED:
                for hook in self.ended_hooks:
                    await hook(n.data["consultation_id"], n.data.get("reason", ""))
                if n.data.get("reason") == "transferred":
                    taker = n.data.get("taker_account_id")
                    for sid, p in list(self.peers.items()):
                        if p.actor.kind == "account" and p.actor.id == taker:
                            await self.leave_room(sid, n.to)
                            await self.leave_room(sid, notify.call_member(n.data["consultation_id"], p.actor.ref))
                else:
                    await self.close_room(n.to)
        for event, data in dashboard.echoes(pushes):
            await self._push(event, data, notify.DASHBOARD)

    async def _push(self, event: str, data: Any, room: str, skip_sid: Any = None) -> None:
        try:
            await self.emit(event, data, room=room, skip_sid=skip_sid)
        except FanOutUnavailable:
            pass  # delivered here; the other processes get it when Redis answers (realtime/fanout.py)
        except Exception:  # noqa: BLE001 - saved already; see deliver
            log.exception("could not push %s to %s", event, room)

    def ice_servers(self, actor: Actor) -> list[dict]:
        # wall time, not the domain clock: coturn checks the expiry against its own clock
        return ice_servers(self.app[keys.SETTINGS], actor.ref, self.app[keys.WALL_CLOCK].now())

    # -- handlers -----------------------------------------------------------------------
    async def _start(self, sid: str, peer: Peer, p: payloads.ConsultStart) -> dict:
        out = await self._run(peer, lambda s, ctx: service.start(s, peer.actor, p, ctx), joiner=sid, grouped=True)
        return {"consultation": service.public(out.consultation), "resume_token": out.resume_token}

    async def _cancel(self, sid: str, peer: Peer, p: payloads.ConsultRef) -> dict:
        out = await self._run(peer, lambda s, ctx: service.cancel(s, peer.actor, p.consultation_id, ctx))
        await self.close_room(notify.consultation(p.consultation_id))
        return {"consultation": service.public(out.consultation)}

    async def _keep_waiting(self, sid: str, peer: Peer, p: payloads.ConsultRef) -> dict:
        out = await self._run(peer, lambda s, ctx: service.keep_waiting(s, peer.actor, p.consultation_id, ctx))
        return {"consultation": service.public(out.consultation)}

    async def _any_lawyer(self, sid: str, peer: Peer, p: payloads.ConsultRef) -> dict:
        out = await self._run(peer, lambda s, ctx: service.choose_any_lawyer(s, peer.actor, p.consultation_id, ctx))
        return {"consultation": service.public(out.consultation)}

    async def _hangup(self, sid: str, peer: Peer, p: payloads.ConsultRef) -> dict:
        out = await self._run(peer, lambda s, ctx: service.hangup(s, peer.actor, p.consultation_id, ctx))
        await self.close_room(notify.consultation(p.consultation_id))
        return {"consultation": service.public(out.consultation)}

    async def _rate(self, sid: str, peer: Peer, p: payloads.Rate) -> dict:
        out = await self._run(peer, lambda s, ctx: service.rate(s, peer.actor, p, ctx))
        return {"consultation": service.public(out.consultation)}

    async def _note(self, sid: str, peer: Peer, p: payloads.Note) -> dict:
        out = await self._run(peer, lambda s, ctx: service.note(s, peer.actor, p, ctx))
        return {"consultation": service.public(out.consultation)}

    async def _transfer(self, sid: str, peer: Peer, p: payloads.Transfer) -> dict:
        out = await self._run(peer, lambda s, ctx: service.transfer(s, peer.actor, p, ctx))
        return {"consultation": service.public(out.consultation)}

    async def _watch(self, sid: str, peer: Peer, p: payloads.Empty) -> dict:
        if peer.actor.kind != "account":
            raise InvalidInput("kiosks do not watch queues")

        async def snapshot(session: AsyncSession, ctx: service.Context) -> list[dict]:
            units = await queue.watched_units(session, peer.actor)
            return [{"unit_id": u, "entries": [queue.entry(c, ctx.now) for c in await queue.waiting(session, u)]}
                    for u in units]

        async with self.app[keys.DB].sessions() as session:
            queues = await snapshot(session, await self.context(session))
        if not queues:
            raise PermissionDenied("your role has no queue to watch")
        for q in queues:
            await self.enter_room(sid, notify.queue(q["unit_id"]))
        return {"queues": queues}

    async def _watch_dashboard(self, sid: str, peer: Peer, p: payloads.Empty) -> dict:
        """The wall display hears every queue's queue.changed and, in its own room, the pushes
        that change a figure without changing a queue (dashboard.ECHOED); it reads the figures
        over HTTP. Watch again after every reconnect."""
        async with self.app[keys.DB].sessions() as session:
            units = await dashboard.queue_units(session, peer.actor)
        for room in [notify.queue(u) for u in units] + [notify.DASHBOARD]:
            await self.enter_room(sid, room)
        return {"queues": units}

    async def _take(self, sid: str, peer: Peer, p: payloads.QueueTake) -> dict:
        out = await self._run(peer, lambda s, ctx: service.take(s, peer.actor, p.consultation_id, ctx), joiner=sid,
                              grouped=True)
        room = notify.consultation(out.consultation.id)
        return {"consultation": service.public(out.consultation), "room": room,
                "resume_token": out.resume_token, "ice_servers": self.ice_servers(peer.actor)}

    async def _availability(self, sid: str, peer: Peer, p: payloads.Availability) -> dict:
        on_duty, _ = await self._run(peer, lambda s, ctx: service.set_available(s, peer.actor, p.available, ctx))
        return {"available": p.available, "on_duty": on_duty}

    async def _resume(self, sid: str, peer: Peer, p: payloads.Resume) -> dict:
        out = await self._run(peer, lambda s, ctx: service.resume(s, peer.actor, p.resume_token, ctx), joiner=sid)
        room = notify.consultation(out.consultation.id)
        async with self.app[keys.DB].sessions() as session:
            # who else is in the call, as the last consultation.guests push said (a reloaded page missed it)
            roster = await guests.roster(session, out.consultation, self.app[keys.CLOCK].now())
        return {"consultation": service.public(out.consultation), "state": out.consultation.state, "room": room,
                "ice_servers": self.ice_servers(peer.actor), "guests": roster}

    # -- the sweep ----------------------------------------------------------------------
    async def sweep(self) -> list[notify.Push]:
        with self.sweep_seconds.time():
            async with self.app[keys.DB].sessions() as session:
                ctx = await self.context(session)
                notices: list[notify.Push] = []
                # the sides a dead process held in rooms are away, unless they are back elsewhere
                held = await presence.claim_dead(session, self.process_id, ctx.now)
                for ref, cid in held:
                    if ref.startswith("guest:"):  # a guest's session holds: they may join again
                        notices += await guests.dropped(session, int(ref.split(":", 1)[1]), ctx.now)
                    elif not await presence.rooms_held(session, ref, [cid], self.process_id, ctx.now):
                        notices += await service.side_gone(session, cid, ref, ctx)
                if held:
                    log.info("a dead process held %d side(s) in consultations: those not back are away", len(held))
                notices += await jobs.sweep(session, ctx)
                notices += await application_jobs.sweep(session, ctx.now, self.app[keys.SETTINGS].timezone,
                                                         self.app[keys.APPLICATION_SETTINGS])
                await session.commit()
            await self.deliver(notices)
        return notices
