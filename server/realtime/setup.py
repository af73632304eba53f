"""Attach socket.io to the aiohttp app, and run the consultation sweep in the background."""
from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

import socketio
from aiohttp import web

from server.consultations.jobs import SWEEP_INTERVAL_SECONDS
from server.consultations.rules import Rules, from_env
from server.realtime.gateway import Gateway
from server.realtime import wirejson
from server.realtime.relay import RelayServer
from server.tasks import stop_task
from server.web import keys
from signaling import SOCKETIO_PATH

log = logging.getLogger(__name__)
GATEWAY = web.AppKey("gateway", Gateway)
SIO = web.AppKey("sio", socketio.AsyncServer)
# the longest websocket frame read (the handshake's maxPayload); a longer one closes the connection
MAX_PAYLOAD_BYTES = 256_000


def install(app: web.Application, *, rules: Rules | None = None, run_sweeper: bool = True) -> Gateway:
    settings = app[keys.SETTINGS]
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    sio = RelayServer(async_mode="aiohttp", client_manager=manager, cors_allowed_origins=[],
                      ping_interval=10, ping_timeout=10, max_http_buffer_size=MAX_PAYLOAD_BYTES, json=wirejson)
    sio.attach(app, socketio_path=SOCKETIO_PATH.strip("/"))
    gateway = Gateway(app, rules or from_env(settings.extra))
    sio.register_namespace(gateway)
    app[SIO] = sio
    app[GATEWAY] = gateway
    app.on_cleanup.append(lambda app: app[SIO].eio.pinger.stop())
    app.on_cleanup.append(lambda app: app[GATEWAY].queues.stop())
    if run_sweeper:
        app.cleanup_ctx.append(_sweeper)
    return gateway


async def _sweeper(app: web.Application) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
            try:
                await app[GATEWAY].sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep sweeping; the next round retries
                log.exception("consultation sweep failed")

    task = asyncio.create_task(loop(), name="consultation-sweeper")
    yield
    await stop_task(task)
