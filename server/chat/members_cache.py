"""Room members for the SQLite writer's own connection, read again only once someone else
has written to the database.

Why: checking a batch's rooms was about a tenth of the writer's time, and in a busy chat the
answer rarely changes. Membership is read from tables the writer's connection never writes
(consultations, meetings, their invitations and members, accounts): a consultation taken,
transferred or ended, someone invited or removed, is always another connection's commit.
So while no other connection has committed, a fresh query would return what the cache holds. SQLite says exactly that with `PRAGMA data_version`, which changes for
a connection when any other connection, in this process or another, commits. The writer
reads it inside its BEGIN IMMEDIATE transaction, so nobody can commit between the check and
the messages being stored. A new connection starts a new cache: data_version is counted per
connection.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection

from server.chat.service import ChatRooms, Members, RoomKey
from server.errors import FayuanError

MAX_CACHED_ROOMS = 10_000  # past this the cache starts again, so it stays small


class MembersCache:
    """`ChatRooms.members_of` with a memory, for one SQLite connection's transactions."""

    def __init__(self, rooms: ChatRooms) -> None:
        self._rooms = rooms
        self._known: dict[RoomKey, Members | FayuanError] = {}
        self._seen: tuple[object, int] | None = None  # (the DBAPI connection, its data_version)

    def members_of(self, conn: Connection, rooms: Iterable[RoomKey]) -> dict[RoomKey, Members | FayuanError]:
        seen = (conn.connection.driver_connection, conn.exec_driver_sql("PRAGMA data_version").scalar_one())
        if seen != self._seen or len(self._known) > MAX_CACHED_ROOMS:
            self._known.clear()
            self._seen = seen
        missing = [room for room in rooms if room not in self._known]
        if missing:
            self._known.update(self._rooms.members_of(conn, missing))
        return {room: self._known[room] for room in rooms}
