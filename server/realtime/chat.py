"""Chat over socket.io: `chat.send` and `chat.sync` handlers added to the gateway's table, the
per-process ChatWriter in a cleanup context, and a task that pushes stored messages to rooms.

Delivery runs in its own task, fed in commit order, so the writer can commit the next batch
while this one is being pushed, and pushes to one room leave this process in seq order.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator

from aiohttp import web

from server.chat import service
from server.chat.service import ChatRooms
from server.chat.writer import ChatWriter
from server.realtime.gateway import Gateway, Peer
from server.tasks import stop_task
from server.web import keys
from signaling import events, payloads

log = logging.getLogger(__name__)
CHAT_WRITER = web.AppKey("chat_writer", ChatWriter)


def install(app: web.Application, gateway: Gateway, rooms: ChatRooms) -> None:
    """Register the chat events with the gateway and run the writer with the app."""
    gateway.handlers.update(chat_handlers(app, gateway, rooms))
    app.cleanup_ctx.append(_writer(gateway, rooms))


def chat_handlers(app: web.Application, gateway: Gateway, rooms: ChatRooms) -> dict[str, tuple[type, Any]]:
    async def send(sid: str, peer: Peer, p: payloads.ChatSend) -> dict:
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


def _writer(gateway: Gateway, rooms: ChatRooms):  # type: ignore[no-untyped-def]
    async def context(app: web.Application) -> AsyncIterator[None]:
        stored: asyncio.Queue[list[dict]] = asyncio.Queue()
        writer = ChatWriter(app[keys.DB].engine, rooms, on_stored=stored.put_nowait,
                            on_committed=app[keys.METRICS].chat_batch)
        await writer.start()
        app[CHAT_WRITER] = writer
        delivery = asyncio.create_task(_deliver(gateway, stored), name="chat-delivery")
        yield
        await writer.stop()
        await stop_task(delivery)

    return context


async def _deliver(gateway: Gateway, stored: asyncio.Queue[list[dict]]) -> None:
    while True:
        batch = await stored.get()
        for message in batch:
            try:
                await gateway.emit(events.CHAT_MESSAGE, message, room=message["room"])
            except Exception:  # noqa: BLE001 - a lost push is repaired by the client's chat.sync
                log.exception("pushing a chat message failed")
