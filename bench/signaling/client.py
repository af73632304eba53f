"""A socket.io client that is only a websocket and the framing of wire.py.

The load generator has one core for a hundred clients, and its own delays must not count
against the server. In a trial against the Node relay at 3,000 msg/s, a hundred
python-socketio AsyncClients fell behind (about 2,460 msg/s delivered, p99 about 2 s) where
these kept up (p99 about 4 ms) for about the same CPU. It speaks what the benchmark needs:
connect with auth, emit, emit with an acknowledgement, receive events, answer pings.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable

import aiohttp

from bench.signaling import wire

EventHandler = Callable[[str, Any], None]


class ConnectRefused(Exception):
    """The server answered the socket.io connect with a refusal (44)."""


class SocketIOClient:
    def __init__(self, http: aiohttp.ClientSession, on_event: EventHandler, *, namespace: str = "/") -> None:
        self._http = http
        self._on_event = on_event
        self._namespace = namespace
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task | None = None
        self._connected: asyncio.Future | None = None
        self._acks: dict[int, asyncio.Future] = {}
        self._next_ack_id = 0

    async def connect(self, base_url: str, *, auth: dict | None = None, headers: dict[str, str] | None = None,
                      path: str = "/socket.io/", timeout_s: float = 10.0) -> None:
        url = base_url.replace("http", "ws", 1).rstrip("/") + f"{path}?EIO=4&transport=websocket"
        self._ws = await self._http.ws_connect(url, headers=headers or {}, autoping=True)
        self._connected = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read(auth))
        await asyncio.wait_for(self._connected, timeout_s)

    async def emit(self, event: str, payload: Any) -> None:
        await self.send_frame(wire.event_frame(event, payload, namespace=self._namespace))

    async def call(self, event: str, payload: Any, *, timeout_s: float = 10.0) -> Any:
        """Emit with an acknowledgement and return what the server acknowledged with."""
        self._next_ack_id += 1
        ack_id = self._next_ack_id
        future = self._acks[ack_id] = asyncio.get_running_loop().create_future()
        await self.send_frame(wire.event_frame(event, payload, namespace=self._namespace, ack_id=ack_id))
        try:
            return await asyncio.wait_for(future, timeout_s)
        finally:
            self._acks.pop(ack_id, None)

    async def send_frame(self, frame: str) -> None:
        assert self._ws is not None, "connect first"
        await self._ws.send_str(frame)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()

    async def _read(self, auth: dict | None) -> None:
        assert self._ws is not None and self._connected is not None
        try:
            async for message in self._ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                packet = wire.parse(message.data)
                if packet.kind == wire.PING:
                    await self._ws.send_str(wire.PONG)
                elif packet.kind == wire.EVENT:
                    event, *args = packet.body
                    self._on_event(event, args[0] if args else None)
                elif packet.kind == wire.ACK:
                    future = self._acks.get(packet.ack_id)
                    if future is not None and not future.done():
                        future.set_result(packet.body[0] if packet.body else None)
                elif packet.kind == wire.OPEN:
                    await self._ws.send_str(wire.connect_frame(auth, self._namespace))
                elif packet.kind == wire.CONNECT and not self._connected.done():
                    self._connected.set_result(packet.body)
                elif packet.kind == wire.CONNECT_ERROR and not self._connected.done():
                    self._connected.set_exception(ConnectRefused(str(packet.body)))
        except Exception as exc:
            if not self._connected.done():
                self._connected.set_exception(exc)
            raise
        finally:
            if not self._connected.done():
                self._connected.set_exception(ConnectionError("the server closed the websocket before connecting"))
