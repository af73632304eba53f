"""The engine.io v4 / socket.io v5 text framing, as much as a websocket-only client needs.

An engine.io packet is one digit and a body: 0 open, 2 ping, 3 pong, 4 message. A socket.io
packet rides in a message: 40 connect (body: auth), 44 connect refused, 42 event, 43 ack.
A namespace other than "/" follows the type as "/name,"; an ack id, when there is one,
stands between that and the JSON body.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

OPEN = "0"
PING = "2"
PONG = "3"
CONNECT = "40"
CONNECT_ERROR = "44"
EVENT = "42"
ACK = "43"


@dataclass(frozen=True)
class Packet:
    kind: str  # one of the constants above
    namespace: str = "/"
    ack_id: int | None = None
    body: Any = None


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _prefix(kind: str, namespace: str) -> str:
    return kind if namespace == "/" else f"{kind}{namespace},"


def connect_frame(auth: dict | None, namespace: str = "/") -> str:
    return _prefix(CONNECT, namespace) + (_dumps(auth) if auth else "")


def event_frame(event: str, payload: Any, *, namespace: str = "/", ack_id: int | None = None) -> str:
    ack = "" if ack_id is None else str(ack_id)
    return f"{_prefix(EVENT, namespace)}{ack}{_dumps([event, payload])}"


def parse(frame: str) -> Packet:
    """One text frame from the server. Raises ValueError on what this client does not speak."""
    if frame in (PING, PONG):
        return Packet(frame)
    if frame[0] == OPEN:
        return Packet(OPEN, body=json.loads(frame[1:]))
    kind, rest = frame[:2], frame[2:]
    if kind not in (CONNECT, CONNECT_ERROR, EVENT, ACK):
        raise ValueError(f"unexpected engine.io/socket.io frame {frame[:40]!r}")
    namespace = "/"
    if rest.startswith("/"):
        namespace, _, rest = rest.partition(",")
    digits = len(rest) - len(rest.lstrip("0123456789"))
    ack_id = int(rest[:digits]) if digits else None
    body = json.loads(rest[digits:]) if rest[digits:] else None
    return Packet(kind, namespace, ack_id, body)
