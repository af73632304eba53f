"""`GET /metrics` in Prometheus' text format, for the configured networks
(FAYUAN_METRICS_ALLOW) or anyone sending `Authorization: Bearer <FAYUAN_METRICS_TOKEN>`: the
instruments (server/metrics/instruments.py) and what a scrape reads (server/metrics/state.py:
from the database; here: from this process's gateway, chat writer and media sessions).

It is a plain aiohttp route, not one of the API's: the observe middleware (server/web/observe.py)
hands it straight here, before the actor middleware would read the bearer token as a device's."""
from __future__ import annotations

import asyncio
import hmac
from collections import Counter as Tally
from ipaddress import ip_address

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server.config import Settings
from server.errors import PermissionDenied
from server.metrics import state
from server.metrics.instruments import Metrics
from server.realtime.chat import CHAT_WRITER
from server.realtime.consultation_recording import CONSULTATION_RECORDING
from server.realtime.meetings import MEETINGS
from server.realtime.setup import GATEWAY
from server.web import keys
from server.web.api import json_response

METRICS_PATH = "/metrics"
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")  # what a reverse proxy adds
COLLECTOR = web.AppKey("metrics_state", state.StateCollector)
HEALTH_TIMEOUT_SECONDS = 2.0  # a scrape must answer even when the database or Redis hangs


def install(app: web.Application) -> Metrics:
    metrics = Metrics()
    collector = state.StateCollector()
    metrics.registry.register(collector)
    app[keys.METRICS] = metrics
    app[COLLECTOR] = collector
    app.router.add_get(METRICS_PATH, scrape)
    return metrics


def allowed(settings: Settings, remote: str | None, authorization: str, *, proxied: bool = False) -> bool:
    """The token, or the peer's address. A proxied request is judged by the token alone: its
    peer is the proxy (often 127.0.0.1, which the default allows), not whoever sent it."""
    if settings.metrics_token and authorization.startswith("Bearer "):
        if hmac.compare_digest(authorization[7:].strip().encode(), settings.metrics_token.encode()):
            return True
    if proxied:
        return False
    try:
        address = ip_address(remote or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in settings.metrics_allow)


async def scrape(request: web.Request) -> web.Response:
    app = request.app
    proxied = any(name in request.headers for name in PROXY_HEADERS)
    if not allowed(app[keys.SETTINGS], request.remote, request.headers.get("Authorization", ""), proxied=proxied):
        err = PermissionDenied("metrics are served to the configured addresses, or with the metrics token")
        return json_response(err.to_json(), status=err.status)
    snapshot = await read(app)
    # no await from here on: the families come from this scrape's snapshot
    app[COLLECTOR].snapshot = snapshot
    body = generate_latest(app[keys.METRICS].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def read(app: web.Application) -> state.Snapshot:
    snap = state.Snapshot()
    try:
        await asyncio.wait_for(_read_database(app, snap), HEALTH_TIMEOUT_SECONDS)
        snap.database_up = True
    except Exception:  # noqa: BLE001 - a failed read is what fayuan_database_up reports
        snap.database_up = False
    fanout = app[keys.FANOUT]
    if fanout is not None:
        try:
            snap.redis_up = await asyncio.wait_for(fanout.ping(), HEALTH_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            snap.redis_up = False
    _read_process(app, snap)
    return snap


async def _read_database(app: web.Application, snap: state.Snapshot) -> None:
    async with app[keys.DB].sessions() as session:
        await state.read_database(session, snap, now=app[keys.CLOCK].now(), tz=app[keys.SETTINGS].timezone)


def _read_process(app: web.Application, snap: state.Snapshot) -> None:
    gateway = app.get(GATEWAY)
    if gateway is not None:
        snap.sockets = dict(Tally(peer.actor.kind for peer in gateway.peers.values()))
    writer = app.get(CHAT_WRITER)
    snap.chat_backlog_messages = writer.backlog if writer is not None else 0
    meetings = app.get(MEETINGS)
    if meetings is not None:
        snap.janus_sessions = len(meetings.janus)
        snap.recorder_sessions["meeting"] = len(meetings.recorders)
    recording = app.get(CONSULTATION_RECORDING)
    if recording is not None:
        snap.recorder_sessions["consultation"] = sum(1 for a in recording.asked.values() if a.recorder is not None)
