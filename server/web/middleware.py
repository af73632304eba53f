"""Middlewares, outermost first: sockets → errors → actor (cookie or device token) → CSRF.

Every failure leaves as JSON `{"error": {"code", "message"}}`; permission refusals are
audited in a transaction of their own.
"""
from __future__ import annotations

import hmac
import logging
from typing import Awaitable, Callable

import sqlalchemy.exc
from aiohttp import web

from server.accounts import sessions
from server.accounts.actor import ANONYMOUS, Actor
from server.audit.service import record_now
from server.config import Settings
from server.errors import FayuanError, NotAuthenticated, PermissionDenied
from server.web import keys
from server.db import database_unreachable
from server.web.client_addr import client_addr
from signaling import SESSION_COOKIE, SOCKETIO_PATH

log = logging.getLogger(__name__)
IDEMPOTENT_READS = frozenset({"GET", "HEAD"})
RETRY_AFTER_SECONDS = 5
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _error_response(exc: FayuanError) -> web.Response:
    from server.web.api import json_response

    retry = exc.details.get("retry_after_seconds")
    return json_response(exc.to_json(), status=exc.status,
                         headers={"Retry-After": str(retry)} if isinstance(retry, int) else None)


SERVER_HEADER = "fayuan"  # aiohttp's own names its version and Python's
HSTS_HEADER = "max-age=31536000"  # a year; not includeSubDomains: other services may share the domain


def response_headers(settings: Settings) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An on_response_prepare hook: it sees every response, also static files, sockets'
    handshakes and aiohttp's own errors, which the middlewares do not all see."""
    hsts = settings.public_https

    async def prepare(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Server"] = SERVER_HEADER
        if hsts:
            response.headers["Strict-Transport-Security"] = HSTS_HEADER
        if request.path.startswith("/api/"):
            # what the API answers may be personal data: no browser or proxy keeps a copy
            response.headers.setdefault("Cache-Control", "no-store")

    return prepare


@web.middleware
def sockets(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
    """socket.io skips the others: it authenticates on its own connect, answers in engine.io's
    terms, and checks the Origin (realtime/transport.py). Its request lives as long as the
    websocket does, and so would each middleware's frame: 600 bytes a connected kiosk. This
    one is not a coroutine either: it hands aiohttp the awaitable it chose, and keeps no frame
    of its own for those 340 bytes (aiohttp awaits what a middleware returns). The engine's
    `accept` is called, not the route's handler (a coroutine): another 0.3 KB a kiosk."""
    if request.path.startswith(SOCKETIO_PATH + "/"):
        accept = request.app.get(keys.SOCKETS)
        if accept is not None and request.match_info.http_exception is None:
            return accept(request)
        return request.match_info.handler(request)
    return handler(request)


async def _handled_once_more(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Exception as exc:
        if request.method not in IDEMPOTENT_READS or not database_unreachable(exc):
            raise
        log.warning("database unreachable on %s %s (%s); trying once more", request.method, request.path,
                    type(exc).__name__)
        return await handler(request)  # a fresh connection from the pool (pre-ping drops dead ones)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await _handled_once_more(request, handler)
    except FayuanError as exc:
        if isinstance(exc, PermissionDenied) and not exc.audited:
            await _audit_refusal(request, exc)
        response = _error_response(exc)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status, "http_error")
        response = _error_response(_plain(exc.status, code, exc.reason))
    except sqlalchemy.exc.TimeoutError:
        log.warning("database pool exhausted on %s %s", request.method, request.path)
        response = _error_response(_plain(503, "busy", "the server is busy; try again in a moment"))
    except Exception as exc:
        if database_unreachable(exc):
            log.warning("database unreachable on %s %s (%s)", request.method, request.path, type(exc).__name__)
            response = _error_response(_plain(503, "unavailable", "the database is not answering; try again "
                                                                 "in a moment"))
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        else:
            log.exception("unhandled error on %s %s", request.method, request.path)
            response = _error_response(_plain(500, "internal", "something went wrong on the server; it has been logged"))
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _plain(status: int, code: str, message: str) -> FayuanError:
    err = FayuanError(message)
    err.status, err.code = status, code
    return err


async def _audit_refusal(request: web.Request, exc: PermissionDenied) -> None:
    actor: Actor = request.get(keys.ACTOR, ANONYMOUS)
    await record_now(
        request.app[keys.DB].sessions,
        at=request.app[keys.CLOCK].now(),
        actor=actor,
        action="permission.refused" if exc.code == "forbidden" else f"auth.{exc.code}",
        object=f"{request.method} {request.path}",
        outcome="refused",
        client_addr=client_addr(request),
        detail=exc.message,
    )


@web.middleware
async def actor(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[keys.ACTOR] = ANONYMOUS
    now = request.app[keys.CLOCK].now()
    auth = request.headers.get("Authorization", "")
    token = request.cookies.get(SESSION_COOKIE)
    if auth.startswith("Bearer ") or token:
        found: Actor | None
        async with request.app[keys.DB].sessions() as db:
            if auth.startswith("Bearer "):
                found = await sessions.resolve_device(db, auth[7:].strip(), now)
                if found is None:
                    raise NotAuthenticated("this device token is unknown or revoked")
            else:
                found = await sessions.resolve_session(db, token or "", now)
        if found is not None:
            request[keys.ACTOR] = found
    return await handler(request)


@web.middleware
async def csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    current: Actor = request[keys.ACTOR]
    if request.method not in SAFE_METHODS and current.kind == "account":
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, current.csrf_token or ""):
            raise PermissionDenied("missing or wrong CSRF token: reload the page", reason="csrf")
    return await handler(request)
