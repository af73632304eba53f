"""Canned replies and the unit tree: staff read the replies of their own unit and of every unit
above it (the center's answers reach every station and community); staff other than lawyers
keep those of their unit and of the units below it, as elsewhere in the tree."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server.errors import NotFound, PermissionDenied
from server.org.models import Unit
from server.replies.models import CannedReply
from server.replies.schemas import ReplyIn, ReplyPatch

KEEPERS = frozenset(Role) - {Role.kiosk, Role.lawyer}  # lawyers use the center's replies


def _ancestor_paths(unit_path: str) -> list[str]:
    """"/1/5/7/" → ["/1/", "/1/5/", "/1/5/7/"]: the unit and every unit above it."""
    ids = [part for part in unit_path.split("/") if part]
    return ["/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids))]


def _check_account(actor: Actor) -> None:
    if actor.kind != "account":
        raise PermissionDenied("canned replies are for staff")


def may_keep(actor: Actor, unit_path: str) -> bool:
    return actor.kind == "account" and actor.role in KEEPERS and actor.sees_unit(unit_path)


async def listing(session: AsyncSession, actor: Actor, language: str | None) -> list[dict]:
    _check_account(actor)
    query = (select(CannedReply, Unit).join(Unit, Unit.id == CannedReply.unit_id)
             .where(Unit.path.in_(_ancestor_paths(actor.unit_path))))
    if language:
        query = query.where(CannedReply.language == language)
    rows = list((await session.execute(query)).all())
    # nearest unit first: a station's own answers before the center's
    rows.sort(key=lambda r: (-len(r.Unit.path), r.CannedReply.language, r.CannedReply.position, r.CannedReply.id))
    return [out(r.CannedReply, r.Unit, actor) for r in rows]


def out(reply: CannedReply, unit: Unit, actor: Actor) -> dict:
    return dict(id=reply.id, unit_id=unit.id, unit_name=unit.name, language=reply.language, title=reply.title,
                body=reply.body, position=reply.position, editable=may_keep(actor, unit.path))


async def _kept(session: AsyncSession, actor: Actor, reply_id: int) -> tuple[CannedReply, Unit]:
    _check_account(actor)
    found = (await session.execute(select(CannedReply, Unit).join(Unit, Unit.id == CannedReply.unit_id)
                                   .where(CannedReply.id == reply_id))).first()
    if found is None or not (may_keep(actor, found.Unit.path)
                             or found.Unit.path in _ancestor_paths(actor.unit_path)):
        raise NotFound(f"there is no canned reply {reply_id} that you may see")
    if not may_keep(actor, found.Unit.path):
        raise PermissionDenied("the replies of a unit are kept by its staff and those above it")
    return found.CannedReply, found.Unit


async def _siblings(session: AsyncSession, unit_id: int, language: str) -> list[CannedReply]:
    return list(await session.scalars(select(CannedReply).where(
        CannedReply.unit_id == unit_id, CannedReply.language == language)
        .order_by(CannedReply.position, CannedReply.id)))


async def create(session: AsyncSession, actor: Actor, p: ReplyIn, now: datetime) -> dict:
    _check_account(actor)
    unit = await session.get(Unit, p.unit_id or actor.unit_id)
    if unit is None or not may_keep(actor, unit.path):
        raise PermissionDenied("you keep the replies of your unit and the units below it")
    last = await session.scalar(select(func.max(CannedReply.position)).where(
        CannedReply.unit_id == unit.id, CannedReply.language == p.language))
    reply = CannedReply(unit_id=unit.id, language=p.language, title=p.title.strip(), body=p.body.strip(),
                        position=0 if last is None else last + 1, updated_at=now)
    session.add(reply)
    await session.flush()
    return out(reply, unit, actor)


async def update(session: AsyncSession, actor: Actor, reply_id: int, p: ReplyPatch, now: datetime) -> dict:
    reply, unit = await _kept(session, actor, reply_id)
    changes = p.model_dump(exclude_unset=True, exclude={"position"})
    for name, value in changes.items():
        if value is not None:
            setattr(reply, name, value.strip() if name in ("title", "body") else value)
    reply.updated_at = now
    await session.flush()
    if p.position is not None or "language" in changes:
        order = [r for r in await _siblings(session, unit.id, reply.language) if r.id != reply.id]
        at = min(p.position if p.position is not None else len(order), len(order))
        order.insert(at, reply)
        for position, r in enumerate(order):
            r.position = position
    return out(reply, unit, actor)


async def delete(session: AsyncSession, actor: Actor, reply_id: int) -> CannedReply:
    reply, unit = await _kept(session, actor, reply_id)
    await session.delete(reply)
    await session.flush()
    for position, r in enumerate(await _siblings(session, unit.id, reply.language)):
        r.position = position
    return reply
