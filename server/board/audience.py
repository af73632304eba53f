"""What a change leaves behind: an event in the message's history, and Notices to all who have it on screen."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account, Device
from server.accounts.permissions import Role
from server.board.access import get_unit
from server.board.models import BoardEvent, BoardMessage
from server.notify import Notice, account, kiosk
from signaling.events import BOARD_CHANGED


def add_event(session: AsyncSession, m: BoardMessage, actor: Actor, now: datetime, kind: str, detail: str = "",
           note: str = "") -> None:
    session.add(BoardEvent(message_id=m.id, at=now, kind=kind, actor=actor.ref, actor_name=actor.name[:100],
                           detail=detail[:500], note=note[:500]))


def _ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


async def audience(session: AsyncSession, m: BoardMessage, change: str, *also: int | None) -> list[Notice]:
    """Everyone with the message on screen: the community's kiosks, staff of the units where it
    was left and where it is going (and above), lawyers for the center, the owner."""
    origin, target = await get_unit(session, m.unit_id), await get_unit(session, m.target_unit_id)
    units = set(_ancestors(origin.path)) | set(_ancestors(target.path))
    people = await session.execute(select(Account.id, Account.role, Account.unit_id).where(
        Account.active.is_(True), Account.unit_id.in_(units)))
    accounts = {a for a in (m.owner_account_id, *also) if a is not None}
    for account_id, role, unit_id in people:
        if role != Role.lawyer or unit_id == m.target_unit_id:
            accounts.add(account_id)
    devices = await session.scalars(select(Device.id).where(Device.unit_id == m.unit_id, Device.revoked_at.is_(None)))
    data = {"message_id": m.id, "state": m.state, "change": change}
    return ([Notice(kiosk(d), BOARD_CHANGED, data) for d in devices]
            + [Notice(account(a), BOARD_CHANGED, data) for a in sorted(accounts)])
