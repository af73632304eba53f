"""Writing and reading the audit log. There is deliberately no update or delete here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts.actor import Actor
from server.audit.models import AuditEntry
from server.db import execute_soon, table_of


def record(session: AsyncSession, *, at: datetime, actor: Actor, action: str, object: str = "", outcome: str = "ok",
           client_addr: str = "", detail: str = "") -> None:
    """Add an audit row to the caller's transaction: it commits with the change it describes
    (written with the session's next flush)."""
    session.add(AuditEntry(**_row(at, actor, action, object, outcome, client_addr, detail)))


async def write(session: AsyncSession, *, at: datetime, actor: Actor, action: str, object: str = "",
                outcome: str = "ok", client_addr: str = "", detail: str = "") -> None:
    """`record`, by one INSERT with no ORM object in between (in a group commit, with its
    other pieces'): for the paths where the unit of work's flush was a good part of the cost (a
    consultation's start and take)."""
    await execute_soon(session, _INSERT, _row(at, actor, action, object, outcome, client_addr, detail))


_INSERT = insert(table_of(AuditEntry))


def _row(at: datetime, actor: Actor, action: str, object: str, outcome: str, client_addr: str,
         detail: str) -> dict[str, Any]:
    """The row's columns, each cut to its column's length."""
    return {"at": at, "actor": actor.ref, "actor_name": actor.name[:100], "role": str(actor.role or ""),
            "unit_id": actor.unit_id, "action": action, "object": object[:200], "outcome": outcome,
            "client_addr": client_addr[:64], "detail": detail[:1000]}


async def record_now(sessions: async_sessionmaker[AsyncSession], **kwargs: Any) -> None:
    """Write a row in a transaction of its own: for refusals and failures, whose request's own
    transaction is rolled back."""
    async with sessions.begin() as session:
        record(session, **kwargs)


async def page(
    session: AsyncSession,
    *,
    unit_ids: list[int] | None,
    actor: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[AuditEntry]]:
    query = select(AuditEntry)
    if unit_ids is not None:
        query = query.where(AuditEntry.unit_id.in_(unit_ids))
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
    return int(total or 0), list(rows)
