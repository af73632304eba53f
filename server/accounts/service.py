"""Accounts, kiosk devices and the lawyer directory; every call is scoped to the actor."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import throttle
from server.accounts.actor import Actor
from server.accounts.models import Account, AuthSession, Device, LawyerProfile
from server.accounts.passwords import hash_password, new_token, token_digest
from server.accounts.permissions import Role, require
from server.errors import Conflict, InvalidInput, NotFound
from server.org import service as org
from server.org.models import Unit, UnitKind

# Which unit kinds each role belongs to.
ROLE_UNIT_KINDS: dict[Role, frozenset[UnitKind]] = {
    Role.admin: frozenset(UnitKind),
    Role.center_staff: frozenset({UnitKind.center}),
    Role.lawyer: frozenset({UnitKind.center}),
    Role.station_staff: frozenset({UnitKind.station}),
    Role.department_staff: frozenset({UnitKind.department}),
    Role.community_staff: frozenset({UnitKind.community}),
    Role.bureau: frozenset({UnitKind.center}),
    Role.kiosk: frozenset(),
}


async def _unit_for(session: AsyncSession, actor: Actor, unit_id: int, role: Role, permission: str) -> Unit:
    unit = await org.get(session, actor, unit_id, permission=permission)
    if role == Role.kiosk:
        raise InvalidInput("kiosks are devices: register them under /api/devices", field="role")
    if UnitKind(unit.kind) not in ROLE_UNIT_KINDS[role]:
        raise InvalidInput(f"a {role} account cannot belong to a {unit.kind}", field="role")
    return unit


async def get_account(session: AsyncSession, actor: Actor, account_id: int) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"there is no account {account_id}")
    require(actor, "accounts.read", unit_path=await org.path_of(session, account.unit_id))
    return account


async def list_accounts(session: AsyncSession, actor: Actor) -> list[Account]:
    require(actor, "accounts.read")
    query = (select(Account).join(Unit, Unit.id == Account.unit_id)
             .where(Unit.path.startswith(actor.unit_path)).order_by(Account.id))
    return list(await session.scalars(query))


async def create_account(session: AsyncSession, actor: Actor | None, *, username: str, display_name: str,
                         role: Role, unit_id: int, password: str, now: datetime, phone: str = "") -> Account:
    """actor None is the CLI (create-admin, seed), which needs no permission."""
    if actor is not None:
        await _unit_for(session, actor, unit_id, role, "accounts.write")
    if await session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken", field="username")
    account = Account(username=username, display_name=display_name, role=role, unit_id=unit_id, phone=phone,
                      password_hash=hash_password(password), created_at=now, active=True)
    session.add(account)
    await session.flush()
    return account


async def update_account(session: AsyncSession, actor: Actor, account_id: int, *, now: datetime,
                         **fields: Any) -> Account:
    account = await get_account(session, actor, account_id)
    require(actor, "accounts.write", unit_path=await org.path_of(session, account.unit_id))
    role = Role(fields.pop("role", None) or account.role)
    unit_id = int(fields.pop("unit_id", None) or account.unit_id)
    role_changed = role != account.role
    if role_changed or unit_id != account.unit_id:
        await _unit_for(session, actor, unit_id, role, "accounts.write")
        account.role, account.unit_id = role, unit_id
    password = fields.pop("password", None)
    if password:
        account.password_hash = hash_password(str(password))
    if fields.pop("unlock", None):
        await throttle.forget(session, account.username)
    for name, value in fields.items():
        if value is not None:
            setattr(account, name, value)
    reason = ("deactivated" if account.active is False else "password_changed" if password
              else "role_changed" if role_changed else None)
    if reason:
        await _end_sessions(session, account.id, now, reason)
    return account


async def _end_sessions(session: AsyncSession, account_id: int, now: datetime, reason: str) -> None:
    rows = await session.scalars(select(AuthSession).where(AuthSession.account_id == account_id,
                                                           AuthSession.ended_at.is_(None)))
    for row in rows:
        row.ended_at, row.end_reason = now, reason


async def list_devices(session: AsyncSession, actor: Actor) -> list[Device]:
    require(actor, "devices.read")
    query = (select(Device).join(Unit, Unit.id == Device.unit_id)
             .where(Unit.path.startswith(actor.unit_path)).order_by(Device.id))
    return list(await session.scalars(query))


async def register_device(session: AsyncSession, actor: Actor | None, *, name: str, unit_id: int,
                          now: datetime) -> tuple[Device, str]:
    unit = await (org.get(session, actor, unit_id, permission="devices.write") if actor else session.get(Unit, unit_id))
    if unit is None:
        raise NotFound(f"there is no unit {unit_id}")
    if unit.kind not in (UnitKind.community, UnitKind.station):
        raise InvalidInput("a kiosk belongs to a community point or a workstation", field="unit_id")
    token = new_token()
    device = Device(name=name, unit_id=unit.id, token_hash=token_digest(token), token_hint=token[-4:],
                    created_at=now)
    session.add(device)
    await session.flush()
    return device, token


async def revoke_device(session: AsyncSession, actor: Actor, device_id: int, now: datetime) -> Device:
    device = await session.get(Device, device_id)
    if device is None:
        raise NotFound(f"there is no device {device_id}")
    require(actor, "devices.write", unit_path=await org.path_of(session, device.unit_id))
    if device.revoked_at is None:
        device.revoked_at = now
    return device


async def list_lawyers(session: AsyncSession, actor: Actor, *, include_unlisted: bool = False) -> list[LawyerProfile]:
    require(actor, "lawyers.read")
    query = select(LawyerProfile).order_by(LawyerProfile.id)
    if not include_unlisted:
        query = query.where(LawyerProfile.listed.is_(True))
    return list(await session.scalars(query))


async def create_lawyer(session: AsyncSession, actor: Actor | None, *, account_id: int, **fields: Any) -> LawyerProfile:
    if actor is not None:
        require(actor, "lawyers.write")
    account = await session.get(Account, account_id)
    if account is None or account.role != Role.lawyer:
        raise InvalidInput("a directory entry needs an existing lawyer account", field="account_id")
    if actor is not None:
        require(actor, "lawyers.write", unit_path=await org.path_of(session, account.unit_id))
    if await session.scalar(select(LawyerProfile.id).where(LawyerProfile.account_id == account_id)):
        raise Conflict("that lawyer already has a directory entry", field="account_id")
    profile = LawyerProfile(account_id=account_id, **fields)
    session.add(profile)
    await session.flush()
    return profile


async def update_lawyer(session: AsyncSession, actor: Actor, lawyer_id: int, **fields: Any) -> LawyerProfile:
    profile = await session.get(LawyerProfile, lawyer_id)
    if profile is None:
        raise NotFound(f"there is no lawyer {lawyer_id}")
    account = await session.get_one(Account, profile.account_id)
    require(actor, "lawyers.write", unit_path=await org.path_of(session, account.unit_id))
    for name, value in fields.items():
        if value is not None:
            setattr(profile, name, value)
    return profile
