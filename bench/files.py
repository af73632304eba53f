"""Upload throughput: fayuan's POST /api/files against a plain aiohttp handler that streams
the body to a file, in the same run, and fayuan's peak RSS while a 1 GB upload streams through.

Both servers live in one child process (`python -m bench.files serve`), so they share a
Python, an event loop and a disk; they take turns, round after round, so that other work on
the machine falls on both alike. Bodies are generated on the fly from one random 1 MiB block
that starts like a PDF (the cheapest accepted type: what is measured is the streaming path,
with its counting, SHA-256 and sniffing). Two regimes, each with its figures:

- files.upload_mb_per_s.fayuan / .plain_aiohttp: median over the rounds (MiB/s); both keep
  every upload in a file of its own, as a server does, so both are soon limited by what the
  machine does with newly written pages (write-back, memory the VM has not touched before)
- files.upload_ratio_vs_plain: fayuan ÷ plain (the goal is ≥ 0.8)
- files.cpu_bound.*: the same with each upload's file deleted before the next upload, so the
  page cache reuses warm memory and neither side waits for the machine: what is left is the
  CPU of the two handlers (and of the load generator, on the same 2 cores)
- files.server_cpu_ms_per_mb.*: the child's CPU time per MiB in the CPU-bound rounds, and
  files.sha256_cpu_ms_per_mb, hashing alone in this process: the part of fayuan's that the
  plain handler does not do
- files.peak_rss_mb_during_1gb_upload: the child's highest RSS, sampled every 20 ms, while
  1 GiB goes to fayuan (its limit raised for the run); files.rss_mb_before_upload beside it
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import AsyncIterator, Callable

import aiohttp

MIB = 1024 * 1024
ROUND_BYTES = 256 * MIB
ROUNDS = 5
BIG_UPLOAD_BYTES = 1024 * MIB
RSS_SAMPLE_SECONDS = 0.02
START_TIMEOUT_SECONDS = 60.0
Report = Callable[[str, float | int | str], None]


def _body(total: int) -> Callable[[], AsyncIterator[bytes]]:
    block = bytearray(os.urandom(MIB))
    block[:9] = b"%PDF-1.7\n"
    first, rest = bytes(block), bytes(os.urandom(MIB))

    async def chunks() -> AsyncIterator[bytes]:
        sent = 0
        while sent < total:
            chunk = first if sent == 0 else rest
            chunk = chunk[: total - sent]
            sent += len(chunk)
            yield chunk

    return chunks


async def _upload(http: aiohttp.ClientSession, url: str, total: int, headers: dict[str, str]) -> float:
    # Every upload starts with the earlier ones' pages written back (not timed): otherwise the
    # kernel throttles whichever upload happens to run when the dirty pages pass its limit
    await asyncio.to_thread(os.sync)
    started = time.perf_counter()
    async with http.post(url, data=_body(total)(), headers={**headers, "Content-Length": str(total)}) as resp:
        reply = await resp.text()
        if resp.status >= 300:
            raise RuntimeError(f"{url}: {resp.status} {reply[:200]}")
    return total / MIB / (time.perf_counter() - started)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _delete_uploads(work: Path) -> None:
    for path in [*work.glob("plain/*.bin"), *work.glob("files/??/*")]:
        path.unlink()


def _sha256_ms_per_mb(total: int = ROUND_BYTES) -> float:
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    started = time.process_time()
    for _ in range(total // MIB):
        digest.update(block)
    return (time.process_time() - started) * 1000 / (total / MIB)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(report: Report) -> None:
    work = Path(tempfile.mkdtemp(prefix="fayuan-files-bench-"))
    child = subprocess.Popen([sys.executable, "-m", "bench.files", "serve", str(work)], stdout=subprocess.PIPE,
                             cwd=Path(__file__).resolve().parent.parent, text=True)
    os.sched_setaffinity(child.pid, range(os.cpu_count() or 1))  # not the core `make bench` pinned us to
    try:
        line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), START_TIMEOUT_SECONDS)  # type: ignore[union-attr]
        ready = json.loads(line)
        fayuan_url = f"http://127.0.0.1:{ready['fayuan_port']}/api/files?parent_kind=consultation" \
                     f"&parent_id={ready['consultation_id']}"
        plain_url = f"http://127.0.0.1:{ready['plain_port']}/upload"
        fayuan_headers = {"Authorization": f"Bearer {ready['token']}", "X-Filename": "bench.pdf"}
        urls = {"fayuan": (fayuan_url, fayuan_headers), "plain_aiohttp": (plain_url, {})}
        async with aiohttp.ClientSession() as http:
            await _upload(http, plain_url, 16 * MIB, {})  # warm both up
            await _upload(http, fayuan_url, 16 * MIB, fayuan_headers)
            report("files.upload_round_mb", ROUND_BYTES // MIB)
            report("files.rounds", ROUNDS)
            for regime in ("", "cpu_bound."):
                speeds: dict[str, list[float]] = {name: [] for name in urls}
                cpu: dict[str, float] = {name: 0.0 for name in urls}
                for _ in range(ROUNDS):
                    for name, (url, headers) in urls.items():
                        if regime:
                            await asyncio.to_thread(_delete_uploads, work)
                        before_cpu = _cpu_seconds(child.pid)
                        speeds[name].append(await _upload(http, url, ROUND_BYTES, headers))
                        cpu[name] += _cpu_seconds(child.pid) - before_cpu
                for name, values in speeds.items():
                    report(f"files.{regime}upload_mb_per_s.{name}", round(statistics.median(values), 1))
                    report(f"files.{regime}upload_mb_per_s.{name}.rounds", str([round(v, 1) for v in values]))
                report(f"files.{regime}upload_ratio_vs_plain",
                       round(statistics.median(speeds["fayuan"]) / statistics.median(speeds["plain_aiohttp"]), 3))
                if regime:
                    for name, seconds in cpu.items():
                        report(f"files.server_cpu_ms_per_mb.{name}", round(seconds * 1000 / (ROUNDS * ROUND_BYTES / MIB), 2))
            report("files.sha256_cpu_ms_per_mb", round(_sha256_ms_per_mb(), 2))
            await asyncio.to_thread(_delete_uploads, work)
            before = _rss_mb(child.pid)
            peak = before
            upload = asyncio.create_task(_upload(http, fayuan_url, BIG_UPLOAD_BYTES, fayuan_headers))
            while not upload.done():
                peak = max(peak, _rss_mb(child.pid))
                await asyncio.sleep(RSS_SAMPLE_SECONDS)
            speed = await upload
            report("files.rss_mb_before_upload", round(before, 1))
            report("files.peak_rss_mb_during_1gb_upload", round(peak, 1))
            report("files.upload_mb_per_s.fayuan_1gb", round(speed, 1))
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        shutil.rmtree(work, ignore_errors=True)


# -- the child: both servers --------------------------------------------------------------------------

async def _serve(work: Path) -> None:
    from aiohttp import web

    from server import demo
    from server.app import init_app
    from server.config import Settings
    from server.consultations.models import Consultation
    from server.db import Database, make_engine
    from server.migrate import upgrade_async

    env = {"FAYUAN_DATA_DIR": str(work), "FAYUAN_SECRET_KEY": "b" * 40,
           "FAYUAN_FILE_MAX_MB": str(2 * BIG_UPLOAD_BYTES // MIB), "FAYUAN_FILES_PER_PARENT": "1000",
           "FAYUAN_FILES_MB_PER_PARENT": "1000000"}
    settings = Settings.from_env(env)
    await upgrade_async(settings.database_url)
    db = Database(make_engine(settings.database_url))
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    async with db.sessions.begin() as session:
        seeded = await demo.seed(session, now=now)
        from sqlalchemy import select

        from server.accounts.models import Device

        device = await session.scalar(select(Device).order_by(Device.id))
        c = Consultation(device_id=device.id, unit_id=device.unit_id, category="wages_labour",
                         target_unit_id=device.unit_id, state="live", queued_at=now, taken_at=now)
        session.add(c)
        await session.flush()
        consultation_id = c.id
    await db.dispose()

    # Each upload to a file of its own, as fayuan keeps each (overwriting one file would let
    # the kernel drop the last upload's unwritten pages instead of writing them back)
    plain_dir = work / "plain"
    plain_dir.mkdir()
    uploads = iter(range(1, 1_000_000))

    async def plain(request: web.Request) -> web.Response:
        with (plain_dir / f"{next(uploads)}.bin").open("xb") as out:
            async for chunk in request.content.iter_any():
                out.write(chunk)
        return web.json_response({"ok": True}, status=201)

    plain_app = web.Application()
    plain_app.router.add_post("/upload", plain)
    runners = [web.AppRunner(init_app(settings, run_sweeper=False)), web.AppRunner(plain_app)]
    ports = []
    for runner in runners:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    print(json.dumps({"fayuan_port": ports[0], "plain_port": ports[1], "consultation_id": consultation_id,
                      "token": seeded["kiosks"][0]["token"]}), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.files")
    parser.add_argument("mode", choices=["serve", "run"])
    parser.add_argument("work", nargs="?")
    args = parser.parse_args()
    if args.mode == "serve":
        asyncio.run(_serve(Path(args.work)))
    else:
        asyncio.run(run(lambda name, value: print(f"{name}: {value}", flush=True)))


if __name__ == "__main__":
    main()
