"""Group commit for chat: one writer task per process stores whatever messages are waiting,
from every room, in one transaction, then acknowledges each sender. Acked means stored.

Why: a commit costs a disk sync, so one commit per message tops out near 850 messages a
second on aiosqlite; one commit for all that queued up meanwhile pays that sync once for
hundreds. There is no timer: a batch is what arrived while the previous one was committing,
so a lone message waits for nothing and a burst amortises itself.

A batch is one transaction, `batch.store`: members, room rows, sequence numbers, one
INSERT (its docstring has the steps and why numbers never collide). Where it
runs depends on the database:

- SQLite file: in the writer's own thread, on its own sync `sqlite3` connection
  (sqlite_thread.py), from BEGIN IMMEDIATE to COMMIT in one call: one thread hand-off per
  batch instead of one per statement, and none of aiosqlite's per-statement queueing.
  Room members come from members_cache.py, which asks the database again as soon as any
  other connection has committed, so a check is never staler than a fresh query. The WAL
  is checkpointed beside the commits, not inside them (wal_checkpoints.py).
- PostgreSQL (or an in-memory SQLite, which a second connection could not see): on an
  AsyncConnection of the app's engine, through `run_sync`, members queried every batch.

Once committed, each sender's future gets its message, and ``on_stored`` gets the batch in
order for delivery to the room.

The backlog is bounded: while MAX_BACKLOG_MESSAGES wait for a transaction, a new message is
refused at once with ChatUnavailable, the retryable `unavailable` (docs/protocol.md): nothing of
it was stored or acknowledged, and its sender sends it again, with the same client_id, a moment
later. A resend of a message already waiting joins it, full or not. Nothing that was accepted
is dropped: it is stored and acknowledged, or its sender told it failed.

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
import time
from datetime import datetime
from typing import Callable

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.chat import batch as batches
from server.chat import service
from server.chat.batch import Answer, Key, Pending, RoomIds
from server.chat.members_cache import MembersCache
from server.chat.service import ChatRooms, RoomKey
from server.chat.sqlite_thread import SqliteThread
from server.errors import FayuanError

log = logging.getLogger(__name__)

MAX_BATCH_MESSAGES = 1_000  # keeps the statements' bound parameters well under SQLite's limit
# Ten full batches: half a second at the 20,000 messages a second the writer was measured storing
# (wal_checkpoints.py), and at most some tens of megabytes of text (2,000 characters a message).
# A backlog past it is a writer that cannot keep up: senders are told to send again.
MAX_BACKLOG_MESSAGES = 10_000
MAX_ATTEMPTS = 5  # a batch that fails this often fails its senders, who resend later
RETRY_PAUSE_SECONDS = 0.02  # doubled per attempt: lets a lock holder or a deadlock clear
STOP_TIMEOUT_SECONDS = 5.0

Stored = Callable[[list[dict]], None]
Committed = Callable[[int, float], None]  # (messages, seconds) of each committed batch: metrics


class ChatUnavailable(FayuanError):
    """Not stored, so not acknowledged: send it again, with the same client_id, in a moment."""

    status, code = 503, "unavailable"


def _own_sqlite_file(engine: AsyncEngine) -> bool:
    url = engine.url
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


class ChatWriter:
    """Stores chat messages for this process, many per transaction (see the module docstring)."""

    def __init__(self, engine: AsyncEngine, rooms: ChatRooms, *, on_stored: Stored | None = None,
                 max_batch: int = MAX_BATCH_MESSAGES, max_backlog: int = MAX_BACKLOG_MESSAGES,
                 on_committed: Committed | None = None) -> None:
        self.engine = engine
        self.rooms = rooms
        self.on_stored = on_stored
        self.on_committed = on_committed
        self.max_batch = max_batch
        self.max_backlog = max_backlog
        self.batches = 0  # committed transactions, for tests and the benchmark
        self._queue: list[Pending] = []
        self._waiting: dict[Key, Pending] = {}  # queued or being committed, by resend key
        self._room_ids: RoomIds = {}  # rooms never go away, so this never goes stale
        self._sqlite = SqliteThread(engine.url) if _own_sqlite_file(engine) else None
        self._members = MembersCache(rooms)  # used on SQLite only, in its thread
        self._conn: AsyncConnection | None = None  # otherwise its own: no pool round trip per batch
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
        self._fail(list(self._waiting.values()), ChatUnavailable("the server is stopping; send again"))
        if self._sqlite is not None:
            await self._sqlite.close()
        if self._conn is not None:
            await self._conn.close()

    @property
    def backlog(self) -> int:
        """Messages queued and not yet in a transaction."""
        return len(self._queue)

    async def send(self, room: RoomKey, *, sender: str, sender_name: str, client_id: str, text: str,
                   at: datetime) -> dict:
        """Store one message and return it as stored: {room, seq, client_id, text, sender,
        sender_name, at}. A resend (same room, sender, client_id) returns the first copy.
        ChatUnavailable, at once, while the backlog is full (see the module docstring)."""
        if self._stopping:
            raise ChatUnavailable("the server is stopping; send again")
        service.check_text(text)
        key = (room, sender, client_id)
        pending = self._waiting.get(key)
        if pending is None and len(self._queue) >= self.max_backlog:
            raise ChatUnavailable("the chat is busy; send the message again in a moment")
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        if pending is None:
            self._waiting[key] = pending = Pending(key, sender_name[:100], text, at, [future])
            self._queue.append(pending)
            self._wake.set()
        else:
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
        started = time.perf_counter()
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
                if self.on_committed is not None:
                    self.on_committed(len(batch), time.perf_counter() - started)
                self._room_ids.update(new_rooms)
                self._answer(batch, answers)
                return
        self._fail(batch, ChatUnavailable("the chat could not be stored just now; send again"))

    async def _transaction(self, batch: list[Pending], lookup: bool) -> tuple[list[Answer], RoomIds]:
        if self._sqlite is not None:
            return await self._sqlite.transaction(batches.store, batch, self._room_ids, lookup,
                                                  self._members.members_of)
        if self._conn is None:
            self._conn = await self.engine.connect()
        async with self._conn.begin():
            return await self._conn.run_sync(batches.store, batch, self._room_ids, lookup, self.rooms.members_of)

    def _answer(self, batch: list[Pending], answers: list[Answer]) -> None:
        stored: list[dict] = []
        for p, answer in zip(batch, answers):
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
        try:
            if self._sqlite is not None:
                await self._sqlite.reset()
            elif self._conn is not None:
                conn, self._conn = self._conn, None
                await conn.close()
        except Exception:  # noqa: BLE001 - it is broken already; a new one comes next
            log.debug("closing a failed chat connection failed", exc_info=True)
