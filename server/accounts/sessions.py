"""Staff logins and kiosk device tokens: the rules of issue #2 in one place.

A session ends after IDLE_TIMEOUT without a request or ABSOLUTE_TIMEOUT after login,
whichever comes first; logout ends it on the server. Failed logins make the address that
failed wait before it tries again (throttle.py); an unknown name, a wrong password and an
inactive account all answer LoginFailed, after the same password check.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import throttle
from server.accounts.actor import AccountActor, DeviceActor
from server.accounts.models import Account, AuthSession, Device
from server.accounts.passwords import new_token, token_digest, verify_password
from server.accounts.permissions import Role
from server.errors import NotAuthenticated
from server.org.models import Unit

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often, so reads do not each cost a write.
TOUCH_INTERVAL = timedelta(seconds=30)


class LoginFailed(NotAuthenticated):
    code = "login_failed"


async def login(
    session: AsyncSession, *, username: str, password: str, now: datetime, client_addr: str
) -> tuple[str, AuthSession, Account]:
    """Check a password; return (cookie token, session row, account), or raise LoginFailed. The
    attempt was counted by throttle.claim beforehand; a success takes the count back."""
    account = await session.scalar(select(Account).where(Account.username == username))
    # argon2id costs tens of milliseconds of CPU by design: keep it off the event loop. An
    # unknown name is checked against a dummy hash, so it takes as long as a known one.
    ok = await asyncio.to_thread(verify_password, account.password_hash if account else None, password)
    if account is None or not ok or not account.active or not await _unit_active(session, account.unit_id):
        raise LoginFailed("wrong username or password")
    await throttle.succeeded(session, username, client_addr)
    token = new_token()
    row = AuthSession(
        id=token_digest(token),
        account_id=account.id,
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        client_addr=client_addr[:64],
    )
    session.add(row)
    return token, row, account


async def _unit_active(session: AsyncSession, unit_id: int) -> bool:
    unit = await session.get(Unit, unit_id)
    return unit is not None and unit.active


def expired(row: AuthSession, now: datetime) -> bool:
    return now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at > ABSOLUTE_TIMEOUT


async def resolve_session(session: AsyncSession, token: str, now: datetime) -> AccountActor | None:
    """The actor behind a session cookie, or None when it is unknown, ended or expired."""
    row = await session.get(AuthSession, token_digest(token))
    if row is None or row.ended_at is not None:
        return None
    if expired(row, now):
        row.ended_at, row.end_reason = now, "expired"
        await session.commit()
        return None
    account = await session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    unit = await session.get(Unit, account.unit_id)
    if unit is None or not unit.active:  # a deactivated unit's staff can no longer act
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
        await session.commit()
    return AccountActor(
        id=account.id,
        role=Role(account.role),
        unit_id=account.unit_id,
        unit_path=unit.path,
        name=account.display_name,
        session_id=row.id,
        csrf_token=row.csrf_token,
    )


async def resolve_device(session: AsyncSession, token: str, now: datetime) -> DeviceActor | None:
    device = await session.scalar(select(Device).where(Device.token_hash == token_digest(token)))
    if device is None or device.revoked_at is not None:
        return None
    unit = await session.get(Unit, device.unit_id)
    if unit is None or not unit.active:
        return None
    if device.last_seen_at is None or now - device.last_seen_at > TOUCH_INTERVAL:
        device.last_seen_at = now
        await session.commit()
    return DeviceActor(
        id=device.id,
        unit_id=unit.id,
        unit_path=unit.path,
        name=device.name,
    )


async def logout(session: AsyncSession, session_id: str, now: datetime) -> None:
    row = await session.get(AuthSession, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = now, "logged_out"
