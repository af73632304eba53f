"""`applications.pdf_*` figures: how long one application document takes to render, over every
kind of document (server/applications/specimen.py: each filled in at its longest), and whether
rendering them holds up the event loop.

- applications.pdf_render_ms.p50 / .p99: wall time of one render, ROUNDS renders of each kind,
  one at a time, as the document route does them (printer.Printer: in its worker process, the
  round trip included); the goal is ≤ 300 ms
- applications.pdf_render_cpu_ms.p50: CPU time of one render in this process (the machine's
  other load shows in the wall time, not here)
- applications.pdf_first_render_ms: the first render of the run, which starts the worker process
  and loads the working face (fonts.py; cut before, once per machine)
- applications.pdf_loop_lag_ms.max / .idle: the most a 10 ms timer on the event loop ran late
  while CONCURRENT renders went to the printer at once, and with nothing rendering

    python -m bench.applications      # just this; `python -m bench` runs it too
"""
from __future__ import annotations

import asyncio
import time
from typing import Callable

from server.applications import pdf
from server.applications.fonts import find_font
from server.applications.printer import Printer
from server.applications.specimen import specimen

ROUNDS = 10  # renders of each kind
CONCURRENT = 8
TICK_S = 0.01

Value = float | int | str
Report = Callable[[str, Value], None]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _cpu_ms(kind: str) -> float:
    cpu = time.process_time()
    pdf.render(specimen(kind))
    return (time.process_time() - cpu) * 1000


async def _loop_lag_ms(printer: Printer, renders: int, idle_s: float = 0.0) -> float:
    """The most a TICK_S timer ran late while `renders` documents rendered (or for `idle_s`)."""
    lag = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal lag
        while not done.is_set():
            due = time.perf_counter() + TICK_S
            await asyncio.sleep(TICK_S)
            lag = max(lag, (time.perf_counter() - due) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.gather(*(printer.render(specimen(pdf.KINDS[n % len(pdf.KINDS)])) for n in range(renders)))
    await asyncio.sleep(idle_s)
    done.set()
    await task
    return lag


async def run(report: Report) -> None:
    pdf.FACES.working(find_font({}), wait=True)  # cut here (once per machine), not in the worker
    printer = Printer({})
    try:
        started = time.perf_counter()
        await printer.render(specimen("application_form"))
        report("applications.pdf_first_render_ms", round((time.perf_counter() - started) * 1000, 1))
        walls = []
        for _ in range(ROUNDS):
            for kind in pdf.KINDS:
                started = time.perf_counter()
                await printer.render(specimen(kind))
                walls.append((time.perf_counter() - started) * 1000)
        report("applications.pdf_render_ms.p50", round(percentile(walls, 0.5), 1))
        report("applications.pdf_render_ms.p99", round(percentile(walls, 0.99), 1))
        report("applications.pdf_render_cpu_ms.p50", round(percentile([_cpu_ms(k) for k in pdf.KINDS], 0.5), 1))
        report("applications.pdf_loop_lag_ms.max", round(await _loop_lag_ms(printer, CONCURRENT), 1))
        report("applications.pdf_loop_lag_ms.idle", round(await _loop_lag_ms(printer, 0, idle_s=1.0), 1))
    finally:
        printer.close()


def main() -> None:
    asyncio.run(run(lambda name, value: print(f"{name}: {value}", flush=True)))


if __name__ == "__main__":
    main()
