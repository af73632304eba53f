"""Runs every implementation under the same load plan and turns the stretches into
`signaling.*` figures.

All servers run at once, pinned to SERVER_CORE, idle but for the one being measured; this
process (the load generator) runs on LOAD_GENERATOR_CORE. The implementations take turns for
`plan.rounds` rounds, so other work on the machine falls on all of them alike; a figure per
message is the median over the rounds, with every round's figure beside it.
"""
from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Callable

import aiohttp

from bench.signaling.adapters import REPO, Adapter, NodeAdapter, PythonSocketioAdapter, Unavailable
from bench.signaling.fayuan import FayuanAdapter
from bench.signaling.load import LoadPlan, PairedClients, Stretch, percentile

SERVER_CORE = 0
LOAD_GENERATOR_CORE = 1
REFERENCE = "node"
SERVER_START_TIMEOUT_S = 60.0  # fayuan migrates and seeds its demo first
SERVER_STOP_TIMEOUT_S = 5.0
ADAPTERS: tuple[Callable[[], Adapter], ...] = (NodeAdapter, PythonSocketioAdapter, FayuanAdapter)

Value = float | int | str | list[float]
Report = Callable[[str, Value], None]


def pin_load_generator() -> None:
    """Keep this process, and the clients it runs, off the server's core."""
    available = os.sched_getaffinity(0)
    if not {SERVER_CORE, LOAD_GENERATOR_CORE} <= available:
        raise SystemExit(f"bench: needs cores {SERVER_CORE} and {LOAD_GENERATOR_CORE}; this process may use {available}")
    os.sched_setaffinity(0, {LOAD_GENERATOR_CORE})


async def run(plan: LoadPlan, report: Report, only: set[str] | None = None) -> None:
    report("signaling.pairs", plan.pairs)
    report("signaling.offered_msg_per_s", plan.rate_msg_per_s)
    report("signaling.measured_msgs_per_impl", plan.messages_per_round * plan.rounds)
    adapters = [make() for make in ADAPTERS]
    adapters = [adapter for adapter in adapters if not only or adapter.name in only]
    not_measured: dict[str, str] = {}
    stretches: dict[str, list[Stretch]] = {adapter.name: [] for adapter in adapters}
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)))
        ready: dict[str, PairedClients] = {}
        for adapter in adapters:
            _progress(f"starting {adapter.name}")
            try:
                ready[adapter.name] = await stack.enter_async_context(_serving(adapter, plan, http))
            except Unavailable as exc:
                not_measured[adapter.name] = f"unavailable ({exc})"
            except Exception as exc:  # noqa: BLE001 - one broken implementation must not hide the others
                not_measured[adapter.name] = f"failed ({type(exc).__name__}: {exc})"
        for round_number in range(1, plan.rounds + 1):
            for name, clients in list(ready.items()):
                _progress(f"round {round_number}/{plan.rounds}: {name}")
                try:
                    stretches[name].append(await clients.measure())
                except Exception as exc:  # noqa: BLE001
                    not_measured[name] = f"failed ({type(exc).__name__}: {exc})"
                    del ready[name]
    cpu_us: dict[str, float | str] = {}
    for adapter in adapters:
        if adapter.name in not_measured:
            cpu_us[adapter.name] = not_measured[adapter.name]
            report(f"signaling.cpu_us_per_msg.{adapter.name}", cpu_us[adapter.name])
            report(f"signaling.p99_ms.{adapter.name}", cpu_us[adapter.name])
            continue
        figures = _figures(adapter.name, stretches[adapter.name])
        cpu_us[adapter.name] = figures[f"signaling.cpu_us_per_msg.{adapter.name}"]
        for key, value in figures.items():
            report(key, value)
    _report_ratios(cpu_us, report)


