"""`fayuan serve` freezes what start-up made; what is made afterwards is still collected."""
from __future__ import annotations

import gc
import weakref

from server import gc_tuning


class Node:
    me: "Node"


def test_freezing_keeps_later_cycles_collectable() -> None:
    try:
        frozen = gc_tuning.freeze_startup_objects()
        assert frozen == gc.get_freeze_count() > 10_000  # the imported modules at least
        assert len(gc.get_objects()) < frozen  # the collector's walks no longer include them

        node = Node()
        node.me = node  # a cycle: only the collector frees it
        alive = weakref.ref(node)
        del node
        gc.collect()
        assert alive() is None
    finally:
        gc.unfreeze()
