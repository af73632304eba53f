"""The upload stream: written as it comes, hashed beside the loop in queued batches, the
partial file removed whatever stops it."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import AsyncIterator

import pytest

from server.errors import TooLarge
from server.files import store

HEAD = b"%PDF-1.7\n"


async def chunks_of(data: bytes, sizes: list[int]) -> AsyncIterator[bytes]:
    at, i = 0, 0
    while at < len(data):
        size = sizes[i % len(sizes)]
        yield data[at:at + size]
        at, i = at + size, i + 1


async def test_many_batches_in_uneven_chunks_hash_and_store_every_byte(tmp_path: Path) -> None:
    # more batches than may queue for the thread, chunks that do not line up with the batches
    data = HEAD + os.urandom(store.BATCH_BYTES * (store.HASH_QUEUE_BATCHES + 3) + 12_345)
    heads: list[bytes] = []
    got = await store.receive(chunks_of(data, [65_537, 300_000, 1, 1_048_577]), tmp_path / "in", max_bytes=len(data),
                              head_bytes=len(HEAD), check_head=heads.append)
    assert heads == [HEAD] and got.head == HEAD
    assert (got.size_bytes, got.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (tmp_path / "in").read_bytes() == data


async def test_passing_the_limit_midway_leaves_no_file(tmp_path: Path) -> None:
    data = HEAD + os.urandom(3 * store.BATCH_BYTES)
    with pytest.raises(TooLarge):
        await store.receive(chunks_of(data, [100_000]), tmp_path / "in", max_bytes=2 * store.BATCH_BYTES + 5,
                            head_bytes=len(HEAD), check_head=lambda head: None)
    assert list(tmp_path.iterdir()) == []


async def test_a_refused_head_stops_before_the_rest(tmp_path: Path) -> None:
    seen = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal seen
        async for chunk in chunks_of(b"MZ" + bytes(5 * store.BATCH_BYTES), [4096]):
            seen += len(chunk)
            yield chunk

    def refuse(head: bytes) -> None:
        raise ValueError("not a type we take")

    with pytest.raises(ValueError):
        await store.receive(counted(), tmp_path / "in", max_bytes=1 << 30, head_bytes=16, check_head=refuse)
    assert seen == 4096 and list(tmp_path.iterdir()) == []
