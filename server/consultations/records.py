"""Who may read a consultation's record (its events, chat and recordings): staff whose part of
the unit tree holds the kiosk's unit or the target unit, and whoever took it; a lawyer reads
only what they took. Kiosks read no records."""
from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server.consultations.models import Consultation
from server.errors import NotFound, PermissionDenied
from server.org.models import Unit


def visible_condition(actor: Actor) -> ColumnElement[bool]:
    """The consultations `actor` may read, as a WHERE condition."""
    if actor.kind != "account":
        raise PermissionDenied("consultation records are for staff")
    if actor.role == Role.lawyer:
        return Consultation.taker_account_id == actor.id
    subtree = select(Unit.id).where(Unit.path.startswith(actor.unit_path))
    return or_(Consultation.unit_id.in_(subtree), Consultation.target_unit_id.in_(subtree),
               Consultation.taker_account_id == actor.id)


async def readable(session: AsyncSession, actor: Actor, consultation_id: int) -> Consultation:
    """The consultation, if `actor` may read its record."""
    c = await session.scalar(select(Consultation).where(Consultation.id == consultation_id,
                                                        visible_condition(actor)))
    if c is None:
        if await session.get(Consultation, consultation_id) is not None:
            raise PermissionDenied("this consultation is outside your part of the unit tree")
        raise NotFound(f"there is no consultation {consultation_id}")
    return c
