"""The private parts of our dependencies that our code relies on, checked by name, signature
and the behaviour we count on.

server/realtime/transport.py drives python-engineio's socket state itself, relay.py overrides
python-socketio's event dispatch, and server/sqlite_driver.py overrides aiosqlite's hand-off
to its thread. None of that is public API: a release may rename or reshape it without notice.
pyproject.toml pins each of these libraries to the range that was tested; this file is what
fails, naming the hook and the file that uses it, when a version in that range (or one a
widened range lets in) no longer has the hook as we use it. Tests of the whole path
(test_transport.py, test_relay_fastpath.py, the SQLite tests) then say how it broke.
"""
from __future__ import annotations

import asyncio
import inspect
import sqlite3
import tomllib
from importlib import metadata
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Callable

import aiosqlite
import engineio
import pytest
import socketio
from aiohttp import web
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from packaging.requirements import Requirement
from socketio import packet as sio_packet
from socketio.async_pubsub_manager import AsyncPubSubManager

from server import sqlite_driver
from server.realtime import relay, wirejson
from server.realtime.gateway import Gateway
from server.realtime.transport import DirectSocket, Engine
from signaling import events

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
TRANSPORT = "server/realtime/transport.py"
RELAY = "server/realtime/relay.py"
SQLITE_DRIVER = "server/sqlite_driver.py"
GATEWAY = "server/realtime/gateway.py"
ROOMS = "server/realtime/rooms.py"
WEB_API = "server/web/api.py"


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {req.name.lower(): req for req in map(Requirement, listed)}


REQUIREMENTS = _requirements()


def _where(dist: str, hook: str, user: str) -> str:
    """The start of every failure message: what changed, who depends on it, what was tested."""
    return (f"{hook} (relied on by {user}) is not what it was: {dist} {metadata.version(dist)} is installed, "
            f"pyproject.toml pins {dist}{REQUIREMENTS[dist].specifier}")


def _check_parameters(owner: Any, name: str, expected: list[str], *, dist: str, hook: str, user: str) -> None:
    """`owner.name` exists and takes `expected` first, in that order (we pass them positionally
    or by these names); anything after them must be optional, or our calls would stop fitting."""
    func = getattr(owner, name, None)
    assert callable(func), f"{_where(dist, hook, user)}; {getattr(owner, '__name__', type(owner).__name__)}.{name} is gone"
    params = list(inspect.signature(func).parameters.values())
    names = [p.name for p in params]
    rest = params[len(expected):]
    optional = all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in rest)
    assert names[:len(expected)] == expected and optional, (
        f"{_where(dist, hook, user)}; expected {name}({', '.join(expected)}, [optional ...]), "
        f"found {name}{inspect.signature(func)}")


def _check_attributes(obj: Any, names: list[str], *, dist: str, hook: str, user: str) -> None:
    missing = [name for name in names if not hasattr(obj, name)]
    assert not missing, f"{_where(dist, hook, user)}; missing attributes {missing}"


# -- the pins themselves ------------------------------------------------------------------------

@pytest.mark.parametrize("dist", sorted(REQUIREMENTS))
def test_installed_versions_are_the_pinned_ones(dist: str) -> None:
    """A venv built from an out-of-date lock (or by hand) would test other versions than the
    ones pyproject.toml promises, and the hooks below would be checked on the wrong release."""
    if REQUIREMENTS[dist].marker is not None and not REQUIREMENTS[dist].marker.evaluate():
        pytest.skip(f"{dist} is not for this platform")
    try:
        installed = metadata.version(dist)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{dist} is in pyproject.toml but not installed: run `make lock`, then `make venv`")
    assert REQUIREMENTS[dist].specifier.contains(installed, prereleases=True), (
        f"{dist} {installed} is installed, pyproject.toml asks for {dist}{REQUIREMENTS[dist].specifier}: "
        "run `make lock`, then `make venv`")


# -- python-engineio: server/realtime/transport.py ------------------------------------------------

def _engine() -> engineio.AsyncServer:
    return engineio.AsyncServer(async_mode="aiohttp", transports=["websocket"], monitor_clients=False,
                                ping_interval=10, ping_timeout=5, max_http_buffer_size=1000)


