"""Group commit for chat: one writer task per process stores whatever messages are waiting,
from every room, in one transaction, then acknowledges each sender. Acked means stored.

Why: a commit costs a disk sync, so one commit per message tops out near 850 messages a
second on aiosqlite; one commit for all that queued up meanwhile pays that sync once for
hundreds. There is no timer: a batch is what arrived while the previous one was committing,
so a lone message waits for nothing and a burst amortises itself.

One batch is one transaction:

1. members — one query per room kind (service.MEMBERSHIP), in the transaction that stores
   the messages; a refused message gets its error and the others go on.
2. rooms — the ids of rooms this process has not met yet, creating missing rows with
   INSERT … ON CONFLICT DO NOTHING, then SELECT.
3. sequence numbers — ``UPDATE chat_rooms SET last_seq = last_seq + n WHERE id IN (…)
   RETURNING id, last_seq`` for the rooms with n messages in the batch (one statement per
   distinct n, usually one or two); message k of n in a room gets ``last_seq - n + k``.
   The counter rows stay locked until commit (on PostgreSQL row locks, taken first in id
   order with SELECT … FOR UPDATE so two processes never deadlock; on SQLite the single
   writer), so a second process's batch waits, then numbers after ours: no collision across
   processes. A rollback takes its numbers back with its messages, so a room's numbers have
   no gaps.
4. messages — one executemany INSERT, handed straight to the driver.
5. commit; then each sender's future gets its message, and ``on_stored`` gets the batch in
   order for delivery to the room.

Resends. A resend of (room, sender, client_id) while the first copy is still waiting here
joins the first copy's future. Once stored, the unique constraint refuses a copy: the batch
rolls back and is retried with a lookup that answers the copy with the stored message. That
is also how two processes racing with the same resend end with one row and one answer. The
lookup runs only on a retry because resends are rare and the fast path should stay a few
statements: members, numbers, messages.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import Integer, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.chat import service
from server.chat.models import ChatMessage, ChatRoom
from server.chat.service import RoomKey
from server.errors import FayuanError

log = logging.getLogger(__name__)

MAX_BATCH_MESSAGES = 1_000  # keeps the statements' bound parameters well under SQLite's limit
MAX_ATTEMPTS = 5  # a batch that fails this often fails its senders, who resend later
RETRY_PAUSE_SECONDS = 0.02  # doubled per attempt: lets a lock holder or a deadlock clear
STOP_TIMEOUT_SECONDS = 5.0

_LOCK_ROOMS = (select(ChatRoom.id).where(ChatRoom.id.in_(bindparam("ids", expanding=True)))
               .order_by(ChatRoom.id).with_for_update())
_TAKE_NUMBERS = (update(ChatRoom).where(ChatRoom.id.in_(bindparam("ids", expanding=True)))
                 .values(last_seq=ChatRoom.last_seq + bindparam("n", type_=Integer))
                 .returning(ChatRoom.id, ChatRoom.last_seq))

_MESSAGE_COLUMNS = ("room_id", "seq", "sender", "sender_name", "client_id", "text", "at")
_PLACEHOLDERS = {"qmark": lambda i: "?", "format": lambda i: "%s", "pyformat": lambda i: "%s",
                 "numeric": lambda i: f":{i}", "numeric_dollar": lambda i: f"${i}"}


async def _insert_messages(conn: AsyncConnection, rows: list[tuple]) -> None:
    """One executemany, straight to the driver: SQLAlchemy's per-row parameter handling was
    most of this writer's CPU. `at` still goes through its column type's bind processor, so
    it is stored exactly as the ORM stores it (and reads back through the ORM)."""
    dialect = conn.dialect
    mark = _PLACEHOLDERS[dialect.paramstyle]
    sql = (f"INSERT INTO {ChatMessage.__tablename__} ({', '.join(_MESSAGE_COLUMNS)}) "
           f"VALUES ({', '.join(mark(i) for i in range(1, len(_MESSAGE_COLUMNS) + 1))})")
    to_db = ChatMessage.__table__.c.at.type.bind_processor(dialect)
    if to_db is not None:
        rows = [(*row[:-1], to_db(row[-1])) for row in rows]
    await conn.exec_driver_sql(sql, rows)


Stored = Callable[[list[dict]], None]
Key = tuple[RoomKey, str, str]  # room, sender, client_id


class WriterStopped(FayuanError):
    status, code = 503, "unavailable"


@dataclass(slots=True)
class Pending:
    room: RoomKey
    sender: str
    sender_name: str
    client_id: str
    text: str
    at: datetime
    key: Key = field(init=False)
    # one per waiting sender (a resend joins with its own): a sender that gives up cancels
    # only its own future
    futures: list[asyncio.Future[dict]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.key = (self.room, self.sender, self.client_id)


class ChatWriter:
    """Stores chat messages for this process, many per transaction (see the module docstring)."""

    def __init__(self, engine: AsyncEngine, *, on_stored: Stored | None = None,
                 max_batch: int = MAX_BATCH_MESSAGES) -> None:
        self.engine = engine
        self.on_stored = on_stored
        self.max_batch = max_batch
        self.batches = 0  # committed transactions, for tests and the benchmark
        self._queue: list[Pending] = []
        self._waiting: dict[Key, Pending] = {}  # queued or being committed, by resend key
        self._room_ids: dict[RoomKey, int] = {}  # rooms never go away, so this never goes stale
        self._conn: AsyncConnection | None = None  # the writer's own: no pool round trip per batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chat-writer")

    async def stop(self) -> None:
        """Store what is already queued (bounded by STOP_TIMEOUT_SECONDS), refuse the rest."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT_SECONDS)
            except asyncio.TimeoutError:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        self._fail(list(self._waiting.values()), WriterStopped("the server is stopping; send again"))
        if self._conn is not None:
            await self._conn.close()

    async def send(self, room: RoomKey, *, sender: str, sender_name: str, client_id: str, text: str,
                   at: datetime) -> dict:
        """Store one message and return it as stored: {room, seq, client_id, text, sender,
        sender_name, at}. A resend (same room, sender, client_id) returns the first copy."""
        if self._stopping:
            raise WriterStopped("the server is stopping; send again")
        service.check_text(text)
        pending = self._waiting.get((room, sender, client_id))
        if pending is None:
            pending = Pending(room, sender, sender_name[:100], client_id, text, at)
            self._waiting[pending.key] = pending
            self._queue.append(pending)
            self._wake.set()
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        pending.futures.append(future)
        return await future

    # -- the writer task ------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                await self._store(batch)
            if self._stopping:
                return

    async def _store(self, batch: list[Pending]) -> None:
        lookup = False
        for attempt in range(MAX_ATTEMPTS):
            try:
                answers, new_rooms = await self._transaction(batch, lookup)
            except IntegrityError:
                lookup = True  # a copy of something already stored: answer it from the table
            except DBAPIError as exc:
                log.warning("chat batch of %d failed (attempt %d): %s", len(batch), attempt + 1, exc)
                await self._drop_connection()
                await asyncio.sleep(RETRY_PAUSE_SECONDS * 2 ** attempt)
            except Exception as exc:  # noqa: BLE001 - the senders get an error, the writer lives on
                log.exception("chat batch of %d failed", len(batch))
                self._fail(batch, exc)
                return
            else:
                self.batches += 1
                self._room_ids.update(new_rooms)
                self._answer(batch, answers)
                return
        self._fail(batch, WriterStopped("the chat could not be stored just now; send again"))

    async def _transaction(self, batch: list[Pending], lookup: bool) -> tuple[dict[Key, dict | Exception],
                                                                               dict[RoomKey, int]]:
        answers: dict[Key, dict | Exception] = {}
        if self._conn is None:
            self._conn = await self.engine.connect()
        conn = self._conn
        async with conn.begin():
            members = await service.members_of(conn, {p.room for p in batch})
            accepted = self._admit(batch, members, answers)
            new_rooms = await self._room_rows(conn, {p.room for p in accepted} - self._room_ids.keys())
            room_ids = {**self._room_ids, **new_rooms}
            if lookup:
                answers.update(await self._stored_copies(conn, accepted, room_ids))
                accepted = [p for p in accepted if p.key not in answers]
            counts = Counter(room_ids[p.room] for p in accepted)
            if counts:
                seq = await self._take_numbers(conn, counts)
                rows = []
                for p in accepted:
                    room_id = room_ids[p.room]
                    n = seq[room_id] = seq[room_id] + 1
                    rows.append((room_id, n, p.sender, p.sender_name, p.client_id, p.text, p.at))
                    answers[p.key] = service.public(p.room, n, p.client_id, p.text, p.sender, p.sender_name, p.at)
                await _insert_messages(conn, rows)
        return answers, new_rooms

    @staticmethod
    def _admit(batch: list[Pending], members: dict, answers: dict[Key, dict | Exception]) -> list[Pending]:
        """The messages whose sender may write to their room; the others' errors into answers."""
        verdicts: dict[tuple[RoomKey, str], FayuanError | None] = {}
        accepted = []
        for p in batch:
            who = (p.room, p.sender)
            if who not in verdicts:
                m = members[p.room]
                try:
                    if isinstance(m, FayuanError):
                        raise m
                    m.check_write(p.sender)
                    verdicts[who] = None
                except FayuanError as exc:
                    verdicts[who] = exc
            refusal = verdicts[who]
            if refusal is None:
                accepted.append(p)
            else:
                answers[p.key] = refusal
        return accepted

    @staticmethod
    async def _take_numbers(conn: AsyncConnection, counts: Counter[int]) -> dict[int, int]:
        """Reserve counts[room] numbers in each room; returns the number before each room's
        first. One UPDATE per distinct count (usually one or two): rooms are grouped by how
        many messages they have in this batch, so the statement stays the same and cached."""
        if conn.dialect.name != "sqlite":  # SQLite has one writer at a time: nothing to order
            # lock the counters in id order first, so two processes' batches wait for each
            # other instead of deadlocking over rooms taken in different orders
            await conn.execute(_LOCK_ROOMS, {"ids": sorted(counts)})
        rooms_by_count: dict[int, list[int]] = {}
        for room_id, n in counts.items():
            rooms_by_count.setdefault(n, []).append(room_id)
        before = {}
        for n, room_ids in sorted(rooms_by_count.items()):
            for room_id, last_seq in await conn.execute(_TAKE_NUMBERS, {"ids": sorted(room_ids), "n": n}):
                before[room_id] = last_seq - n
        return before

    async def _room_rows(self, conn: AsyncConnection, rooms: set[RoomKey]) -> dict[RoomKey, int]:
        if not rooms:
            return {}
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        await conn.execute(insert(ChatRoom).on_conflict_do_nothing(),
                           [{"kind": r.kind, "ref_id": r.ref_id, "last_seq": 0} for r in sorted(rooms)])
        found: dict[RoomKey, int] = {}
        for kind in {r.kind for r in rooms}:
            rows = await conn.execute(select(ChatRoom.ref_id, ChatRoom.id).where(
                ChatRoom.kind == kind, ChatRoom.ref_id.in_({r.ref_id for r in rooms if r.kind == kind})))
            found.update({RoomKey(kind, ref_id): room_id for ref_id, room_id in rows})
        return found

    @staticmethod
    async def _stored_copies(conn: AsyncConnection, batch: list[Pending],
                             room_ids: dict[RoomKey, int]) -> dict[Key, dict]:
        rooms = {room_id: room for room, room_id in room_ids.items()}
        rows = await conn.execute(
            select(ChatMessage.room_id, ChatMessage.seq, ChatMessage.client_id, ChatMessage.text,
                   ChatMessage.sender, ChatMessage.sender_name, ChatMessage.at)
            .where(ChatMessage.room_id.in_({room_ids[p.room] for p in batch}),
                   ChatMessage.client_id.in_({p.client_id for p in batch})))
        wanted = {p.key for p in batch}
        copies = {}
        for room_id, seq, client_id, text, sender, sender_name, at in rows:
            key = (rooms[room_id], sender, client_id)
            if key in wanted:
                copies[key] = service.public(rooms[room_id], seq, client_id, text, sender, sender_name, at)
        return copies

    def _answer(self, batch: list[Pending], answers: dict[Key, dict | Exception]) -> None:
        stored = []
        for p in batch:
            answer = answers[p.key]
            self._waiting.pop(p.key, None)
            for future in p.futures:
                if future.done():
                    continue  # its sender gave up
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
            if not isinstance(answer, Exception):
                stored.append(answer)
        if stored and self.on_stored is not None:
            self.on_stored(sorted(stored, key=lambda m: (m["room"], m["seq"])))

    def _fail(self, batch: list[Pending], exc: Exception) -> None:
        for p in batch:
            self._waiting.pop(p.key, None)
            for future in p.futures:
                if not future.done():
                    future.set_exception(exc)

    async def _drop_connection(self) -> None:
        """After a database error: start the next attempt on a fresh connection."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()
            except Exception:  # noqa: BLE001 - it is broken already; a new one comes next
                log.debug("closing a failed chat connection failed", exc_info=True)
