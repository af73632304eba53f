"""The socket.io connection of a headless client: authenticated connect, acknowledged calls,
and the server's pushes delivered in order.

Every push goes, in arrival order and one at a time, first to the handlers registered with
`on()` (the kiosk and lawyer react there: start media, relay signals), then to whoever waits
for it with `wait_for()`. A push nobody waits for stays in a backlog, so a waiter that comes
late still finds it; the backlog keeps the newest BACKLOG_EVENTS and drops the oldest.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from typing import Any, Awaitable, Callable

import socketio
from pydantic import BaseModel

from signaling import SESSION_COOKIE, SOCKETIO_PATH, events

log = logging.getLogger(__name__)

ACK_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 10.0
RECONNECT_DELAY_SECONDS = 1.0  # the first retry after a drop; socket.io doubles it up to 5 s
BACKLOG_EVENTS = 500
# Not a wire event: what handlers get, in order with the pushes, after socket.io reconnected.
RECONNECTED = "client.reconnected"

Handler = Callable[[dict], Awaitable[None] | None]
Predicate = Callable[[dict], bool]


class SignalingError(Exception):
    """The server said no. `code` is the protocol's error code (`invalid`, `forbidden`,
    `conflict`, `service_closed`, …) from an error ack, `unauthenticated` for a refused
    connection, or one of the client's own: `timeout` (no ack or push in time) and
    `unreachable` (no socket.io server answered)."""

    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}


def check_ack(ack: Any) -> dict:
    """The result of an acknowledged call, or the SignalingError its `{"error": ...}` stands for."""
    if isinstance(ack, dict) and isinstance(ack.get("error"), dict):
        error = ack["error"]
        raise SignalingError(str(error.get("code", "error")), str(error.get("message", "")), error.get("details"))
    return ack if isinstance(ack, dict) else {"result": ack}


def wire(payload: BaseModel | dict | None) -> dict:
    if payload is None:
        return {}
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json", exclude_none=True)
    return payload


class Connection:
    """One authenticated socket.io connection: a kiosk's device token or a staff session cookie."""

    def __init__(self, server_url: str, *, token: str | None = None, session_cookie: str | None = None,
                 ack_timeout_seconds: float = ACK_TIMEOUT_SECONDS,
                 reconnect_delay_seconds: float = RECONNECT_DELAY_SECONDS) -> None:
        if (token is None) == (session_cookie is None):
            raise ValueError("give exactly one of token (a kiosk) or session_cookie (staff, lawyer)")
        self.server_url = server_url.rstrip("/")
        self.ack_timeout_seconds = ack_timeout_seconds
        self.hello: dict = {}
        self._auth = {"token": token} if token else None
        self._headers = {"Cookie": f"{SESSION_COOKIE}={session_cookie}"} if session_cookie else {}
        self._handlers: dict[str, list[Handler]] = {}
        self._waiters: list[tuple[str, Predicate, asyncio.Future[dict]]] = []
        self._backlog: deque[tuple[str, dict]] = deque(maxlen=BACKLOG_EVENTS)
        self._inbox: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
        self._dispatcher: asyncio.Task[None] | None = None
        self._connects = 0
        self._refusal: dict | None = None
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=reconnect_delay_seconds)
        self.sio.on("*", self._arrived)
        self.sio.on("connect", self._on_connect)
        self.sio.on("connect_error", self._on_connect_error)

    @property
    def connected(self) -> bool:
        return self.sio.connected

    async def connect(self, timeout_seconds: float = CONNECT_TIMEOUT_SECONDS) -> dict:
        """Connect and return the server's `hello` (protocol, role, name, unit_id)."""
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name="signaling-dispatch")
        try:
            # WebSocket only: a headless client has no proxy to get past, and it saves the
            # long-polling handshake and upgrade.
            # Headers as a function, called on every attempt: engine.io's websocket transport
            # deletes the Cookie header from the dict it is given, so a dict would leave every
            # reconnect of a lawyer without its session.
            await self.sio.connect(self.server_url, headers=lambda: dict(self._headers), auth=self._auth,
                                   transports=["websocket"],
                                   socketio_path=SOCKETIO_PATH, wait_timeout=timeout_seconds)
        except socketio.exceptions.ConnectionError as exc:
            refusal = self._refusal or {}
            if refusal:
                # {"code", "message"} as the protocol says, or python-socketio's shape for
                # ConnectionRefusedError(message, data): {"message", "data": {"code"}}.
                data = refusal.get("data")
                if not isinstance(data, dict):
                    data = {}
                code = refusal.get("code") or data.get("code") or "unauthenticated"
                raise SignalingError(str(code), str(refusal.get("message", exc))) from exc
            raise SignalingError("unreachable", str(exc)) from exc
        self.hello = await self.wait_for(events.HELLO, timeout_seconds=timeout_seconds)
        return self.hello

    async def call(self, event: str, payload: BaseModel | dict | None = None) -> dict:
        """Emit with an ack; returns the result or raises SignalingError."""
        try:
            ack = await self.sio.call(event, wire(payload), timeout=self.ack_timeout_seconds)
        except socketio.exceptions.TimeoutError as exc:
            raise SignalingError("timeout", f"no ack for {event} in {self.ack_timeout_seconds}s") from exc
        except socketio.exceptions.BadNamespaceError as exc:
            raise SignalingError("unreachable", f"not connected: {exc}") from exc
        return check_ack(ack)

    def on(self, event: str, handler: Handler) -> None:
        """Run handler(data) for every push of this event, in order with all other pushes."""
        self._handlers.setdefault(event, []).append(handler)

    async def wait_for(self, event: str, predicate: Predicate | None = None,
                       timeout_seconds: float = ACK_TIMEOUT_SECONDS) -> dict:
        """The first push of `event` (matching `predicate`) not yet taken by another waiter:
        from the backlog if it came already, else the next one to come."""
        matches = predicate or (lambda data: True)
        for item in self._backlog:
            if item[0] == event and matches(item[1]):
                self._backlog.remove(item)
                return item[1]
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        waiter = (event, matches, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout_seconds)
        except asyncio.TimeoutError as exc:
            raise SignalingError("timeout", f"no {event} within {timeout_seconds}s") from exc
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def close(self) -> None:
        await self.sio.disconnect()
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            await asyncio.gather(self._dispatcher, return_exceptions=True)
            self._dispatcher = None

    def _arrived(self, event: str, data: Any = None) -> None:
        # Synchronous on purpose: engine.io runs each message as its own task, so a put
        # before any await is what keeps the arrival order.
        self._inbox.put_nowait((event, data if isinstance(data, dict) else {"value": data}))

    def _on_connect(self) -> None:
        self._connects += 1
        self._refusal = None
        if self._connects > 1:
            self._inbox.put_nowait((RECONNECTED, {"connects": self._connects}))

    def _on_connect_error(self, data: Any = None) -> None:
        self._refusal = data if isinstance(data, dict) else {"message": str(data)}

    async def _dispatch(self) -> None:
        while True:
            event, data = await self._inbox.get()
            for handler in self._handlers.get(event, []):
                try:
                    result = handler(data)
                    if inspect.isawaitable(result):
                        await result
                except Exception:  # noqa: BLE001 - one failing handler must not stop all pushes
                    log.exception("handler for %s failed", event)
            self._deliver(event, data)

    def _deliver(self, event: str, data: dict) -> None:
        for waiter in self._waiters:
            name, matches, future = waiter
            if name == event and not future.done() and matches(data):
                future.set_result(data)
                self._waiters.remove(waiter)
                return
        self._backlog.append((event, data))
