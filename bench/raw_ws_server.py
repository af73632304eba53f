"""The floor for kiosk memory: a bare aiohttp websocket server that answers the engine.io
handshake and the socket.io connect the way fayuan's transport does, and holds each
connection with nothing else (no middlewares, no socket.io state, no database).
`kiosk.memory_kb_per_connection_*` is measured against it in the same run.
Usage: python -m bench.raw_ws_server <port>; prints "ready" when listening."""
from __future__ import annotations

import json
import secrets
import sys

from aiohttp import WSMsgType, web

OPEN = json.dumps({"upgrades": [], "pingTimeout": 20000, "pingInterval": 25000, "maxPayload": 1_000_000})


async def socket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(compress=False)
    await ws.prepare(request)
    await ws.send_str("0" + OPEN[:1] + f'"sid":"{secrets.token_urlsafe(15)}",' + OPEN[1:])
    async for message in ws:
        if message.type != WSMsgType.TEXT:
            break
        if message.data.startswith("40"):  # the socket.io connect: answered, the auth not read
            await ws.send_str('40{"sid":"%s"}' % secrets.token_urlsafe(15))
    return ws


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/socket.io/", socket)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=lambda *_: print("ready", flush=True))
