from __future__ import annotations

from server.audit.service import record
from server.chat import service
from server.chat.schemas import ChatMessageOut, ChatQuery
from server.consultations.views import readable
from server.web.api import Call, Router

router = Router()


@router.get("/api/consultations/{consultation_id}/chat", summary="A consultation's chat, in order (an audited "
            "read, for whoever may read the record)", tag="consultations", query=ChatQuery,
            response=list[ChatMessageOut])
async def consultation_chat(call: Call) -> list[dict]:
    cid = call.path["consultation_id"]
    await readable(call, cid)
    messages = await service.since(call.session, service.RoomKey("consultation", cid), call.query.since_seq,
                                   call.query.limit)
    record(call.session, at=call.clock.now(), actor=call.actor, action="personal_data.read",
           object=f"consultation:{cid}", client_addr=call.client_addr, detail=f"chat after {call.query.since_seq}")
    return messages
