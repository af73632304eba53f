from __future__ import annotations

from server.commitments import service
from server.commitments.schemas import CommitmentsOut
from server.hours import service as hours
from server.web import keys
from server.web.api import Call, Router

router = Router()


@router.get("/api/service-commitments", summary="The center's published service commitments (服務承諾)",
            tag="service-hours", auth="public", response=CommitmentsOut)
async def get_commitments(call: Call) -> CommitmentsOut:
    settings = call.settings
    return CommitmentsOut(**service.commitments(
        await hours.load_schedule(call.session, settings.timezone), call.app[keys.RULES],
        call.app[keys.BOARD_SETTINGS].reply_working_days, call.app[keys.APPLICATION_SETTINGS].deadlines,
        settings.timezone.key))