def test_engineio_server_options_and_state() -> None:
    hook = "engineio.AsyncServer(transports=, monitor_clients=) and its ping/size/sockets attributes"
    _check_parameters(engineio.AsyncServer, "__init__", ["self"], dist="python-engineio", hook=hook, user=TRANSPORT)
    server = _engine()
    _check_attributes(server, ["ping_timeout", "ping_interval", "ping_interval_grace_period",
                               "max_http_buffer_size", "sockets", "generate_id", "handle_request"],
                      dist="python-engineio", hook=hook, user=TRANSPORT)
    assert (server.transports, server.start_service_task) == (["websocket"], False), \
        f"{_where('python-engineio', hook, TRANSPORT)}; transports/monitor_clients options were not applied"
    assert isinstance(server.sockets, dict) and isinstance(server.generate_id(), str), \
        f"{_where('python-engineio', hook, TRANSPORT)}; sockets is not a dict of sid -> socket"
    _check_attributes(server.reason, ["TRANSPORT_CLOSE"], dist="python-engineio",
                      hook="engineio.AsyncServer.reason.TRANSPORT_CLOSE", user=TRANSPORT)


async def test_engineio_trigger_event_returns_the_connect_handlers_answer() -> None:
    """Engine.handle_request runs the connect handler through _trigger_event and refuses the
    connection on anything but None or True."""
    hook = "engineio.AsyncServer._trigger_event(event, *args, run_async=)"
    _check_parameters(engineio.AsyncServer, "_trigger_event", ["self", "event"],
                      dist="python-engineio", hook=hook, user=TRANSPORT)
    server = _engine()
    seen: list[tuple] = []

    async def refuse(sid: str, environ: dict) -> bool:
        seen.append((sid, environ))
        return False

    server.on("connect", refuse)
    answer = await server._trigger_event("connect", "sid1", {"QUERY_STRING": ""}, run_async=False)
    assert (answer, seen) == (False, [("sid1", {"QUERY_STRING": ""})]), \
        f"{_where('python-engineio', hook, TRANSPORT)}; got {answer!r} after calls {seen!r}"


def test_engineio_socket_state_that_direct_socket_takes_over() -> None:
    hook = "engineio.async_socket.AsyncSocket(server, sid) and its state attributes"
    _check_parameters(AsyncSocket, "__init__", ["self", "server", "sid"], dist="python-engineio", hook=hook,
                      user=TRANSPORT)
    socket = AsyncSocket(_engine(), "sid1")
    _check_attributes(socket, ["server", "sid", "queue", "last_ping", "connected", "upgraded", "closing", "closed"],
                      dist="python-engineio", hook=hook, user=TRANSPORT)
    for name, params in {"receive": ["self", "pkt"], "send": ["self", "pkt"], "schedule_ping": ["self"],
                         "close": ["self", "wait", "abort", "reason"]}.items():
        _check_parameters(AsyncSocket, name, params, dist="python-engineio",
                          hook=f"AsyncSocket.{name}", user=TRANSPORT)


class _Recorded(DirectSocket):
    """Our socket with no websocket behind it, remembering what engine.io asked of it."""

    def __init__(self, server: Engine) -> None:
        super().__init__(server, "sid1", ws=None, transport=None)  # type: ignore[arg-type]
        self.calls: list[str] = []

    def schedule_ping(self) -> None:
        self.calls.append("schedule_ping")
        super().schedule_ping()

    async def send(self, pkt: eio_packet.Packet) -> None:
        self.calls.append(f"send {eio_packet.packet_names[pkt.packet_type]}")


