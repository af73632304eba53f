"""One batch of chat messages and the transaction that stores it (see writer.py for who runs
it where). `store` is synchronous and takes a sync Connection: the SQLite writer calls it in
its own thread, and on PostgreSQL it runs through `AsyncConnection.run_sync`, so both
databases store a batch with the same code.

The transaction, in order:

1. members — one query per room kind (service.ChatRooms); a refused message gets its error
   and the others go on.
2. rooms — the ids of rooms this process has not met yet, creating missing rows with
   INSERT … ON CONFLICT DO NOTHING, then SELECT.
3. sequence numbers — ``UPDATE chat_rooms SET last_seq = last_seq + n … RETURNING`` takes
   n numbers in each room with n messages in the batch; message k of n in a room gets
   ``last_seq - n + k``. On SQLite one statement per distinct n (usually one or two); on
   PostgreSQL one for all, the counts as an array. The counter rows stay locked until commit
   (on PostgreSQL row locks, taken in id order by a SELECT … FOR UPDATE inside that UPDATE,
   so two processes never deadlock; on SQLite the write lock that BEGIN IMMEDIATE took), so a
   second process's batch waits, then numbers after ours: no collision across processes. A
   rollback takes its numbers back with its messages, so a room's numbers have no gaps.
4. messages — one INSERT, handed straight to the driver: an executemany on SQLite, an
   INSERT … SELECT FROM unnest of one array per column on PostgreSQL.

With ``lookup`` (a retry after the unique constraint refused a copy of a stored message),
copies already in the table are answered from it and only the rest are numbered and stored.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Callable, cast

from sqlalchemy import Connection, Dialect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.chat import service
from server.chat.models import ChatMessage, ChatRoom
from server.chat.service import Members, RoomKey
from server.errors import FayuanError

Key = tuple[RoomKey, str, str]  # room, sender, client_id
Answer = dict | FayuanError  # the message as stored, or why it was refused
RoomIds = dict[RoomKey, int]
MembersOf = Callable[[Connection, set[RoomKey]], dict[RoomKey, Members | FayuanError]]

_MESSAGE_COLUMNS = ("room_id", "seq", "sender", "sender_name", "client_id", "text", "at")
_MESSAGE_ARRAY_TYPES = ("int", "int", "text", "text", "text", "text", "timestamptz")  # PostgreSQL's, per column
_PLACEHOLDERS = {"qmark": lambda i: "?", "format": lambda i: "%s", "pyformat": lambda i: "%s",
                 "numeric": lambda i: f":{i}", "numeric_dollar": lambda i: f"${i}"}


def _marks(dialect: Dialect, count: int, first: int = 1) -> str:
    """`?, ?, ?` or `$1, $2, $3`…: the driver's own placeholders, for SQL handed straight to it."""
    return _placeholders(dialect.paramstyle, count, first)


@lru_cache(maxsize=256)  # a batch asks for one or two lengths, and they repeat
def _placeholders(paramstyle: str, count: int, first: int) -> str:
    mark = _PLACEHOLDERS[paramstyle]
    return ", ".join(mark(i) for i in range(first, first + count))


@dataclass(slots=True)
class Pending:
    """A message waiting to be stored, and everyone waiting for it."""

    key: Key
    sender_name: str
    text: str
    at: datetime
    # one per waiting sender (a resend joins with its own): a sender that gives up cancels
    # only its own future
    futures: list[asyncio.Future[dict]]


def store(conn: Connection, batch: list[Pending], known_rooms: RoomIds, lookup: bool,
          members_of: MembersOf) -> tuple[list[Answer], RoomIds]:
    """Store the batch in the connection's open transaction (the caller commits). Returns the
    answer to each message, in the batch's order, and the ids of rooms met for the first time."""
    answers: list[Answer | None] = [None] * len(batch)
    accepted = _admit(batch, members_of(conn, {p.key[0] for p in batch}), answers)
    new_rooms = _room_rows(conn, {batch[i].key[0] for i in accepted} - known_rooms.keys())
    room_ids = {**known_rooms, **new_rooms}
    if lookup:
        copies = _stored_copies(conn, [batch[i] for i in accepted], room_ids)
        for i in accepted:
            answers[i] = copies.get(batch[i].key)
        accepted = [i for i in accepted if answers[i] is None]
    if accepted:
        seq = _take_numbers(conn, Counter(room_ids[batch[i].key[0]] for i in accepted))
        at_to_db = _at_to_db(conn.dialect)
        rows = []
        for i in accepted:
            p = batch[i]
            room, sender, client_id = p.key
            room_id = room_ids[room]
            n = seq[room_id] = seq[room_id] + 1
            rows.append((room_id, n, sender, p.sender_name, client_id, p.text, at_to_db(p.at)))
            answers[i] = service.public(room, n, client_id, p.text, sender, p.sender_name, p.at)
        _insert_messages(conn, rows)
    return cast(list[Answer], answers), new_rooms  # every message has its answer now


def _admit(batch: list[Pending], members: dict, answers: list[Answer | None]) -> list[int]:
    """The places in the batch of the messages whose sender may write to their room; the
    others' errors into answers."""
    verdicts: dict[tuple[RoomKey, str], FayuanError | None] = {}
    accepted = []
    for i, p in enumerate(batch):
        who = p.key[:2]
        if who not in verdicts:
            verdicts[who] = _refusal(members[who[0]], who[1])
        refusal = verdicts[who]
        if refusal is None:
            accepted.append(i)
        else:
            answers[i] = refusal
    return accepted


def _refusal(members: Members | FayuanError, sender: str) -> FayuanError | None:
    """Why the sender may not write to a room with these members, or None if they may."""
    try:
        if isinstance(members, FayuanError):
            raise members
        members.check_write(sender)
    except FayuanError as exc:
        return exc
    return None


