"""Legal holds: set, release, list, and which cases are held. Each change is an audit row."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import require
from server.applications.models import Application
from server.audit.service import record
from server.board.models import BoardMessage
from server.consultations.models import Consultation
from server.errors import Conflict, NotFound, PermissionDenied
from server.retention.models import LegalHold


class HoldKind(StrEnum):
    """What a hold is set on; the same names as the file parents and chat rooms."""

    consultation = "consultation"
    board = "board"
    application = "application"


CASE_MODELS = {HoldKind.consultation: Consultation, HoldKind.board: BoardMessage,
               HoldKind.application: Application}


def require_center_admin(actor: Actor, permission: str = "legal_holds.write") -> None:
    """Holds and residents' requests act on the whole tree: only an admin of the center may."""
    require(actor, permission)
    if not actor.at_center:
        raise PermissionDenied("only the center's administrators may do this", permission=permission)


async def held_ids(session: AsyncSession, kind: HoldKind) -> set[int]:
    rows = await session.scalars(select(LegalHold.ref_id).where(LegalHold.kind == kind,
                                                                LegalHold.released_at.is_(None)))
    return set(rows)


async def listed(session: AsyncSession, actor: Actor, *, active_only: bool) -> list[LegalHold]:
    require_center_admin(actor)
    query = select(LegalHold).order_by(LegalHold.id.desc())
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    return list(await session.scalars(query))


async def set_hold(session: AsyncSession, actor: Actor, *, kind: HoldKind, ref_id: int, reason: str,
                   now: datetime, client_addr: str = "") -> LegalHold:
    require_center_admin(actor)
    if await session.get(CASE_MODELS[kind], ref_id) is None:
        raise NotFound(f"there is no {kind.value} {ref_id}")
    if ref_id in await held_ids(session, kind):
        raise Conflict(f"{kind.value} {ref_id} is already held")
    hold = LegalHold(kind=kind.value, ref_id=ref_id, reason=reason, set_by=actor.ref, set_at=now)
    session.add(hold)
    await session.flush()
    record(session, at=now, actor=actor, action="legal_hold.set", object=f"{kind.value}:{ref_id}",
           client_addr=client_addr, detail=f"hold {hold.id}: {reason}")
    return hold


async def release_hold(session: AsyncSession, actor: Actor, *, hold_id: int, reason: str, now: datetime,
                       client_addr: str = "") -> LegalHold:
    require_center_admin(actor)
    hold = await session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(f"there is no legal hold {hold_id}")
    if hold.released_at is not None:
        raise Conflict(f"legal hold {hold_id} was released already")
    hold.released_at, hold.released_by = now, actor.ref
    record(session, at=now, actor=actor, action="legal_hold.release", object=f"{hold.kind}:{hold.ref_id}",
           client_addr=client_addr, detail=f"hold {hold.id}: {reason}")
    return hold
