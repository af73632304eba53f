"""Attach socket.io to the aiohttp app, and run its periodic jobs: the consultation sweep and the
liveness rounds of live connections.

Stopping (SIGTERM, a rolling restart): aiohttp first stops listening, then runs on_shutdown,
where every socket is sent to reconnect elsewhere (transport.Engine.send_everyone_away): its
side is recorded away (peer.away; the call keeps for FAYUAN_RECONNECT_GRACE_SECONDS) before
its websocket closes, and the client comes back through the proxy on another process and
resumes there. Then aiohttp finishes the HTTP requests in flight (cli.HTTP_SHUTDOWN_SECONDS)
and the cleanup contexts stop in reverse: the chat writer stores what it queued, the sweep
and the database go last. SEND_AWAY_SECONDS + cli.HTTP_SHUTDOWN_SECONDS + a writer batch stay
under the 10 s that process managers (Docker, systemd) wait before a SIGKILL.
"""
from __future__ import annotations

import logging
from typing import AsyncIterator

import socketio
from aiohttp import web

from server.consultations.jobs import SWEEP_INTERVAL_SECONDS
from server.db import database_unreachable
from server.presence import service as presence
from server.realtime import liveness, wirejson
from server.realtime.fanout import FanOut
from server.realtime.gateway import Gateway
from server.realtime.relay import RelayServer
from server.tasks import periodic
from server.web import keys
from signaling import SOCKETIO_PATH

log = logging.getLogger(__name__)

GATEWAY = web.AppKey("gateway", Gateway)
SIO = web.AppKey("sio", socketio.AsyncServer)
# the longest websocket frame read (the handshake's maxPayload); a longer one closes the connection
MAX_PAYLOAD_BYTES = 256_000
# the part of a stop spent recording departures and closing sockets (the rest: HTTP requests
# in flight, then the chat writer's last batch)
SEND_AWAY_SECONDS = 3.0


def install(app: web.Application, *, run_sweeper: bool = True) -> Gateway:
    settings = app[keys.SETTINGS]
    manager = FanOut(settings.redis_url) if settings.redis_url else None
    sio = RelayServer(async_mode="aiohttp", client_manager=manager, cors_allowed_origins=[],
                      ping_interval=10, ping_timeout=10, max_http_buffer_size=MAX_PAYLOAD_BYTES, json=wirejson)
    sio.attach(app, socketio_path=SOCKETIO_PATH.strip("/"))
    sio.eio.allowed_origins = frozenset(settings.public_origins)
    app[keys.SOCKETS] = sio.eio.accept
    gateway = Gateway(app, app[keys.RULES])
    sio.register_namespace(gateway)
    sio.on_signal = gateway.signal
    app[SIO] = sio
    app[GATEWAY] = gateway
    app[keys.FANOUT] = manager
    if manager is not None:
        app.on_cleanup.append(lambda app: manager.close())
    app[keys.DELIVER] = gateway.deliver
    app.on_shutdown.append(send_everyone_away)
    app.on_cleanup.append(lambda app: app[SIO].eio.pinger.stop())
    app.on_cleanup.append(lambda app: app[GATEWAY].queues.stop())
    app.cleanup_ctx.append(_lease)
    if run_sweeper:
        app.cleanup_ctx.append(periodic("consultation sweep", SWEEP_INTERVAL_SECONDS,
                                        lambda app: app[GATEWAY].sweep()))
        app.cleanup_ctx.append(periodic("checking live connections' credentials", liveness.CHECK_INTERVAL_SECONDS,
                                        lambda app: liveness.check(app[GATEWAY])))
    return gateway


async def _lease(app: web.Application) -> AsyncIterator[None]:
    """This process's presence lease (presence/service.py): taken at start, renewed by the
    liveness rounds, given back at a clean stop."""
    gateway = app[GATEWAY]
    async with app[keys.DB].sessions() as session:
        await presence.register(session, gateway.process_id, app[keys.CLOCK].now())
        await session.commit()
    yield
    try:
        async with app[keys.DB].sessions() as session:
            await presence.retire(session, gateway.process_id)
            await session.commit()
    except Exception as exc:  # the database is gone too: the lease runs out by itself
        if not database_unreachable(exc):
            raise
        log.warning("could not give back the presence lease (%s); it runs out in %d s", type(exc).__name__,
                    presence.LEASE_SECONDS)


async def send_everyone_away(app: web.Application) -> None:
    """on_shutdown: every client reconnects, to another process (see the module's docstring)."""
    count = await app[SIO].eio.send_everyone_away(SEND_AWAY_SECONDS)
    if count:
        log.info("stopping: %d connection(s) sent to reconnect elsewhere", count)
