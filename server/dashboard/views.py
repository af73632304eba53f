"""GET /api/dashboard: the center's figures for the wall display (read-only)."""
from __future__ import annotations

from server.dashboard import service
from server.dashboard.schemas import Dashboard
from server.hours.service import load_schedule
from server.web import keys
from server.web.api import Call, Router

router = Router()


@router.get("/api/dashboard", summary="The center's view of now: queues, lawyers, today's consultations, "
            "board messages and applications falling due", tag="dashboard", response=Dashboard)
async def dashboard(call: Call) -> dict:
    return await service.build(call.session, call.actor, now=call.clock.now(),
                               schedule=await load_schedule(call.session, call.settings.timezone),
                               reply_working_days=call.app[keys.BOARD_SETTINGS].reply_working_days)
