"""queue.take as one statement (consultations/service.py take): the queue order, the chosen-lawyer
rule (點援), the refusals in their order, concurrent takes of the next in line, and the wait the
database works out (db.whole_seconds_between). On SQLite, and on PostgreSQL when
FAYUAN_TEST_DATABASE_URL is set."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import literal, select

from server.accounts.actor import AccountActor, DeviceActor
from server.accounts.models import Account, LawyerProfile
from server.accounts.service import register_device
from server.accounts.sessions import resolve_device
from server.clock import FakeClock
from server.consultations import service
from server.consultations.models import Consultation, DutyShift, LawyerStatus
from server.consultations.rules import Rules
from server.db import Database, UTCDateTime, whole_seconds_between
from server.errors import Conflict, NotFound, PermissionDenied
from server.hours import service as hours
from server.org.models import Unit
from signaling import payloads
from tests.conftest import SHANGHAI

RULES = Rules(max_live_per_taker=100)
KIOSKS = 6  # one consultation at a time each


class Desk:
    """The demo's kiosks, lawyers and station staff as actors, and a context at the clock's now."""

    def __init__(self, db: Database, clock: FakeClock) -> None:
        self.db, self.clock = db, clock
        self.kiosks: list[DeviceActor] = []
        self.staff: dict[str, AccountActor] = {}
        self.profiles: dict[str, int] = {}

    async def load(self) -> "Desk":
        async with self.db.sessions() as s:
            community = await s.scalar(select(Unit.id).where(Unit.code == "C-EAST-1"))  # below station S-EAST
            assert community is not None
            for n in range(KIOSKS):
                _device, token = await register_device(s, None, name=f"kiosk {n}", unit_id=community,
                                                       now=self.clock.now())
                await s.flush()
                actor = await resolve_device(s, token, self.clock.now())
                assert actor is not None
                self.kiosks.append(actor)
            for account in await s.scalars(select(Account).where(
                    Account.username.in_(["lawyer1", "lawyer2", "east"]))):
                unit = await s.get(Unit, account.unit_id)
                assert unit is not None
                self.staff[account.username] = AccountActor(id=account.id, role=account.role, unit_id=unit.id,
                                                            unit_path=unit.path, name=account.display_name)
            for username, profile in await s.execute(select(Account.username, LawyerProfile.id).join(
                    LawyerProfile, LawyerProfile.account_id == Account.id)):
                self.profiles[username] = profile
            await s.commit()
        return self

    async def on_duty(self, *usernames: str) -> None:
        day = self.clock.now().astimezone(SHANGHAI).date()
        async with self.db.sessions.begin() as s:
            for name in usernames:
                s.add(DutyShift(account_id=self.staff[name].id, day=day, start_minute=0, end_minute=24 * 60))
                s.add(LawyerStatus(account_id=self.staff[name].id, available=True, updated_at=self.clock.now(),
                                   seen_at=self.clock.now()))

    async def context(self, s) -> service.Context:  # type: ignore[no-untyped-def]
        return service.Context(now=self.clock.now(), tz=SHANGHAI, schedule=await hours.load_schedule(s, SHANGHAI),
                               rules=RULES)

    async def start(self, kiosk: int, **payload: object) -> int:
        async with self.db.sessions() as s:
            out = await service.start(s, self.kiosks[kiosk], payloads.ConsultStart(category="other", **payload),
                                      await self.context(s))
            await s.commit()
        self.clock.advance(seconds=1.5)
        return out.consultation.id

    async def take(self, who: str, consultation_id: int | None = None) -> service.Consultation:
        async with self.db.sessions() as s:
            out = await service.take(s, self.staff[who], consultation_id, await self.context(s))
            await s.commit()
        return out.consultation


@pytest.fixture
async def desk(db: Database, clock: FakeClock, demo: dict) -> Desk:
    return await Desk(db, clock).load()


async def test_take_next_keeps_the_queue_order_and_the_chosen_lawyer_rule(desk: Desk, clock: FakeClock) -> None:
    await desk.on_duty("lawyer1", "lawyer2")
    first = await desk.start(0)
    for_lawyer2 = await desk.start(1, lawyer_id=desk.profiles["lawyer2"])
    second = await desk.start(2)
    for_lawyer1 = await desk.start(3, lawyer_id=desk.profiles["lawyer1"])
    at_the_station = await desk.start(4, target="station")
    assert [(await desk.take("lawyer1")).id for _ in range(3)] == [first, second, for_lawyer1]
    with pytest.raises(NotFound):  # what is left is lawyer2's and the station's
        await desk.take("lawyer1")
    taken = await desk.take("lawyer2")
    assert taken.id == for_lawyer2 and taken.taker_account_id == desk.staff["lawyer2"].id
    assert (await desk.take("east")).id == at_the_station


async def test_a_lawyer_off_duty_takes_only_those_who_chose_them(desk: Desk) -> None:
    await desk.on_duty("lawyer2")
    general = await desk.start(0)
    mine = await desk.start(1, lawyer_id=desk.profiles["lawyer1"])
    assert (await desk.take("lawyer1")).id == mine
    with pytest.raises(PermissionDenied):  # the general queue is for lawyers on duty
        await desk.take("lawyer1", general)
    with pytest.raises(PermissionDenied):  # the station's staff do not take the center's queue
        await desk.take("east", general)
    assert (await desk.take("lawyer2")).id == general


async def test_the_refusals_of_a_named_take(desk: Desk) -> None:
    await desk.on_duty("lawyer1", "lawyer2")
    cid = await desk.start(0)
    await desk.take("lawyer1", cid)
    with pytest.raises(Conflict) as taken:
        await desk.take("lawyer2", cid)
    assert taken.value.to_json()["error"]["details"]["reason"] == "taken"
    with pytest.raises(NotFound):
        await desk.take("lawyer2", cid + 1000)
    async with desk.db.sessions() as s:  # a kiosk takes nothing
        with pytest.raises(PermissionDenied):
            await service.take(s, desk.kiosks[0], None, await desk.context(s))  # type: ignore[arg-type]


async def test_a_taker_at_the_limit_is_busy_before_anything_else(desk: Desk) -> None:
    await desk.on_duty("lawyer1")
    await desk.start(0)
    waiting = await desk.start(1)
    await desk.take("lawyer1")
    async with desk.db.sessions() as s:
        ctx = replace(await desk.context(s), rules=Rules(max_live_per_taker=1))
        with pytest.raises(Conflict) as busy:
            await service.take(s, desk.staff["lawyer1"], waiting, ctx)
    assert busy.value.to_json()["error"]["details"]["reason"] == "busy"


async def test_the_take_stores_the_wait_and_the_taker(desk: Desk, clock: FakeClock) -> None:
    await desk.on_duty("lawyer1")
    cid = await desk.start(0)
    clock.advance(seconds=41, microseconds=999_999)
    taken = await desk.take("lawyer1")
    async with desk.db.sessions() as s:
        stored = await s.get(Consultation, cid)
    assert stored is not None and taken.id == cid
    assert stored.state == taken.state == "live"
    assert stored.wait_seconds == taken.wait_seconds == int((clock.now() - stored.queued_at).total_seconds())
    assert stored.taker_account_id == desk.staff["lawyer1"].id and stored.taken_at == clock.now()


async def test_concurrent_takes_of_the_next_take_each_a_different_one(desk: Desk) -> None:
    """Two lawyers, three tabs each, all at once: six takes, six consultations, none refused
    (PostgreSQL: each pick skips the rows the others hold; SQLite: one write at a time)."""
    await desk.on_duty("lawyer1", "lawyer2")
    queued = [await desk.start(n) for n in range(6)]
    taken = await asyncio.gather(*[desk.take(who) for who in ("lawyer1", "lawyer2") * 3])
    assert sorted(c.id for c in taken) == queued


@pytest.mark.parametrize("waited", [timedelta(0), timedelta(microseconds=999_999), timedelta(seconds=1),
                                    timedelta(seconds=59, microseconds=1), timedelta(hours=25, microseconds=7)])
async def test_whole_seconds_between_is_pythons_int_of_total_seconds(db: Database, waited: timedelta) -> None:
    earlier = datetime(2026, 11, 30, 1, 59, 59, 999_999, tzinfo=timezone.utc)
    later = earlier + waited
    async with db.sessions() as s:
        worked_out = await s.scalar(select(whole_seconds_between(literal(later, UTCDateTime()),
                                                                 literal(earlier, UTCDateTime()))))
    assert worked_out == int(waited.total_seconds())
