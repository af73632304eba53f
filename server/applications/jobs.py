"""The applications' part of the periodic sweep: withdraw those whose materials never came, and
tell each late unit once about a step that has passed its due date (once more if the due date
moves and passes again)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.applications import audience, numbering, service
from server.applications.context import Context
from server.applications.deadlines import Deadlines
from server.applications.models import Application
from server.applications.state import FINAL
from server.config import Settings
from server.hours.service import load_schedule
from server.notify import Notice


async def context(session: AsyncSession, now: datetime, settings: Settings) -> Context:
    env = settings.extra
    return Context(now=now, schedule=await load_schedule(session, settings.timezone),
                   deadlines=Deadlines.from_env(env), number_format=numbering.format_from_env(env))


async def sweep(session: AsyncSession, now: datetime, settings: Settings) -> list[Notice]:
    ctx = await context(session, now, settings)
    notices: list[Notice] = []
    for app in await service.withdraw_unsupplied(session, ctx):
        notices += await audience.notices(session, app, "withdraw")
    late = await session.scalars(select(Application).where(
        Application.due_on < ctx.today, Application.state.not_in([s.value for s in FINAL]),
        or_(Application.overdue_notified_on.is_(None), Application.overdue_notified_on <= Application.due_on)))
    for app in late:
        app.overdue_notified_on = ctx.today
        notices += await audience.notices(session, app, "overdue")
    await session.flush()
    return notices
