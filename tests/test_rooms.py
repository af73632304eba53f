"""The socket.io rooms in plain dicts (server/realtime/rooms.py): what python-socketio's stock
manager answers about rooms, this one answers the same, for the local manager and the Redis one
alike, while a room holds no bidict and a sid's own room is not stored."""
from __future__ import annotations

from typing import Any

import pytest
import socketio
from bidict import bidict

from server.realtime.fanout import FanOut
from server.realtime.relay import RelayServer
from server.realtime.rooms import LocalRooms

NS = "/"


def _stock() -> socketio.AsyncManager:
    return socketio.AsyncServer(async_mode="aiohttp").manager


def _local() -> socketio.AsyncManager:
    return RelayServer(async_mode="aiohttp").manager


def _fanout() -> socketio.AsyncManager:
    # nothing here publishes: every sid below is connected to this process, which its manager
    # handles itself; FanOut touches no Redis until something is published
    return RelayServer(async_mode="aiohttp", client_manager=FanOut("redis://127.0.0.1:1/0")).manager


async def _connected(manager: Any) -> tuple[str, str]:
    """Two sids, in a room each of their own kind and one together."""
    a = await manager.connect("eio-a", NS)
    b = await manager.connect("eio-b", NS)
    await manager.enter_room(a, NS, "kiosk:1")
    await manager.enter_room(b, NS, "account:2")
    for sid in (a, b):
        await manager.enter_room(sid, NS, "consultation:7")
    return a, b


def _answers(manager: Any, a: str, b: str) -> dict[str, Any]:
    """What callers ask the manager, with the sids' random names taken out."""
    name = {a: "a", b: "b"}.get
    listing = lambda room: sorted((name(sid), eio) for sid, eio in manager.get_participants(NS, room))  # noqa: E731
    return {
        "sid room": listing(a),
        "named room": listing("consultation:7"),
        "several rooms": listing([a, "account:2"]),
        "everyone": listing(None),
        "nobody": listing("nobody"),
        "rooms of a": [name(r) or r for r in manager.get_rooms(a, NS)],
        "rooms of b": [name(r) or r for r in manager.get_rooms(b, NS)],
        "is a sid room": (manager.is_sid_room(NS, a), manager.is_sid_room(NS, "kiosk:1")),
        "connected": (manager.is_connected(a, NS), manager.sid_from_eio_sid("eio-b", NS) == b,
                      manager.eio_sid_from_sid(a, NS)),
    }


@pytest.mark.parametrize("make", [_local, _fanout], ids=["local", "redis"])
async def test_rooms_answer_as_python_socketios_do(make) -> None:
    stock, lean = _stock(), make()
    stock_sids, lean_sids = await _connected(stock), await _connected(lean)
    assert _answers(lean, *lean_sids) == _answers(stock, *stock_sids)

    for manager, (a, b) in ((stock, stock_sids), (lean, lean_sids)):
        await manager.leave_room(a, NS, "consultation:7")
        manager.basic_close_room("account:2", NS)  # close_room: the Redis manager would publish it too
        with pytest.raises(ValueError):
            manager.basic_enter_room(a, NS, b)  # another sid's own room
        with pytest.raises(ValueError):
            manager.basic_close_room(b, NS)
    assert _answers(lean, *lean_sids) == _answers(stock, *stock_sids)

    for manager, (a, _) in ((stock, stock_sids), (lean, lean_sids)):
        await manager.disconnect(a, NS, ignore_queue=True)  # as the server does for its own sids
    assert _answers(lean, *lean_sids) == _answers(stock, *stock_sids)


async def test_a_room_is_a_dict_and_a_sids_own_room_is_not_stored() -> None:
    manager = _local()
    assert isinstance(manager, LocalRooms)
    a, b = await _connected(manager)
    rooms = manager.rooms[NS]
    assert type(rooms[None]) is bidict  # sid_from_eio_sid reads its inverse
    assert a not in rooms and b not in rooms
    assert all(type(members) is dict for name, members in rooms.items() if name is not None)
    assert rooms["consultation:7"] == {a: "eio-a", b: "eio-b"}
    await manager.disconnect(a, NS)
    await manager.disconnect(b, NS)
    assert manager.rooms == {}


async def test_an_emit_to_a_sid_reaches_only_it() -> None:
    sio = RelayServer(async_mode="aiohttp")
    sent: list[tuple[str, str]] = []

    async def send_packet(eio_sid: str, pkt: Any) -> None:
        sent.append((eio_sid, pkt.data))

    sio.eio.send_packet = send_packet  # type: ignore[method-assign]
    a, _ = await _connected(sio.manager)
    await sio.emit("hello", {"n": 1}, to=a)
    assert sent == [("eio-a", '2["hello",{"n":1}]')]
