"""The client's socket.io connection against a small stand-in server that speaks the
contract's connection rules: auth, hello, acks, error acks, pushes."""
from __future__ import annotations

import socketio
from aiohttp import web

import pytest

from client.connection import Connection, SignalingError, check_ack
from signaling import SOCKETIO_PATH
from tests.support import start_client

KIOSK_TOKEN = "kiosk-token-0123456789"
STAFF_COOKIE = "staff-cookie-0123456789"


def stand_in_server() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp")
    app = web.Application()
    sio.attach(app, socketio_path=SOCKETIO_PATH.strip("/"))

    @sio.event
    async def connect(sid, environ, auth):  # type: ignore[no-untyped-def]
        if (auth or {}).get("token") == KIOSK_TOKEN:
            role = "kiosk"
        elif f"fayuan_session={STAFF_COOKIE}" in environ.get("HTTP_COOKIE", ""):
            role = "lawyer"
        else:
            raise socketio.exceptions.ConnectionRefusedError("who are you", {"code": "unauthenticated"})
        await sio.emit("hello", {"protocol": "1.0", "role": role}, to=sid)

    @sio.on("echo.burst")
    async def burst(sid, data):  # type: ignore[no-untyped-def]
        for n in range(data["count"]):
            await sio.emit("queue.position", {"consultation_id": 1, "position": n}, to=sid)
        return {"sent": data["count"]}

    @sio.on("refuse")
    async def refuse(sid, data):  # type: ignore[no-untyped-def]
        return {"error": {"code": "service_closed", "message": "closed", "details": {"next_open": "14:00"}}}

    return app


@pytest.fixture
async def server_url():  # type: ignore[no-untyped-def]
    test_client = await start_client(stand_in_server())
    yield str(test_client.make_url("")).rstrip("/")
    await test_client.close()


async def test_kiosk_and_staff_connect_and_get_hello(server_url: str) -> None:
    for connection, role in ((Connection(server_url, token=KIOSK_TOKEN), "kiosk"),
                             (Connection(server_url, session_cookie=STAFF_COOKIE), "lawyer")):
        try:
            hello = await connection.connect()
            assert hello["role"] == role and connection.connected
        finally:
            await connection.close()


async def test_refused_connection_raises_its_code(server_url: str) -> None:
    connection = Connection(server_url, token="wrong")
    with pytest.raises(SignalingError) as refused:
        await connection.connect(timeout_seconds=2)
    assert (refused.value.code, refused.value.message) == ("unauthenticated", "who are you")
    await connection.close()


async def test_acks_errors_and_pushes_in_order(server_url: str) -> None:
    connection = Connection(server_url, token=KIOSK_TOKEN)
    seen: list[int] = []
    connection.on("queue.position", lambda data: seen.append(data["position"]))
    try:
        await connection.connect()
        assert await connection.call("echo.burst", {"count": 20}) == {"sent": 20}
        # pushes that came before anyone waited are in the backlog, oldest first
        first = await connection.wait_for("queue.position", timeout_seconds=2)
        later = await connection.wait_for("queue.position", lambda d: d["position"] == 19, timeout_seconds=2)
        assert (first["position"], later["position"]) == (0, 19)
        assert seen == list(range(20))
        with pytest.raises(SignalingError) as closed:
            await connection.call("refuse", {})
        assert closed.value.code == "service_closed" and closed.value.details == {"next_open": "14:00"}
        with pytest.raises(SignalingError) as late:
            await connection.wait_for("consultation.taken", timeout_seconds=0.1)
        assert late.value.code == "timeout"
    finally:
        await connection.close()


def test_check_ack() -> None:
    assert check_ack({"ok": True}) == {"ok": True}
    with pytest.raises(SignalingError) as forbidden:
        check_ack({"error": {"code": "forbidden", "message": "not in this room"}})
    assert (forbidden.value.code, forbidden.value.message) == ("forbidden", "not in this room")


def test_one_credential_exactly() -> None:
    with pytest.raises(ValueError):
        Connection("http://127.0.0.1:1")
    with pytest.raises(ValueError):
        Connection("http://127.0.0.1:1", token="a", session_cookie="b")
