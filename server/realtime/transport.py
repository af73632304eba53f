"""engine.io over a websocket, written for many quiet connections and a fast relay.

python-socketio speaks socket.io for us (namespaces, rooms, acks, the Redis manager) on top
of python-engineio. engine.io's stock websocket loop costs, per received packet, a task and
a timer (a fresh `wait_for` on every read), and per connection a queue, a writer task and a
sleeping task for each ping. At 2,000 kiosks and thousands of relayed signals a second that
was most of the server's CPU per message and a third of its memory per connection.

So a new websocket connection is accepted here (Engine.handle_request), with python-engineio's
socket state (a DirectSocket is its AsyncSocket) driven differently:

- one loop per connection reads frames and hands each packet to engine.io, in order;
- a packet to send is written to the websocket at once: the write is synchronous (no
  per-message compression), so packets leave in the order they were sent, from any task;
- one Pinger per server sends every socket its PING when due and drops a socket whose PONG
  is overdue by aborting its transport, which also frees a sender waiting on a full buffer;
- on a restart (SIGTERM) Engine.send_everyone_away refuses new connections and sends every
  client elsewhere: its disconnect is recorded first (the reconnect grace starts), then the
  websocket closes with 1012 and the client reconnects, to whichever process the proxy picks.

Every client of ours connects with `transports: ["websocket"]`, and the server accepts only
that: there is no long-polling session to upgrade from. Anything else (a bad version, a
stray sid) goes to python-engineio, which refuses it as it always does.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

import engineio
from aiohttp import WSCloseCode, WSMsgType, web
from engineio import packet
from engineio.async_socket import AsyncSocket
from engineio.exceptions import SocketIsClosedError

from server.config import normalise_origin
from server.realtime.inbound import Intake
from server.tasks import stop_task

log = logging.getLogger(__name__)

PING_CHECK_SECONDS = 1.0
# how long a closing websocket waits for the client's close frame (aiohttp's default is 10 s,
# which a restart cannot afford for a client that went silent)
CLOSE_REPLY_TIMEOUT_SECONDS = 2.0
RESTARTING = "this server is restarting: connect again"


class DirectSocket(AsyncSocket):
    """An engine.io socket whose packets go straight to its websocket."""

    def __init__(self, server: "Engine", sid: str, ws: web.WebSocketResponse,
                 transport: asyncio.Transport | None) -> None:
        super().__init__(server, sid)
        self.queue = None  # engine.io's send queue: 3 KB a connection, and not used here
        self.ws: web.WebSocketResponse | None = ws
        self.transport = transport
        self.connected = self.upgraded = True
        self.last_ping: float | None = None
        self.last_pong = time.time()
        self.intake = Intake(sid)
        self.handling = False  # a packet read from the client is being handed on (inline handlers run now)
        # its events' handlers in tasks of their own (run_handler); made with the first (an empty
        # set is 216 bytes, and most kiosks send no event for minutes)
        self.handlers: set[asyncio.Task[None]] | None = None
        self.leaving = False  # sent elsewhere by a stop: leaves once everything it asked is answered
        self._leaving: asyncio.Task[None] | None = None

    def schedule_ping(self) -> None:
        """The Pinger pings; a PONG only records that the client answered."""
        self.last_ping = None
        self.last_pong = time.time()

    async def send(self, pkt: packet.Packet) -> None:
        if self.closed:
            raise SocketIsClosedError()
        ws = self.ws
        if ws is None:
            return  # its connection has ended and its disconnect is running: nobody to tell
        try:
            await _write(ws, pkt.encode())
        except (ConnectionError, RuntimeError):
            pass  # the connection is going: serve() sees it end and closes the socket

    async def send_message(self, encoded: bytes) -> None:
        """send() for an engine.io MESSAGE already encoded as UTF-8 text ("4" and its data):
        the relay encodes a packet once for all of a room (relay.py) and writes it as is."""
        if self.closed:
            raise SocketIsClosedError()
        ws = self.ws
        if ws is None:
            return
        try:
            await ws.send_frame(encoded, WSMsgType.TEXT)
        except (ConnectionError, RuntimeError):
            pass

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        ws = self.ws
        await super().close(wait=False, abort=abort, reason=reason)
        if not abort and ws is not None:
            await ws.close()  # after the CLOSE packet: ends serve()'s loop

    @property
    def busy(self) -> bool:
        return self.handling or bool(self.handlers)  # None or empty: none running

    def run_handler(self, handler: Coroutine[Any, Any, None]) -> None:
        """Run one event's handler, which sends its ack, in a task of its own; a socket sent
        away leaves once the last of them has answered."""
        task = asyncio.create_task(handler)
        if self.handlers is None:
            self.handlers = set()
        self.handlers.add(task)
        task.add_done_callback(self._handler_done)

    def _handler_done(self, task: asyncio.Task[None]) -> None:
        if self.handlers is not None:
            self.handlers.discard(task)
        if self.leaving and not self.busy and self._leaving is None:
            self._leaving = asyncio.create_task(self.leave())

    async def leave(self) -> None:
        """Send the client to reconnect (this process is stopping). The disconnect runs first,
        to its end (gateway.on_disconnect records the side away and starts its reconnect
        grace), so that a resume on the other process always comes after it; only then does
        the websocket close, with 1012 (service restart) and without engine.io's CLOSE packet:
        python-socketio's client takes that packet for a goodbye and does not reconnect, while
        a closed transport makes it and socket.io-client reconnect by themselves. A packet
        being handled is answered first: this runs again once the last ack is out. What the
        client sends meanwhile is not read: it sends it again after reconnecting."""
        self.leaving = True
        if self.busy or self.closing or self.closed:
            return
        ws = self.ws
        await self.close(wait=False, abort=True, reason=self.server.reason.SERVER_DISCONNECT)
        if ws is not None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.close(code=WSCloseCode.SERVICE_RESTART, message=RESTARTING.encode())

    async def serve(self, request: web.Request, environ: dict) -> web.StreamResponse:
        """The connection, from python-socketio's connect handler to its end, in one coroutine:
        its frame lives as long as the websocket, and a second one to read in was 0.3 KB a
        kiosk. The connect handler may refuse it (401), as may a stop begun meanwhile (503)."""
        server = self.server
        sid = self.sid
        server.sockets[sid] = self
        try:
            refused = await server._trigger_event("connect", sid, environ, run_async=False)
            del environ  # python-socketio kept its own reference until connect was done
            if refused is not None and refused is not True:
                return _refuse(401, "unauthenticated", str(refused))
            if self.closed:  # sent away by a stop while it was being let in
                return _refuse(503, "unavailable", RESTARTING)
            ws = self.ws
            assert ws is not None
            # python-socketio's reader of socket.io packets: a MESSAGE goes straight to it, as
            # AsyncSocket.receive would pass it on through engine.io's _trigger_event, without the
            # log call and the closure that those make for every packet
            on_message = server.handlers.get("message")
            try:
                await self._open(request, ws)
                while True:
                    # receive() itself, not `async for`, whose __anext__ is one more coroutine a
                    # frame only to end the loop on what the check below ends it on too
                    message = await ws.receive()
                    if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):  # CLOSE, CLOSING, CLOSED or ERROR
                        if message.type == WSMsgType.ERROR:  # a frame over maxPayload (close code 1009), or a broken one
                            log.info("connection %s closed: %s", sid, message.data)
                        break
                    if self.leaving:
                        continue
                    data = message.data
                    if on_message is not None and type(data) is str and data[:1] == "4":
                        pkt = None  # a MESSAGE, nearly every frame: its text goes on as read_frame reads it, without a Packet
                    else:
                        try:
                            pkt = read_frame(data)
                        except ValueError as exc:
                            self.intake.allow()  # junk counts against the rate limit like any packet
                            self.intake.malformed(str(exc))
                            continue
                    self.handling = True
                    try:
                        if pkt is None:
                            await on_message(sid, data[1:])
                        elif pkt.packet_type == packet.MESSAGE and on_message is not None:
                            await on_message(sid, pkt.data)
                        else:
                            await self.receive(pkt)
                    except SocketIsClosedError:
                        break
                    except Exception:  # noqa: BLE001 - one bad packet must not end the connection
                        log.exception("engine.io packet from %s failed", sid)
                    finally:
                        self.handling = False
                    # the loop's names would keep the last frame and packet for as long as the client
                    # stays quiet: 200 bytes a kiosk
                    del message, pkt, data
                    if self.leaving:
                        await asyncio.shield(self.leave())  # closes the websocket unless acks are due
            finally:
                self.ws = self.transport = None
                # aiohttp cancels this handler when the client goes; disconnect work (telling the
                # other side, recording why) must still run to its end
                await asyncio.shield(self.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE))
            return ws
        finally:
            server.sockets.pop(sid, None)

    async def _open(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        """The websocket's handshake answered, then engine.io's OPEN packet."""
        server = self.server
        await ws.prepare(request)
        # the 101's headers are sent, and the response would keep them (and the larger table
        # our Server header made them grow into) as long as the websocket lives: 0.4 KB a kiosk
        ws.headers.clear()
        server.pinger.start()
        await self.send(packet.Packet(packet.OPEN, {
            "sid": self.sid, "upgrades": [], "pingTimeout": int(server.ping_timeout * 1000),
            "pingInterval": int((server.ping_interval + server.ping_interval_grace_period) * 1000),
            "maxPayload": server.max_http_buffer_size}))

    def ping_due(self, now: float) -> bool:
        """Send a PING now? Also aborts the transport of a socket whose PONG is overdue."""
        if self.ws is None or self.closing or self.closed:
            return False
        if self.last_ping is not None:
            if now - self.last_ping > self.server.ping_timeout and self.transport is not None:
                self.transport.abort()  # serve() ends, the socket closes, disconnect runs
            return False
        if now - self.last_pong < self.server.ping_interval:
            return False
        # pinged even behind a full buffer: a client that catches up within the timeout answers
        # and stays; one that does not read at all never answers, and is dropped
        self.last_ping = now
        return True


# What a client may send over a websocket of engine.io v4: it answers pings, sends messages and
# may say goodbye. (PING, UPGRADE and NOOP belong to long-polling, which we do not serve.)
_CLIENT_PACKETS = {"1": packet.CLOSE, "3": packet.PONG, "4": packet.MESSAGE}


def read_frame(data: str | bytes) -> packet.Packet:
    """The engine.io packet in one websocket frame, or ValueError. A message's text is handed
    on as it came, for the socket.io layer to read (inbound.py); python-engineio's own decoder
    would first try it as JSON. A binary frame is a binary message, which socket.io refuses."""
    if isinstance(data, (bytes, bytearray)):
        return packet.Packet(packet.MESSAGE, bytes(data))
    kind = _CLIENT_PACKETS.get(data[:1])
    if kind is None:
        raise ValueError("not an engine.io packet that a client sends over a websocket (1, 3 or 4)")
    return packet.Packet(kind, data[1:] if kind == packet.MESSAGE else None)


async def _write(ws: web.WebSocketResponse, encoded: str | bytes) -> None:
    await (ws.send_str(encoded) if isinstance(encoded, str) else ws.send_bytes(encoded))


class Pinger:
    """Pings every socket of one engine.io server from one task."""

    def __init__(self, server: "Engine") -> None:
        self.server = server
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="engineio-pinger")

    async def stop(self) -> None:
        await stop_task(self._task)

    async def _loop(self) -> None:
        ping = packet.Packet(packet.PING).encode()
        while True:
            await asyncio.sleep(PING_CHECK_SECONDS)
            now = time.time()
            for socket in list(self.server.sockets.values()):
                if isinstance(socket, DirectSocket) and socket.ping_due(now):
                    ws = socket.ws
                    if ws is not None:
                        with contextlib.suppress(ConnectionError, RuntimeError):
                            await _write(ws, ping)


def handshake_query(request: web.Request) -> dict[str, str] | None:
    """The handshake's query parameters, or None when one is given twice. python-engineio
    reads the first of a repeated parameter and a dict the last: refused, there is one reading.
    Parsed here rather than through request.query, which the request would keep for as long
    as the websocket lives."""
    pairs = parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True)
    query = dict(pairs)
    return query if len(query) == len(pairs) else None


def is_fresh_websocket(request: web.Request, query: dict[str, str]) -> bool:
    """A fresh engine.io v4 websocket connection (no session to resume)."""
    if request.method != "GET" or request.headers.get("Upgrade", "").lower() != "websocket":
        return False
    return "sid" not in query and query.get("EIO") == "4" and query.get("transport") == "websocket"


def _environ(request: web.Request, query_string: str) -> dict:
    """What python-socketio hands the connect handler: the request line and headers, WSGI
    style, as python-engineio's aiohttp driver makes them."""
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": query_string, "aiohttp.request": request}
    for name, value in request.headers.items():
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def is_foreign_origin(request: web.Request, allowed: frozenset[str]) -> bool:
    """A browser page of another origin opening our socket (it would carry the staff cookie).
    Scheme, host and port must all match the service's own origin, or one of the configured
    public origins (a proxy in front); non-browser clients send no Origin and are let through."""
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    mine = normalise_origin(f"{request.scheme}://{request.host}")
    seen = normalise_origin(origin)
    return seen is None or (seen != mine and seen not in allowed)


