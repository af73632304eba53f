"""The observe middleware, right after `sockets`: gives each request its id (from X-Request-ID
when sane, else a new one; echoed back), records the ids the route names for the log lines that
follow, and counts and times the request by its route template and status.

`/metrics` is handed straight to its handler (server/web/metrics.py): it authenticates on its
own, and a scrape should not show up in the figures it reports."""
from __future__ import annotations

import asyncio
import time

from aiohttp import web

from server.logs import context
from server.web.access_log import REQUEST_ID
from server.metrics.instruments import UNMATCHED_ROUTE
from server.web.metrics import METRICS_PATH
from server.web import keys
from server.web.middleware import Handler

CLIENT_WENT_AWAY = 499  # nginx's name for a request whose client closed the connection first
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(request: web.Request) -> str:
    """`/api/consultations/{consultation_id}`, never the path itself: bounded label values."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == METRICS_PATH:
        return await request.match_info.handler(request)
    request[REQUEST_ID] = request_id = context.request_id_from(request.headers.get(context.REQUEST_ID_HEADER))
    context.start(request_id)
    context.note_ids(request.match_info)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_WENT_AWAY  # not a server error: it must not count toward the 5xx alert
        raise
    finally:
        metrics = request.app[keys.METRICS]
        method = request.method if request.method in KNOWN_METHODS else "other"
        labels = (method, route_template(request), str(status))
        metrics.http_requests.labels(*labels).inc()
        metrics.http_duration.labels(*labels).observe(time.perf_counter() - started)


async def echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every answer carries its id, the error pages and files included."""
    request_id = request.get(REQUEST_ID)
    if request_id is not None:
        response.headers[context.REQUEST_ID_HEADER] = request_id
