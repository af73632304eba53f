"""The python_socketio reference: a bare python-socketio AsyncServer on aiohttp with the relay
logic of bench/node/relay.mjs. Usage: python -m bench.signaling.relay_server <port>."""
from __future__ import annotations

import sys

import socketio
from aiohttp import web


def make_app() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", transports=["websocket"], logger=False, engineio_logger=False)

    @sio.on("join")
    async def join(sid: str, message: dict) -> bool:
        await sio.enter_room(sid, message["room"])
        return True

    @sio.on("relay")
    async def relay(sid: str, message: dict) -> None:
        await sio.emit("relay", {"data": message["data"]}, room=message["room"], skip_sid=sid)

    app = web.Application()
    sio.attach(app)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=lambda *_: print("ready", flush=True))