def _take_numbers(conn: Connection, counts: Counter[int]) -> dict[int, int]:
    """Reserve counts[room] numbers in each room; returns the number before each room's
    first. The statements go straight to the driver: compiling an IN of a hundred ids was
    most of their cost."""
    if conn.dialect.name == "postgresql":
        return _take_numbers_in_order(conn, counts)
    # SQLite has one writer at a time, so nothing to order: one UPDATE per distinct count
    # (usually one or two), rooms grouped by how many messages they have in this batch
    rooms_by_count: dict[int, list[int]] = {}
    for room_id, n in counts.items():
        rooms_by_count.setdefault(n, []).append(room_id)
    before = {}
    for n, room_ids in sorted(rooms_by_count.items()):
        sql = (f"UPDATE {ChatRoom.__tablename__} SET last_seq = last_seq + {_marks(conn.dialect, 1)} "
               f"WHERE id IN ({_marks(conn.dialect, len(room_ids), first=2)}) RETURNING id, last_seq")
        for room_id, last_seq in conn.exec_driver_sql(sql, (n, *sorted(room_ids))).all():
            before[room_id] = last_seq - n
    return before


def _take_numbers_in_order(conn: Connection, counts: Counter[int]) -> dict[int, int]:
    """PostgreSQL: one UPDATE for every room of the batch, each with its own count (unnest of
    two arrays), its counters locked in id order by the subquery before any is changed, so two
    processes' batches wait for each other instead of deadlocking over rooms taken in
    different orders. A row is updated only once the subquery has handed it over, locked, so
    whatever plan joins the two, the locks are taken in the subquery's order. One round trip
    where a SELECT … FOR UPDATE and an UPDATE per distinct count were two or more."""
    ids = sorted(counts)
    ids_mark, counts_mark, lock_mark = (_PLACEHOLDERS[conn.dialect.paramstyle](i) for i in (1, 2, 3))
    table = ChatRoom.__tablename__
    sql = (f"UPDATE {table} AS c SET last_seq = c.last_seq + d.n "
           f"FROM unnest({ids_mark}::int[], {counts_mark}::int[]) AS d(id, n) "
           f"WHERE c.id = d.id AND c.id IN "
           f"(SELECT id FROM {table} WHERE id = ANY({lock_mark}::int[]) ORDER BY id FOR UPDATE) "
           "RETURNING c.id, c.last_seq - d.n")
    return dict(conn.exec_driver_sql(sql, (ids, [counts[i] for i in ids], ids)).all())


def _at_to_db(dialect: Dialect) -> Callable[[datetime], object]:
    """`at` as the ORM would bind it (its column type's bind processor for this dialect), so
    the rows handed straight to the driver store it exactly as the ORM stores it."""
    at_type = ChatMessage.__table__.c.at.type
    return at_type.dialect_impl(dialect).bind_processor(dialect) or (lambda at: at)


def _insert_messages(conn: Connection, rows: list[tuple]) -> None:
    """Straight to the driver: SQLAlchemy's per-row parameter handling was most of this
    writer's CPU. SQLite: one executemany (a multi-row VALUES was twice as slow there: 1.8 ms
    against 0.8 ms for 200 rows). PostgreSQL: one INSERT … SELECT FROM unnest of one array per
    column, one statement for the server to run instead of one per row: for 200 rows the
    server's CPU went from 3.3-3.5 ms to 2.1-2.6 ms (commit included), the insert's time from
    4.8-8.0 ms to 3.1-4.9 ms."""
    table, columns = ChatMessage.__tablename__, ", ".join(_MESSAGE_COLUMNS)
    if conn.dialect.name == "postgresql":
        mark = _PLACEHOLDERS[conn.dialect.paramstyle]
        arrays = ", ".join(f"{mark(i)}::{kind}[]" for i, kind in enumerate(_MESSAGE_ARRAY_TYPES, start=1))
        conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})",
                             tuple(list(column) for column in zip(*rows)))
        return
    conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({_marks(conn.dialect, len(_MESSAGE_COLUMNS))})",
                         rows)


def _room_rows(conn: Connection, rooms: set[RoomKey]) -> RoomIds:
    if not rooms:
        return {}
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(ChatRoom).on_conflict_do_nothing(),
                 [{"kind": r.kind, "ref_id": r.ref_id, "last_seq": 0} for r in sorted(rooms)])
    found: RoomIds = {}
    for kind in {r.kind for r in rooms}:
        rows = conn.execute(select(ChatRoom.ref_id, ChatRoom.id).where(
            ChatRoom.kind == kind, ChatRoom.ref_id.in_({r.ref_id for r in rooms if r.kind == kind})))
        found.update({RoomKey(kind, ref_id): room_id for ref_id, room_id in rows})
    return found


def _stored_copies(conn: Connection, batch: list[Pending], room_ids: RoomIds) -> dict[Key, dict]:
    rooms = {room_id: room for room, room_id in room_ids.items()}
    rows = conn.execute(
        select(ChatMessage.room_id, ChatMessage.seq, ChatMessage.client_id, ChatMessage.text,
               ChatMessage.sender, ChatMessage.sender_name, ChatMessage.at)
        .where(ChatMessage.room_id.in_({room_ids[p.key[0]] for p in batch}),
               ChatMessage.client_id.in_({p.key[2] for p in batch})))
    wanted = {p.key for p in batch}
    copies = {}
    for room_id, seq, client_id, text, sender, sender_name, at in rows:
        key = (rooms[room_id], sender, client_id)
        if key in wanted:
            copies[key] = service.public(rooms[room_id], seq, client_id, text, sender, sender_name, at)
    return copies
