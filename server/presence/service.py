"""Presence is the service's, not a process's.

Every server process holds a lease (`server_processes.renewed_at`, renewed every liveness round)
and lists the connections it holds (`live_connections`: whose, and in which consultation's room).
A side of a consultation is present while some connection of it in that consultation's room is
held by a live process — this one, or another whose lease is fresh — whatever other sockets it
has open elsewhere. A process that stops renewing (killed, frozen, cut off from the database) is
dead after LEASE_SECONDS: the first sweep to notice claims it with one conditional DELETE and
reports its connections, so their sides are marked away once, and the usual grace follows.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import ColumnElement, Select, bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import execute_soon, rows_changed
from server.presence.models import LiveConnection, ServerProcess

LEASE_SECONDS = 15  # a process not renewed for this long is dead; renewed every liveness round (2 s)


def _fresh(now: datetime) -> Select[str]:
    """The ids of processes whose lease has not run out."""
    return select(ServerProcess.id).where(ServerProcess.renewed_at >= now - timedelta(seconds=LEASE_SECONDS))


def _live(me: str, now: datetime) -> ColumnElement[bool]:
    """The condition for a connection held by a live process (this one always is)."""
    return or_(LiveConnection.process_id == me, LiveConnection.process_id.in_(_fresh(now)))


async def live_processes(session: AsyncSession, now: datetime) -> set[str]:
    return set(await session.scalars(_fresh(now)))


async def register(session: AsyncSession, me: str, now: datetime) -> None:
    session.add(ServerProcess(id=me, started_at=now, renewed_at=now))
    await session.flush()


async def renew(session: AsyncSession, me: str, now: datetime) -> bool:
    """False when another process already declared this one dead: register again and re-list."""
    done = await session.execute(update(ServerProcess).where(ServerProcess.id == me).values(renewed_at=now)
                                 .execution_options(synchronize_session=False))
    return rows_changed(done) == 1


async def relist(session: AsyncSession, me: str, now: datetime,
                 connections: Iterable[tuple[str, str, int | None]]) -> None:
    """After being declared dead: the lease and every (sid, actor, consultation) this process holds."""
    await session.execute(delete(LiveConnection).where(LiveConnection.process_id == me))
    await register(session, me, now)
    session.add_all(LiveConnection(process_id=me, sid=sid, actor=actor, consultation_id=cid)
                    for sid, actor, cid in connections)


async def retire(session: AsyncSession, me: str) -> None:
    """A clean stop: this process holds nothing any more."""
    await session.execute(delete(LiveConnection).where(LiveConnection.process_id == me))
    await session.execute(delete(ServerProcess).where(ServerProcess.id == me))


async def connected(session: AsyncSession, me: str, sid: str, actor: str) -> None:
    session.add(LiveConnection(process_id=me, sid=sid, actor=actor, consultation_id=None))


async def joined(session: AsyncSession, me: str, sid: str, consultation_id: int) -> None:
    await execute_soon(session, _JOINED, {"me": me, "joiner": sid, "consultation_id": consultation_id})


# built once: on a start or a take its construction cost more than running it
_JOINED = (update(LiveConnection)
           .where(LiveConnection.process_id == bindparam("me"), LiveConnection.sid == bindparam("joiner"))
           .values(consultation_id=bindparam("consultation_id")))


async def disconnected(session: AsyncSession, me: str, sid: str) -> None:
    await session.execute(delete(LiveConnection).where(LiveConnection.process_id == me, LiveConnection.sid == sid))


async def rooms_held(session: AsyncSession, actor: str, consultation_ids: Iterable[int], me: str,
                     now: datetime) -> set[int]:
    """Which of these consultations' rooms a live connection of `actor` is still in."""
    ids = sorted(set(consultation_ids))
    if not ids:
        return set()
    found = await session.scalars(select(LiveConnection.consultation_id).where(
        LiveConnection.actor == actor, LiveConnection.consultation_id.in_(ids), _live(me, now)))
    return {cid for cid in found if cid is not None}


async def claim_dead(session: AsyncSession, me: str, now: datetime) -> list[tuple[str, int]]:
    """Processes whose lease ran out: claimed by one sweep only (a conditional DELETE), their
    connections removed; returns the (actor, consultation id) pairs they held in rooms."""
    cutoff = now - timedelta(seconds=LEASE_SECONDS)
    dead = list(await session.scalars(select(ServerProcess.id).where(ServerProcess.renewed_at < cutoff,
                                                                      ServerProcess.id != me)))
    held: list[tuple[str, int]] = []
    for process_id in dead:
        claimed = await session.execute(delete(ServerProcess).where(ServerProcess.id == process_id,
                                                                    ServerProcess.renewed_at < cutoff))
        if rows_changed(claimed) != 1:
            continue  # another process's sweep claimed it
        rows = await session.execute(select(LiveConnection.actor, LiveConnection.consultation_id)
                                     .where(LiveConnection.process_id == process_id))
        held += [(actor, cid) for actor, cid in rows if cid is not None]
        await session.execute(delete(LiveConnection).where(LiveConnection.process_id == process_id))
    # connections whose process row is gone without a claim (a crash between the two deletes)
    await session.execute(delete(LiveConnection).where(
        ~exists().where(ServerProcess.id == LiveConnection.process_id), LiveConnection.process_id != me))
    return held
