"""The applications' part of the periodic sweep: withdraw those whose materials never came, and
tell each late unit once about a step that has passed its due date (once more if the due date
moves and passes again)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.applications import audience, service
from server.applications.context import ApplicationSettings, Context
from server.applications.models import Application
from server.applications.state import FINAL
from server.hours.service import load_schedule
from server.notify import Notice


async def context(session: AsyncSession, now: datetime, tz: ZoneInfo, settings: ApplicationSettings) -> Context:
    return Context(now=now, schedule=await load_schedule(session, tz), deadlines=settings.deadlines,
                   number_format=settings.number_format)


async def sweep(session: AsyncSession, now: datetime, tz: ZoneInfo, settings: ApplicationSettings) -> list[Notice]:
    ctx = await context(session, now, tz, settings)
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
