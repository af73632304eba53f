"""Files: check_* validates, the verbs store, read and scan, and return the Notices of who is
told. An upload goes check_upload → receive → prepare → scan → create; views.py runs them in
that order so that no database transaction stays open while the bytes arrive."""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import AsyncIterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.audit.service import record
from server.notify import Notice
from server.errors import Conflict, NotFound, TooLarge
from server.files import docx, images, sniff
from server.files.limits import MB, FileLimits
from server.db import dialect_insert, rows_changed
from server.files.models import FileQuota, StoredFile
from server.files.parents import Parent, Parents
from server.files.scan import Scanner, ScannerUnavailable
from server.files.state import FileState
from server.files.store import FileStore, Received, receive as receive_stream
from server.presence import service as presence
from signaling.events import FILE_SHARED

IMAGES_DECODED_AT_ONCE = 2  # each decode may take image_max_pixels × 4 bytes
HASH_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Files:
    """What the verbs need besides the session and the actor: one per app (views.install)."""

    store: FileStore
    scanner: Scanner
    limits: FileLimits
    parents: Parents
    decoding: asyncio.Semaphore


@dataclass(frozen=True)
class UploadTarget:
    parent: Parent
    max_bytes: int  # this file's limit: the per-file limit or what the parent has left
    file_max_bytes: int


@dataclass(frozen=True)
class Prepared:
    """An accepted upload, still in files/incoming/, ready to be kept."""

    path: Path
    thumbnail: Path | None
    name: str
    type: sniff.FileType
    size_bytes: int
    sha256: str
    width: int | None = None
    height: int | None = None


@dataclass
class Outcome:
    file: StoredFile
    notices: list[Notice]


def urls(f: StoredFile) -> tuple[str, str | None]:
    return f"/api/files/{f.id}/download", f"/api/files/{f.id}/thumbnail" if f.has_thumbnail else None


async def _usage(session: AsyncSession, kind: str, parent_id: int) -> tuple[int, int]:
    row = (await session.execute(select(FileQuota.file_count, FileQuota.size_bytes)
                                 .where(FileQuota.parent_kind == kind, FileQuota.parent_id == parent_id))).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def reserve(session: AsyncSession, limits: FileLimits, kind: str, parent_id: int, size_bytes: int) -> None:
    """Take a place for one file of `size_bytes` in the parent's quota, inside the caller's
    transaction, or refuse. The check and the count are one conditional UPDATE: PostgreSQL
    re-reads the row after a competing transaction commits, SQLite runs one writer at a time."""
    await session.execute(dialect_insert(session)(FileQuota).values(
        parent_kind=kind, parent_id=parent_id, file_count=0, size_bytes=0).on_conflict_do_nothing())
    taken = await session.execute(
        update(FileQuota)
        .where(FileQuota.parent_kind == kind, FileQuota.parent_id == parent_id,
               FileQuota.file_count < limits.files_per_parent,
               FileQuota.size_bytes + size_bytes <= limits.bytes_per_parent)
        .values(file_count=FileQuota.file_count + 1, size_bytes=FileQuota.size_bytes + size_bytes))
    if rows_changed(taken) == 1:
        return
    count, _used = await _usage(session, kind, parent_id)
    if count >= limits.files_per_parent:
        raise Conflict(f"this {kind} already has {count} files, the most it may have", reason="too_many_files",
                       limit=limits.files_per_parent)
    raise TooLarge(f"this {kind}'s files may take at most {limits.bytes_per_parent // MB} MB",
                   reason="parent_full")


async def check_upload(session: AsyncSession, actor: Actor, files: Files, kind: str, parent_id: int) -> UploadTarget:
    """May `actor` add a file here, and how large may it be? Asked before a byte is read."""
    parent = await files.parents.writable(session, actor, kind, parent_id)
    limits = files.limits
    count, used = await _usage(session, kind, parent_id)
    if count >= limits.files_per_parent:
        raise Conflict(f"this {kind} already has {count} files, the most it may have", reason="too_many_files",
                       limit=limits.files_per_parent)
    left = limits.bytes_per_parent - used
    if left <= 0:
        raise TooLarge(f"this {kind}'s files already take the {limits.bytes_per_parent // MB} MB it may hold",
                       reason="parent_full")
    return UploadTarget(parent=parent, max_bytes=min(limits.file_max_bytes, left),
                        file_max_bytes=limits.file_max_bytes)


