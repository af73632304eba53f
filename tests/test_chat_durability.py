"""1,000 chat messages from a kiosk whose transport is closed 100 times, while the server
restarts once: none lost, none stored twice, the kiosk's order kept.

Three ways: an in-process server on each database of the run (restarted in place), and two
`fayuan serve` processes sharing one database (the kiosk's process is killed and started
again). With Redis the lawyer, on the other process, gets the kiosk's messages as pushes;
without it pushes do not cross processes, so the lawyer catches up with `chat.sync` — still
worth running, because both processes then write to the same room and must not collide.
"""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Awaitable, Callable

import pytest
from aiohttp import web
from sqlalchemy import select

from client.chat import Chat
from client.connection import RECONNECTED, Connection
from server.app import init_app
from server.chat.models import ChatMessage
from server.db import Database, make_engine
from signaling import events
from tests.conftest import SHANGHAI
from tests.processes import ServerProcess, free_port
from tests.sockets import login_cookie, put_on_duty
from tests.support import PG_URL, REDIS_URL, Api, fresh_postgres, settings_for, wait_until
from tests.test_take_race import open_all_day_today

KIOSK_MESSAGES = 1_000
DROPS = 100
LAWYER_MESSAGES = 50  # the other member writes too, from its own connection (and process)
RESTART_AT_DROP = DROPS // 2
RECONNECT_DELAY_SECONDS = 0.02
SCENARIO_TIMEOUT_SECONDS = 60.0
SHUTDOWN_TIMEOUT_SECONDS = 0.5  # open websockets would otherwise hold a restart for a minute


@dataclass
class Setup:
    kiosk_url: str
    lawyer_url: str
    kiosk_token: str
    day: str  # the day to put the lawyer on duty
    center: Api
    restart: Callable[[], Awaitable[None]]
    database_url: str


