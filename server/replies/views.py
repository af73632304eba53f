"""HTTP routes of canned replies: parse, call the service, audit the change."""
from __future__ import annotations

from server.audit.service import record
from server.replies import service
from server.replies.schemas import ReplyIn, ReplyOut, ReplyPatch, ReplyQuery
from server.web.api import Call, Router

router = Router()
TAG = "replies"
ONE = "/api/replies/{reply_id}"


def _audit(call: Call, action: str, reply_id: int, detail: str = "") -> None:
    record(call.session, at=call.clock.now(), actor=call.actor, action=f"reply.{action}",
           object=f"canned_reply:{reply_id}", client_addr=call.client_addr, detail=detail)


@router.get("/api/replies", summary="Canned replies of your unit and the units above it, nearest first",
            tag=TAG, query=ReplyQuery, response=list[ReplyOut])
async def list_replies(call: Call) -> list[ReplyOut]:
    return [ReplyOut(**r) for r in await service.listing(call.session, call.actor, call.query.language)]


@router.post("/api/replies", summary="Keep a canned reply for your unit (or one below it), at the end",
             tag=TAG, body=ReplyIn, response=ReplyOut)
async def create_reply(call: Call) -> ReplyOut:
    reply = await service.create(call.session, call.actor, call.body, call.clock.now())
    _audit(call, "create", reply["id"], f"unit {reply['unit_id']}")
    return ReplyOut(**reply)


@router.patch(ONE, summary="Change a canned reply's words or language, or move it (position)", tag=TAG,
              body=ReplyPatch, response=ReplyOut)
async def update_reply(call: Call) -> ReplyOut:
    reply = await service.update(call.session, call.actor, call.path["reply_id"], call.body, call.clock.now())
    _audit(call, "update", reply["id"], ",".join(sorted(call.body.model_dump(exclude_unset=True))))
    return ReplyOut(**reply)


@router.delete(ONE, summary="Delete a canned reply", tag=TAG, status=204)
async def delete_reply(call: Call) -> None:
    await service.delete(call.session, call.actor, call.path["reply_id"])
    _audit(call, "delete", call.path["reply_id"])
