"""fayuan at kiosk scale: memory per connected kiosk, and take-next latency under a steady
stream of kiosks queueing and lawyers taking.

One fayuan server on SERVER_CORE, its database prepared before it starts: migrated, the demo
seeded, and `kiosks` devices registered with the server's own service function in one
transaction (the admin API would commit once per device). Then, with the server running:
1. memory: RSS before any kiosk connects, and with every kiosk connected (raw websocket
   clients, client.py), divided by the number of kiosks; the same clients are first held by a
   bare aiohttp websocket server (raw_ws_server.py), the floor fayuan is compared with;
2. take-next: the connected kiosks start consultations and the lawyers (lawyer1 and lawyer2,
   several connections each) send `queue.take` {} at `take_rate` a second, open loop, with
   a start for each take so that the queue stays `QUEUE_DEPTH` deep. The ack latency of every
   take is recorded; the run is bounded by the kiosks (one consultation each) and ACK_TIMEOUT_S.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import aiohttp

from bench import postgres
from bench.signaling import run as signaling_run
from bench.signaling.adapters import REPO
from bench.signaling.client import SocketIOClient
from bench.signaling.cpu import core_busy_s, process_cpu_s
from bench.signaling.fayuan import SESSION_COOKIE, StaffHttp, fayuan_cli, fayuan_command, open_all_day
from bench.signaling.load import percentile

QUEUE_DEPTH = 20  # consultations waiting when the takes begin, and (about) while they go on
LAWYERS = ("lawyer1", "lawyer2")
CONNECTIONS_PER_LAWYER = 10  # keeps each connection under fayuan's 50 events/s
CONNECTS_AT_ONCE = 50
ACK_TIMEOUT_S = 10.0
SETTLE_S = 1.0  # after the last connect, before reading memory

Report = Callable[[str, Any], None]


@dataclass(frozen=True)
class ScalePlan:
    kiosks: int = 2_000
    take_rate_per_s: int = 500
    takes: int = 1_000  # 2 s of offered takes; at most kiosks - QUEUE_DEPTH


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise ValueError(f"/proc/{pid}/status has no VmRSS")


def cli(data_dir: Path, *args: str, database_url: str | None = None) -> None:
    """`fayuan <args>` on this data directory (and its SQLite database, unless another is named)."""
    env = {**os.environ, "FAYUAN_DATA_DIR": str(data_dir)}
    env.pop("FAYUAN_DATABASE_URL", None)
    if database_url:
        env["FAYUAN_DATABASE_URL"] = database_url
    subprocess.run([*fayuan_cli(), *args], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


async def register_kiosks(database_url: str, count: int) -> list[str]:
    """`count` kiosks on the demo's community units, straight into the database; their tokens."""
    from sqlalchemy import select

    from server.accounts.service import register_device
    from server.clock import SystemClock
    from server.db import Database, make_engine
    from server.org.models import Unit, UnitKind

    db = Database(make_engine(database_url))
    try:
        async with db.sessions.begin() as session:
            units = list(await session.scalars(select(Unit.id).where(Unit.kind == UnitKind.community)))
            now = SystemClock().now()
            return [(await register_device(session, None, name=f"bench kiosk {n}", unit_id=units[n % len(units)],
                                           now=now))[1] for n in range(count)]
    finally:
        await db.dispose()


async def run(plan: ScalePlan, report: Report) -> None:
    figures_seen: dict[str, Any] = {}

    def seen(name: str, value: Any) -> None:
        figures_seen[name] = value
        report(name, value)

    await _run(plan, seen, figures_seen)


