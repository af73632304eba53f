"""A consultation's guests over socket.io (docs/protocol.md, "Guests in a consultation"):
`consultation.guest_join` and `consultation.guest_leave` join the gateway's handler table, and
they and `rtc.signal`, `consultation.consent` and `consultation.recorder_signal` are all a
guest's socket may send (Gateway.guest_events).

A guest in the call is in room `call:<id>:guests` (the roster, the end, the recording status,
peer.away/back) and `call:<id>:guest:<n>` (signals addressed to them); the kiosk and the taker
are in `call:<id>:<their ref>` from their start, take or resume (gateway._run). The call is a
mesh: whoever joins offers to each member already there (the join's ack lists them) with
`rtc.signal` {to}; the others answer. Invitations and removals are HTTP (consultations/views.py).
When the consultation ends or is transferred, every guest hears `consultation.ended` and their
session ends (liveness.py disconnects them within its round).
"""
from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server import notify
from server.consultations import guests, recording
from server.presence import service as presence
from server.realtime.consultation_recording import CONSULTATION_RECORDING, status
from server.realtime.gateway import Gateway, Peer
from server.web import keys
from signaling import events, payloads

log = logging.getLogger(__name__)


class ConsultationGuests:
    def __init__(self, app: web.Application, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    def handlers(self) -> dict[str, tuple[type, Any]]:
        return {events.CONSULT_GUEST_JOIN: (payloads.GuestJoin, self.join),
                events.CONSULT_GUEST_LEAVE: (payloads.ConsultRef, self.leave)}

    def _now(self) -> Any:
        return self.app[keys.CLOCK].now()

    async def join(self, sid: str, peer: Peer, p: payloads.GuestJoin) -> dict:
        now = self._now()

        async def work(session: AsyncSession) -> tuple[Any, list[dict], list[notify.Push], dict]:
            g, c, notices = await guests.join(session, peer.actor, p.consultation_id, consent=p.consent,
                                              text_version=p.text_version, now=now)
            # a dead process's guests leave the call (gateway.sweep), as its kiosks and takers go away
            await presence.joined(session, self.gateway.process_id, sid, c.id)
            others = await guests.members(session, c)
            present = [public for public in (await guests.roster(session, c, now))["guests"]
                       if public["state"] == "present" and public["id"] != g.id]
            state = await recording.state_of(session, c)
            told = status(c.id, state, await recording.waiting_for(session, c) if state != "off" else [])
            return g, others + [{"ref": x["ref"], "role": "guest", "name": x["name"], "kind": x["kind"]}
                                for x in present], notices, told

        g, members, notices, recording_status = await self.gateway.transaction(work)
        cid = p.consultation_id
        await self.gateway.enter_room(sid, notify.call_guests(cid))
        await self.gateway.enter_room(sid, notify.call_member(cid, peer.actor.ref))
        await self.gateway.deliver(notices)
        return {"guest": guests.public(g), "members": members, "ice_servers": self.gateway.ice_servers(peer.actor),
                "recording": recording_status}

    async def leave(self, sid: str, peer: Peer, p: payloads.ConsultRef) -> dict:
        now = self._now()
        g, notices = await self.gateway.transaction(lambda s: guests.leave(s, peer.actor, p.consultation_id, now))
        await self._out_of_call(p.consultation_id, peer.actor.ref)
        await self.gateway.deliver(notices)
        return {"guest": guests.public(g)}

    async def _out_of_call(self, consultation_id: int, ref: str) -> None:
        """The guest's sockets (on any process) leave the call's rooms; the recorder here lets their media go."""
        for sid, peer in list(self.gateway.peers.items()):
            if peer.actor.ref == ref:
                await self.gateway.leave_room(sid, notify.call_guests(consultation_id))
                await self.gateway.leave_room(sid, notify.call_member(consultation_id, ref))
        asked = self.app[CONSULTATION_RECORDING].asked.get(consultation_id)
        if asked is not None and asked.recorder is not None:
            await asked.recorder.leave(ref)

    # -- the gateway's hooks -----------------------------------------------------------------
    async def disconnected(self, sid: str, peer: Peer) -> None:
        """A guest's last socket dropped: out of the call until they join again."""
        if peer.actor.kind != "guest":
            return
        if any(p.actor.ref == peer.actor.ref for other, p in self.gateway.peers.items() if other != sid):
            return  # another tab of the same session is still here
        rooms = [r for r in self.gateway.rooms(sid) if isinstance(r, str) and r.endswith(":guests")]
        try:
            notices = await self.gateway.transaction(lambda s: guests.dropped(s, peer.actor.known_id, self._now()))
            for room in rooms:
                await self._out_of_call(int(room.split(":")[1]), peer.actor.ref)
            await self.gateway.deliver(notices)
        except Exception:  # noqa: BLE001 - a failed bookkeeping write must not break disconnects
            log.exception("recording a guest's dropped connection failed")

    async def ended(self, consultation_id: int, reason: str) -> None:
        """The consultation ended or was transferred: its guests hear it, and their sessions end."""
        now = self._now()
        guest_ids = await self.gateway.transaction(lambda s: guests.consultation_over(s, consultation_id, reason, now))
        room = notify.call_guests(consultation_id)
        await self.gateway.emit(events.CONSULT_ENDED, {"consultation_id": consultation_id, "reason": reason}, room=room)
        await self.gateway.close_room(room)
        for guest_id in guest_ids:
            await self.gateway.close_room(notify.call_member(consultation_id, f"guest:{guest_id}"))


def install(app: web.Application, gateway: Gateway) -> ConsultationGuests:
    realtime = ConsultationGuests(app, gateway)
    gateway.handlers.update(realtime.handlers())
    gateway.guest_events |= {events.CONSULT_GUEST_JOIN, events.CONSULT_GUEST_LEAVE, events.CONSULT_CONSENT,
                             events.RECORDER_SIGNAL}
    gateway.disconnect_hooks.append(realtime.disconnected)
    gateway.ended_hooks.append(realtime.ended)
    return realtime
