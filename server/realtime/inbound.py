"""What a client sends over the socket, read strictly before anything acts on it.

python-socketio reads a packet on its way to dispatching it, and what it could not read (not
JSON, not an event array, an empty one, a numeric event name, a binary frame, JSON nested
thousands deep) raised from inside that dispatch: no ack for the client, an ERROR traceback
in our log for each packet, and no rate limit, since that was checked later, per event.

Here a packet is read in two steps. Its header (type, namespace, ack id) is a few characters,
read before the rate limit, so that a refusal can still name the ack it answers; then its
JSON body is decoded and must have the shape its type asks for. What fails raises Malformed,
whose text goes into a `bad_packet` error ack. Each connection has an Intake: every packet it
sends takes a token from its bucket, a malformed one too, and only its first malformed packet
is logged, so that junk sent in a loop costs the server one log line, not one per packet.

The socket.io v5 text packet is `<type>[<attachments>-][/<namespace>,][<ack id>][<JSON>]`.
Our protocol has no binary packets: binary frames, and the BINARY_EVENT and BINARY_ACK types
that announce them, are refused.
"""
from __future__ import annotations

import logging
import re
from typing import Any, NamedTuple

from socketio import packet as sio

from server.realtime import wirejson
from server.realtime.ratelimit import TokenBucket

log = logging.getLogger(__name__)

# a JS client's ack ids count up from 0: any it makes fits a double exactly
MAX_ACK_ID_DIGITS = 15
MAX_NAMESPACE_CHARS = 100
_DIGITS = re.compile(r"[0-9]*")
# an event to "/" with or without an ack id, its JSON array next: nearly every packet a client sends
_PLAIN_EVENT = re.compile(rf"{sio.EVENT}([0-9]{{0,{MAX_ACK_ID_DIGITS}}})(?=\[)")
_TYPES = {str(kind): kind for kind in range(len(sio.packet_names))}
_BINARY_TYPES = (sio.BINARY_EVENT, sio.BINARY_ACK)


class Malformed(ValueError):
    """Not a packet of our protocol; the text says why, for the error ack and the log."""


class Header(NamedTuple):
    type: int
    namespace: str
    id: int | None  # the ack the client waits for, if it asked for one
    body: str  # the JSON that follows, not decoded yet


def read_header(data: Any) -> Header:
    """The header of one socket.io packet (engine.io hands over a MESSAGE's text, or bytes)."""
    if type(data) is str:
        plain = _PLAIN_EVENT.match(data)
        if plain is not None:  # what the rest makes of it, in 1.3-1.6 µs instead of 2.6
            digits = plain.group(1)
            return Header(sio.EVENT, "/", int(digits) if digits else None, data[plain.end():])
    if isinstance(data, (bytes, bytearray)):
        raise Malformed("binary frames are not part of this protocol: send packets as JSON text")
    if not isinstance(data, str):
        raise Malformed("not a socket.io packet")
    kind = _TYPES.get(data[:1])
    if kind is None:
        raise Malformed("not a socket.io packet: it must start with its type, a digit from 0 to 6")
    at = 1
    if kind in _BINARY_TYPES:
        dash = data.find("-", 1, 12)
        if dash < 2 or not _DIGITS.fullmatch(data, 1, dash):
            raise Malformed("a binary packet without its count of attachments")
        at = dash + 1
    namespace = "/"
    if data.startswith("/", at):
        comma = data.find(",", at)
        end = len(data) if comma < 0 else comma
        namespace = data[at:end].partition("?")[0]
        at = end if comma < 0 else end + 1
        if len(namespace) > MAX_NAMESPACE_CHARS:
            raise Malformed(f"a namespace longer than {MAX_NAMESPACE_CHARS} characters")
    matched = _DIGITS.match(data, at)  # [0-9]* matches everywhere, if only the empty string
    digits = matched.group() if matched else ""
    if len(digits) > MAX_ACK_ID_DIGITS:
        raise Malformed(f"an ack id longer than {MAX_ACK_ID_DIGITS} digits")
    return Header(kind, namespace, int(digits) if digits else None, data[at + len(digits):])


def read_body(header: Header) -> Any:
    """The packet's JSON, checked against what its type carries."""
    if header.type in _BINARY_TYPES:
        raise Malformed("binary packets are not part of this protocol: send payloads as JSON")
    if header.type == sio.CONNECT_ERROR:
        raise Malformed("CONNECT_ERROR packets are sent by servers only")
    data = None
    if header.body:
        try:
            data = wirejson.loads(header.body)
        except ValueError:
            raise Malformed("the payload is not JSON, or nests deeper than 1,000 levels") from None
    if header.type == sio.EVENT:
        if type(data) is not list or not 1 <= len(data) <= 2:
            raise Malformed("an event must be a JSON array: [name] or [name, payload]")
        if type(data[0]) is not str:
            raise Malformed("an event's name, the first item of its array, must be a string")
    elif header.type == sio.ACK and type(data) is not list:
        raise Malformed("an ack must be a JSON array")
    return data


class Intake:
    """What one connection has sent, as the server counts it: every packet takes a token from
    its bucket (gateway events get `rate_limited` once it is empty), and malformed packets are
    counted, the first of them logged in one line."""

    __slots__ = ("who", "bucket", "malformed_count")

    def __init__(self, who: str) -> None:
        self.who = who
        self.bucket = TokenBucket()
        self.malformed_count = 0

    def allow(self) -> bool:
        return self.bucket.allow()

    def malformed(self, reason: str) -> None:
        self.malformed_count += 1
        if self.malformed_count == 1:
            log.warning("connection %s sent a malformed packet (%s); its later ones are refused as well, "
                        "without a log line", self.who, reason)
