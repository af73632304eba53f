"""The unit tree: create, rename, move, deactivate; every call is scoped to the actor."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import require
from server.errors import Conflict, InvalidInput, NotFound
from server.org.models import CHILD_KINDS, Unit, UnitKind


async def get(session: AsyncSession, actor: Actor, unit_id: int, *, permission: str = "units.read") -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"there is no unit {unit_id}")
    require(actor, permission, unit_path=unit.path)
    return unit


async def visible(session: AsyncSession, actor: Actor, *, kind: UnitKind | None = None,
                  include_inactive: bool = False) -> list[Unit]:
    require(actor, "units.read")
    query = select(Unit).where(Unit.path.startswith(actor.unit_path)).order_by(Unit.path)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    if not include_inactive:
        query = query.where(Unit.active.is_(True))
    return list(await session.scalars(query))


async def visible_ids(session: AsyncSession, actor: Actor) -> list[int]:
    rows = await session.scalars(select(Unit.id).where(Unit.path.startswith(actor.unit_path)))
    return list(rows)


async def create_root(session: AsyncSession, *, code: str, name: str, now: datetime) -> Unit:
    """The center: only the CLI and the demo seed make one."""
    unit = Unit(code=code, name=name, kind=UnitKind.center, parent_id=None, path="", created_at=now)
    session.add(unit)
    await session.flush()
    unit.path = f"/{unit.id}/"
    return unit


async def create(session: AsyncSession, actor: Actor, *, code: str, name: str, kind: UnitKind, parent_id: int,
                 now: datetime, contact_name: str = "", contact_phone: str = "", address: str = "") -> Unit:
    parent = await get(session, actor, parent_id, permission="units.write")
    _check_child(parent, kind)
    if await session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise Conflict(f"unit code {code!r} is taken", field="code")
    unit = Unit(code=code, name=name, kind=kind, parent_id=parent.id, path="", created_at=now,
                contact_name=contact_name, contact_phone=contact_phone, address=address)
    session.add(unit)
    await session.flush()
    unit.path = f"{parent.path}{unit.id}/"
    return unit


async def change(session: AsyncSession, actor: Actor, unit_id: int, **fields: Any) -> Unit:
    unit = await get(session, actor, unit_id, permission="units.write")
    parent_id = fields.pop("parent_id", None)
    if parent_id is not None and parent_id != unit.parent_id:
        await _move(session, actor, unit, int(parent_id))
    active = fields.pop("active", None)
    if active is False and unit.kind == UnitKind.center:
        raise InvalidInput("the center cannot be deactivated", field="active")
    if active is not None:
        unit.active = bool(active)
    for name, value in fields.items():
        if value is not None:
            setattr(unit, name, value)
    return unit


async def _move(session: AsyncSession, actor: Actor, unit: Unit, parent_id: int) -> None:
    if unit.parent_id is None:
        raise InvalidInput("the center has no parent to move to", field="parent_id")
    parent = await get(session, actor, parent_id, permission="units.write")
    if parent.path.startswith(unit.path):
        raise InvalidInput("a unit cannot move under itself", field="parent_id")
    _check_child(parent, UnitKind(unit.kind))
    old, new = unit.path, f"{parent.path}{unit.id}/"
    descendants = await session.scalars(select(Unit).where(Unit.path.startswith(old), Unit.id != unit.id))
    for child in descendants:
        child.path = new + child.path[len(old):]
    unit.parent_id, unit.path = parent.id, new


def _check_child(parent: Unit, kind: UnitKind) -> None:
    if not parent.active:
        raise InvalidInput(f"unit {parent.code} is deactivated", field="parent_id")
    if kind not in CHILD_KINDS[UnitKind(parent.kind)]:
        raise InvalidInput(f"a {kind} cannot sit under a {parent.kind}", field="kind")


async def path_of(session: AsyncSession, unit_id: int) -> str:
    path = await session.scalar(select(Unit.path).where(Unit.id == unit_id))
    if path is None:
        raise NotFound(f"there is no unit {unit_id}")
    return path