async def run_scenario(s: Setup) -> None:
    cookie, _ = await login_cookie(s.lawyer_url, "lawyer1")
    lawyer = Connection(s.lawyer_url, session_cookie=cookie, reconnect_delay_seconds=RECONNECT_DELAY_SECONDS)
    kiosk = Connection(s.kiosk_url, token=s.kiosk_token, reconnect_delay_seconds=RECONNECT_DELAY_SECONDS)
    chats: list[Chat] = []
    try:
        hello = await lawyer.connect()
        await put_on_duty(s.center, hello["id"], s.day, "00:00", "24:00")
        await lawyer.call(events.DUTY_SET, {"available": True})
        await kiosk.connect()
        started = await kiosk.call(events.CONSULT_START, {"category": "other"})
        cid, resume_token = started["consultation"]["id"], started["resume_token"]
        await lawyer.call(events.QUEUE_TAKE, {"consultation_id": cid})

        async def resume(_: dict) -> None:  # what the kiosk page does after a reconnect
            await kiosk.call(events.CONSULT_RESUME, {"resume_token": resume_token})

        kiosk.on(RECONNECTED, resume)
        room = f"consultation:{cid}"
        kiosk_chat, lawyer_chat = Chat(kiosk, room), Chat(lawyer, room)
        chats += [kiosk_chat, lawyer_chat]
        await kiosk_chat.join()
        await lawyer_chat.join()

        sent = [kiosk_chat.send(f"k{i:04d}") for i in range(KIOSK_MESSAGES)]
        replies = []
        rng = random.Random(20261130)
        for drop in range(DROPS):
            target = (drop + 1) * KIOSK_MESSAGES // (DROPS + 1)
            await wait_until(lambda: sum(f.done() for f in sent) >= target, SCENARIO_TIMEOUT_SECONDS)
            if drop % (DROPS // LAWYER_MESSAGES) == 0:
                replies.append(lawyer_chat.send(f"L{drop:04d}"))
            await asyncio.sleep(rng.random() * 0.004)  # sometimes mid-send, sometimes between
            connects = kiosk._connects
            if drop == RESTART_AT_DROP:
                await s.restart()
            elif kiosk.connected:
                await kiosk.sio.eio.ws.close()  # a dropped network, not a goodbye
            # a new connection, synced: right after the close the old one still looks up until
            # the client notices the drop, and a sync then meets a connection on its way down
            await wait_until(lambda: kiosk._connects > connects and kiosk.connected and kiosk_chat._up.is_set(),
                             SCENARIO_TIMEOUT_SECONDS)
        stored = await asyncio.wait_for(asyncio.gather(*sent, *replies), SCENARIO_TIMEOUT_SECONDS)

        # the server's copy: every message once, numbered 1..n without gaps, the kiosk's in order
        db = Database(make_engine(s.database_url))
        async with db.sessions() as session:
            rows = (await session.execute(select(ChatMessage.seq, ChatMessage.text).order_by(ChatMessage.seq))).all()
        await db.dispose()
        total = KIOSK_MESSAGES + len(replies)
        assert [seq for seq, _ in rows] == list(range(1, total + 1))
        texts = [text for _, text in rows]
        assert sorted(texts) == sorted({m["text"] for m in stored}) and len(set(texts)) == total
        assert [t for t in texts if t.startswith("k")] == [f"k{i:04d}" for i in range(KIOSK_MESSAGES)]
        # each side ends with the same list, each message once, in seq order
        for chat in (kiosk_chat, lawyer_chat):
            await chat.sync()
            assert [(m["seq"], m["text"]) for m in chat.messages] == [tuple(r) for r in rows]
    finally:
        for chat in chats:
            await chat.close()
        await kiosk.close()
        await lawyer.close()


class InProcessServer:
    """The app on a fixed port, so a restart is the same address for the reconnecting client."""

    def __init__(self, db_url: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
        self.db_url, self.tmp_path, self.clock = db_url, tmp_path, clock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = init_app(settings_for(self.db_url, self.tmp_path), clock=self.clock, run_sweeper=False)
        self.runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def restart(self) -> None:
        await self.stop()
        await self.start()


async def seeded_server(db_url: str, tmp_path, clock) -> tuple[InProcessServer, dict]:  # type: ignore[no-untyped-def]
    """The demo organisation and default hours in the database, and the app serving it."""
    from server import demo as demo_seed
    from server.hours import service as hours

    db = Database(make_engine(db_url))
    async with db.sessions.begin() as session:
        await hours.ensure_defaults(session, now=clock.now(), tz=SHANGHAI)
        info = await demo_seed.seed(session, now=clock.now())
    await db.dispose()
    server = InProcessServer(db_url, tmp_path, clock)
    await server.start()
    return server, info


async def test_no_chat_message_lost_or_doubled_across_drops_and_a_restart(any_db_url, tmp_path, clock) -> None:
    server, info = await seeded_server(any_db_url, tmp_path, clock)
    center = Api(server.url)
    try:
        await center.login("center")
        await run_scenario(Setup(server.url, server.url, info["kiosks"][0]["token"], "2026-11-30", center,
                                 server.restart, any_db_url))
    finally:
        await center.close()
        await server.stop()


@pytest.fixture
async def two_processes(tmp_path):  # type: ignore[no-untyped-def]
    db_url = await fresh_postgres() if PG_URL else f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    first = ServerProcess(tmp_path / "a", database_url=db_url, redis_url=REDIS_URL).start()
    second = ServerProcess(tmp_path / "b", database_url=db_url, redis_url=REDIS_URL, migrate=False).start()
    yield first, second, db_url
    first.stop()
    second.stop()


async def test_no_chat_message_lost_or_doubled_across_two_processes(two_processes) -> None:
    kiosk_side, lawyer_side, db_url = two_processes
    demo = kiosk_side.demo_logins()
    admin, center = Api(kiosk_side.base_url), Api(lawyer_side.base_url)

    async def crash_and_restart() -> None:
        assert kiosk_side.process is not None
        kiosk_side.process.kill()  # a crash: whatever was not committed is gone
        await asyncio.to_thread(kiosk_side.process.wait)
        await asyncio.to_thread(kiosk_side.start)

    try:
        await admin.login("admin")
        await center.login("center")
        day = await open_all_day_today(admin, center)
        await run_scenario(Setup(kiosk_side.base_url, lawyer_side.base_url, demo["kiosks"][0]["token"], day, center,
                                 crash_and_restart, db_url))
    finally:
        await admin.close()
        await center.close()
