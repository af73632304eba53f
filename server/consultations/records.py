"""Who may read a consultation's record (its events, chat and recordings): staff whose part of
the unit tree holds the kiosk's unit or the target unit, and whoever took it; a lawyer reads
only what they took. Kiosks read no records."""
from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from datetime import datetime

from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server.audit.service import record
from server.consultations.models import Consultation, ConsultationEvent
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


async def set_groups(session: AsyncSession, actor: Actor, consultation_id: int, groups: list[str], now: datetime,
                     client_addr: str = "") -> Consultation:
    """Record who the resident is for the bureau's figures (server/applicant_groups.py): whoever
    may read the record, during the consultation or after it."""
    c = await readable(session, actor, consultation_id)
    c.applicant_groups = list(groups)
    detail = ",".join(groups)
    session.add(ConsultationEvent(consultation_id=c.id, at=now, kind="groups", actor=actor.ref, detail=detail))
    record(session, at=now, actor=actor, action="consultation.groups", object=f"consultation:{c.id}",
           client_addr=client_addr, detail=detail)
    return c
