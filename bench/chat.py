"""`chat.*` figures: chat messages stored and acknowledged per second through the real chat
service, ChatWriter and its group commit on SQLite, with the p99 time from `send` to ack;
and, in the same run on the same schema, raw `sqlite3` `executemany` of the same rows in
batches of the same size, one commit per batch: the ceiling the writer is measured against.

The load is SENDERS clients, each with one message in flight (send, wait for the ack, send
the next), as a chat client is: SENDERS / ROOMS of them share a room. Every round starts on a
fresh copy of one migrated database; the two take turns, ROUNDS times, and a figure is the
median over the rounds. What this leaves out is socket.io: that cost is the signaling
benchmark's (bench/signaling).

    python -m bench.chat            # just this; `python -m bench` runs it after signaling
"""
from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import make_url

from bench import postgres
from server import gc_tuning

ROOMS = 100
SENDERS = 200  # messages in flight at once: 20,000 msg/s × 10 ms of latency
MESSAGES_PER_ROUND = 40_000
WARMUP_MESSAGES = 2_000
ROUNDS = 3
TEXT = "您好，我想咨詢一下欠薪的事情，老板已經三個月沒發工資了。"  # a typical line, 29 characters

Value = float | int | str | list[float]
Report = Callable[[str, Value], None]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _template(folder: Path) -> tuple[Path, list[int]]:
    """A migrated SQLite database with one kiosk and ROOMS live consultations; their ids."""
    path = folder / "template.sqlite3"
    return path, await _fill_template(f"sqlite+aiosqlite:///{path}")


async def _fill_template(url: str) -> list[int]:
    """Migrate the database at `url` and add one kiosk and ROOMS live consultations: the
    sender's reference and the consultations' ids."""
    from server.accounts.models import Device
    from server.consultations.models import Consultation
    from server.db import Database, make_engine
    from server.migrate import upgrade_async
    from server.org.models import Unit

    await upgrade_async(url)
    now = datetime.now(timezone.utc)
    db = Database(make_engine(url))
    async with db.sessions.begin() as s:
        unit = Unit(code="BENCH", name="bench", kind="community", parent_id=None, path="/1/", created_at=now)
        s.add(unit)
        await s.flush()
        device = Device(name="bench kiosk", unit_id=unit.id, token_hash="0" * 64, token_hint="bench", created_at=now)
        s.add(device)
        await s.flush()
        rooms = [Consultation(device_id=device.id, unit_id=unit.id, category="other", target_unit_id=unit.id,
                              state="live", queued_at=now) for _ in range(ROOMS)]
        s.add_all(rooms)
        await s.flush()
        ids = [c.id for c in rooms]
        sender = f"device:{device.id}"
    await db.dispose()
    return [sender, *ids]  # type: ignore[list-item]


