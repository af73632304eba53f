"""Login throttling: growing waits per account name and client address, and per address.

Anyone could once lock any account (five wrong passwords from anywhere), and a locked name
answered differently from an unknown one. Now the count is kept per (name, address): failures
from one address make that address wait for that name, while the owner logging in from
anywhere else is not held up. A second count per address, under any name, stops one address
from trying one password on many names. Names nobody has are counted the same way, so the
answers (401 for a wrong password, 429 with Retry-After while waiting) say nothing about
whether a name exists.

Each attempt is counted *before* the password is checked, in a transaction of its own that the
caller commits at once: the row lock (PostgreSQL: SELECT … FOR UPDATE; SQLite: its single
writer, taken by the INSERT) makes parallel guesses queue, so fifty at once still get only
FREE_FAILURES password checks, on every server process. A success takes its count back.
"""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.models import LoginThrottle
from server.db import dialect_insert
from server.errors import RateLimited

ANY_NAME = ""  # the username of an address's own row
FREE_FAILURES_PER_NAME = 5  # one name from one address: tries before the first wait
FREE_FAILURES_PER_ADDRESS = 20  # every name from one address (an office behind one NAT)
FIRST_WAIT = timedelta(minutes=1)  # then doubled with each further failure…
LONGEST_WAIT = timedelta(hours=1)  # …up to this
FORGET_AFTER = timedelta(hours=24)  # a count with no attempt for this long starts again
IPV6_PREFIX_BITS = 64  # one IPv6 client holds a whole /64: count it as one address


class LoginWait(RateLimited):
    code = "login_wait"


@dataclass(frozen=True)
class Key:
    username: str
    client_addr: str
    free_failures: int


def address_key(client_addr: str) -> str:
    try:
        ip = ipaddress.ip_address(client_addr)
    except ValueError:
        return client_addr[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX_BITS}", strict=False))
    return str(ip)


def keys_for(username: str, client_addr: str) -> list[Key]:
    """The name's row first, then the address's: every attempt locks them in this order."""
    addr = address_key(client_addr)
    return [Key(username[:64], addr, FREE_FAILURES_PER_NAME), Key(ANY_NAME, addr, FREE_FAILURES_PER_ADDRESS)]


def wait_after(failures: int, free_failures: int) -> timedelta:
    """How long after the last attempt the next one may come, given the failures so far."""
    if failures < free_failures:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free_failures, 32), LONGEST_WAIT)


async def claim(session: AsyncSession, username: str, client_addr: str, now: datetime) -> None:
    """Count this attempt as a failure until it succeeds, or raise LoginWait while a wait
    runs (then nothing is counted: the caller does not commit)."""
    # names tried once from an address and never again would otherwise pile up
    await session.execute(delete(LoginThrottle).where(LoginThrottle.last_attempt_at < now - FORGET_AFTER))
    insert = dialect_insert(session)
    rows: list[tuple[Key, LoginThrottle]] = []
    for key in keys_for(username, client_addr):
        await session.execute(insert(LoginThrottle).values(
            username=key.username, client_addr=key.client_addr, failures=0, last_attempt_at=now)
            .on_conflict_do_nothing())
        row = await session.scalar(select(LoginThrottle).where(
            LoginThrottle.username == key.username, LoginThrottle.client_addr == key.client_addr)
            .with_for_update().execution_options(populate_existing=True))
        assert row is not None
        rows.append((key, row))
    until = max(row.last_attempt_at + wait_after(row.failures, key.free_failures) for key, row in rows)
    if until > now:
        seconds = math.ceil((until - now).total_seconds())
        raise LoginWait(f"too many failed logins from this address: try again in {seconds} seconds",
                          retry_after_seconds=seconds, until=until.isoformat())
    for _key, row in rows:
        row.failures += 1
        row.last_attempt_at = now


async def succeeded(session: AsyncSession, username: str, client_addr: str) -> None:
    """The name's count from this address ends; the address's loses this attempt."""
    name_key, address = keys_for(username, client_addr)
    await session.execute(delete(LoginThrottle).where(LoginThrottle.username == name_key.username,
                                                      LoginThrottle.client_addr == name_key.client_addr))
    await session.execute(update(LoginThrottle).where(
        LoginThrottle.username == address.username, LoginThrottle.client_addr == address.client_addr,
        LoginThrottle.failures > 0).values(failures=LoginThrottle.failures - 1))


async def waiting_until(session: AsyncSession, usernames: list[str], now: datetime) -> dict[str, datetime]:
    """For the accounts page: until when some address must wait before trying each name."""
    rows = await session.scalars(select(LoginThrottle).where(LoginThrottle.username.in_(usernames)))
    found: dict[str, datetime] = {}
    for row in rows:
        until = row.last_attempt_at + wait_after(row.failures, FREE_FAILURES_PER_NAME)
        if until > now:
            found[row.username] = max(until, found.get(row.username, until))
    return found


async def forget(session: AsyncSession, username: str) -> None:
    """An administrator's unlock: every address may try this name again at once."""
    await session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
