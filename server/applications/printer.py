"""Where documents are rendered: a worker process of the server's own, started on the first
print, so that rendering never holds the event loop.

Rendering is pure Python (~100 ms of CPU a document once the working face is cut). In worker
threads it still holds the GIL: with 8 documents rendering in threads a 10 ms timer on the
event loop ran 850 ms late (bench/applications.py), which is every socket of the server
stalling. In a process it costs the loop only the pickling of a dict and of the PDF bytes.
One worker: documents are printed one at a time by a clerk, and two cores are shared with the
media and the signaling. The worker starts cutting the working face (fonts.py) in a thread of
its own as it starts; documents printed meanwhile are set from the full face.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Mapping

from server.applications import pdf
from server.applications.fonts import FontFile, find_font

WORKERS = 1


def _start_worker(font: FontFile) -> None:
    if pdf.FACES.cache_path(font).is_file():  # cut before: loading it is instant
        pdf.FACES.working(font, wait=True)
        return
    threading.Thread(target=pdf.FACES.working, args=(font,), kwargs={"wait": True}, daemon=True,
                     name="working-face").start()


class Printer:
    """Renders documents in a worker process (spawned, not forked: the server has threads)."""

    def __init__(self, env: Mapping[str, str], workers: int = WORKERS) -> None:
        self.env = env
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    async def render(self, data: Mapping[str, Any]) -> bytes:
        font = find_font(self.env)  # FontMissing when there is none
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_start_worker, initargs=(font,))
        return await asyncio.get_running_loop().run_in_executor(self.pool, pdf.render, dict(data), font)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