def check_declared_length(target: UploadTarget, content_length: int | None) -> None:
    """Refuse from the Content-Length alone, before reading the body, when it says too much."""
    if content_length is not None and content_length > target.max_bytes:
        raise TooLarge(f"a file may be at most {target.max_bytes // MB} MB here", max_bytes=target.max_bytes,
                       reason="parent_full" if target.max_bytes < target.file_max_bytes else "file_too_large")


async def receive(chunks: AsyncIterable[bytes], files: Files, target: UploadTarget, name: str) -> Received:
    """Stream the body to files/incoming/; stops early on a refused type or on passing the limit."""

    def check_head(head: bytes) -> None:
        sniff.agreeing_name(name, sniff.check(head))

    return await receive_stream(chunks, files.store.incoming(), max_bytes=target.max_bytes,
                                head_bytes=sniff.SNIFF_BYTES, check_head=check_head)


async def prepare(received: Received, name: str, files: Files) -> Prepared:
    """Look inside: a DOCX must be a bounded Word document; an image is re-encoded without its
    metadata and gets a thumbnail. Removes what it was given when it refuses."""
    found = sniff.check(received.head)
    kept_name = sniff.agreeing_name(name, found)
    try:
        if found is sniff.DOCX:
            await asyncio.to_thread(docx.inspect, received.path)
        if not found.is_image:
            return Prepared(path=received.path, thumbnail=None, name=kept_name, type=found,
                            size_bytes=received.size_bytes, sha256=received.sha256)
        return await _reencode(received, kept_name, found, files)
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise


async def _reencode(received: Received, name: str, found: sniff.FileType, files: Files) -> Prepared:
    target = files.store.incoming("." + found.extensions[0])
    thumbnail = files.store.incoming(".thumb.jpg")
    try:
        async with files.decoding:
            made = await asyncio.to_thread(images.reencode, received.path, target, thumbnail, found,
                                           max_pixels=files.limits.image_max_pixels)
        size, digest = await asyncio.to_thread(_measure, target)
    except BaseException:
        target.unlink(missing_ok=True)
        thumbnail.unlink(missing_ok=True)
        raise
    received.path.unlink(missing_ok=True)
    return Prepared(path=target, thumbnail=thumbnail, name=name, type=found, size_bytes=size, sha256=digest,
                    width=made.width, height=made.height)


