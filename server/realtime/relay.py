"""The hot path of `rtc.signal`: check a payload cheaply, and hand the relayed packet to the
other members of a consultation's room without python-socketio's per-event and
per-recipient tasks.

A call sends a few dozen signals (offer, answer, trickled ICE candidates) and nothing else
crosses the server as often, so this path is measured (`make bench`) and kept short. It
changes no rule: membership is still checked against the room, the rate limit still applies
(gateway.py), and a payload is accepted exactly when `signaling.payloads.RtcSignal` accepts
it — anything that is not plainly valid goes to the model, whose error becomes the ack.
"""
from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, get_args

import socketio
from socketio import packet as sio_packet
from socketio.async_pubsub_manager import AsyncPubSubManager
from annotated_types import Ge, Gt, Le, MaxLen
from engineio import packet as eio_packet
from engineio.exceptions import SocketIsClosedError
from pydantic.fields import FieldInfo

from server.errors import BadPacket, FayuanError, NotAuthenticated, RateLimited
from server.realtime import inbound, wirejson
from server.realtime import fanout
from server.realtime.rooms import LocalRooms
from server.realtime.transport import DirectSocket, Engine
from signaling import events
from signaling.payloads import RtcSignal

NAMESPACE = "/"
EVENT_PACKET = "2"  # socket.io EVENT inside an engine.io MESSAGE: "42" + JSON array
MESSAGE_EVENT = (str(eio_packet.MESSAGE) + EVENT_PACKET).encode()


def _limit(field: FieldInfo, kind: type, attribute: str, default: Any = None) -> Any:
    found = next((getattr(m, attribute) for m in field.metadata if isinstance(m, kind)), default)
    if found is None:
        raise LookupError(f"RtcSignal lost its {kind.__name__} limit: update relay.py with it")
    return found


# The limits are read from the model, so that the two checks cannot drift apart.
_FIELDS = RtcSignal.model_fields
FIELD_ORDER: tuple[str, ...] = tuple(_FIELDS)
_FIELD_SET = frozenset(FIELD_ORDER)
ID_ABOVE: int = _limit(_FIELDS["consultation_id"], Gt, "gt")
# without an upper limit in the model, larger ids are left to it (it takes any int)
ID_MAX: int = _limit(_FIELDS["consultation_id"], Le, "le", default=2**63 - 1)
TYPES = frozenset(get_args(_FIELDS["type"].annotation))
TEXT_LIMITS: tuple[tuple[str, int], ...] = tuple(
    (name, _limit(_FIELDS[name], MaxLen, "max_length")) for name in ("sdp", "candidate", "sdp_mid"))
_TO = re.compile(next(m.pattern for m in _FIELDS["to"].metadata if getattr(m, "pattern", None)))
INDEX_MIN: int = _limit(_FIELDS["sdp_mline_index"], Ge, "ge")
INDEX_MAX: int = _limit(_FIELDS["sdp_mline_index"], Le, "le")


# relayable builds the relayed payload in this order as it checks it
if FIELD_ORDER != ("consultation_id", "type", *(name for name, _ in TEXT_LIMITS), "sdp_mline_index", "to"):
    raise LookupError(f"RtcSignal's fields are now {FIELD_ORDER}: update relayable in relay.py with them")


def relayable(data: Any) -> dict | None:
    """The payload as it is relayed (model field order, None fields left out) when `data` is an
    RtcSignal payload with exactly the wire types (a dict, ints that are not bools, strs)
    within the model's limits: what the model would make of it. None does not mean invalid,
    only that the model must decide (it also coerces "5" to 5). One pass over the fields,
    checking and copying: 1.0 µs for an ICE candidate, where checking first and copying the
    seven fields after took 1.9."""
    if type(data) is not dict or not data.keys() <= _FIELD_SET:
        return None
    cid = data.get("consultation_id")
    if type(cid) is not int or not ID_ABOVE < cid <= ID_MAX:
        return None
    kind = data.get("type")
    if type(kind) is not str or kind not in TYPES:
        return None
    out = {"consultation_id": cid, "type": kind}
    for name, max_chars in TEXT_LIMITS:
        value = data.get(name)
        if value is not None:
            if type(value) is not str or len(value) > max_chars:
                return None
            out[name] = value
    index = data.get("sdp_mline_index")
    if index is not None:
        if type(index) is not int or not INDEX_MIN <= index <= INDEX_MAX:
            return None
        out["sdp_mline_index"] = index
    to = data.get("to")
    if to is not None:
        if type(to) is not str or not _TO.fullmatch(to):
            return None
        out["to"] = to
    return out


def check_signal(data: Any) -> dict:
    """The payload as it is relayed (model field order, None fields left out), or the
    model's ValidationError."""
    out = relayable(data)
    if out is not None:
        return out
    return RtcSignal.model_validate(data).model_dump(exclude_none=True)


