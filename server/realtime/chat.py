"""Chat over socket.io: `chat.send` and `chat.sync` handlers added to the gateway's table, the
per-process ChatWriter in a cleanup context, and a task that pushes stored messages to rooms.

Delivery runs in its own task, fed in commit order, so the writer can commit the next batch
while this one is being pushed, and pushes to one room leave this process in seq order.

Both backlogs are bounded. The writer's (chat/writer.py) refuses a message while
MAX_BACKLOG_MESSAGES wait to be stored; this one, while MAX_UNDELIVERED_MESSAGES stored messages
wait to be pushed, `chat.send` is refused before the writer sees it. Either way the sender gets
the retryable `unavailable` ack, nothing of that message is stored, and it sends it again with
the same client_id; nothing acknowledged is dropped. What the writer had accepted before the
refusals began is still stored and pushed, so this backlog stays under the sum of the two.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator, Callable

from aiohttp import web

from server.chat import service
from server.chat.service import ChatRooms
from server.chat.writer import ChatUnavailable, ChatWriter
from server.realtime.gateway import Gateway, Peer
from server.tasks import stop_task
from server.web import keys
from signaling import events, payloads

log = logging.getLogger(__name__)
CHAT_WRITER = web.AppKey("chat_writer", ChatWriter)
# Pushes take a fraction of a store's time, so a backlog here means the sockets cannot take them:
# as many as the writer's own bound before new messages are refused.
MAX_UNDELIVERED_MESSAGES = 10_000


class Delivery:
    """Stored messages on their way to their rooms, in commit order, pushed by one task."""

    def __init__(self, gateway: Gateway, max_messages: int = MAX_UNDELIVERED_MESSAGES) -> None:
        self.gateway = gateway
        self.max_messages = max_messages
        self.backlog = 0  # messages stored and not yet pushed
        self._batches: asyncio.Queue[list[dict]] = asyncio.Queue()

    @property
    def full(self) -> bool:
        return self.backlog >= self.max_messages

    def put(self, batch: list[dict]) -> None:
        """The writer's on_stored: never blocks, never drops."""
        self.backlog += len(batch)
        self._batches.put_nowait(batch)

    async def run(self) -> None:
        while True:
            batch = await self._batches.get()
            for message in batch:
                try:
                    await self.gateway.emit(events.CHAT_MESSAGE, message, room=message["room"])
                except Exception:  # noqa: BLE001 - a lost push is repaired by the client's chat.sync
                    log.exception("pushing a chat message failed")
                self.backlog -= 1


CHAT_DELIVERY = web.AppKey("chat_delivery", Delivery)


def install(app: web.Application, gateway: Gateway, rooms: ChatRooms) -> None:
    """Register the chat events with the gateway and run the writer with the app."""
    app[CHAT_DELIVERY] = delivery = Delivery(gateway)
    gateway.handlers.update(chat_handlers(app, gateway, rooms, delivery))
    app.cleanup_ctx.append(_writer(rooms, delivery))


def chat_handlers(app: web.Application, gateway: Gateway, rooms: ChatRooms,
                  delivery: Delivery) -> dict[str, tuple[type, Any]]:
    async def send(sid: str, peer: Peer, p: payloads.ChatSend) -> dict:
        if delivery.full:
            raise ChatUnavailable("the chat is busy; send the message again in a moment")
        message = await app[CHAT_WRITER].send(
            rooms.parse(p.room), sender=peer.actor.ref, sender_name=peer.actor.name, client_id=p.client_id,
            text=p.text, at=app[keys.CLOCK].now())
        return {"message": message}

    async def sync(sid: str, peer: Peer, p: payloads.ChatSync) -> dict:
        """Join the room first, then read: a message stored meanwhile comes as a push, in the
        answer, or both — never neither. The client keeps one copy per seq."""
        room = rooms.parse(p.room)
        async with app[keys.DB].sessions() as session:
            await rooms.check_reader(session, peer.actor, room)
            await gateway.enter_room(sid, str(room))
            messages = await service.since(session, room, p.since_seq, payloads.MAX_SYNC_MESSAGES + 1)
        more = len(messages) > payloads.MAX_SYNC_MESSAGES
        return {"messages": messages[:payloads.MAX_SYNC_MESSAGES], "more": more}

    return {events.CHAT_SEND: (payloads.ChatSend, send), events.CHAT_SYNC: (payloads.ChatSync, sync)}


def _writer(rooms: ChatRooms, delivery: Delivery) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        writer = ChatWriter(app[keys.DB].engine, rooms, on_stored=delivery.put,
                            on_committed=app[keys.METRICS].chat_batch)
        await writer.start()
        app[CHAT_WRITER] = writer
        pushing = asyncio.create_task(delivery.run(), name="chat-delivery")
        yield
        await writer.stop()
        await stop_task(pushing)

    return context