def _measure(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


async def scan(files: Files, prepared: Prepared) -> tuple[FileState, str]:
    """The scanner's verdict as a state; an unreachable scanner leaves the file pending."""
    try:
        verdict = await files.scanner.scan(prepared.path)
    except ScannerUnavailable as exc:
        return FileState.pending_scan, str(exc)[:200]
    return (FileState.clean if verdict.clean else FileState.quarantined), verdict.detail[:200]


async def create(session: AsyncSession, actor: Actor, files: Files, target: UploadTarget, prepared: Prepared,
                 state: FileState, scan_detail: str, *, now: datetime, client_addr: str) -> Outcome:
    """Keep the file and its row. The caller commits, and calls discard() if that fails."""
    parent = target.parent
    await reserve(session, files.limits, parent.kind, parent.id, prepared.size_bytes)
    f = StoredFile(key=files.store.new_key(), parent_kind=parent.kind, parent_id=parent.id, unit_id=parent.unit_id,
                   name=prepared.name, type=prepared.type.name, mime=prepared.type.mime,
                   size_bytes=prepared.size_bytes, sha256=prepared.sha256, width=prepared.width,
                   height=prepared.height, has_thumbnail=prepared.thumbnail is not None, state=state.value,
                   scan_detail=scan_detail, scanned_at=None if state == FileState.pending_scan else now,
                   uploaded_by=actor.ref, uploaded_at=now)
    session.add(f)
    await session.flush()
    files.store.keep(prepared.path, f.key, prepared.thumbnail)
    record(session, at=now, actor=actor, action="file.upload", object=f"file:{f.id}", client_addr=client_addr,
           detail=f"{parent.kind}:{parent.id} {prepared.type.name} {prepared.size_bytes} bytes, {state.value}")
    return Outcome(file=f, notices=_shared(f, parent.room))


async def remove_abandoned(session: AsyncSession, files: Files, *, now: datetime, now_epoch_seconds: float) -> int:
    """Remove the partial uploads of processes that died mid-upload (store.py: how they are told
    from uploads in flight); returns how many. `now` is the leases' clock, `now_epoch_seconds`
    the real time of the files' mtimes."""
    partial = await asyncio.to_thread(files.store.partial_files)  # before the leases: see remove_abandoned
    live = await presence.live_processes(session, now)
    return len(await asyncio.to_thread(files.store.remove_abandoned, partial, live, now_epoch_seconds))


def discard(files: Files, prepared: Prepared, key: str | None = None) -> None:
    prepared.path.unlink(missing_ok=True)
    if prepared.thumbnail is not None:
        prepared.thumbnail.unlink(missing_ok=True)
    if key is not None:
        files.store.remove(key)


def _shared(f: StoredFile, room: str | None) -> list[Notice]:
    """The other side of a live consultation is told about a servable file at once."""
    if room is None or f.state != FileState.clean:
        return []
    download_url, thumbnail_url = urls(f)
    return [Notice(room, FILE_SHARED, {"id": f.id, "parent_kind": f.parent_kind, "parent_id": f.parent_id,
                                       "name": f.name, "type": f.type, "mime": f.mime, "size_bytes": f.size_bytes,
                                       "uploaded_by": f.uploaded_by, "download_url": download_url,
                                       "thumbnail_url": thumbnail_url})]


async def get(session: AsyncSession, actor: Actor, parents: Parents, file_id: int) -> StoredFile:
    f = await session.get(StoredFile, file_id)
    if f is None:
        raise NotFound(f"there is no file {file_id}")
    await parents.readable(session, actor, f.parent_kind, f.parent_id)
    return f


async def listing(session: AsyncSession, actor: Actor, parents: Parents, kind: str, parent_id: int) -> list[StoredFile]:
    await parents.readable(session, actor, kind, parent_id)
    rows = await session.scalars(select(StoredFile).where(StoredFile.parent_kind == kind,
                                                          StoredFile.parent_id == parent_id).order_by(StoredFile.id))
    return list(rows)


def check_servable(f: StoredFile) -> None:
    if f.state == FileState.pending_scan:
        raise Conflict("this file is waiting for its virus scan; try again later", reason="pending_scan")
    if f.state == FileState.quarantined:
        raise Conflict("the virus scanner found something in this file; it is not served", reason="quarantined")


async def get_servable(session: AsyncSession, actor: Actor, parents: Parents, file_id: int, *, now: datetime,
                       client_addr: str, thumbnail: bool = False) -> StoredFile:
    """A file `actor` may download now; the read is an audit row, committed with the request."""
    f = await get(session, actor, parents, file_id)
    check_servable(f)
    if thumbnail and not f.has_thumbnail:
        raise NotFound("this file has no thumbnail")
    record(session, at=now, actor=actor, action="file.thumbnail" if thumbnail else "file.download",
           object=f"file:{f.id}", client_addr=client_addr, detail=f"{f.parent_kind}:{f.parent_id}")
    return f


async def rescan(session: AsyncSession, files: Files, file_id: int, *, now: datetime) -> Outcome:
    """Scan a stored file again (a pending one once the scanner is back, or any with newer
    signatures). A clean verdict on a pending file makes it servable."""
    f = await session.get(StoredFile, file_id)
    if f is None:
        raise NotFound(f"there is no file {file_id}")
    try:
        verdict = await files.scanner.scan(files.store.path(f.key))
    except ScannerUnavailable:
        return Outcome(file=f, notices=[])
    target = FileState.clean if verdict.clean else FileState.quarantined
    if target != f.state:
        FileState(f.state).check(target)
        f.state = target.value
    f.scan_detail, f.scanned_at = verdict.detail[:200], now
    return Outcome(file=f, notices=[])
