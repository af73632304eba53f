"""HTTP routes of the message board: parse, call the service, audit the change, commit, and
only then push the Notices to the kiosks' and staff consoles' socket.io rooms."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from server.audit.service import record
from server.board import listing, receipts, service
from server.board import public as public_qa
from server.board import targets as board_targets
from server.board.context import Context, Outcome
from server.board.schemas import (CloseIn, HandOverIn, HandOverTargets, LeftOut, ListQuery, MessageDetail, MessageIn,
                                  MessageOut, MessagePage, PhoneOut, PublicAnswerOut, PublicPage, PublicQuery,
                                  PublishIn, ReceiptIn, ReplyIn, TargetsOut)
from server.errors import NotFound
from server.hours import service as hours
from server.web import keys
from server.web.api import Call, Router

log = logging.getLogger(__name__)
router = Router()
ONE = "/api/board/messages/{message_id}"


def _categories(call: Call) -> tuple[str, ...]:
    return call.app[keys.RULES].categories


async def _context(call: Call) -> Context:
    return Context(now=call.clock.now(), schedule=await hours.load_schedule(call.session, call.settings.timezone),
                   reply_working_days=call.app[keys.BOARD_SETTINGS].reply_working_days, categories=_categories(call))


async def _finish(call: Call, outcome: Outcome, action: str) -> None:
    """Audit the change in its transaction, commit, then tell whoever has it on screen."""
    record(call.session, at=call.clock.now(), actor=call.actor, action=f"board.{action}",
           object=f"board_message:{outcome.message.id}", client_addr=call.client_addr, detail=outcome.detail)
    await call.session.commit()
    await call.app[keys.DELIVER](outcome.notices)


async def _run(call: Call, action: str, verb: Callable[..., Awaitable[Outcome]],
               *args: Any) -> tuple[MessageOut, Outcome]:
    """Run one verb of the service: the message as it now is, and the outcome."""
    ctx = await _context(call)
    outcome = await verb(call.session, call.actor, *args, ctx)
    row = (await listing.describe(call.session, call.actor, [outcome.message], ctx))[0]
    await _finish(call, outcome, action)
    return row, outcome


async def _change(call: Call, action: str, verb: Callable[..., Awaitable[Outcome]], *args: Any) -> MessageOut:
    return (await _run(call, action, verb, *args))[0]


@router.get("/api/board/targets", summary="Where a message may be left for, and its categories", tag="board",
            auth="any", response=TargetsOut)
async def targets(call: Call) -> TargetsOut:
    return await board_targets.targets(call.session, call.actor, _categories(call))


@router.post("/api/board/messages", summary="Leave a message (a kiosk or community staff, at any time); the "
             "answer carries the message's receipt code, this once", tag="board", auth="any", body=MessageIn,
             response=LeftOut)
async def leave(call: Call) -> LeftOut:
    row, outcome = await _run(call, "leave", service.leave, call.body)
    return LeftOut(**row.model_dump(), receipt_code=outcome.receipt_code)


@router.post("/api/board/receipt", summary="At a kiosk: the resident's own message and its answers, found by its "
             "receipt code and the phone's last four digits (wrong tries are limited per kiosk and per message)",
             tag="board", auth="device", body=ReceiptIn, response=MessageDetail, status=200)
async def by_receipt(call: Call) -> MessageDetail:
    m = await receipts.find(call.session, call.actor, call.body.receipt_code, call.body.phone_last4,
                            call.clock.now())
    if m is None:
        await call.session.commit()  # the wrong try counts even though the request is refused
        raise NotFound(receipts.NO_SUCH)
    record(call.session, at=call.clock.now(), actor=call.actor, action="board.receipt_read",
           object=f"board_message:{m.id}", client_addr=call.client_addr)
    return await listing.detailed(call.session, call.actor, m, await _context(call))


@router.get("/api/board/messages", summary="Messages you may see, newest first (phones masked); staff only: a "
            "kiosk finds a resident's own message by its receipt code", tag="board",
            auth="account", query=ListQuery, response=MessagePage)
async def list_messages(call: Call) -> MessagePage:
    total, rows = await listing.page(call.session, call.actor, call.query, await _context(call))
    return MessagePage(total=total, rows=rows)


@router.get(ONE, summary="One message with its replies and history (staff)", tag="board", auth="account",
            response=MessageDetail)
async def get_message(call: Call) -> MessageDetail:
    return await listing.detail(call.session, call.actor, call.path["message_id"], await _context(call))


@router.get(ONE + "/phone", summary="The full contact phone (an audited read of personal data)", tag="board",
            response=PhoneOut)
async def read_phone(call: Call) -> PhoneOut:
    message_id = call.path["message_id"]
    phone = await service.read_phone(call.session, call.actor, message_id)
    record(call.session, at=call.clock.now(), actor=call.actor, action="personal_data.read",
           object=f"board_message:{message_id}", client_addr=call.client_addr, detail="contact_phone")
    return PhoneOut(contact_phone=phone)


@router.post(ONE + "/claim", summary="Claim a message: you own it until you hand it over (首問負責)",
             tag="board", response=MessageOut, status=200)
async def claim(call: Call) -> MessageOut:
    return await _change(call, "claim", service.claim, call.path["message_id"])


@router.post(ONE + "/reply", summary="Reply (the owner; replying to an unclaimed message claims it)",
             tag="board", body=ReplyIn, response=MessageOut, status=200)
async def reply(call: Call) -> MessageOut:
    return await _change(call, "reply", service.reply, call.path["message_id"], call.body.body)


@router.post(ONE + "/handover", summary="Hand a message over to another person or unit", tag="board",
             body=HandOverIn, response=MessageOut, status=200)
async def hand_over(call: Call) -> MessageOut:
    return await _change(call, "hand_over", service.hand_over, call.path["message_id"], call.body)


@router.post(ONE + "/close", summary="Close a message", tag="board", body=CloseIn, response=MessageOut,
             status=200)
async def close(call: Call) -> MessageOut:
    return await _change(call, "close", service.close, call.path["message_id"], call.body.note)


@router.post(ONE + "/publish", summary="Publish an answered message as anonymised public Q&A (the center)",
             tag="board", body=PublishIn, response=PublicAnswerOut)
async def publish(call: Call) -> PublicAnswerOut:
    ctx = await _context(call)
    entry, outcome = await public_qa.publish(call.session, call.actor, call.path["message_id"], call.body.question,
                                           call.body.answer, ctx)
    out = PublicAnswerOut(id=entry.id, category=entry.category, question=entry.question, answer=entry.answer,
                          published_at=entry.published_at)
    await _finish(call, outcome, "publish")
    return out


@router.get("/api/board/public", summary="Published questions and answers: anonymised, for everyone",
            tag="board", auth="public", query=PublicQuery, response=PublicPage)
async def public(call: Call) -> PublicPage:
    q = call.query
    total, rows = await public_qa.public_page(call.session, category=q.category, offset=q.offset, limit=q.limit)
    return PublicPage(total=total, rows=[PublicAnswerOut(id=r.id, category=r.category, question=r.question,
                                                         answer=r.answer, published_at=r.published_at)
                                         for r in rows])


@router.get("/api/board/handover-targets", summary="The units and people a message may be handed over to",
            tag="board", response=HandOverTargets)
async def hand_over_targets(call: Call) -> HandOverTargets:
    return await board_targets.hand_over_targets(call.session, call.actor)
