from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from server.accounts import passwords
from server.app import init_app
from server.clock import FakeClock
from server.db import Database, make_engine
from tests.processes import RedisProcess, ServerProcess
from tests.sockets import Peer
from tests.support import PG_URL, REDIS_URL, Api, fresh_postgres, fresh_sqlite, settings_for, start_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 30 November 2026, 10:00 China time: a working day, inside the morning window.
OPEN_MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)

DB_KINDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id with test-sized costs: the same code path, a fraction of the time."""
    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPEN_MONDAY)


@pytest.fixture
async def db_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The database the app tests use: PostgreSQL when FAYUAN_TEST_DATABASE_URL is set."""
    return await fresh_postgres() if PG_URL else await fresh_sqlite(tmp_path)


@pytest.fixture(params=DB_KINDS)
async def any_db_url(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """For contract suites: every database kind that this run has."""
    return await fresh_postgres() if request.param == "postgresql" else await fresh_sqlite(tmp_path)


@pytest.fixture
async def db(db_url: str):  # type: ignore[no-untyped-def]
    database = Database(make_engine(db_url))
    yield database
    await database.dispose()


@pytest.fixture
async def demo(db: Database, clock: FakeClock) -> dict:
    from server import demo as demo_seed
    from server.hours import service as hours

    async with db.sessions.begin() as session:
        await hours.ensure_defaults(session, now=clock.now(), tz=SHANGHAI)
        info = await demo_seed.seed(session, now=clock.now())
    return info


@pytest.fixture
async def app(db_url: str, tmp_path, clock: FakeClock, demo: dict):  # type: ignore[no-untyped-def]
    return init_app(settings_for(db_url, tmp_path), clock=clock, run_sweeper=False)


@pytest.fixture
async def client(app):  # type: ignore[no-untyped-def]
    test_client = await start_client(app)
    yield test_client
    await test_client.close()


@pytest.fixture
async def new_api(client):  # type: ignore[no-untyped-def]
    """make() gives a new user's client on the test server, with cookies of its own."""
    made: list[Api] = []

    def make() -> Api:
        made.append(Api(str(client.make_url(""))))
        return made[-1]

    yield make
    for one in made:
        await one.close()


@pytest.fixture
async def api(new_api) -> Api:  # type: ignore[no-untyped-def]
    return new_api()


@pytest.fixture
async def world(db: Database, demo: dict, clock: FakeClock, client):  # type: ignore[no-untyped-def]
    """The demo organisation with spare objects in every unit (tests/route_table.py)."""
    from tests.route_table import build_world

    world = await build_world(db, demo, clock.now())
    world.app = client.server.app
    return world


@pytest.fixture
async def peers():  # type: ignore[no-untyped-def]
    made: list[Peer] = []
    yield made
    for p in made:
        await p.close()


@pytest.fixture
async def two_servers(tmp_path):  # type: ignore[no-untyped-def]
    """Two processes on one database and one real Redis (the run's own, or one started here)."""
    db_url = await fresh_postgres() if PG_URL else f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    own_redis = None if REDIS_URL else RedisProcess(tmp_path / "redis").start()
    redis_url = REDIS_URL or own_redis.url  # type: ignore[union-attr]
    first = ServerProcess(tmp_path / "a", database_url=db_url, redis_url=redis_url).start()
    second = ServerProcess(tmp_path / "b", database_url=db_url, redis_url=redis_url, migrate=False).start()
    yield first, second
    first.stop()
    second.stop()
    if own_redis is not None:
        own_redis.stop()
