"""A training through Janus: one aiortc presenter (320×240 at 15 fps) to N receive-only aiortc
viewers, every Janus request relayed by a real `fayuan serve`. N steps up (bounded) while the
viewers decode at least 99% of the frames the presenter sent.

Reports the largest N within 1% loss, Janus' CPU while N viewers watch, our server's CPU per
join (join + the relayed Janus requests of subscribing), and the UDP sockets our server holds:
media goes between the clients and Janus, so it must be 0 (our Python server forwards no
media packet).
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import aiohttp

from bench.signaling.cpu import process_cpu_s

Report = Callable[[str, Any], None]
STEPS = (5, 10, 20, 30, 40, 50, 60, 80, 100)  # viewers; stops at the first step over the loss limit
LOSS_LIMIT = 0.01
WINDOW_SECONDS = 20.0  # frames are counted over this long once every viewer receives (±1 frame at each end)
FLOWING_TIMEOUT_SECONDS = 60.0
JOINS_AT_ONCE = 5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
VIEWER_UNIT = "D-UNION"


def _progress(text: str) -> None:
    print(f"  meetings: {text}", file=sys.stderr, flush=True)


def udp_sockets(pid: int) -> int:
    """UDP sockets the process holds: its socket inodes found in /proc/net/udp{,6}."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as rows:
            next(rows)
            count += sum(1 for row in rows if row.split()[9] in inodes)
    return count


async def _viewer_accounts(data_dir: Path, count: int) -> list[str]:
    """Viewer logins in one unit, straight into the database (cheap password hashes)."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from server.accounts import passwords, service as accounts
    from server.accounts.permissions import Role
    from server.db import Database, make_engine
    from server.demo import DEMO_PASSWORD
    from server.org.models import Unit

    passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    db = Database(make_engine(f"sqlite+aiosqlite:///{data_dir / 'fayuan.sqlite3'}"))
    try:
        async with db.sessions.begin() as session:
            unit = await session.scalar(select(Unit.id).where(Unit.code == VIEWER_UNIT))
            names = [f"viewer{n}" for n in range(count)]
            for name in names:
                await accounts.create_account(session, None, username=name, display_name=f"學員 {name}",
                                              role=Role.department_staff, unit_id=unit, password=DEMO_PASSWORD,
                                              now=datetime.now(timezone.utc))
        return names
    finally:
        await db.dispose()


async def run(report: Report, steps: tuple[int, ...] = STEPS) -> None:
    from tests.janus_process import JanusProcess, available
    from tests.processes import ServerProcess

    if not available():
        report("meetings.max_viewers_le_1pct_loss", "skipped (janus is not installed)")
        return
    with tempfile.TemporaryDirectory(prefix="fayuan-bench-meetings-") as tmp:
        janus = JanusProcess(Path(tmp)).start()
        server = ServerProcess(Path(tmp) / "data")
        server.env["FAYUAN_JANUS_URL"] = janus.url
        try:
            _progress("starting fayuan serve with Janus")
            server.start()
            viewers = await _viewer_accounts(server.data_dir, max(steps))
            await _steps(server.base_url, viewers, steps, server.process.pid, janus.pid,  # type: ignore[union-attr]
                         report)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - report why, then go on to writing the results
            report("meetings.max_viewers_le_1pct_loss", f"failed ({type(exc).__name__}: {exc})")
        finally:
            server.stop()
            janus.stop()


async def _steps(base_url: str, viewer_names: list[str], steps: tuple[int, ...], server_pid: int, janus_pid: int,
                 report: Report) -> None:
    from client.connection import Connection
    from client.media import ColourBars, SineTone
    from client.meeting import MeetingClient
    from tests.sockets import login_cookie

    host_cookie, host_csrf = await login_cookie(base_url, "center")
    _progress(f"logging in {len(viewer_names)} viewers")
    viewer_cookies = [(await login_cookie(base_url, name))[0] for name in viewer_names]
    async with aiohttp.ClientSession(cookies={"fayuan_session": host_cookie}) as http:
        async with http.get(f"{base_url}/api/units") as r:
            unit_id = next(u["id"] for u in await r.json() if u["code"] == VIEWER_UNIT)

    best, janus_cpu, per_join_ms, udp = 0, None, [], None
    for n in steps:
        video = ColourBars()
        presenter = MeetingClient(Connection(base_url, session_cookie=host_cookie), tracks=lambda: [SineTone(), video])
        viewers = [MeetingClient(Connection(base_url, session_cookie=c)) for c in viewer_cookies[:n]]
        try:
            await presenter.connection.connect()
            starts = datetime.now(timezone.utc)
            async with aiohttp.ClientSession(cookies={"fayuan_session": host_cookie}) as http:
                async with http.post(f"{base_url}/api/meetings", headers={"X-CSRF-Token": host_csrf}, json={
                        "title": f"培訓 {n}", "kind": "training", "starts_at": starts.isoformat(),
                        "ends_at": (starts + timedelta(hours=1)).isoformat(), "unit_ids": [unit_id]}) as r:
                    meeting = await r.json()
                    assert r.status == 201, meeting
            await presenter.join(meeting["id"])
            for viewer in viewers:
                await viewer.connection.connect()
            cpu_before = process_cpu_s(server_pid)
            for first in range(0, n, JOINS_AT_ONCE):
                await asyncio.gather(*(v.join(meeting["id"]) for v in viewers[first:first + JOINS_AT_ONCE]))
            host_ref = presenter.me["ref"]

            deadline = time.monotonic() + FLOWING_TIMEOUT_SECONDS
            while any(v.received().get(host_ref, 0) == 0 for v in viewers):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{sum(1 for v in viewers if not v.received().get(host_ref))} of {n} "
                                       "viewers received nothing")
                await asyncio.sleep(0.2)
            per_join_ms.append((process_cpu_s(server_pid) - cpu_before) * 1e3 / n)

            sent_before = video._pacer.frames
            got_before = [v.received().get(host_ref, 0) for v in viewers]
            janus_before = _cpu_ticks(janus_pid)
            await asyncio.sleep(WINDOW_SECONDS)
            sent = video._pacer.frames - sent_before
            got = [v.received().get(host_ref, 0) - b for v, b in zip(viewers, got_before)]
            cpu_pct = (_cpu_ticks(janus_pid) - janus_before) / CLOCK_TICKS / WINDOW_SECONDS * 100
            loss = max(0.0, 1 - sum(got) / (sent * n)) if sent else 1.0
            _progress(f"{n} viewers: {loss:.2%} frames lost, janus {cpu_pct:.0f}% cpu, "
                      f"server {per_join_ms[-1]:.1f} ms cpu per join")
            udp = udp_sockets(server_pid)
            if loss > LOSS_LIMIT:
                break
            best, janus_cpu = n, round(cpu_pct, 1)
            await presenter.call("meeting.control", action="end")
        finally:
            for one in (presenter, *viewers):
                await one.close()
    report("meetings.max_viewers_le_1pct_loss", best)
    report("meetings.janus_cpu_pct", janus_cpu)
    report("meetings.server_cpu_ms_per_join", round(sum(per_join_ms) / len(per_join_ms), 2) if per_join_ms else None)
    report("meetings.server_udp_sockets", udp)


def _cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime
