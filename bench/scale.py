"""`scale.*` figures: what a second server process buys on PostgreSQL and Redis.

The same load generator offers the same open-loop load (consultation.offer) first to one
`fayuan serve`, then to two behind it, clients spread across both (connection n to process
n % 2), as a proxy in front of them would; each process gets its own core of those the load
generator does not use (several share one on a small machine: `scale.server_cores` says how
many they had). PostgreSQL and Redis run unpinned. Two measurements, each on fresh processes
and a fresh copy of one prepared database (migrated, the demo seeded, kiosks registered, the
service open all day), so neither inherits the other's rows:
1. take-next (consultation.take_next): LAWYERS lawyers' `queue.take` {} with a kiosk's start
   for each, at TAKE_RATE_PER_S; the figure is the takes that succeeded per second of the run;
2. chat: CHAT_ROOMS live consultations, the kiosks sending `chat.send` at CHAT_RATE_PER_S,
   acknowledged once stored (the group-commit writer of each process) and pushed to the room,
   whose taker is on the other process half of the time; the figure is the messages stored and
   acknowledged per second.
Both rates are meant to be more than one process serves, so that the figures are capacity (the
`refused_or_timed_out` lines show how far past it the offer went); per connection they stay
under the server's 50 events/s. One process and two take turns, ROUNDS times, so that other
work on the machine falls on both alike: a figure is the median over the rounds, with every
round's beside it (`scale.rounds.*`).

Needs FAYUAN_BENCH_DATABASE_URL (a PostgreSQL server: the bench creates its own databases
beside the one named and drops them after) and FAYUAN_BENCH_REDIS_URL (a Redis of the bench's
own: socket.io's pub/sub channels are shared by every database number); without them the
figures are skipped with the reason (`scale.skipped`).

    python -m bench.scale           # just this; `python -m bench` runs it last
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import AsyncIterator, Callable

import aiohttp

from bench.chat import TEXT
from bench.consultation import (QUEUE_DEPTH, Offered, cli, connect_kiosks, connect_takers, fill_queue,
                                offer, register_kiosks, take_next)
from bench.postgres import Databases
from bench.signaling import run as signaling_run
from bench.signaling.adapters import REPO
from bench.signaling.client import SocketIOClient
from bench.signaling.fayuan import StaffHttp, fayuan_command, open_all_day

LAWYERS = 10  # on duty, with CONNECTIONS_PER_LAWYER connections each (one per process when two)
CONNECTIONS_PER_LAWYER = 2
TAKE_RATE_PER_S = 100  # 5 a second per lawyer's connection
TAKES = 300  # 3 s of offered takes
CHAT_ROOMS = 200
CHAT_RATE_PER_S = 4_000  # 20 a second per kiosk
CHAT_MESSAGES = 12_000  # 3 s of offered messages
ROUNDS = 3  # one process and two take turns, so that other work on the machine falls on both alike
TOPOLOGIES = ((1, "one_process_pg"), (2, "two_processes_pg"))
SECRET_KEY = "bench-scale-" + "x" * 32  # one for every process, as a deployment shares it

Value = float | int | str | list[float]
Report = Callable[[str, Value], None]


async def run(report: Report) -> None:
    database_url = os.environ.get("FAYUAN_BENCH_DATABASE_URL")
    redis_url = os.environ.get("FAYUAN_BENCH_REDIS_URL")
    if not database_url or not redis_url:
        missing = [name for name, value in (("FAYUAN_BENCH_DATABASE_URL", database_url),
                                            ("FAYUAN_BENCH_REDIS_URL", redis_url)) if not value]
        report("scale.skipped", f"{' and '.join(missing)} not set (a PostgreSQL server, a Redis of the bench's own)")
        return
    if not database_url.startswith("postgresql"):
        report("scale.skipped", "FAYUAN_BENCH_DATABASE_URL is not a PostgreSQL URL")
        return
    try:
        await _measure(database_url, redis_url, report)
    except Exception as exc:  # noqa: BLE001 - report why, then go on to writing the results
        report("scale.failed", f"{type(exc).__name__}: {exc}")


async def _measure(database_url: str, redis_url: str, report: Report) -> None:
    # this process is pinned to the load generator's core by now: the servers get the others
    cores = sorted(set(range(os.cpu_count() or 1)) - {signaling_run.LOAD_GENERATOR_CORE})
    report("scale.server_cores", len(cores))
    report("scale.lawyers_and_connections_each", [LAWYERS, CONNECTIONS_PER_LAWYER])
    report("scale.offered_take_per_s_and_takes", [TAKE_RATE_PER_S, TAKES])
    report("scale.offered_chat_msgs_per_s_rooms_and_messages", [CHAT_RATE_PER_S, CHAT_ROOMS, CHAT_MESSAGES])
    with tempfile.TemporaryDirectory(prefix="fayuan-bench-scale-pg-") as tmp:
        async with Databases(database_url, "scale") as databases:
            _progress("preparing the PostgreSQL template")
            demo, tokens = await prepare(databases, Path(tmp) / "template", kiosks=QUEUE_DEPTH + TAKES + CHAT_ROOMS)
            measurements = [("take_next", "queue.take", _take_next, tokens[:QUEUE_DEPTH + TAKES]),
                            ("chat_msgs", "chat.send", _chat, tokens[QUEUE_DEPTH + TAKES:])]
            per_s: dict[tuple[str, str], list[float]] = {}
            failures: dict[tuple[str, str], dict[str, int]] = {}
            for round_number in range(1, ROUNDS + 1):
                for processes, topology in TOPOLOGIES:
                    for figure, event, drive, kiosks in measurements:
                        _progress(f"round {round_number}/{ROUNDS}: {figure} on {processes} process(es)")
                        async with _serving(databases, Path(tmp) / f"{figure}-{processes}-{round_number}",
                                            processes, redis_url, cores) as urls:
                            offered = await drive(urls, demo, kiosks)
                        per_s.setdefault((figure, topology), []).append(offered.succeeded(event) / offered.wall_s)
                        counted = failures.setdefault((figure, topology), {})
                        for key, count in offered.failures.items():
                            counted[key] = counted.get(key, 0) + count
    for figure, _event, _drive, _kiosks in measurements:
        for _processes, topology in TOPOLOGIES:
            report(f"scale.{figure}_per_s.{topology}", round(statistics.median(per_s[figure, topology])))
            report(f"scale.rounds.{figure}_per_s.{topology}", [round(v) for v in per_s[figure, topology]])
            report(f"scale.{figure}_refused_or_timed_out.{topology}", failures[figure, topology] or "none")
        one, two = (statistics.median(per_s[figure, topology]) for _processes, topology in TOPOLOGIES)
        report(f"scale.{figure}_ratio_two_vs_one_pg", round(two / one, 3))


async def prepare(databases: Databases, data_dir: Path, *, kiosks: int) -> tuple[dict, list[str]]:
    """The template: migrated, the demo seeded, LAWYERS lawyers and `kiosks` devices
    registered, the service open all day with the lawyers rostered (set through one process,
    which then stops, so that every process measured starts reading it open); the logins
    (the demo's and the lawyers') and the kiosks' tokens."""
    url = await databases.create(f"{databases.prefix}_template")
    data_dir.mkdir(parents=True)
    cli(data_dir, "migrate", database_url=url)
    cli(data_dir, "seed-demo", database_url=url)
    demo = json.loads((data_dir / "demo-logins.json").read_text())
    lawyer_logins = await _register_lawyers(url, LAWYERS)
    demo["logins"] += lawyer_logins
    demo["lawyers"] = [login["username"] for login in lawyer_logins]
    tokens = await register_kiosks(url, kiosks)
    async with _processes(url, data_dir, 1, None, [signaling_run.SERVER_CORE]) as [base_url]:
        async with aiohttp.ClientSession() as http:
            admin = await StaffHttp.login(http, base_url, demo, "admin")
            center = await StaffHttp.login(http, base_url, demo, "center")
            lawyers = [await StaffHttp.login(http, base_url, demo, name) for name in demo["lawyers"]]
            await open_all_day(admin, center, [lawyer.account_id for lawyer in lawyers])
    return demo, tokens


async def _register_lawyers(database_url: str, count: int) -> list[dict]:
    """A district's duty roster: `count` lawyers of the center with the demo's password; their
    logins. (With the demo's two, every take would wait for the other takes of the same lawyer:
    one lawyer's takes are serialised by design, consultations.service.take.)"""
    from sqlalchemy import select

    from server.accounts.permissions import Role
    from server.accounts.service import create_account
    from server.clock import SystemClock
    from server.db import Database, make_engine
    from server.demo import DEMO_PASSWORD
    from server.org.models import Unit

    db = Database(make_engine(database_url))
    try:
        async with db.sessions.begin() as session:
            center = await session.scalar(select(Unit.id).where(Unit.code == "CENTER"))
            names = [f"bench_lawyer_{n}" for n in range(count)]
            for name in names:
                await create_account(session, None, username=name, display_name=name, role=Role.lawyer,
                                     unit_id=center, password=DEMO_PASSWORD, now=SystemClock().now())
            return [{"username": name, "password": DEMO_PASSWORD} for name in names]
    finally:
        await db.dispose()


@contextlib.asynccontextmanager
async def _serving(databases: Databases, data_dir: Path, processes: int, redis_url: str,
                   cores: list[int]) -> AsyncIterator[list[str]]:
    """`processes` servers on a fresh copy of the template, sharing one data directory as a
    deployment's share one volume; yields their base URLs."""
    name = f"{databases.prefix}_{data_dir.name.replace('-', '_')}"
    url = await databases.create(name, template=f"{databases.prefix}_template")
    data_dir.mkdir(parents=True)
    async with _processes(url, data_dir, processes, redis_url, cores) as urls:
        yield urls
    await databases.drop(name)