async def test_engineio_receive_and_close_go_through_the_hooks_direct_socket_overrides() -> None:
    """A PONG must reach schedule_ping (our Pinger counts on it to see the answer), a MESSAGE
    the server's handler, a CLOSE a close without a wait on the send queue (ours is None)."""
    server = Engine(async_mode="aiohttp", ping_interval=10, ping_timeout=5)
    messages: list[tuple] = []
    gone: list[tuple] = []

    async def on_message(sid: str, data: Any) -> None:
        messages.append((sid, data))

    async def on_disconnect(sid: str, reason: str) -> None:
        gone.append((sid, reason))

    server.on("message", on_message)
    server.on("disconnect", on_disconnect)
    server.async_handlers = False
    socket = _Recorded(server)
    socket.last_ping = 123.0

    hook = "AsyncSocket.receive(PONG) -> self.schedule_ping()"
    await socket.receive(eio_packet.Packet(eio_packet.PONG))
    assert socket.calls == ["schedule_ping"] and socket.last_ping is None, \
        f"{_where('python-engineio', hook, TRANSPORT)}; the socket saw {socket.calls}"

    hook = "AsyncSocket.receive(MESSAGE) -> server._trigger_event('message', sid, data)"
    await socket.receive(eio_packet.Packet(eio_packet.MESSAGE, "2[\"x\"]"))
    assert messages == [("sid1", "2[\"x\"]")], f"{_where('python-engineio', hook, TRANSPORT)}; got {messages}"

    hook = "AsyncSocket.receive(an unknown packet type) raises UnknownPacketError"
    with pytest.raises(eio_exceptions.UnknownPacketError):
        await socket.receive(eio_packet.Packet(eio_packet.NOOP))

    hook = "AsyncSocket.close(wait=False, abort=False) sends CLOSE through self.send, disconnects once"
    await socket.close(wait=False, abort=False, reason=server.reason.TRANSPORT_CLOSE)
    await socket.close(wait=False, abort=True)
    assert (socket.calls[-1], socket.closed, gone) == ("send CLOSE", True, [("sid1", "transport close")]), \
        f"{_where('python-engineio', hook, TRANSPORT)}; calls {socket.calls}, closed {socket.closed}, gone {gone}"
    with pytest.raises(eio_exceptions.SocketIsClosedError):
        await DirectSocket.send(socket, eio_packet.Packet(eio_packet.PING))


def test_engineio_packets_encode_as_the_transport_writes_them() -> None:
    hook = "engineio.packet.Packet(type, data) / Packet(encoded_packet=) and the type constants"
    _check_parameters(eio_packet.Packet, "__init__", ["self", "packet_type", "data", "encoded_packet"],
                      dist="python-engineio", hook=hook, user=f"{TRANSPORT}, {RELAY}")
    assert (eio_packet.OPEN, eio_packet.CLOSE, eio_packet.PING, eio_packet.PONG, eio_packet.MESSAGE) == (0, 1, 2, 3, 4)
    assert eio_packet.Packet(eio_packet.PING).encode() == "2", _where("python-engineio", hook, TRANSPORT)
    decoded = eio_packet.Packet(encoded_packet="42[\"a\",1]")
    assert (decoded.packet_type, decoded.data) == (eio_packet.MESSAGE, "2[\"a\",1]"), \
        _where("python-engineio", hook, TRANSPORT)


def test_engineio_send_packet_hands_the_packet_to_the_socket() -> None:
    hook = "engineio.AsyncServer.send_packet(sid, pkt) -> socket.send(pkt)"
    _check_parameters(engineio.AsyncServer, "send_packet", ["self", "sid", "pkt"], dist="python-engineio",
                      hook=hook, user=RELAY)
    assert "socket.send(pkt)" in inspect.getsource(engineio.AsyncServer.send_packet), \
        f"{_where('python-engineio', hook, RELAY)}; it no longer calls the socket's send"


def test_engineio_client_keeps_its_websocket_as_ws() -> None:
    """tests/test_chat_durability.py and test_consultation_media.py drop a client's network by
    closing `client.eio.ws`."""
    _check_attributes(engineio.AsyncClient(), ["ws"], dist="python-engineio", hook="engineio.AsyncClient.ws",
                      user="tests/test_chat_durability.py")


# -- python-socketio: server/realtime/relay.py, gateway.py ---------------------------------------

