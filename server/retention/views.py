"""Legal holds over HTTP: the center's administrators set, release and list them (audited)."""
from __future__ import annotations

from server.retention import service
from server.retention.schemas import HoldIn, HoldOut, HoldQuery, ReleaseIn
from server.web.api import Call, Router

router = Router()


@router.get("/api/legal-holds", summary="Legal holds (active ones unless active=false)", tag="retention",
            query=HoldQuery, response=list[HoldOut])
async def list_holds(call: Call) -> list[HoldOut]:
    holds = await service.listed(call.session, call.actor, active_only=call.query.active)
    return [HoldOut.model_validate(h) for h in holds]


@router.post("/api/legal-holds", summary="Hold a consultation, board message or application (and its files and "
             "chat) from the retention job", tag="retention", body=HoldIn, response=HoldOut)
async def set_hold(call: Call) -> HoldOut:
    b = call.body
    hold = await service.set_hold(call.session, call.actor, kind=b.kind, ref_id=b.ref_id, reason=b.reason,
                                  now=call.clock.now(), client_addr=call.client_addr)
    return HoldOut.model_validate(hold)


@router.post("/api/legal-holds/{hold_id}/release", summary="Release a legal hold: retention applies again",
             tag="retention", body=ReleaseIn, response=HoldOut, status=200)
async def release_hold(call: Call) -> HoldOut:
    hold = await service.release_hold(call.session, call.actor, hold_id=call.path["hold_id"],
                                      reason=call.body.reason, now=call.clock.now(), client_addr=call.client_addr)
    return HoldOut.model_validate(hold)