async def _raw_memory(count: int, log_path: Path, report: Report) -> float | None:
    """kiosk.memory_kb_per_connection_<count>.raw_aiohttp: the same clients held by a bare
    aiohttp websocket server (bench/raw_ws_server.py), on the same core, just before fayuan."""
    key = f"kiosk.memory_kb_per_connection_{count}.raw_aiohttp"
    port = signaling_run.free_port()
    with open(log_path, "wb") as log:
        server = subprocess.Popen(["taskset", "-c", str(signaling_run.SERVER_CORE), sys.executable, "-m",
                                   "bench.raw_ws_server", str(port)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    clients: list[SocketIOClient] = []
    try:
        await signaling_run.wait_listening(port, server, log_path)
        _progress(f"connecting {count} clients to a bare aiohttp websocket server")
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await asyncio.sleep(SETTLE_S)
            before_kb = rss_kb(server.pid)
            await connect_kiosks(http, [f"http://127.0.0.1:{port}"], [f"token-{n}" for n in range(count)], clients)
            await asyncio.sleep(SETTLE_S)
            kb = round((rss_kb(server.pid) - before_kb) / count, 1)
            report(key, kb)
            await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
            return kb
    except Exception as exc:  # noqa: BLE001 - the reference failing must not stop fayuan's figures
        report(key, f"failed ({type(exc).__name__}: {exc})")
        return None
    finally:
        signaling_run.stop(server)


async def _run(plan: ScalePlan, report: Report, figures_seen: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="fayuan-bench-scale-") as tmp:
        data_dir, log_path = Path(tmp) / "data", Path(tmp) / "server.log"
        data_dir.mkdir()
        raw_kb = await _raw_memory(plan.kiosks, Path(tmp) / "raw.log", report)
        clients: list[SocketIOClient] = []
        try:
            async with _serving(data_dir, log_path, plan.kiosks, None) as (server, base_url, demo, tokens):
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    lawyers = await _open_with_lawyers_on_duty(http, base_url, demo)
                    kiosks = await _memory(http, base_url, tokens, server.pid, clients, report)
                    fayuan_kb = figures_seen.get(f"kiosk.memory_kb_per_connection_{len(tokens)}")
                    if raw_kb and isinstance(fayuan_kb, float):
                        report("kiosk.memory_ratio_vs_raw_aiohttp", round(fayuan_kb / raw_kb, 2))
                    if plan.take_rate_per_s > 0:
                        await _take_next(http, base_url, plan, lawyers, kiosks, server.pid, clients, report)
        except Exception as exc:  # noqa: BLE001 - report why, then go on to writing the results
            report("kiosk.memory_kb_per_connection_2000", f"failed ({type(exc).__name__}: {exc})")
            report("consultation.take_next_p99_ms_at_500_ops", f"failed ({type(exc).__name__}: {exc})")
        finally:
            await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    if plan.take_rate_per_s > 0:
        await _take_next_on_postgresql(plan, report)
        if plan.take_rate_per_s != PG_GOAL_RATE_PER_S:
            # again at the rate the PostgreSQL goal names, every figure's name saying so
            at = f"_at_{PG_GOAL_RATE_PER_S}_ops"
            await _take_next_on_postgresql(replace(plan, take_rate_per_s=PG_GOAL_RATE_PER_S), lambda name, value: report(
                name if at in name or not name.endswith(PG) else name.removesuffix(PG) + at + PG, value))


async def _take_next_on_postgresql(plan: ScalePlan, report: Report) -> None:
    """The take-next figures again with the server on PostgreSQL, their names ending in `.pg`
    (the same offer: `kiosks` is only what the takes need, the memory figures are SQLite's),
    in a database of the bench's own beside the one FAYUAN_BENCH_DATABASE_URL names."""
    server_url = postgres.server_url()
    if server_url is None:
        report("consultation.pg_skipped", postgres.skipped_because())
        return
    pg = _suffixed(report, PG)
    kiosk_count = QUEUE_DEPTH + min(plan.takes, plan.kiosks - QUEUE_DEPTH)
    clients: list[SocketIOClient] = []
    try:
        with tempfile.TemporaryDirectory(prefix="fayuan-bench-take-next-pg-") as tmp:
            async with postgres.Databases(server_url, "take_next") as databases:
                database_url = await databases.create(databases.prefix)
                data_dir = Path(tmp) / "data"
                data_dir.mkdir()
                async with _serving(data_dir, Path(tmp) / "server.log", kiosk_count, database_url) as (
                        server, base_url, demo, tokens):
                    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                        lawyers = await _open_with_lawyers_on_duty(http, base_url, demo)
                        _progress(f"connecting {len(tokens)} kiosks (PostgreSQL)")
                        kiosks = await connect_kiosks(http, [base_url], tokens, clients)
                        await _take_next(http, base_url, plan, lawyers, kiosks, server.pid, clients, pg)
                        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    except Exception as exc:  # noqa: BLE001 - report why, then go on to writing the results
        pg(f"consultation.take_next_p99_ms_at_{plan.take_rate_per_s}_ops", f"failed ({type(exc).__name__}: {exc})")
    finally:
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)


PG_GOAL_RATE_PER_S = 200  # issue #18: take-next p99 on PostgreSQL under 20 ms at this offered rate
PG = ".pg"  # the suffix of a figure measured on PostgreSQL, beside SQLite's of the same name


def _suffixed(report: Report, suffix: str) -> Report:
    return lambda name, value: report(name + suffix, value)


@contextlib.asynccontextmanager
async def _serving(data_dir: Path, log_path: Path, kiosks: int, database_url: str | None
                   ) -> AsyncIterator[tuple[subprocess.Popen, str, dict, list[str]]]:
    """A fayuan server on SERVER_CORE, its database (the data directory's SQLite one, or
    `database_url`) migrated, the demo seeded and `kiosks` devices registered before it starts;
    yields the process, its base URL, the demo's logins and the kiosks' tokens."""
    _progress(f"preparing {kiosks} kiosks")
    cli(data_dir, "migrate", database_url=database_url)
    cli(data_dir, "seed-demo", database_url=database_url)
    tokens = await register_kiosks(database_url or f"sqlite+aiosqlite:///{data_dir / 'fayuan.sqlite3'}", kiosks)
    port = signaling_run.free_port()
    command = fayuan_command(port=port, data_dir=data_dir, max_live_per_taker=kiosks, migrate=False)
    env = {**os.environ, **command.env}
    env.pop("FAYUAN_DATABASE_URL", None)
    if database_url:
        env["FAYUAN_DATABASE_URL"] = database_url
    with open(log_path, "wb") as log:
        server = subprocess.Popen(["taskset", "-c", str(signaling_run.SERVER_CORE), *command.argv], cwd=REPO,
                                  env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        await signaling_run.wait_listening(port, server, log_path)
        yield server, f"http://127.0.0.1:{port}", json.loads((data_dir / "demo-logins.json").read_text()), tokens
    finally:
        signaling_run.stop(server)


async def _open_with_lawyers_on_duty(http: aiohttp.ClientSession, base_url: str, demo: dict) -> list[StaffHttp]:
    admin = await StaffHttp.login(http, base_url, demo, "admin")
    center = await StaffHttp.login(http, base_url, demo, "center")
    lawyers = [await StaffHttp.login(http, base_url, demo, name) for name in LAWYERS]
    await open_all_day(admin, center, [lawyer.account_id for lawyer in lawyers])
    return lawyers


async def _memory(http: aiohttp.ClientSession, base_url: str, tokens: list[str], pid: int,
                  clients: list[SocketIOClient], report: Report) -> list[SocketIOClient]:
    _progress(f"connecting {len(tokens)} kiosks")
    await asyncio.sleep(SETTLE_S)
    before_kb, cpu_before, core_before = rss_kb(pid), process_cpu_s(pid), core_busy_s(signaling_run.SERVER_CORE)
    started = time.monotonic()
    kiosks = await connect_kiosks(http, [base_url], tokens, clients)
    wall_s = time.monotonic() - started
    await asyncio.sleep(SETTLE_S)
    after_kb = rss_kb(pid)
    server_cpu_s = process_cpu_s(pid) - cpu_before
    other_s = core_busy_s(signaling_run.SERVER_CORE) - core_before - server_cpu_s
    report(f"kiosk.memory_kb_per_connection_{len(tokens)}", round((after_kb - before_kb) / len(tokens), 1))
    report("kiosk.server_rss_mb_before_and_after", [round(before_kb / 1024, 1), round(after_kb / 1024, 1)])
    report("kiosk.connects_per_s", round(len(tokens) / wall_s))
    report("kiosk.server_cpu_ms_per_connect", round(server_cpu_s * 1e3 / len(tokens), 2))
    report("kiosk.server_core_other_work_pct", round(100 * max(0.0, other_s) / wall_s, 1))
    return kiosks


async def connect_kiosks(http: aiohttp.ClientSession, base_urls: list[str], tokens: list[str],
                         clients: list[SocketIOClient]) -> list[SocketIOClient]:
    """A kiosk per token, connected to the processes at `base_urls` in turn."""
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
    kiosks = [SocketIOClient(http, lambda event, payload: None) for _ in tokens]
    clients += kiosks

    async def connect(n: int, client: SocketIOClient, token: str) -> None:
        async with gate:
            await client.connect(base_urls[n % len(base_urls)], auth={"token": token}, timeout_s=30.0)

    await asyncio.gather(*(connect(n, client, token) for n, (client, token) in enumerate(zip(kiosks, tokens))))
    return kiosks


async def connect_takers(http: aiohttp.ClientSession, base_urls: list[str], lawyers: list[StaffHttp],
                         clients: list[SocketIOClient], per_lawyer: int = CONNECTIONS_PER_LAWYER
                         ) -> list[SocketIOClient]:
    """`per_lawyer` connections of each lawyer, to the processes at `base_urls` in turn; each
    lawyer on duty and available."""
    takers: list[SocketIOClient] = []
    for lawyer in lawyers:
        for n in range(per_lawyer):
            client = SocketIOClient(http, lambda event, payload: None)
            clients.append(client)
            await client.connect(base_urls[n % len(base_urls)],
                                 headers={"Cookie": f"{SESSION_COOKIE}={lawyer.cookie}"})
            if n == 0:
                ack = await client.call("duty.availability", {"available": True})
                if not ack.get("on_duty"):
                    raise RuntimeError(f"{lawyer.account_id} is not on duty: {ack}")
            takers.append(client)
    return takers


Call = tuple[SocketIOClient, str, dict]  # who emits, the event, its payload


@dataclass
class Offered:
    """What an open-loop run got back: ack latencies per event (a timeout counts as
    ACK_TIMEOUT_S), refusals and timeouts by `event:code`, and its wall time."""

    ms: dict[str, list[float]]
    failures: dict[str, int]
    wall_s: float

    def acked(self, event: str) -> int:
        """Answered in time, refusals included."""
        return len(self.ms.get(event, [])) - self.failures.get(f"{event}:timeout", 0)

    def succeeded(self, event: str) -> int:
        """Answered in time and not refused."""
        return len(self.ms.get(event, [])) - sum(n for key, n in self.failures.items()
                                                 if key.startswith(f"{event}:"))


async def offer(rate_per_s: int, rounds: int, calls: Callable[[int], list[Call]]) -> Offered:
    """Open loop: round n's calls go out at n / rate_per_s whatever the acks do, so a slow
    server meets the same offered load as a fast one; returns once every ack is in or timed out."""
    result = Offered(ms={}, failures={}, wall_s=0.0)

    async def timed(client: SocketIOClient, event: str, payload: dict) -> None:
        into = result.ms.setdefault(event, [])
        sent = time.monotonic_ns()
        try:
            ack = await client.call(event, payload, timeout_s=ACK_TIMEOUT_S)
        except asyncio.TimeoutError:
            result.failures[f"{event}:timeout"] = result.failures.get(f"{event}:timeout", 0) + 1
            into.append(ACK_TIMEOUT_S * 1e3)  # at least this long: it counts in the percentiles
            return
        into.append((time.monotonic_ns() - sent) / 1e6)
        if isinstance(ack, dict) and "error" in ack:
            key = f"{event}:{ack['error']['code']}"
            result.failures[key] = result.failures.get(key, 0) + 1

    started_ns = time.monotonic_ns()
    pending: list[asyncio.Task] = []
    sent = 0
    while sent < rounds:
        due = min(rounds, (time.monotonic_ns() - started_ns) * rate_per_s // 1_000_000_000 + 1)
        while sent < due:
            pending += [asyncio.create_task(timed(*call)) for call in calls(sent)]
            sent += 1
        await asyncio.sleep(0.001)
    await asyncio.gather(*pending)
    result.wall_s = (time.monotonic_ns() - started_ns) / 1e9
    return result


async def fill_queue(kiosks: list[SocketIOClient]) -> None:
    """The first QUEUE_DEPTH kiosks start consultations: the queue take_next keeps that deep."""
    await asyncio.gather(*(_start(kiosk) for kiosk in kiosks[:QUEUE_DEPTH]))


async def take_next(takers: list[SocketIOClient], kiosks: list[SocketIOClient], rate_per_s: int,
                    takes: int) -> Offered:
    """`takes` rounds of a `queue.take` {} and the start of a kiosk past the first QUEUE_DEPTH."""
    return await offer(rate_per_s, takes, lambda n: [
        (takers[n % len(takers)], "queue.take", {}),
        (kiosks[QUEUE_DEPTH + n], "consultation.start", {"category": "other"})])


async def _take_next(http: aiohttp.ClientSession, base_url: str, plan: ScalePlan, lawyers: list[StaffHttp],
                     kiosks: list[SocketIOClient], pid: int, clients: list[SocketIOClient], report: Report) -> None:
    takes = min(plan.takes, len(kiosks) - QUEUE_DEPTH)
    takers = await connect_takers(http, [base_url], lawyers, clients)
    _progress(f"take-next: {takes} takes at {plan.take_rate_per_s}/s")
    await fill_queue(kiosks)
    cpu_before, core_before = process_cpu_s(pid), core_busy_s(signaling_run.SERVER_CORE)
    offered = await take_next(takers, kiosks, plan.take_rate_per_s, takes)
    wall_s = offered.wall_s
    server_cpu_s = process_cpu_s(pid) - cpu_before
    other_s = core_busy_s(signaling_run.SERVER_CORE) - core_before - server_cpu_s
    take_ms = sorted(offered.ms.get("queue.take", []))
    start_ms = sorted(offered.ms.get("consultation.start", []))
    failures = offered.failures
    if not take_ms or not start_ms:
        raise RuntimeError(f"no take or start was acknowledged: {failures}")

    def ms(fraction: float, values: list[float]) -> float | str:
        value = percentile(values, fraction)
        return f">= {value:.0f} (the ack timeout)" if value >= ACK_TIMEOUT_S * 1e3 else round(value, 1)

    acked = offered.acked("queue.take")
    report(f"consultation.take_next_p99_ms_at_{plan.take_rate_per_s}_ops", ms(0.99, take_ms))
    report("consultation.take_next_p50_ms", ms(0.50, take_ms))
    report("consultation.start_p99_ms", ms(0.99, start_ms))
    report("consultation.offered_takes_and_acked_in_time", [takes, acked])
    report("consultation.achieved_take_per_s", round(acked / wall_s))
    report("consultation.refused_or_timed_out", failures or "none")
    # per offered pair: takes that timed out on the client were still worked on by the server
    report("consultation.server_cpu_ms_per_offered_take_and_start", round(server_cpu_s * 1e3 / takes, 2))
    report("consultation.server_core_other_work_pct", round(100 * max(0.0, other_s) / wall_s, 1))


async def _start(kiosk: SocketIOClient) -> None:
    ack = await kiosk.call("consultation.start", {"category": "other"}, timeout_s=ACK_TIMEOUT_S)
    if "error" in ack:
        raise RuntimeError(f"consultation.start: {ack['error']}")


def _progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)
