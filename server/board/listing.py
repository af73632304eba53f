"""Reading the board: the list and its filters, messages as the asker sees them, one in detail."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.board.access import actions, visible, visible_condition
from server.board.anonymise import draft, mask_name
from server.board.context import Context
from server.board.deadlines import china_day_start, due_on, is_overdue, overdue_before
from server.board.models import BoardEvent, BoardMessage, BoardReply, PublicAnswer
from server.board.schemas import EventOut, ListQuery, MessageDetail, MessageOut, ReplyOut, UnitRef
from server.board.state import UNANSWERED, BoardState
from server.org.models import Unit
from server.privacy import mask_phone


async def _replies(session: AsyncSession, message_ids: list[int]) -> dict[int, list[BoardReply]]:
    found: dict[int, list[BoardReply]] = {i: [] for i in message_ids}
    if message_ids:
        for r in await session.scalars(select(BoardReply).where(BoardReply.message_id.in_(message_ids))
                                       .order_by(BoardReply.id)):
            found[r.message_id].append(r)
    return found


async def _filters(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> list[ColumnElement[bool]]:
    where = [visible_condition(actor)]
    if q.state is not None:
        where.append(BoardMessage.state == q.state)
    if q.unanswered or q.overdue:
        where.append(BoardMessage.state.in_(UNANSWERED))
    if q.overdue:
        where.append(BoardMessage.created_at < overdue_before(ctx.schedule, ctx.now, ctx.reply_working_days))
    if q.mine:
        where.append(BoardMessage.owner_account_id == actor.id if actor.kind == "account" else false())
    if q.category:
        where.append(BoardMessage.category == q.category)
    if q.unit_id is not None:
        path = await session.scalar(select(Unit.path).where(Unit.id == q.unit_id))
        if path is None:
            where.append(false())
        else:
            below = select(Unit.id).where(Unit.path.startswith(path))
            where.append(or_(BoardMessage.unit_id.in_(below), BoardMessage.target_unit_id.in_(below)))
    if q.from_:
        where.append(BoardMessage.created_at >= china_day_start(ctx.schedule, q.from_))
    if q.to:
        where.append(BoardMessage.created_at < china_day_start(ctx.schedule, q.to + timedelta(days=1)))
    if q.q:
        where.append(or_(BoardMessage.question.icontains(q.q, autoescape=True),
                         BoardMessage.contact_name.icontains(q.q, autoescape=True)))
    return where


async def page(session: AsyncSession, actor: Actor, q: ListQuery, ctx: Context) -> tuple[int, list[MessageOut]]:
    where = await _filters(session, actor, q, ctx)
    total = await session.scalar(select(func.count()).select_from(BoardMessage).where(*where))
    rows = list(await session.scalars(select(BoardMessage).where(*where)
                                      .order_by(BoardMessage.created_at.desc(), BoardMessage.id.desc())
                                      .offset(q.offset).limit(q.limit)))
    return int(total or 0), await describe(session, actor, rows, ctx)


async def describe(session: AsyncSession, actor: Actor, messages: list[BoardMessage],
                   ctx: Context) -> list[MessageOut]:
    """Messages as the asker sees them: phones masked, names masked for kiosks, their actions."""
    ids = [m.id for m in messages]
    unit_ids = {m.unit_id for m in messages} | {m.target_unit_id for m in messages}
    units = {u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if ids else {}
    owners = {m.owner_account_id for m in messages} - {None}
    names: dict[int | None, str] = dict((await session.execute(select(Account.id, Account.display_name)
                                        .where(Account.id.in_(owners)))).all()) if owners else {}
    replies = await _replies(session, ids)
    reply_units = {r.unit_id for rs in replies.values() for r in rs} - set(units)
    if reply_units:
        units.update({u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(reply_units)))})
    published = set(await session.scalars(select(PublicAnswer.message_id).where(PublicAnswer.message_id.in_(ids))))
    out = []
    for m in messages:
        unit, target = units[m.unit_id], units[m.target_unit_id]
        out.append(MessageOut(
            id=m.id, state=BoardState(m.state), category=m.category, question=m.question,
            contact_name=mask_name(m.contact_name) if actor.kind == "device" else m.contact_name,
            contact_phone_masked=mask_phone(m.contact_phone), source=m.source,
            unit=UnitRef(id=unit.id, name=unit.name, kind=unit.kind),
            target_unit=UnitRef(id=target.id, name=target.name, kind=target.kind),
            owner_account_id=m.owner_account_id, owner_name=names.get(m.owner_account_id, ""),
            created_at=m.created_at, due_on=due_on(ctx.schedule, m.created_at, ctx.reply_working_days),
            overdue=is_overdue(ctx.schedule, m.state, m.created_at, ctx.now, ctx.reply_working_days),
            answered_at=m.answered_at, closed_at=m.closed_at, consultation_id=m.consultation_id,
            needs_call_back=m.needs_call_back,
            published=m.id in published,
            replies=[ReplyOut(id=r.id, author_name=r.author_name, unit_name=units[r.unit_id].name, body=r.body,
                              created_at=r.created_at) for r in replies[m.id]],
            actions=actions(actor, m, target.path, m.id in published)))
    return out


async def detail(session: AsyncSession, actor: Actor, message_id: int, ctx: Context) -> MessageDetail:
    return await detailed(session, actor, await visible(session, actor, message_id), ctx)


async def detailed(session: AsyncSession, actor: Actor, m: BoardMessage, ctx: Context) -> MessageDetail:
    """A message the actor may read (checked by the caller), with its replies and history."""
    row = (await describe(session, actor, [m], ctx))[0]
    events = []
    if actor.kind == "account":  # the history names staff and hand-overs: not for the kiosk screen
        events = [EventOut(at=e.at, kind=e.kind, actor_name=e.actor_name, detail=e.detail,
                           note=e.note)
                  for e in await session.scalars(select(BoardEvent).where(BoardEvent.message_id == m.id)
                                                 .order_by(BoardEvent.id))]
    public_draft = None
    if "publish" in row.actions:
        public_draft = draft(m, (await _replies(session, [m.id]))[m.id])
    return MessageDetail(**row.model_dump(), events=events, public_draft=public_draft)