class Engine(engineio.AsyncServer):
    """python-engineio's server; new websocket connections are accepted by DirectSocket."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**{**options, "transports": ["websocket"], "monitor_clients": False})
        self.pinger = Pinger(self)
        # FAYUAN_PUBLIC_ORIGINS, normalised: the origins of a proxy in front (set by setup.py)
        self.allowed_origins: frozenset[str] = frozenset()
        self.accepting = True  # False once send_everyone_away began: the process is stopping
        self._orphans: set[asyncio.Task[None]] = set()  # handlers of sockets already gone, kept from the GC

    def run_handler(self, sid: str, handler: Coroutine[Any, Any, None]) -> None:
        """Run an event's handler in a task of its own, counted against its socket (relay.py)."""
        socket = self.sockets.get(sid)
        if isinstance(socket, DirectSocket):
            socket.run_handler(handler)
        else:
            task = asyncio.create_task(handler)
            self._orphans.add(task)
            task.add_done_callback(self._orphans.discard)

    async def send_everyone_away(self, timeout_seconds: float) -> int:
        """Refuse new connections and send every connected client to reconnect elsewhere
        (DirectSocket.leave), waiting at most `timeout_seconds` for them to go; the transports
        of any still here then are cut. Returns how many connections there were."""
        self.accepting = False
        sockets = [s for s in self.sockets.values() if isinstance(s, DirectSocket)]
        deadline = time.monotonic() + timeout_seconds
        try:
            await asyncio.wait_for(asyncio.gather(*(s.leave() for s in sockets), return_exceptions=True),
                                   timeout_seconds)
            # a socket with acks due leaves by itself once the last is out
            while any(s.sid in self.sockets for s in sockets) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        except TimeoutError:
            pass
        for socket in sockets:
            if socket.sid in self.sockets and socket.transport is not None:
                socket.transport.abort()
        return len(sockets)

    def intake(self, sid: str) -> Intake:
        """The connection's count of what it sent (inbound.py), for the socket.io layer."""
        socket = self.sockets.get(sid)
        return socket.intake if isinstance(socket, DirectSocket) else Intake(sid)

    async def handle_request(self, request: web.Request) -> web.StreamResponse:
        return await self.accept(request)

    def accept(self, request: web.Request) -> Awaitable[web.StreamResponse]:
        """handle_request without a coroutine of its own: what answers the request, to await.
        middleware.sockets hands it to aiohttp as it is, so that a websocket's connection keeps
        one coroutine frame (DirectSocket.serve), not two."""
        query = handshake_query(request)
        if query is None:
            return _answer(_refuse(400, "bad_request", "a handshake parameter is given twice"))
        if is_foreign_origin(request, self.allowed_origins):
            return _answer(_refuse(403, "forbidden", "this socket is for our own pages"))
        if not self.accepting:
            # a proxy in front passes a 503 on to the next server (nginx: proxy_next_upstream http_503)
            return _answer(_refuse(503, "unavailable", RESTARTING))
        if not is_fresh_websocket(request, query):
            return super().handle_request(request)
        environ = _environ(request, request.rel_url.raw_query_string)
        # aiohttp refuses a frame of max_msg_size bytes or more; maxPayload is the most a frame may be
        ws = web.WebSocketResponse(max_msg_size=self.max_http_buffer_size + 1, compress=False, autoping=True,
                                   timeout=CLOSE_REPLY_TIMEOUT_SECONDS)
        return DirectSocket(self, self.generate_id(), ws, request.transport).serve(request, environ)


async def _answer(response: web.StreamResponse) -> web.StreamResponse:
    return response


def _refuse(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)