async def measure_fayuan(database: Path | str, sender: str, room_ids: list[int], messages: int) -> dict:
    """Stored-and-acked messages per second through ChatWriter, and the latency of each, on
    the SQLite file at `database` or the database at the URL `database`."""
    from server.chat.service import RoomKey
    from server.app import chat_rooms
    from server.chat.writer import ChatWriter
    from server.db import make_engine

    engine = make_engine(database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}")
    writer = ChatWriter(engine, chat_rooms())
    await writer.start()
    rooms = [RoomKey("consultation", i) for i in room_ids]
    latencies: list[float] = []
    stored: list[dict] = []
    at = datetime.now(timezone.utc)

    async def client(number: int, count: int) -> None:
        room = rooms[number % len(rooms)]
        for i in range(count):
            started = time.perf_counter()
            stored.append(await writer.send(room, sender=sender, sender_name="bench", client_id=f"{number}-{i}",
                                            text=TEXT, at=at))
            latencies.append(time.perf_counter() - started)

    try:
        await asyncio.gather(*[client(n, WARMUP_MESSAGES // SENDERS) for n in range(SENDERS)])
        latencies.clear()
        stored.clear()
        batches_before = writer.batches
        started = time.perf_counter()
        await asyncio.gather(*[client(SENDERS + n, messages // SENDERS) for n in range(SENDERS)])
        elapsed = time.perf_counter() - started
        batches = writer.batches - batches_before
    finally:
        await writer.stop()
        await engine.dispose()
    return {"msgs_per_s": len(latencies) / elapsed, "p99_ms": percentile(latencies, 0.99) * 1000,
            "p50_ms": percentile(latencies, 0.50) * 1000, "batch_mean": len(latencies) / batches,
            "stored": stored}


def measure_executemany(path: Path, stored: list[dict], batch: int) -> float:
    """The same rows, the same batch size, one commit per batch, straight into sqlite3."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    room_ids = dict(conn.execute("SELECT 'consultation:' || ref_id, id FROM chat_rooms"))
    next_room_id = max(room_ids.values(), default=0)
    for m in stored:  # the rooms exist already in the writer's copy; create them here too
        if m["room"] not in room_ids:
            next_room_id += 1
            room_ids[m["room"]] = next_room_id
            conn.execute("INSERT INTO chat_rooms (id, kind, ref_id, last_seq) VALUES (?, 'consultation', ?, 0)",
                         (next_room_id, int(m["room"].split(":")[1])))
    at = stored[0]["at"].replace("T", " ").replace("+00:00", "")
    rows = [(room_ids[m["room"]], m["seq"], m["sender"], m["sender_name"], m["client_id"], m["text"], at)
            for m in stored]
    started = time.perf_counter()
    for i in range(0, len(rows), batch):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO chat_messages (room_id, seq, sender, sender_name, client_id, text, at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", rows[i:i + batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


async def measure_asyncpg_executemany(url: str, stored: list[dict], batch: int) -> float:
    """PostgreSQL's ceiling: the same rows, the same batch size, one transaction per batch,
    straight through asyncpg's executemany (what SQLAlchemy runs on)."""
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        room_ids = {f"{kind}:{ref}": room_id for room_id, kind, ref in
                    await conn.fetch("SELECT id, kind, ref_id FROM chat_rooms")}
        for m in stored:  # the rooms exist already in the writer's copy; create them here too
            if m["room"] not in room_ids:
                kind, ref = m["room"].split(":")
                room_ids[m["room"]] = await conn.fetchval(
                    "INSERT INTO chat_rooms (kind, ref_id, last_seq) VALUES ($1, $2, 0) RETURNING id", kind, int(ref))
        at = datetime.fromisoformat(stored[0]["at"])
        rows = [(room_ids[m["room"]], m["seq"], m["sender"], m["sender_name"], m["client_id"], m["text"], at)
                for m in stored]
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            async with conn.transaction():
                await conn.executemany("INSERT INTO chat_messages (room_id, seq, sender, sender_name, client_id, "
                                       "text, at) VALUES ($1, $2, $3, $4, $5, $6, $7)", rows[i:i + batch])
        return len(rows) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def run(report: Report, rounds: int = ROUNDS, messages: int = MESSAGES_PER_ROUND) -> None:
    # `make bench` pins this process to one core for the signaling load; a server has the
    # machine's cores (the writer's thread beside the event loop), and so do both sides here
    pinned = os.sched_getaffinity(0)
    os.sched_setaffinity(0, range(os.cpu_count() or 1))
    try:
        await _run(report, rounds, messages)
        await _run_postgresql(report, rounds, messages)
    finally:
        os.sched_setaffinity(0, pinned)


def _freeze_as_serve_does() -> None:
    """Freeze what is alive now out of the collector's walks, as `fayuan serve` does once it
    has started: by then the whole app is imported, so import it here first. Imported after the
    freeze (measure_fayuan's import of server.app), the modules of aiohttp, aiortc, fpdf and the
    rest were walked by every full collection, 67-124 ms each, two or three a round: the
    round's p99, and a pause no server has."""
    import server.app  # noqa: F401 - only for its imports

    gc_tuning.freeze_startup_objects()


async def _run(report: Report, rounds: int, messages: int) -> None:
    report("chat.cores", len(os.sched_getaffinity(0)))
    report("chat.rooms", ROOMS)
    report("chat.senders_in_flight", SENDERS)
    report("chat.measured_msgs", messages * rounds)
    with tempfile.TemporaryDirectory(prefix="fayuan-chat-bench-") as tmp:
        folder = Path(tmp)
        template, (sender, *room_ids) = await _template(folder)
        _freeze_as_serve_does()
        fayuan: list[dict] = []
        raw: list[float] = []
        for number in range(1, rounds + 1):
            ours, theirs = folder / f"fayuan-{number}.sqlite3", folder / f"sqlite3-{number}.sqlite3"
            shutil.copy(template, ours)
            shutil.copy(template, theirs)
            print(f"[bench] chat round {number}/{rounds}", flush=True)
            result = await measure_fayuan(ours, sender, room_ids, messages)
            raw.append(measure_executemany(theirs, result.pop("stored"), max(1, round(result["batch_mean"]))))
            fayuan.append(result)
    _report(report, fayuan, raw, "sqlite3_executemany")


async def _run_postgresql(report: Report, rounds: int, messages: int) -> None:
    """The same on PostgreSQL, the figures' names ending in `.pg`, the ceiling asyncpg's
    executemany: each round on a fresh copy (CREATE DATABASE … TEMPLATE) of one template, in
    databases of the bench's own beside the one FAYUAN_BENCH_DATABASE_URL names."""
    server_url = postgres.server_url()
    if server_url is None:
        report("chat.pg_skipped", postgres.skipped_because())
        return
    pg: Report = lambda name, value: report(name + ".pg", value)  # noqa: E731
    fayuan: list[dict] = []
    raw: list[float] = []
    try:
        async with postgres.Databases(server_url, "chat") as databases:
            template = f"{databases.prefix}_template"
            sender, *room_ids = await _fill_template(await databases.create(template))
            _freeze_as_serve_does()  # asyncpg and its engine came in with the template
            for number in range(1, rounds + 1):
                ours = await databases.create(f"{databases.prefix}_fayuan_{number}", template=template)
                theirs = await databases.create(f"{databases.prefix}_asyncpg_{number}", template=template)
                print(f"[bench] chat on PostgreSQL, round {number}/{rounds}", flush=True)
                result = await measure_fayuan(ours, str(sender), room_ids, messages)
                raw.append(await measure_asyncpg_executemany(theirs, result.pop("stored"),
                                                             max(1, round(result["batch_mean"]))))
                fayuan.append(result)
                for name in (ours, theirs):
                    await databases.drop(make_url(name).database or "")
    except Exception as exc:  # noqa: BLE001 - report why, then go on to the other figures
        pg("chat.msgs_per_s.fayuan", f"failed ({type(exc).__name__}: {exc})")
        return
    _report(pg, fayuan, raw, "asyncpg_executemany")


def _report(report: Report, fayuan: list[dict], raw: list[float], ceiling: str) -> None:
    per_s = [r["msgs_per_s"] for r in fayuan]
    report("chat.msgs_per_s.fayuan", round(statistics.median(per_s)))
    report("chat.p99_ms.fayuan", round(statistics.median(r["p99_ms"] for r in fayuan), 2))
    report("chat.p50_ms.fayuan", round(statistics.median(r["p50_ms"] for r in fayuan), 2))
    report("chat.batch_mean_msgs.fayuan", round(statistics.median(r["batch_mean"] for r in fayuan), 1))
    report(f"chat.msgs_per_s.{ceiling}", round(statistics.median(raw)))
    report("chat.ratio_vs_executemany", round(statistics.median(per_s) / statistics.median(raw), 3))
    report("chat.rounds.msgs_per_s.fayuan", [round(v) for v in per_s])
    report(f"chat.rounds.msgs_per_s.{ceiling}", [round(v) for v in raw])


def main() -> None:
    asyncio.run(run(lambda name, value: print(f"{name}: {value}", flush=True)))


if __name__ == "__main__":
    main()
