"""HTTP routes of a consultation's history: parse, call the service."""
from __future__ import annotations

from server.errors import NotFound
from server.history import service
from server.history.schemas import HistoryDetail, HistoryKind, HistoryOut
from server.web.api import Call, Router

router = Router()
TAG = "consultations"
HISTORY = "/api/consultations/{consultation_id}/history"


@router.get(HISTORY, summary="The resident's history beside a consultation: earlier consultations of its kiosk "
            "or contact phone, board messages and applications, as far as you may see them (masked)", tag=TAG,
            auth="account", response=HistoryOut)
async def history(call: Call) -> HistoryOut:
    return await service.listing(call.session, call.actor, call.path["consultation_id"])


@router.get(HISTORY + "/{kind}/{item_id}", summary="One item of a consultation's history in full (an audited "
            "read of personal data); kind: " + ", ".join(HistoryKind), tag=TAG, auth="account",
            response=HistoryDetail, path_types={"kind": str})
async def history_item(call: Call) -> HistoryDetail:
    try:
        kind = HistoryKind(call.path_text["kind"])
    except ValueError:
        raise NotFound(f"there is no kind of history item {call.path_text['kind'][:40]!r}",
                       allowed=list(HistoryKind)) from None
    ctx = service.Context(now=call.clock.now(), client_addr=call.client_addr)
    return await service.read(call.session, call.actor, call.path["consultation_id"], kind, call.path["item_id"], ctx)
