"""One room's chat over a Connection: every message once, in seq order, and sends that survive
dropped connections.

Receiving: subscribe first, then fetch the gap. The push handler is registered before the
first `chat.sync`, and the server joins the room before it reads; so a message stored while
we catch up comes as a push, in the sync answer, or both, and `messages` keeps one per seq.
A push beyond the next expected seq waits in `_ahead` while a sync fills the gap. After
socket.io reconnects by itself, the chat syncs again from its last seq.

Sending: `send(text)` queues the text with a new client_id and returns a future for the
stored message. One task sends the queue in order, one message at a time (the next is sent
once the previous is stored, which keeps our messages in the order they were written). A
send cut off by a drop is sent again with the same client_id once the connection is back;
the server answers a repeat with the copy it already stored, so nothing is stored twice.

Pages do the same with socket.io-client: listen for `chat.message`, then `chat.sync` with the
last seq on every (re)connect; keep messages in a map by seq; show `text` with textContent.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from typing import Any, Callable

from client.connection import RECONNECTED, Connection, SignalingError
from signaling import events
from signaling.payloads import ChatSend, ChatSync

log = logging.getLogger(__name__)

# Worth sending again once the connection is back: the message may or may not be stored.
RESEND_CODES = frozenset({"timeout", "unreachable", "unauthenticated", "unavailable", "internal"})
RATE_LIMIT_PAUSE_SECONDS = 0.25  # the server's bucket refills 50 events a second
RECONNECT_CHECK_SECONDS = 1.0  # waiting for the connection is bounded: look again this often

OnMessage = Callable[[dict], Any]


class Chat:
    """The chat of one room (`consultation:<id>`). A Chat owns its connection's socket.io
    `disconnect` handler: use one Chat per connection at a time (a kiosk or a lawyer is in
    one consultation at a time)."""

    def __init__(self, connection: Connection, room: str, *, on_message: OnMessage | None = None) -> None:
        self.connection = connection
        self.room = room
        self.on_message = on_message
        self.messages: list[dict] = []  # stored messages, in seq order, each once
        self.last_seq = 0
        self._ahead: dict[int, dict] = {}
        self._outbox: deque[tuple[str, str, asyncio.Future[dict]]] = deque()
        self._sender: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._down = asyncio.Event()
        self._syncing = asyncio.Lock()
        connection.on(events.CHAT_MESSAGE, self._pushed)
        connection.on(RECONNECTED, self._reconnected)
        connection.sio.on("disconnect", self._dropped)

    async def join(self) -> list[dict]:
        """Fetch the history (the push handler is already listening); returns `messages`."""
        (self._up if self.connection.connected else self._down).set()
        await self.sync()
        return self.messages

    def send(self, text: str) -> asyncio.Future[dict]:
        """Queue a message; the future resolves to it as stored ({seq, client_id, text, sender,
        sender_name, at, room}) or fails with the SignalingError that refused it."""
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._outbox.append((uuid.uuid4().hex, text, future))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_queued(), name=f"chat-send-{self.room}")
        return future

    async def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender

    async def sync(self) -> None:
        """Get every message after `last_seq`, page by page."""
        async with self._syncing:
            while True:
                ack = await self._call_unless_dropped(events.CHAT_SYNC,
                                                      ChatSync(room=self.room, since_seq=self.last_seq))
                for message in ack["messages"]:
                    self._accept(message)
                if not ack.get("more"):
                    return

    # -- receiving ------------------------------------------------------------------------
    def _accept(self, message: dict) -> bool:
        """Keep a message if it is the next one; hold it if it is beyond; drop a repeat."""
        seq = message["seq"]
        if seq <= self.last_seq:
            return True
        if seq > self.last_seq + 1:
            self._ahead[seq] = message
            return False
        kept: dict | None = message
        while kept is not None:
            self.messages.append(kept)
            self.last_seq = kept["seq"]
            if self.on_message is not None:
                try:
                    self.on_message(kept)
                except Exception:  # noqa: BLE001 - the application's callback must not stop the chat
                    log.exception("chat on_message failed")
            kept = self._ahead.pop(self.last_seq + 1, None)
        return True

    async def _pushed(self, message: dict) -> None:
        if message.get("room") != self.room or self._accept(message):
            return
        try:
            await self.sync()  # a gap: fill it now rather than wait for the next message
        except SignalingError as exc:
            log.info("chat sync after a gap failed (%s); the next reconnect syncs again", exc)

    async def _reconnected(self, data: dict) -> None:
        self._down.clear()
        self._up.set()
        try:
            await self.sync()
        except SignalingError as exc:
            log.info("chat sync after reconnecting failed: %s", exc)

    def _dropped(self, *reason: Any) -> None:
        self._up.clear()
        self._down.set()

    # -- sending --------------------------------------------------------------------------
    async def _send_queued(self) -> None:
        while self._outbox:
            client_id, text, future = self._outbox[0]
            try:
                ack = await self._call_unless_dropped(events.CHAT_SEND,
                                                      ChatSend(room=self.room, client_id=client_id, text=text))
            except SignalingError as exc:
                if exc.code == "rate_limited":
                    await asyncio.sleep(RATE_LIMIT_PAUSE_SECONDS)
                elif exc.code in RESEND_CODES:
                    await self._connected()
                else:
                    self._outbox.popleft()
                    future.set_exception(exc)
                continue
            self._outbox.popleft()
            if not future.done():
                future.set_result(ack["message"])
            if not self._accept(ack["message"]):
                with contextlib.suppress(SignalingError):
                    await self.sync()  # others wrote in between and their pushes are not here yet

    async def _call_unless_dropped(self, event: str, payload: ChatSend | ChatSync) -> dict:
        """The ack, or `unreachable` as soon as the connection drops (socket.io forgets the
        acks it was waiting for then, and would let us wait for the whole ack timeout)."""
        if self._down.is_set() or not self.connection.connected:
            raise SignalingError("unreachable", "not connected")
        call = asyncio.ensure_future(self.connection.call(event, payload))
        down = asyncio.ensure_future(self._down.wait())
        try:
            await asyncio.wait({call, down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            down.cancel()
        if call.done():
            return call.result()
        call.cancel()
        raise SignalingError("unreachable", "the connection dropped before the message was acknowledged")

    async def _connected(self) -> None:
        while not (self._up.is_set() and self.connection.connected):
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._up.wait(), RECONNECT_CHECK_SECONDS)
