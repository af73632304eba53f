"""GET /api/me/counts: what the staff header shows beside each page's name."""
from __future__ import annotations

from server.web.api import Call, Router
from server.workload import service
from server.workload.schemas import Counts

router = Router()


@router.get("/api/me/counts", summary="What is waiting for you: queue, board messages, application steps",
            tag="accounts", response=Counts)
async def my_counts(call: Call) -> Counts:
    return Counts(**await service.counts(call.session, call.actor, call.clock.now(), call.settings.timezone))