@contextlib.asynccontextmanager
async def _processes(database_url: str, data_dir: Path, count: int, redis_url: str | None,
                     cores: list[int]) -> AsyncIterator[list[str]]:
    servers: list[subprocess.Popen] = []
    urls: list[str] = []
    try:
        for n in range(count):
            port = signaling_run.free_port()
            command = fayuan_command(port=port, data_dir=data_dir, max_live_per_taker=TAKES + CHAT_ROOMS,
                                     migrate=False)
            env = {**os.environ, **command.env, "FAYUAN_DATABASE_URL": database_url, "FAYUAN_SECRET_KEY": SECRET_KEY}
            env.pop("FAYUAN_REDIS_URL", None)
            if redis_url:
                env["FAYUAN_REDIS_URL"] = redis_url
            log_path = data_dir / f"server-{n}.log"
            with open(log_path, "wb") as log:
                servers.append(subprocess.Popen(["taskset", "-c", str(cores[n % len(cores)]), *command.argv],
                                                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL))
            await signaling_run.wait_listening(port, servers[-1], log_path)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for server in servers:
            signaling_run.stop(server)


@contextlib.asynccontextmanager
async def _connected(urls: list[str], demo: dict, tokens: list[str]
                     ) -> AsyncIterator[tuple[list[SocketIOClient], list[SocketIOClient]]]:
    """A kiosk per token and the lawyers' connections, spread over the processes at `urls`."""
    clients: list[SocketIOClient] = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            lawyers = [await StaffHttp.login(http, urls[0], demo, name) for name in demo["lawyers"]]
            kiosks = await connect_kiosks(http, urls, tokens, clients)
            yield kiosks, await connect_takers(http, urls, lawyers, clients, CONNECTIONS_PER_LAWYER)
    finally:
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)


async def _take_next(urls: list[str], demo: dict, tokens: list[str]) -> Offered:
    async with _connected(urls, demo, tokens) as (kiosks, takers):
        await fill_queue(kiosks)
        return await take_next(takers, kiosks, TAKE_RATE_PER_S, TAKES)


async def _chat(urls: list[str], demo: dict, tokens: list[str]) -> Offered:
    """Kiosk n (on process n % 2) starts a consultation that lawyer connection n // 2 takes
    (on process (n // 2) % 2): with two processes, half the rooms span both; then the kiosks talk."""
    async with _connected(urls, demo, tokens) as (kiosks, takers):
        rooms: list[str] = []
        for n, kiosk in enumerate(kiosks):
            started = await kiosk.call("consultation.start", {"category": "other"})
            consultation_id = started["consultation"]["id"]
            taken = await takers[(n // 2) % len(takers)].call("queue.take", {"consultation_id": consultation_id})
            if "error" in taken:
                raise RuntimeError(f"queue.take: {taken['error']}")
            rooms.append(f"consultation:{consultation_id}")
        return await offer(CHAT_RATE_PER_S, CHAT_MESSAGES, lambda n: [
            (kiosks[n % len(kiosks)], "chat.send", {"room": rooms[n % len(rooms)], "client_id": f"bench-{n}",
                                                     "text": TEXT})])


def _progress(line: str) -> None:
    print(f"bench: {line}", file=sys.stderr, flush=True)


def main() -> None:
    signaling_run.pin_load_generator()
    asyncio.run(run(lambda name, value: print(f"{name}: {value}", flush=True)))


if __name__ == "__main__":
    main()
