"""Who sees a board message and who acts on it: the visibility filter, the handlers, the actions offered."""
from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import Account
from server.accounts.permissions import Role
from server.board.models import BoardMessage
from server.board.state import BoardAction, BoardState
from server.errors import NotFound, PermissionDenied
from server.org.models import Unit

HANDLER_ROLES = frozenset({Role.admin, Role.center_staff, Role.lawyer, Role.station_staff, Role.department_staff})
PUBLISHER_ROLES = frozenset({Role.admin, Role.center_staff})  # and only at the center


def visible_condition(actor: Actor) -> ColumnElement[bool]:
    """Which messages staff may read. A kiosk reads none this way: the next person at it is a
    stranger, so a resident finds their own message by its receipt code (receipts.py)."""
    if actor.kind == "device":
        raise PermissionDenied("a kiosk lists no messages; a resident finds their own with its receipt code")
    if actor.kind != "account":
        raise PermissionDenied("log in, or use a kiosk")
    subtree = select(Unit.id).where(Unit.path.startswith(actor.unit_path))
    mine = BoardMessage.owner_account_id == actor.id
    if actor.role == Role.lawyer:
        return or_(BoardMessage.target_unit_id == actor.unit_id, mine)
    if actor.role not in HANDLER_ROLES:
        return BoardMessage.unit_id.in_(subtree)
    return or_(BoardMessage.unit_id.in_(subtree), BoardMessage.target_unit_id.in_(subtree), mine)


def handles(actor: Actor, m: BoardMessage, target_path: str) -> bool:
    """May act on the message at all: staff of its target unit (or above), lawyers for the center."""
    if actor.kind != "account" or actor.role not in HANDLER_ROLES:
        return False
    if m.owner_account_id == actor.id:
        return True
    if actor.role == Role.lawyer:
        return m.target_unit_id == actor.unit_id
    return actor.sees_unit(target_path)


def may_publish(actor: Actor) -> bool:
    return actor.kind == "account" and actor.role in PUBLISHER_ROLES and actor.at_center


def actions(actor: Actor, m: BoardMessage, target_path: str, published: bool) -> list[str]:
    state = BoardState(m.state)
    done: list[str] = []
    if handles(actor, m, target_path):
        free_or_mine = m.owner_account_id is None or m.owner_account_id == actor.id
        for action in BoardAction:
            if action == BoardAction.hand_to_unit or not state.allows(action):
                continue
            if action == BoardAction.claim or free_or_mine:
                done.append("hand_over" if action == BoardAction.hand_to_person else action.value)
    if may_publish(actor) and state in (BoardState.answered, BoardState.closed) and m.answered_at and not published:
        done.append("publish")
    if actor.kind == "account":
        done.append("read_phone")
    return done


async def visible(session: AsyncSession, actor: Actor, message_id: int) -> BoardMessage:
    m = await session.scalar(select(BoardMessage).where(BoardMessage.id == message_id, visible_condition(actor)))
    if m is None:
        if await session.get(BoardMessage, message_id) is not None:
            raise PermissionDenied("this message is outside your part of the unit tree")
        raise NotFound(f"there is no board message {message_id}")
    return m


async def get_unit(session: AsyncSession, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"there is no unit {unit_id}")
    return unit


async def handled(session: AsyncSession, actor: Actor, message_id: int) -> BoardMessage:
    m = await visible(session, actor, message_id)
    if not handles(actor, m, (await get_unit(session, m.target_unit_id)).path):
        raise PermissionDenied("only staff of the unit the message is for may act on it")
    return m


async def owner_name(session: AsyncSession, m: BoardMessage) -> str:
    if m.owner_account_id is None:
        return ""
    return await session.scalar(select(Account.display_name).where(Account.id == m.owner_account_id)) or ""


async def require_owner_or_free(session: AsyncSession, actor: Actor, m: BoardMessage, doing: str) -> None:
    """首問負責: once claimed, only the owner replies, hands over or closes."""
    if m.owner_account_id is not None and m.owner_account_id != actor.id:
        name = await owner_name(session, m)
        raise PermissionDenied(f"{name} has claimed this message; only they may {doing} until they hand it over",
                               owner_account_id=m.owner_account_id, owner_name=name)
