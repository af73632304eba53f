"""Where a message may go: the asker's choice when leaving one, and the units and people of a hand-over."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.accounts.permissions import Role
from server.board.access import HANDLER_ROLES
from server.board.schemas import HandOverTargets, MessageIn, PersonRef, TargetsOut, UnitRef
from server.errors import InvalidInput, NotFound, PermissionDenied
from server.org.models import Unit, UnitKind

TARGET_KINDS = (UnitKind.center, UnitKind.department, UnitKind.station)


async def _center(session: AsyncSession) -> Unit:
    center = await session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    if center is None:
        raise NotFound("there is no center in the unit tree yet")
    return center


async def _own_station(session: AsyncSession, actor: Actor) -> Unit | None:
    own = await session.get(Unit, actor.unit_id)
    if own is not None and own.kind == UnitKind.community and own.parent_id is not None:
        own = await session.get(Unit, own.parent_id)
    return own if own is not None and own.kind == UnitKind.station and own.active else None


def check_may_leave(actor: Actor) -> None:
    if actor.kind == "device":
        return
    if actor.kind == "account" and actor.role == Role.community_staff:
        return
    raise PermissionDenied("messages are left at a kiosk or by community staff")


async def target_of(session: AsyncSession, actor: Actor, p: MessageIn) -> Unit:
    if p.target == "center":
        return await _center(session)
    if p.target == "department":
        unit = await session.get(Unit, p.department_id) if p.department_id else None
        if unit is None or unit.kind != UnitKind.department or not unit.active:
            raise InvalidInput("choose an active department liaison center", field="department_id")
        return unit
    station = await _own_station(session, actor)
    if station is None:
        raise InvalidInput("this community has no active workstation above it; choose the center", field="target")
    return station


async def targets(session: AsyncSession, actor: Actor, categories: tuple[str, ...]) -> TargetsOut:
    """Where the asker may leave a message."""
    check_may_leave(actor)
    station = await _own_station(session, actor)
    center = await _center(session)
    departments = await session.scalars(select(Unit).where(Unit.kind == UnitKind.department,
                                                           Unit.active.is_(True)).order_by(Unit.name))
    ref = lambda u: UnitRef(id=u.id, name=u.name, kind=u.kind)  # noqa: E731
    return TargetsOut(station=ref(station) if station else None, departments=[ref(u) for u in departments],
                      center=ref(center), categories=list(categories))


async def hand_over_targets(session: AsyncSession, actor: Actor) -> HandOverTargets:
    """Every unit that answers messages and every person in them: a hand-over may cross the tree."""
    if actor.kind != "account" or actor.role not in HANDLER_ROLES:
        raise PermissionDenied("only staff who answer messages hand them over")
    units = list(await session.scalars(select(Unit).where(Unit.kind.in_(TARGET_KINDS), Unit.active.is_(True))
                                       .order_by(Unit.path)))
    by_id = {u.id: u for u in units}
    people = await session.scalars(select(Account).where(Account.active.is_(True), Account.role.in_(HANDLER_ROLES),
                                                         Account.unit_id.in_(by_id)).order_by(Account.display_name))
    return HandOverTargets(
        units=[UnitRef(id=u.id, name=u.name, kind=u.kind) for u in units],
        people=[PersonRef(id=p.id, name=p.display_name, role=p.role, unit_id=p.unit_id,
                          unit_name=by_id[p.unit_id].name) for p in people])
