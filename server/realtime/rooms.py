"""python-socketio's rooms, held in less memory per connection.

python-socketio's manager keeps `rooms[namespace][room]` as a bidict {sid: eio_sid} for every
room, and puts each connection in a room named after its sid. A bidict is an object and two
dicts: about 420 bytes for a room of one member, and every kiosk sits in two such rooms (its
sid's and its own `kiosk:<id>`), so rooms held about 0.9 KB of each connected kiosk.

Here, with the same answers to the manager's callers:
- the namespace's room of everyone (`None`) stays a bidict: python-socketio finds a sid from
  its engine.io sid through its inverse;
- every other room is a dict {sid: eio_sid}: nothing reads their inverse;
- a sid's own room is not stored: it is the sid's entry in the `None` room. Emitting to a sid
  and listing a sid's rooms answer as if it were there; leaving or closing it is not done
  (python-socketio refuses to close a sid room; nothing of ours leaves one).

Used by both managers: the local one (LocalRooms) and the Redis one (fanout.FanOut).
"""
from __future__ import annotations

from typing import Any, Hashable, Iterator

import socketio
from socketio.base_manager import BaseManager


class LeanRooms(BaseManager):
    """The room bookkeeping of python-socketio's BaseManager, in plain dicts (see the module's
    docstring); mixed in before a manager class."""

    def basic_enter_room(self, sid: str, namespace: str, room: Hashable, eio_sid: str | None = None) -> None:
        if room is None:
            super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
            return
        if room == sid:
            return  # its own room: its entry in the None room says it
        if eio_sid is None and namespace not in self.rooms:
            raise ValueError("sid is not connected to requested namespace")
        if self.is_sid_room(namespace, room):
            raise ValueError("cannot enter a sid room")
        rooms = self.rooms.setdefault(namespace, {})
        if eio_sid is None:
            eio_sid = rooms[None][sid]
        members = rooms.get(room)
        if members is None:
            members = rooms[room] = {}
        members[sid] = eio_sid

    def get_participants(self, namespace: str, room: Any) -> Iterator[tuple[str, str]]:
        rooms = self.rooms.get(namespace, {})
        names = room if hasattr(room, "__len__") and not isinstance(room, str) else (room,)
        participants: dict[str, str] = {}  # a copy: callers may change rooms while they go through it
        for name in names:
            members = rooms.get(name)
            if members is not None:
                participants.update(members.items())
            elif name is not None and None in rooms:
                eio_sid = rooms[None].get(name)  # a sid's own room
                if eio_sid is not None:
                    participants[name] = eio_sid
        yield from participants.items()

    def get_rooms(self, sid: str, namespace: str) -> list[Hashable]:
        """Its own room first, then the others, in the order python-socketio lists them."""
        everyone = self.rooms.get(namespace, {}).get(None)
        if everyone is None or sid not in everyone:
            return super().get_rooms(sid, namespace)
        return [sid, *super().get_rooms(sid, namespace)]


class LocalRooms(LeanRooms, socketio.AsyncManager):
    """The manager of a single process (no Redis)."""
