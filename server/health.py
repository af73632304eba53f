"""Liveness, readiness and the OpenAPI document."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from server.web import keys
from server.web.api import Call, Router, json_response, openapi

router = Router()


@router.get("/healthz", summary="The process is up", tag="health", auth="public")
async def healthz(call: Call) -> dict[str, str]:
    return {"status": "up"}


@router.get("/readyz", summary="The database (and Redis, when configured) answer", tag="health", auth="public")
async def readyz(call: Call) -> web.Response:
    checks: dict[str, str] = {}
    try:
        async with call.app[keys.DB].engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        checks["database"] = f"failed: {type(exc).__name__}"
    if call.settings.redis_url:
        checks["redis"] = "ok" if await call.app[keys.PUBSUB].ping() else "failed"
    ready = all(v == "ok" for v in checks.values())
    return json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


@router.get("/api/openapi.json", summary="This document", tag="health", auth="public")
async def openapi_json(call: Call) -> dict:
    return openapi(call.app[keys.ROUTER])
