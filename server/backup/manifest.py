"""The manifest: every file of a backup with its size and SHA-256, written last and by rename,
so a backup without one is known to be incomplete, and a restore checks every byte before it
touches anything."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
COPY_CHUNK_BYTES = 1024 * 1024


class BackupError(Exception):
    """What stops a backup or a restore; `usage` when the command or the setup must change
    (a non-empty target, no manifest), else a failure (a checksum, a tool that failed)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.message, self.usage = message, usage


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the backup directory, with forward slashes
    size_bytes: int
    sha256: str


def copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file, hashing the bytes as they are copied (what the manifest names is what was
    written, not what the source held a moment later)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(COPY_CHUNK_BYTES):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    shutil.copymode(source, target)
    return size, digest.hexdigest()


def hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as src:
        while chunk := src.read(COPY_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write(directory: Path, entries: list[Entry], info: dict[str, Any]) -> None:
    body = {"format": FORMAT_VERSION, **info, "files": [asdict(e) for e in sorted(entries, key=lambda e: e.path)]}
    partial = directory / f".{MANIFEST_NAME}.partial"
    with partial.open("w", encoding="utf-8") as out:
        json.dump(body, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    partial.rename(directory / MANIFEST_NAME)


def read(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory", usage=True)
    if not path.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST_NAME}: not a backup, or one that did not finish",
                          usage=True)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        files = [Entry(str(f["path"]), int(f["size_bytes"]), str(f["sha256"])) for f in body["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if body.get("format") != FORMAT_VERSION:
        raise BackupError(f"{path} is of format {body.get('format')!r}; this version reads {FORMAT_VERSION}")
    return {**body, "files": files}


def verify(directory: Path, entries: list[Entry]) -> None:
    """Every file the manifest names is there with its size and checksum; raises on the first
    that is not (named, so the operator knows which copy went bad)."""
    root = directory.resolve()
    for entry in entries:
        path = (root / entry.path).resolve()
        if root not in path.parents:  # a manifest must not point outside its backup
            raise BackupError(f"the manifest names {entry.path!r}, outside the backup")
        if not path.is_file():
            raise BackupError(f"{entry.path} is missing from the backup")
        size, sha256 = hash_file(path)
        if (size, sha256) != (entry.size_bytes, entry.sha256):
            raise BackupError(f"{entry.path} does not match the manifest (size or SHA-256): the backup is damaged")