def test_socketio_builds_its_engine_from_engineio_server_class() -> None:
    hook = "socketio.AsyncServer._engineio_server_class()"
    _check_parameters(socketio.AsyncServer, "_engineio_server_class", ["self"], dist="python-socketio", hook=hook,
                      user=RELAY)
    sio = relay.RelayServer(async_mode="aiohttp")
    assert type(sio.eio) is Engine, f"{_where('python-socketio', hook, RELAY)}; its engine is {type(sio.eio)}"


def test_socketio_event_dispatch_hooks() -> None:
    _check_parameters(socketio.AsyncServer, "_handle_event", ["self", "eio_sid", "namespace", "id", "data"],
                      dist="python-socketio", hook="socketio.AsyncServer._handle_event", user=RELAY)
    _check_parameters(socketio.AsyncServer, "_handle_event_internal",
                      ["self", "server", "sid", "eio_sid", "data", "namespace", "id"],
                      dist="python-socketio", hook="socketio.AsyncServer._handle_event_internal", user=RELAY)
    # relay.py reads each socket.io packet itself (server/realtime/inbound.py) in place of
    # _handle_eio_message, and hands what it read to these
    for name, params in (("_handle_eio_message", ["self", "eio_sid", "data"]),
                         ("_handle_connect", ["self", "eio_sid", "namespace", "data"]),
                         ("_handle_disconnect", ["self", "eio_sid", "namespace", "reason"]),
                         ("_handle_ack", ["self", "eio_sid", "namespace", "id", "data"])):
        _check_parameters(socketio.AsyncServer, name, params, dist="python-socketio",
                          hook=f"socketio.AsyncServer.{name}", user=RELAY)
    assert getattr(socketio.AsyncServer.reason, "CLIENT_DISCONNECT", None), \
        f"{_where('python-socketio', 'socketio.AsyncServer.reason.CLIENT_DISCONNECT', RELAY)}; it is gone"
    _check_parameters(socketio.AsyncNamespace, "trigger_event", ["self", "event"],
                      dist="python-socketio", hook="socketio.AsyncNamespace.trigger_event", user=GATEWAY)
    assert "trigger_event" in vars(Gateway)


async def test_socketio_routes_events_through_handle_event_to_the_namespace() -> None:
    """An EVENT packet from engine.io reaches _handle_event (relay.py's override): rtc.signal
    goes inline through _handle_event_internal, anything else through it in a task of its own
    (transport.Engine.run_handler); both reach the namespace and ack its answer."""
    sio = relay.RelayServer(async_mode="aiohttp", json=wirejson)
    seen: list[tuple] = []
    sent: list[str] = []

    class Echo(socketio.AsyncNamespace):
        async def trigger_event(self, event: str, *args: Any) -> Any:
            if event not in ("connect", "disconnect"):
                seen.append((event, *args))
                return {"ok": len(seen)}
            return None

    async def send_packet(eio_sid: str, pkt: eio_packet.Packet) -> None:
        sent.append(pkt.data)

    sio.register_namespace(Echo("/"))
    sio.eio.send_packet = send_packet  # type: ignore[method-assign]
    sid = await sio.manager.connect("eio1", "/")

    hook = "socketio.AsyncServer._handle_eio_message -> _handle_event -> _handle_event_internal (inline)"
    await sio._handle_eio_message("eio1", "27" + wirejson.dumps([events.RTC_SIGNAL, {"a": 1}]))
    assert seen == [(events.RTC_SIGNAL, sid, {"a": 1})] and sent == ['37[{"ok":1}]'], \
        f"{_where('python-socketio', hook, RELAY)}; the namespace saw {seen}, the client was sent {sent}"

    hook = "socketio.AsyncServer._handle_event_internal (in a task, Engine.run_handler)"
    await sio._handle_eio_message("eio1", "28" + wirejson.dumps([events.CONSULT_NOTE, {"b": 2}]))
    for _ in range(100):
        if len(sent) == 2:
            break
        await asyncio.sleep(0.01)
    assert seen[1:] == [(events.CONSULT_NOTE, sid, {"b": 2})] and sent[1:] == ['38[{"ok":2}]'], \
        f"{_where('python-socketio', hook, RELAY)}; the namespace saw {seen}, the client was sent {sent}"