class RelayServer(socketio.AsyncServer):
    """python-socketio's AsyncServer on our engine.io transport (transport.py), reading each
    packet strictly (inbound.py) and rate-limiting it before its JSON is decoded, with two
    changes for `rtc.signal` only.

    - Its handler runs inline instead of in a task of its own: it never waits on the
      database, only on handing packets to engine.io's send queues (or, across processes, on
      one Redis publish), and inline keeps one connection's signals in order. Every other
      event still gets its own task, so a slow handler does not hold up the connection; the
      socket counts those tasks, so that a stop lets them answer first (transport.py).
    - Once the gateway has registered `on_signal` (setup.py), the packet goes straight to it,
      past python-socketio's dispatch (_handle_event, _handle_event_internal, _trigger_event,
      the namespace's trigger_event): four calls and a second lookup of the sid, 6% of the
      server's busy time in a py-spy profile of the signaling bench. With the shortcuts in
      transport.py and inbound.py and relayable's one pass, the Python path of a relayed
      signal, from the MESSAGE text to the other member's websocket, went from 10.5 to 7.7 µs
      (15 to 9.5 µs with an ack): in-process, the websocket stubbed, best of five runs.
    - `relay` encodes the packet once and queues it for each other local member of the room
      directly, where the stock manager makes a task per recipient and waits for them all.
      With a pub/sub manager (Redis) members may sit in another process: it emits as usual.
    """

    # the gateway's rtc.signal handler, (sid, payload) -> ack; None: the stock dispatch
    on_signal: Callable[[str, Any], Awaitable[Any]] | None = None

    def __init__(self, client_manager: socketio.AsyncManager | None = None, **options: Any) -> None:
        super().__init__(client_manager=client_manager or LocalRooms(), **options)

    def _engineio_server_class(self) -> type[Engine]:
        return Engine

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        """In place of python-socketio's: the same dispatch, after inbound.py has read the
        packet. A packet that cannot be read, or comes over the rate limit, is answered with
        an error ack when it asked for one, and never reaches a handler."""
        intake = self.eio.intake(eio_sid)
        allowed = intake.allow()  # a token for every packet, well-formed or not, before decoding it
        try:
            head = inbound.read_header(data)
        except inbound.Malformed as exc:
            intake.malformed(str(exc))
            return
        if not allowed and head.type != sio_packet.DISCONNECT:  # leaving is always allowed
            await self._refuse(eio_sid, head, RateLimited("too many events: slow down"))
            return
        try:
            body = inbound.read_body(head)
        except inbound.Malformed as exc:
            intake.malformed(str(exc))
            await self._refuse(eio_sid, head, BadPacket(str(exc)))
            return
        namespace = head.namespace
        if head.type == sio_packet.EVENT:
            sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
            if sid is None:
                await self._refuse(eio_sid, head, NotAuthenticated(f"connect to the namespace {namespace!r} first"))
                return
            if body[0] == events.RTC_SIGNAL and namespace == NAMESPACE and self.on_signal is not None:
                await self._signal(self.on_signal, sid, eio_sid, head.id, body)
                return
            await self._handle_event(eio_sid, namespace, head.id, body)
        elif head.type == sio_packet.CONNECT:
            await self._handle_connect(eio_sid, namespace, body)
        elif head.type == sio_packet.DISCONNECT:
            await self._handle_disconnect(eio_sid, namespace, self.reason.CLIENT_DISCONNECT)
        else:
            await self._handle_ack(eio_sid, namespace, head.id, body)

    async def _signal(self, handler: Callable[[str, Any], Awaitable[Any]], sid: str, eio_sid: str,
                      ack_id: int | None, body: list) -> None:
        """What _handle_event and _handle_event_internal do for an event handled inline, for
        rtc.signal: the sender must still be connected, and its answer is its ack (the
        packet python-socketio would encode: ACK, the id, the answer in an array)."""
        if not self.manager.is_connected(sid, NAMESPACE):
            return
        answer = await handler(sid, body[1] if len(body) > 1 else None)
        if ack_id is not None:
            await self.eio.send(eio_sid, f"{sio_packet.ACK}{ack_id}{wirejson.dumps([answer])}")

    async def _refuse(self, eio_sid: str, head: inbound.Header, error: FayuanError) -> None:
        """The error ack of an event that asked for one; other packets have nobody waiting."""
        if head.id is not None and head.type in (sio_packet.EVENT, sio_packet.BINARY_EVENT):
            ack = self.packet_class(sio_packet.ACK, namespace=head.namespace, id=head.id, data=[error.to_json()])
            await self.eio.send(eio_sid, ack.encode())

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: int | None, data: list) -> None:
        namespace = namespace or NAMESPACE
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if not self.manager.is_connected(sid, namespace):
            return
        if data and data[0] == events.RTC_SIGNAL and namespace == NAMESPACE:
            await self._handle_event_internal(self, sid, eio_sid, data, NAMESPACE, id)
            return
        # as python-socketio does with async_handlers, but counted against the socket: a socket
        # sent away by a stop answers what it was asked first (transport.DirectSocket.leave)
        self.eio.run_handler(eio_sid, self._handle_event_internal(self, sid, eio_sid, data, namespace, id))

    async def relay(self, event: str, data: dict, *, room: str, skip_sid: str) -> None:
        if isinstance(self.manager, AsyncPubSubManager):
            with fanout.or_refuse():  # the sender is told and sends again: no late copy
                await self.emit(event, data, room=room, skip_sid=skip_sid, namespace=NAMESPACE)
            return
        members = self.manager.rooms.get(NAMESPACE, {}).get(room)
        if not members:
            return
        # what socketio.packet.Packet.encode makes of it (no attachments, compact JSON) inside
        # an engine.io MESSAGE, encoded once as the UTF-8 the websocket sends
        encoded = MESSAGE_EVENT + wirejson.dumps_bytes([event, data])
        sockets = self.eio.sockets
        for sid, eio_sid in list(members.items()):
            if sid != skip_sid:
                socket = sockets.get(eio_sid)
                if socket is None:
                    continue  # gone: its disconnect handler cleans up
                try:
                    if isinstance(socket, DirectSocket):
                        await socket.send_message(encoded)
                    else:
                        await self.eio.send_packet(eio_sid, eio_packet.Packet(eio_packet.MESSAGE, encoded[1:].decode()))
                except SocketIsClosedError:
                    continue  # it is leaving: its disconnect handler cleans up; the others still get it