def _figures(name: str, stretches: list[Stretch]) -> dict[str, Value]:
    by_round = [s.server_cpu_s * 1e6 / s.delivered for s in stretches if s.delivered]
    latencies = sorted(ns for s in stretches for ns in s.latencies_ns)
    wall_s = sum(s.wall_s for s in stretches)
    if not latencies:
        return {f"signaling.cpu_us_per_msg.{name}": "failed (no message was relayed)"}

    def pct_of_wall(seconds: float) -> float:
        return round(100 * seconds / wall_s, 1)

    return {
        f"signaling.cpu_us_per_msg.{name}": round(statistics.median(by_round), 1),
        f"signaling.cpu_us_per_msg_by_round.{name}": [round(us, 1) for us in by_round],
        f"signaling.p50_ms.{name}": round(percentile(latencies, 0.50) / 1e6, 2),
        f"signaling.p99_ms.{name}": round(percentile(latencies, 0.99) / 1e6, 2),
        f"signaling.delivered_msgs.{name}": len(latencies),
        f"signaling.delivered_msg_per_s.{name}": round(len(latencies) / wall_s),
        f"signaling.server_cpu_pct.{name}": pct_of_wall(sum(s.server_cpu_s for s in stretches)),
        f"signaling.server_core_other_work_pct.{name}":
            pct_of_wall(sum(s.server_core_busy_s - s.server_cpu_s for s in stretches)),
        f"signaling.load_generator_cpu_pct.{name}": pct_of_wall(sum(s.loadgen_cpu_s for s in stretches)),
        f"signaling.load_generator_core_other_work_pct.{name}":
            pct_of_wall(sum(s.loadgen_core_busy_s - s.loadgen_cpu_s for s in stretches)),
    }


def _report_ratios(cpu_us: dict[str, float | str], report: Report) -> None:
    reference = cpu_us.get(REFERENCE)
    for name, value in cpu_us.items():
        if name == REFERENCE:
            continue
        key = f"signaling.cpu_ratio_vs_{REFERENCE}.{name}"
        if isinstance(value, str):
            report(key, f"unavailable ({name} was not measured)")
        elif not isinstance(reference, float):
            report(key, f"unavailable ({REFERENCE} was not measured)")
        else:
            report(key, round(value / reference, 2))


@asynccontextmanager
async def _serving(adapter: Adapter, plan: LoadPlan, http: aiohttp.ClientSession) -> AsyncIterator[PairedClients]:
    """The adapter's server, started on SERVER_CORE, with its pairs connected and warmed up."""
    adapter.check()
    adapter.install()
    with tempfile.TemporaryDirectory(prefix=f"fayuan-bench-{adapter.name}-") as tmp:
        data_dir, log_path = Path(tmp) / "data", Path(tmp) / "server.log"
        port = free_port()
        command = adapter.server_command(port=port, data_dir=data_dir, pairs=plan.pairs)
        with open(log_path, "wb") as log:
            server = subprocess.Popen(["taskset", "-c", str(SERVER_CORE), *command.argv], cwd=REPO,
                                      env={**os.environ, **command.env}, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL)
        try:
            base_url = f"http://127.0.0.1:{port}"
            await wait_listening(port, server, log_path)
            await adapter.prepare(http, base_url, data_dir, plan.pairs)
            clients = PairedClients(adapter, plan, server.pid, (SERVER_CORE, LOAD_GENERATOR_CORE))
            try:
                await clients.connect(http, base_url)
                await clients.warm_up()
                yield clients
            finally:
                await clients.close()
        finally:
            stop(server)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_listening(port: int, server: subprocess.Popen, log_path: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SERVER_START_TIMEOUT_S
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}: {_tail(log_path)}")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise RuntimeError(f"the server did not listen within {SERVER_START_TIMEOUT_S:.0f} s: "
                                   f"{_tail(log_path)}") from None
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _tail(log_path: Path, lines: int = 5) -> str:
    return " | ".join(log_path.read_text(errors="replace").strip().splitlines()[-lines:])


def _progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)
