"""Where file bytes live: `<data dir>/files/<key[:2]>/<key>` under a random key, the thumbnail
beside it as `<key>.thumb.jpg`, and uploads in flight in `files/incoming/`.

An upload is streamed, never the whole body in memory: each chunk is written to the page
cache from the event loop as it comes, as a plain aiohttp handler's would, and the SHA-256
is taken in a worker thread of the upload's own, beside the loop: the chunks themselves go
to the thread (no copy: joining them cost the loop as much as writing them) in batches of
BATCH_BYTES, so the hand-off is once per megabyte, not once per network chunk. Up to
HASH_QUEUE_BATCHES batches may wait for the thread before the loop stops reading to let it
catch up, so a moment of the thread's lag does not stall the socket; memory stays flat
whatever the size (at most HASH_QUEUE_BATCHES + 1 batches). Whatever goes wrong, the partial
file is removed."""
from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterable, Callable

from server.errors import TooLarge

KEY_BYTES = 16
BATCH_BYTES = 1024 * 1024
HASH_QUEUE_BATCHES = 4


@dataclass(frozen=True)
class Received:
    path: Path
    size_bytes: int
    sha256: str
    head: bytes  # the first bytes, for sniffing


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming_dir = root / "incoming"

    @staticmethod
    def new_key() -> str:
        return secrets.token_hex(KEY_BYTES)

    def incoming(self, suffix: str = "") -> Path:
        self.incoming_dir.mkdir(parents=True, exist_ok=True)
        return self.incoming_dir / f"{secrets.token_hex(KEY_BYTES)}{suffix}"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def thumbnail_path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.thumb.jpg"

    def keep(self, received: Path, key: str, thumbnail: Path | None = None) -> None:
        """Move a finished upload (and its thumbnail) into place; a rename, not a copy."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received, target)
        if thumbnail is not None:
            os.replace(thumbnail, self.thumbnail_path(key))

    def remove(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
        self.thumbnail_path(key).unlink(missing_ok=True)


def _update(digest: "hashlib._Hash", parts: list[bytes]) -> None:
    for part in parts:
        digest.update(part)  # releases the GIL for anything larger than 2 KB


async def receive(chunks: AsyncIterable[bytes], target: Path, *, max_bytes: int, head_bytes: int,
                  check_head: Callable[[bytes], None]) -> Received:
    """Stream `chunks` into `target`, counting and hashing as they come. Raises TooLarge as soon
    as the count passes `max_bytes`; calls `check_head` once the first `head_bytes` are in, so a
    refused type stops the upload early."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    hashing: deque[Future[None]] = deque()  # batches handed to the thread, oldest first
    batch: list[bytes] = []
    batch_bytes = 0
    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload-sha256")

    async def hash_batch() -> None:
        nonlocal batch, batch_bytes
        while hashing and hashing[0].done():
            hashing.popleft().result()
        if len(hashing) >= HASH_QUEUE_BATCHES:
            await asyncio.wrap_future(hashing.popleft())
        hashing.append(hasher.submit(_update, digest, batch))
        batch, batch_bytes = [], 0

    try:
        with target.open("xb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"a file may be at most {max_bytes // (1024 * 1024)} MB", max_bytes=max_bytes)
                if len(head) < head_bytes:
                    head += chunk[: head_bytes - len(head)]
                    if len(head) == head_bytes:
                        check_head(head)
                out.write(chunk)
                batch.append(chunk)
                batch_bytes += len(chunk)
                if batch_bytes >= BATCH_BYTES:
                    await hash_batch()
            if len(head) < head_bytes:
                check_head(head)
            if batch:
                await hash_batch()
            while hashing:
                await asyncio.wrap_future(hashing.popleft())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        hasher.shutdown(wait=True)
    return Received(path=target, size_bytes=size, sha256=digest.hexdigest(), head=head)