async def test_socketio_manager_rooms_map_sid_to_engineio_sid() -> None:
    hook = "socketio manager: rooms[namespace][room][sid] == eio_sid, sid_from_eio_sid, is_connected"
    sio = relay.RelayServer(async_mode="aiohttp")
    manager = sio.manager
    _check_parameters(manager, "sid_from_eio_sid", ["eio_sid", "namespace"], dist="python-socketio", hook=hook,
                      user=RELAY)
    _check_parameters(manager, "is_connected", ["sid", "namespace"], dist="python-socketio", hook=hook, user=RELAY)
    sid = await manager.connect("eio1", "/")
    await manager.enter_room(sid, "/", "consultation:1")
    assert manager.sid_from_eio_sid("eio1", "/") == sid and manager.is_connected(sid, "/"), \
        _where("python-socketio", hook, RELAY)
    members = manager.rooms.get("/", {}).get("consultation:1")
    assert isinstance(members, Mapping) and dict(members) == {sid: "eio1"}, \
        f"{_where('python-socketio', hook, RELAY)}; rooms is {manager.rooms!r}"
    assert issubclass(socketio.AsyncRedisManager, AsyncPubSubManager), \
        _where("python-socketio", "socketio.async_pubsub_manager.AsyncPubSubManager", RELAY)


async def test_socketio_manager_keeps_rooms_through_the_methods_rooms_overrides() -> None:
    """rooms.LeanRooms overrides three of BaseManager's methods and counts on the others calling
    them: pre_connect puts a sid in its own room through basic_enter_room (which skips it there),
    emit and close_room list members through get_participants, rooms() through get_rooms."""
    from socketio.base_manager import BaseManager

    hook = "socketio.base_manager.BaseManager room methods"
    for name, params in (("basic_enter_room", ["self", "sid", "namespace", "room", "eio_sid"]),
                         ("get_participants", ["self", "namespace", "room"]),
                         ("get_rooms", ["self", "sid", "namespace"])):
        _check_parameters(BaseManager, name, params, dist="python-socketio", hook=hook, user=ROOMS)
    entered: list[tuple[Any, ...]] = []

    class Watching(socketio.AsyncManager):
        def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
            entered.append((room == sid, room, eio_sid))
            super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)

    manager = socketio.AsyncServer(async_mode="aiohttp", client_manager=Watching()).manager
    await manager.connect("eio1", "/")
    assert entered == [(False, None, "eio1"), (True, entered[1][1], "eio1")], \
        f"{_where('python-socketio', hook + ': pre_connect enters None, then the sid room', ROOMS)}; it entered {entered}"


def test_socketio_event_packets_are_what_relay_writes_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sio_packet.Packet, "json", wirejson)
    data = [events.RTC_SIGNAL, {"consultation_id": 1, "type": "offer", "sdp": "v=0\r\n"}]
    stock = sio_packet.Packet(sio_packet.EVENT, data=data).encode()
    assert stock == relay.EVENT_PACKET + wirejson.dumps(data), \
        f"{_where('python-socketio', 'socketio.packet.Packet(EVENT).encode()', RELAY)}; it makes {stock!r}"
    wrapped = eio_packet.Packet(eio_packet.MESSAGE, stock).encode()
    assert relay.MESSAGE_EVENT + wirejson.dumps_bytes(data) == wrapped.encode(), \
        f"{_where('python-engineio', 'engineio.packet.Packet(MESSAGE).encode()', RELAY)}; it makes {wrapped!r}"


def test_engineio_hands_messages_to_the_handler_direct_socket_calls() -> None:
    """DirectSocket.serve hands a MESSAGE's text to engine.io's `message` handler itself:
    python-socketio registers its _handle_eio_message (relay.py's override) there."""
    hook = "engineio.AsyncServer.handlers['message'] == socketio.AsyncServer._handle_eio_message"
    sio = relay.RelayServer(async_mode="aiohttp")
    handler = sio.eio.handlers.get("message")
    assert getattr(handler, "__func__", None) is relay.RelayServer._handle_eio_message, \
        f"{_where('python-socketio', hook, TRANSPORT)}; engine.io's handlers are {sio.eio.handlers!r}"


