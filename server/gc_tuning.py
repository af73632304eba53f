"""Garbage collection for a long-running server: the objects made at start-up are frozen.

Python's cyclic collector, in a full (oldest-generation) collection, walks every object that
has survived so far. After start-up this process holds a few hundred thousand of them —
the modules, classes and functions of aiohttp, SQLAlchemy, alembic, python-socketio, aiortc
and our own, the ORM's mappings, the compiled statements — and none of them will ever be
garbage. Walking them took 60–70 ms on this project's machines, once or twice every few
seconds under chat load, and for that long the event loop answered nobody: it was the chat's
p99.

`gc.freeze()` moves every object alive at that moment into a permanent generation the
collector no longer walks; full collections then see only what was made since (they still
run, and still free cycles among those). Freezing costs nothing at run time; what is frozen
is never collected, so it is done once per process, by `fayuan serve` when start-up is over,
after one last collection (not by the app factory: a test process builds many apps).
"""
from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect once, then take everything still alive out of the collector's walks. Returns
    how many objects are frozen now."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
