"""Public Q&A: publishing an answered message, anonymised, and the public page of answers."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.board.access import may_publish, visible
from server.board.anonymise import check_public_text
from server.board.audience import add_event, audience
from server.board.context import Context, Outcome
from server.board.models import PublicAnswer
from server.board.state import BoardState
from server.errors import Conflict, IllegalTransition, PermissionDenied


async def publish(session: AsyncSession, actor: Actor, message_id: int, question: str, answer: str,
                  ctx: Context) -> tuple[PublicAnswer, Outcome]:
    if not may_publish(actor):
        raise PermissionDenied("only the center's staff publish answers")
    m = await visible(session, actor, message_id)
    if m.answered_at is None or m.state not in (BoardState.answered, BoardState.closed):
        raise IllegalTransition(f"a {m.state} message has no answer to publish", state=m.state, action="publish")
    if await session.scalar(select(PublicAnswer.id).where(PublicAnswer.message_id == m.id)) is not None:
        raise Conflict("this message is already published")
    check_public_text(question, "question", [m.contact_name])
    check_public_text(answer, "answer", [m.contact_name])
    entry = PublicAnswer(message_id=m.id, category=m.category, question=question, answer=answer,
                         published_at=ctx.now, published_by=actor.id)
    session.add(entry)
    await session.flush()
    add_event(session, m, actor, ctx.now, "published", f"public answer {entry.id}")
    return entry, Outcome(m, await audience(session, m, "published"), f"public answer {entry.id}")


async def public_page(session: AsyncSession, *, category: str | None, offset: int,
                      limit: int) -> tuple[int, list[PublicAnswer]]:
    query = select(PublicAnswer)
    if category:
        query = query.where(PublicAnswer.category == category)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(PublicAnswer.published_at.desc(), PublicAnswer.id.desc())
                                 .offset(offset).limit(limit))
    return int(total or 0), list(rows)
