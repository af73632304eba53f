"""Whether the credentials behind live connections still hold.

A socket is authenticated once, when it connects; it may live for hours after. Each server
process asks here every few seconds about the credentials of its own connections (one query
for the staff sessions, one for the kiosks), and ends the connections of those that no longer
hold, saying why. Working from the database, not from a message, means a process that missed
the logout or the revocation (it started later, Redis was down) still finds out.
"""
from __future__ import annotations

from datetime import datetime
from typing import Collection

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.models import Account, AuthSession, Device
from server.accounts.sessions import TOUCH_INTERVAL, expired
from server.org.models import Unit


async def ended_sessions(session: AsyncSession, session_ids: Collection[str], now: datetime) -> dict[str, str]:
    """{session id: why it no longer holds} for those of these staff sessions that ended."""
    if not session_ids:
        return {}
    rows = (await session.execute(
        select(AuthSession, Account.active, Unit.active)
        .join(Account, Account.id == AuthSession.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .where(AuthSession.id.in_(sorted(session_ids))))).all()
    ended = {sid: "logged_out" for sid in session_ids}  # a row that is gone holds nothing
    for row, account_active, unit_active in rows:
        if row.ended_at is not None:
            ended[row.id] = row.end_reason or "logged_out"
        elif not account_active or not unit_active:
            ended[row.id] = "deactivated"
        elif expired(row, now):
            row.ended_at, row.end_reason = now, "expired"
            ended[row.id] = "expired"
        else:
            del ended[row.id]
    return ended


async def ended_devices(session: AsyncSession, device_ids: Collection[int]) -> dict[int, str]:
    """{device id: why its token no longer holds} for the revoked kiosks and those of inactive units."""
    if not device_ids:
        return {}
    rows = (await session.execute(
        select(Device.id, Device.revoked_at, Unit.active).join(Unit, Unit.id == Device.unit_id)
        .where(Device.id.in_(sorted(device_ids))))).all()
    ended = {device_id: "revoked" for device_id in device_ids}
    for device_id, revoked_at, unit_active in rows:
        if revoked_at is not None:
            ended[device_id] = "revoked"
        elif not unit_active:
            ended[device_id] = "deactivated"
        else:
            del ended[device_id]
    return ended


async def touch_sessions(session: AsyncSession, session_ids: Collection[str], now: datetime) -> None:
    """These sessions were in use over their sockets (an event, a call): not idle."""
    if session_ids:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id.in_(sorted(session_ids)), AuthSession.ended_at.is_(None),
                   AuthSession.last_seen_at < now - TOUCH_INTERVAL)
            .values(last_seen_at=now).execution_options(synchronize_session=False))
