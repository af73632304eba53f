"""Live sockets obey what happens to their credentials, on every server process.

Every CHECK_INTERVAL_SECONDS each process renews its presence lease (presence/service.py) and looks at the credentials of its own connections
(accounts/liveness.py): a revoked kiosk, a logged-out, expired, deactivated or re-passworded
staff session, a consultation's guest who left, was removed or whose consultation is over
(consultations/guests.py) is told `session.ended` with the reason and disconnected. The same round renews
what the service must know about who is connected: staff sessions in use over their sockets
are not idle, and lawyers who are connected stay on duty (consultations/jobs.py ends the duty
of those whom no process renewed within the reconnect grace).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from server.accounts import liveness
from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server.consultations import guests, service as consultations
from server.presence import service as presence
from server.web import keys
from signaling import events

if TYPE_CHECKING:
    from server.realtime.gateway import Gateway, Peer

log = logging.getLogger(__name__)

# a revocation reaches every live socket within this and one round's queries (the goal is 5 s)
CHECK_INTERVAL_SECONDS = 2.0
# rooms whose members are busy with someone, though they may send nothing for long
_BUSY_ROOM_PREFIXES = ("consultation:", "meeting:")


async def check(gateway: "Gateway") -> dict[str, str]:
    """One round for this process's connections; returns {sid: reason} of those it ended."""
    peers = list(gateway.peers.items())
    sessions = {p.actor.session_id for _, p in peers if p.actor.kind == "account" and p.actor.session_id}
    devices = {p.actor.id for _, p in peers if p.actor.kind == "device"}
    guest_ids = {p.actor.id for _, p in peers if p.actor.kind == "guest"}
    busy = _busy(gateway)
    in_use = {p.actor.session_id for sid, p in peers
              if p.actor.kind == "account" and p.actor.session_id and (p.used or sid in busy)}
    lawyers = {p.actor.id for _, p in peers if p.actor.kind == "account" and p.actor.role == Role.lawyer}
    for _, p in peers:
        p.used = False
    now = gateway.app[keys.CLOCK].now()
    async with gateway.app[keys.DB].sessions() as session:
        if not await presence.renew(session, gateway.process_id, now):
            # declared dead by another process (this one stalled past the lease): list again
            # what it holds, so its sides count as present
            await presence.relist(session, gateway.process_id, now, _held(gateway, peers))
        await liveness.touch_sessions(session, in_use, now)
        await consultations.lawyers_connected(session, lawyers, now)
        ended_sessions = await liveness.ended_sessions(session, sessions, now)
        ended_devices = await liveness.ended_devices(session, devices)
        ended_guests = await guests.ended_guests(session, guest_ids)
        await session.commit()
    ended: dict[str, str] = {}
    for sid, p in peers:
        reason = _reason(p.actor, ended_sessions, ended_devices, ended_guests)
        if reason is not None and sid in gateway.peers:
            ended[sid] = reason
            await gateway.emit(events.SESSION_ENDED, {"reason": reason}, to=sid)
            await gateway.disconnect(sid)
    if ended:
        log.info("ended %d connection(s) whose credentials no longer hold", len(ended))
    return ended


def _reason(actor: Actor, sessions: dict[str, str], devices: dict[int, str], guest_ids: dict[int, str]) -> str | None:
    if actor.kind == "account" and actor.session_id:
        return sessions.get(actor.session_id)
    if actor.kind == "device":
        return devices.get(actor.id)
    if actor.kind == "guest":
        return guest_ids.get(actor.id)
    return None


def _held(gateway: "Gateway", peers: list[tuple[str, "Peer"]]) -> list[tuple[str, str, int | None]]:
    """(sid, actor, consultation id) of every connection, as presence lists them."""
    held = []
    for sid, p in peers:
        rooms = [r for r in gateway.rooms(sid) if isinstance(r, str)
                 and (r.startswith("consultation:") or r.startswith("call:") and r.endswith(":guests"))]
        held.append((sid, p.actor.ref, int(rooms[0].split(":")[1]) if rooms else None))
    return held


def _busy(gateway: "Gateway") -> set[str]:
    """The connections in a room whose members are busy with someone. One pass over the rooms:
    asking each connection for its rooms (gateway.rooms) goes over every room once per
    connection, a tenth of an idle server's CPU with 100 connections in the signaling bench."""
    rooms = gateway.server.manager.rooms.get(gateway.namespace, {})
    return {sid for name, members in rooms.items()
            if isinstance(name, str) and name.startswith(_BUSY_ROOM_PREFIXES) for sid in members}
