"""Liveness, readiness and the OpenAPI document."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import text

from server.web import keys
from server.web.api import Call, Router, json_response, openapi

router = Router()


class Liveness(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str]  # "ok" or "failed: <why>" per dependency


@router.get("/healthz", summary="The process is up", tag="health", auth="public", response=Liveness)
async def healthz(call: Call) -> dict[str, str]:
    return {"status": "up"}


@router.get("/readyz", summary="The database (and Redis, when configured) answer; 503 when one does not",
            tag="health", auth="public", response=Readiness)
async def readyz(call: Call) -> web.Response:
    checks: dict[str, str] = {}
    try:
        async with call.app[keys.DB].engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        checks["database"] = f"failed: {type(exc).__name__}"
    fanout = call.app[keys.FANOUT]
    if fanout is not None:
        checks["redis"] = "ok" if await fanout.ping() else "failed"
    ready = all(v == "ok" for v in checks.values())
    return json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


@router.get("/api/openapi.json", summary="This document", tag="health", auth="public",
            response=dict[str, Any])
async def openapi_json(call: Call) -> dict:
    return openapi(call.app[keys.ROUTER])
