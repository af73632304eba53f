"""Where file bytes live: `<data dir>/files/<key[:2]>/<key>` under a random key, the thumbnail
beside it as `<key>.thumb.jpg`, and uploads in flight in `files/incoming/`.

Several processes may share one files directory, and a process may die mid-upload (SIGKILL, a
power cut) with nothing run to remove its partial file. So each partial file is named after the
process writing it, `incoming/<process id>-<random>`: the id of its presence lease
(server/presence/), renewed every liveness round. A partial file is abandoned once no live lease
carries its owner's id (`abandoned`): that process is dead, whoever finds out, and no other
process can be writing that file. We chose the lease over an age threshold because nothing bounds
how long an upload may take (a resident on a slow line sends 20 MB for as long as it takes), so
no age is "well above the longest upload"; the lease tells a dead writer from a slow one within
LEASE_SECONDS (a process frozen past its lease loses its uploads in flight, as it loses its
connections). Names without an owner were written before partial files carried one: they go once
UNOWNED_PARTIAL_MAX_AGE_SECONDS have passed since their last write. The retention job removes
abandoned files at each process's start and every hour (files/service.py remove_abandoned).

An upload is streamed, never the whole body in memory. The event loop only receives: the
chunks go, as they come and without a copy, in batches of BATCH_BYTES to a worker thread of the
upload's own, which writes each to the file and adds it to the SHA-256 (both let go of the GIL
for chunks this size, so the thread runs beside the loop on another core). The hand-off is once
per megabyte, not once per network chunk, and one thread keeps the writes in order. Up to
HASH_QUEUE_BATCHES batches may wait for the thread before the loop stops reading to let it catch
up, so a moment of the thread's lag does not stall the socket; memory stays flat whatever the
size (at most HASH_QUEUE_BATCHES + 1 batches). Whatever goes wrong, the thread is stopped before
the file closes, and the partial file is removed."""
from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterable, BinaryIO, Callable

from server.errors import TooLarge

KEY_BYTES = 16
OWNER_SEPARATOR = "-"  # never in a key or a process id (both hex)
# an unowned partial file untouched this long was left by a process of an older version
UNOWNED_PARTIAL_MAX_AGE_SECONDS = 24 * 3600
BATCH_BYTES = 1024 * 1024
HASH_QUEUE_BATCHES = 4


@dataclass(frozen=True)
class Received:
    path: Path
    size_bytes: int
    sha256: str
    head: bytes  # the first bytes, for sniffing


class FileStore:
    def __init__(self, root: Path, owner: str) -> None:
        self.root = root
        self.incoming_dir = root / "incoming"
        self.owner = owner  # this process's presence lease id: the partial files it writes carry it

    @staticmethod
    def new_key() -> str:
        return secrets.token_hex(KEY_BYTES)

    def incoming(self, suffix: str = "") -> Path:
        self.incoming_dir.mkdir(parents=True, exist_ok=True)
        return self.incoming_dir / f"{self.owner}{OWNER_SEPARATOR}{secrets.token_hex(KEY_BYTES)}{suffix}"

    def partial_files(self) -> list[Path]:
        return list(self.incoming_dir.iterdir()) if self.incoming_dir.is_dir() else []

    def remove_abandoned(self, partial: list[Path], live: set[str], now_epoch_seconds: float) -> list[Path]:
        """Remove those of `partial` that no process in `live` (or this one) is writing; returns
        them. List them before reading the leases: a process takes its lease before its first
        upload, so every owner of a listed file was registered by then and is seen if alive.
        `now_epoch_seconds` is the real time, which files' mtimes use."""
        gone = [path for path in partial if abandoned(path, live | {self.owner}, now_epoch_seconds)]
        for path in gone:
            path.unlink(missing_ok=True)
        return gone

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


def abandoned(path: Path, live: set[str], now_epoch_seconds: float) -> bool:
    """Is this partial file one that no live process is writing?"""
    owner, separator, _rest = path.name.partition(OWNER_SEPARATOR)
    if separator:
        return owner not in live
    try:
        return now_epoch_seconds - path.stat().st_mtime > UNOWNED_PARTIAL_MAX_AGE_SECONDS
    except FileNotFoundError:  # kept or removed meanwhile
        return False


def _write_and_hash(out: BinaryIO, digest: "hashlib._Hash", parts: list[bytes]) -> None:
    for part in parts:  # each releases the GIL for anything larger than a few KB
        out.write(part)
        digest.update(part)


async def receive(chunks: AsyncIterable[bytes], target: Path, *, max_bytes: int, head_bytes: int,
                  check_head: Callable[[bytes], None]) -> Received:
    """Stream `chunks` into `target`, counting and hashing as they come. Raises TooLarge as soon
    as the count passes `max_bytes`; calls `check_head` once the first `head_bytes` are in, so a
    refused type stops the upload early."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    pending: deque[Future[None]] = deque()  # batches handed to the thread, oldest first
    batch: list[bytes] = []
    batch_bytes = 0
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload-writer")

    async def hand_off() -> None:
        nonlocal batch, batch_bytes
        while pending and pending[0].done():
            pending.popleft().result()
        if len(pending) >= HASH_QUEUE_BATCHES:
            await asyncio.wrap_future(pending.popleft())
        pending.append(worker.submit(_write_and_hash, out, digest, batch))
        batch, batch_bytes = [], 0

    try:
        with target.open("xb") as out:
            try:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"a file may be at most {max_bytes // (1024 * 1024)} MB",
                                       max_bytes=max_bytes)
                    if len(head) < head_bytes:
                        head += chunk[: head_bytes - len(head)]
                        if len(head) == head_bytes:
                            check_head(head)
                    batch.append(chunk)
                    batch_bytes += len(chunk)
                    if batch_bytes >= BATCH_BYTES:
                        await hand_off()
                if len(head) < head_bytes:
                    check_head(head)
                if batch:
                    await hand_off()
                while pending:
                    await asyncio.wrap_future(pending.popleft())
            finally:  # nothing may write to the file once it is closed
                worker.shutdown(wait=True, cancel_futures=True)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Received(path=target, size_bytes=size, sha256=digest.hexdigest(), head=head)
