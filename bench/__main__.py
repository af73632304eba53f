"""`python -m bench` (what `make bench` runs): prints `name: value` lines and writes them to
bench/results/latest.json."""
from __future__ import annotations

import argparse
import asyncio
import json
import platform
from datetime import datetime, timezone
from pathlib import Path

from bench import applications as applications_bench
from bench import chat as chat_bench
from bench import consultation
from bench import files as files_bench
from bench import meetings as meetings_bench
from bench import scale as scale_bench
from bench.signaling import run
from bench.signaling.load import LoadPlan

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
# the parts of the run, in the order they run (--modules picks some)
MODULES = ("signaling", "files", "chat", "meetings", "applications", "kiosk", "scale")


def main() -> None:
    defaults = LoadPlan()
    parser = argparse.ArgumentParser(prog="python -m bench", description="fayuan's benchmarks (they assert nothing)")
    parser.add_argument("--pairs", type=int, default=defaults.pairs, help="client pairs, each in a room of its own")
    parser.add_argument("--rate", type=int, default=defaults.rate_msg_per_s,
                        help="offered messages per second, all pairs together")
    parser.add_argument("--messages", type=int, default=defaults.messages_per_round,
                        help="measured messages per implementation and round")
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--only", help="comma-separated implementations, e.g. node,fayuan")
    parser.add_argument("--modules", help=f"comma-separated parts to run, of {','.join(MODULES)} (default: all); "
                                          "latest.json then holds only their figures")
    scale_defaults = consultation.ScalePlan()
    parser.add_argument("--kiosks", type=int, default=scale_defaults.kiosks,
                        help="connected kiosks for the memory and take-next figures (0: skip them)")
    parser.add_argument("--take-rate", type=int, default=scale_defaults.take_rate_per_s,
                        help="offered queue.take per second (each with a kiosk starting a consultation; 0: skip)")
    args = parser.parse_args()
    try:
        plan = LoadPlan(pairs=args.pairs, rate_msg_per_s=args.rate, messages_per_round=args.messages,
                        rounds=args.rounds, warmup_messages=min(defaults.warmup_messages, args.messages))
    except ValueError as exc:
        parser.error(str(exc))
    modules = set(args.modules.split(",")) if args.modules else set(MODULES)
    if modules - set(MODULES):
        parser.error(f"unknown --modules {','.join(sorted(modules - set(MODULES)))}; choose from {','.join(MODULES)}")

    figures: dict[str, run.Value] = {}

    def report(name: str, value: run.Value) -> None:
        figures[name] = value
        print(f"{name}: {value}", flush=True)

    run.pin_load_generator()
    started = datetime.now(timezone.utc)
    if "signaling" in modules:
        asyncio.run(run.run(plan, report, set(args.only.split(",")) if args.only else None))
    if "files" in modules:
        asyncio.run(files_bench.run(report))
    if "chat" in modules:
        asyncio.run(chat_bench.run(report))
    if "meetings" in modules:
        asyncio.run(meetings_bench.run(report))
    if "applications" in modules:
        asyncio.run(applications_bench.run(report))
    if "kiosk" in modules and args.kiosks > 0:
        scale = consultation.ScalePlan(kiosks=args.kiosks, take_rate_per_s=args.take_rate,
                                       takes=min(scale_defaults.takes, args.kiosks - consultation.QUEUE_DEPTH))
        asyncio.run(consultation.run(scale, report))
    if "scale" in modules:
        # skipped, saying why, without FAYUAN_BENCH_DATABASE_URL / _REDIS_URL
        asyncio.run(scale_bench.run(report))
    for line in beside_postgresql(figures):
        print(line)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"started_at": started.isoformat(timespec="seconds"), "host": platform.node(),
                                   "python": platform.python_version(), "figures": figures},
                                  indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS}")


def beside_postgresql(figures: dict[str, run.Value]) -> list[str]:
    """The figures measured on both databases, SQLite's and PostgreSQL's (`<name>.pg`) side by
    side, as lines to print after the run."""
    pairs = [(name.removesuffix(".pg"), value) for name, value in figures.items() if name.endswith(".pg")]
    rows = [(name, str(figures[name]), str(pg)) for name, pg in pairs if name in figures]
    if not rows:
        return []
    width = max(len(name) for name, _, _ in rows)
    sqlite_width = max(len("SQLite"), *(len(value) for _, value, _ in rows))
    return ["", f"{'':{width}}  {'SQLite':>{sqlite_width}}  PostgreSQL"] + [
        f"{name:{width}}  {value:>{sqlite_width}}  {pg}" for name, value, pg in rows]


if __name__ == "__main__":
    main()
