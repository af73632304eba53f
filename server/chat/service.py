"""Chat rooms: who may read and write them, checking a message, reading history.

Storing is `ChatWriter.send` (writer.py): one transaction for many messages. This module
has what both the writer and the readers need. Services never import aiohttp or socketio.

A room is named `<kind>:<id>` on the wire (`consultation:12`). Each domain with rooms says
who their members are with one MembershipQuery that answers for many rooms in one query
(consultations/chatrooms.py, meetings/chatrooms.py); app.py registers them in one ChatRooms,
so chat/ knows no domain's rules. The writer checks a whole batch at once, in the transaction
that stores it. Those queries are synchronous (a sync Session or Connection): the SQLite
writer calls them in its own thread, async callers through `run_sync`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.accounts.actor import Actor
from server.chat.models import ChatMessage, ChatRoom
from server.errors import Conflict, FayuanError, InvalidInput, NotFound, PermissionDenied
from signaling.payloads import MAX_CHAT_CHARS, MAX_SYNC_MESSAGES

MAX_ROOM_REF = 2**31 - 1  # PostgreSQL INTEGER


class Executes(Protocol):
    """An AsyncSession or an AsyncConnection: both run Core statements."""

    async def execute(self, statement: Any, parameters: Any = None, /) -> Any: ...


class ExecutesNow(Protocol):
    """A sync Session or Connection: what `run_sync` hands over, and what the SQLite chat
    writer holds in its thread."""

    def execute(self, statement: Any, parameters: Any = None, /) -> Any: ...


class RoomKey(NamedTuple):
    """A room: a tuple, because the writer hashes it several times per message."""

    kind: str
    ref_id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref_id}"


def check_text(text: str) -> str:
    """Plain text of 1 to MAX_CHAT_CHARS characters. It is stored as typed; pages show it
    with textContent, so markup in it stays text."""
    if len(text) > MAX_CHAT_CHARS:
        raise InvalidInput(f"a chat message may be at most {MAX_CHAT_CHARS} characters; this one has {len(text)}",
                           field="text", max_chars=MAX_CHAT_CHARS)
    if not text.strip():
        raise InvalidInput("a chat message needs some text", field="text")
    if "\x00" in text:
        raise InvalidInput("a chat message cannot contain a NUL character", field="text")
    return text


# -- membership -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Members:
    """Who takes part in one room, and whether it still takes new messages."""

    refs: frozenset[str]  # Actor.ref of each member
    writable: bool
    former: frozenset[str] = frozenset()  # took part, read nothing now (a kiosk after the end)

    def check_read(self, sender: str) -> None:
        if sender not in self.refs:
            raise PermissionDenied("only the people in this consultation may read or write its chat")

    def check_write(self, sender: str) -> None:
        if sender in self.former:
            raise Conflict("this consultation has ended; its chat takes no more messages")
        self.check_read(sender)
        if not self.writable:
            raise Conflict("this consultation has ended; its chat can be read but not written")


MembershipQuery = Callable[[ExecutesNow, Iterable[int]], dict[int, Members]]
"""The members of each of these rooms of one kind that exist, by id."""


class ChatRooms:
    """The kinds of room and who is in each: one MembershipQuery per kind, which the domain
    that owns the kind offers and app.py registers."""

    def __init__(self, kinds: dict[str, MembershipQuery]) -> None:
        self.kinds = kinds

    def parse(self, name: str) -> RoomKey:
        kind, _, ref = name.partition(":")
        if kind not in self.kinds:
            raise InvalidInput(f"there are no chat rooms of kind {kind[:20]!r}", field="room",
                               kinds=sorted(self.kinds))
        if not (ref.isascii() and ref.isdigit()) or not 0 < int(ref) <= MAX_ROOM_REF:
            raise InvalidInput("a room is '<kind>:<id>' with a positive id", field="room")
        return RoomKey(kind, int(ref))

    def members_of(self, db: ExecutesNow, rooms: Iterable[RoomKey]) -> dict[RoomKey, Members | FayuanError]:
        """Members of each room, or the NotFound that a missing room stands for: one query per kind."""
        by_kind: dict[str, set[int]] = {}
        for room in rooms:
            by_kind.setdefault(room.kind, set()).add(room.ref_id)
        out: dict[RoomKey, Members | FayuanError] = {}
        for kind, ids in by_kind.items():
            found = self.kinds[kind](db, ids)
            for ref_id in ids:
                out[RoomKey(kind, ref_id)] = found.get(ref_id) or NotFound(f"there is no {kind} {ref_id}")
        return out

    async def check_reader(self, db: AsyncSession | AsyncConnection, actor: Actor, room: RoomKey) -> None:
        members = (await db.run_sync(self.members_of, [room]))[room]
        if isinstance(members, FayuanError):
            raise members
        members.check_read(actor.ref)


# -- reading --------------------------------------------------------------------------------
def public(room: RoomKey | str, seq: int, client_id: str, text: str, sender: str, sender_name: str,
           at: datetime) -> dict:
    """A message as the wire and the HTTP API carry it (signaling.payloads.ChatMessage)."""
    return {"room": str(room), "seq": seq, "client_id": client_id, "text": text, "sender": sender,
            "sender_name": sender_name, "at": at.isoformat()}


async def since(db: Executes, room: RoomKey, since_seq: int = 0, limit: int = MAX_SYNC_MESSAGES) -> list[dict]:
    """The room's messages after `since_seq`, in order, at most `limit` of them."""
    rows = await db.execute(
        select(ChatMessage.seq, ChatMessage.client_id, ChatMessage.text, ChatMessage.sender,
               ChatMessage.sender_name, ChatMessage.at)
        .join(ChatRoom, ChatRoom.id == ChatMessage.room_id)
        .where(ChatRoom.kind == room.kind, ChatRoom.ref_id == room.ref_id, ChatMessage.seq > since_seq)
        .order_by(ChatMessage.seq).limit(limit))
    return [public(room, *row) for row in rows]