# -- aiosqlite: server/sqlite_driver.py ----------------------------------------------------------

def test_aiosqlite_connection_hooks() -> None:
    hook = "aiosqlite.Connection(connector, iter_chunk_size) and Connection._execute(fn, *args, **kwargs)"
    _check_parameters(aiosqlite.Connection, "__init__", ["self", "connector", "iter_chunk_size"],
                      dist="aiosqlite", hook=hook, user=SQLITE_DRIVER)
    _check_parameters(aiosqlite.Connection, "_execute", ["self", "fn"], dist="aiosqlite", hook=hook, user=SQLITE_DRIVER)
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute), _where("aiosqlite", hook, SQLITE_DRIVER)
    fresh = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), 64)
    assert (fresh._connection, fresh._running) == (None, True), \
        _where("aiosqlite", "aiosqlite.Connection._connection / _running", SQLITE_DRIVER)


class _Watched(sqlite_driver.Connection):
    """Our connection, noting each call that aiosqlite hands to _execute and whether it ran
    inline (on this thread) or in the connection's thread."""

    def __init__(self) -> None:
        super().__init__(lambda: sqlite3.connect(":memory:", check_same_thread=False), 64)
        self.seen: list[str] = []

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        name = getattr(fn, "__name__", repr(fn))
        self.seen.append(f"{name}:{'cursor' if isinstance(getattr(fn, '__self__', None), sqlite3.Cursor) else '-'}")
        return await super()._execute(fn, *args, **kwargs)


async def test_aiosqlite_hands_each_call_to_execute_as_the_sqlite3_method() -> None:
    """sqlite_driver.py runs cursor, fetch and cursor-close inline by recognising the sqlite3
    method aiosqlite passes to _execute; wrapped in anything else they would all go back to
    the thread (correct, but the cost the module exists to remove)."""
    conn = await _Watched()
    try:
        cursor = await conn.cursor()
        await cursor.execute("select 1 union all select 2")
        rows = [await cursor.fetchone(), await cursor.fetchmany(1), await cursor.fetchall()]
        await cursor.close()
    finally:
        await conn.close()
    assert rows == [(1,), [(2,)], []]
    assert conn.seen[:6] == ["cursor:-", "execute:cursor", "fetchone:cursor", "fetchmany:cursor",
                             "fetchall:cursor", "close:cursor"], \
        (f"{_where('aiosqlite', 'aiosqlite Cursor/Connection -> Connection._execute(sqlite3 method)', SQLITE_DRIVER)}"
         f"; calls seen {conn.seen}")


# -- aiohttp ------------------------------------------------------------------------------------

def test_aiohttp_typed_request_keys() -> None:
    assert hasattr(web, "RequestKey") and hasattr(web, "AppKey"), \
        _where("aiohttp", "aiohttp.web.RequestKey / AppKey", "server/web/keys.py")
    _check_parameters(web.WebSocketResponse, "__init__", ["self"], dist="aiohttp",
                      hook="aiohttp.web.WebSocketResponse(max_msg_size=, compress=, autoping=)", user=TRANSPORT)
    assert {"max_msg_size", "compress", "autoping"} <= set(inspect.signature(web.WebSocketResponse).parameters), \
        _where("aiohttp", "aiohttp.web.WebSocketResponse(max_msg_size=, compress=, autoping=)", TRANSPORT)


def test_pydantic_json_schema_naming_hooks() -> None:
    """web/api.py names each OpenAPI component itself: get_defs_ref, and the private table of
    chosen names pydantic reads when it finishes the document."""
    from pydantic.json_schema import GenerateJsonSchema

    _check_parameters(GenerateJsonSchema, "get_defs_ref", ["self", "core_mode_ref"], dist="pydantic",
                      hook="pydantic.json_schema.GenerateJsonSchema.get_defs_ref", user=WEB_API)
    table = getattr(GenerateJsonSchema(), "_prioritized_defsref_choices", None)
    assert isinstance(table, dict), \
        f"{_where('pydantic', 'GenerateJsonSchema._prioritized_defsref_choices', WEB_API)}; it is {table!r}"
