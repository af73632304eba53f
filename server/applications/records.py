"""How an application's steps are written down: its timeline and the audit log."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.applications.context import Context
from server.applications.models import Application, ApplicationStep
from server.audit.service import record


def add_step(session: AsyncSession, actor: Actor, app: Application, ctx: Context, action: str, source: str,
              target: str, note: str) -> None:
    session.add(ApplicationStep(application_id=app.id, at=ctx.now, action=action, from_state=source,
                                to_state=target, actor=actor.ref, actor_name=actor.name[:100],
                                unit_id=actor.unit_id, note=note))


def audit_application(session: AsyncSession, actor: Actor, ctx: Context, action: str, app: Application, detail: str) -> None:
    record(session, at=ctx.now, actor=actor, action=action, object=f"application:{app.id}",
           client_addr=ctx.client_addr, detail=detail)
