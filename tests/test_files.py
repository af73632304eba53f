"""Evidence files: refused uploads (size, type, name, zip bomb, pixel bomb), images stripped of
their EXIF, downloads only for those allowed and each one audited, quarantine, clamd."""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import struct
import tracemalloc
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.audit.models import AuditEntry
from server.files import names, service
from server.files.scan import Clamd, ScannerUnavailable, Verdict, parse_reply
from server.files.service import Files
from server.files.store import UNOWNED_PARTIAL_MAX_AGE_SECONDS
from server.files.views import FILES
from server.presence import service as presence
from server.presence.service import LEASE_SECONDS
from server.web import keys
from tests.route_table import ACTORS, TINY_PNG, Caller, Request, World, consultation_in, file_in

MB = 1024 * 1024


class FakeScanner:
    """Answers what the test says; `unavailable` makes it behave like a clamd that is down."""

    def __init__(self) -> None:
        self.verdict = Verdict(clean=True, detail="fake: clean")
        self.unavailable = False
        self.scanned: list[Path] = []

    async def scan(self, path: Path) -> Verdict:
        self.scanned.append(path)
        if self.unavailable:
            raise ScannerUnavailable("fake scanner is down")
        return self.verdict


@pytest.fixture
def scanner(app) -> FakeScanner:  # type: ignore[no-untyped-def]
    """Installed before the app starts: every test that uploads names it before `client`."""
    assert not app.frozen
    fake = FakeScanner()
    files: Files = app[FILES]
    app[FILES] = Files(store=files.store, scanner=fake, limits=files.limits, parents=files.parents,
                       decoding=files.decoding)
    return fake


@pytest.fixture
async def kiosk(scanner: FakeScanner, world: World, client) -> Caller:  # type: ignore[no-untyped-def]
    caller = Caller(str(client.make_url("")), next(a for a in ACTORS if a.name == "kiosk"), world)
    await caller.sign_in()
    yield caller
    await caller.close()


async def upload(caller: Caller, world: World, data: bytes, name: str, unit: str = "C-EAST-1",
                 **headers: str) -> tuple[int, dict]:
    consultation = await consultation_in(world, unit)
    return await caller.send("POST", Request("/api/files", query={"parent_kind": "consultation",
                                                                  "parent_id": str(consultation)},
                                             data=data, headers={"X-Filename": quote(name), **headers}))


async def fetch(caller: Caller, path: str) -> tuple[int, bytes]:
    async with caller.http.get(caller.base_url + path, headers=caller.headers) as resp:
        return resp.status, await resp.read()


def leftovers(app) -> list[Path]:  # type: ignore[no-untyped-def]
    root = app[FILES].store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # Orientation
    gps = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height: tiny on the wire, huge if ever decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + \
        chunk(b"IEND", b"")


def docx(extra: dict[str, bytes] | None = None, *, document: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        if document:
            archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


# -- refused uploads ----------------------------------------------------------------------------------

async def test_too_large_is_refused_from_content_length_before_the_body(kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    sent = 0

    async def body():  # type: ignore[no-untyped-def]
        nonlocal sent
        chunk = b"%PDF-" + b"\0" * (MB - 5)
        for _ in range(50):
            sent += len(chunk)
            yield chunk

    status, reply = await upload(kiosk, world, body(), "big.pdf",  # type: ignore[arg-type]
                                 **{"Content-Length": str(50 * MB)})
    assert status == 413 and reply["error"]["code"] == "too_large"
    assert sent < 50 * MB
    assert leftovers(app) == []


async def test_too_large_without_length_stops_at_the_limit_with_flat_memory(kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    """A chunked 50 MB body against the 20 MB limit: 413 once the count passes 20 MB, no partial
    file left, and memory in this process (client and server both) stays flat."""
    chunk = b"%PDF-" + os.urandom(MB - 5)
    sent = 0

    async def body():  # type: ignore[no-untyped-def]
        nonlocal sent
        for _ in range(50):
            sent += len(chunk)
            yield chunk

    tracemalloc.start()
    try:
        status, reply = await upload(kiosk, world, body(), "big.pdf")  # type: ignore[arg-type]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413 and reply["error"]["code"] == "too_large", reply
    assert sent < 50 * MB, "the server answered only after the whole body"
    # bounded, whatever the upload's size: the client's chunk, up to four 1 MB batches waiting for
    # the hash thread (files/store.py) and aiohttp's buffers; a busy machine fills the queue (8.0 MB
    # was seen with both cores loaded), a buffered body would be 20-50 MB
    assert peak < 12 * MB, f"peak traced memory {peak / MB:.1f} MB during a 50 MB upload"
    assert leftovers(app) == []


@pytest.mark.parametrize("data, name, code", [
    (b"MZ\x90\x00\x03" + b"\0" * 500, "contract.pdf", "unsupported_type"),  # an .exe renamed .pdf
    (jpeg_with_gps(), "x.jpg.php", "unsupported_type"),
    (TINY_PNG, "scan.jpg", "unsupported_type"),  # a PNG that says it is a JPEG
    (b"%PDF-1.7\n", "../../etc/passwd.pdf", "invalid"),
    (b"%PDF-1.7\n", "a/b.pdf", "invalid"),
    (b"%PDF-1.7\n", "a\\b.pdf", "invalid"),
    (b"%PDF-1.7\n", "nul\x00.pdf", "invalid"),
    (b"%PDF-1.7\n", "bell\x07.pdf", "invalid"),
    (b"%PDF-1.7\n", "invoice\u202efdp.exe", "invalid"),  # right-to-left override
    (b"%PDF-1.7\n", ".pdf", "invalid"),
    (b"%PDF-1.7\n", "..", "invalid"),
    (docx(document=False), "notes.docx", "unsupported_type"),
    (docx({"word/vbaProject.bin": b"macro"}), "macro.docx", "unsupported_type"),
    (b"PK\x03\x04 not really a zip", "broken.docx", "unsupported_type"),
    (png_declaring(100_000, 100_000), "huge.png", "unsupported_type"),
    (png_declaring(8_000, 8_000), "big.png", "unsupported_type"),  # 64 MP: over our 40 MP limit
])
async def test_refused_uploads_leave_nothing(kiosk, world, app, data, name, code) -> None:  # type: ignore[no-untyped-def]
    status, reply = await upload(kiosk, world, data, name)
    assert reply["error"]["code"] == code, reply
    assert status in (400, 415)
    assert leftovers(app) == []


async def test_a_zip_bomb_docx_is_refused(kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    bomb = docx({"word/media/zeros.bin": b"\0" * (200 * MB)})  # ~200 KB on the wire
    assert len(bomb) < MB
    status, reply = await upload(kiosk, world, bomb, "bomb.docx")
    assert status == 415 and ("zip bomb" in reply["error"]["message"] or "unpack" in reply["error"]["message"])
    many = docx({f"word/p{i}.xml": b"<p/>" for i in range(1200)})
    status, reply = await upload(kiosk, world, many, "many.docx")
    assert status == 415 and "parts" in reply["error"]["message"]
    assert leftovers(app) == []


async def test_a_pixel_bomb_is_never_decoded(monkeypatch, kiosk, world) -> None:  # type: ignore[no-untyped-def]
    decoded: list[tuple[int, int]] = []
    real_load = Image.Image.load

    def spy(self):  # type: ignore[no-untyped-def]
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(Image.Image, "load", spy)
    status, _ = await upload(kiosk, world, png_declaring(100_000, 100_000), "huge.png")
    assert status == 415
    assert (100_000, 100_000) not in decoded


# -- accepted uploads ---------------------------------------------------------------------------------

async def test_a_jpeg_comes_back_without_its_gps(kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    status, meta = await upload(kiosk, world, original, "現場 照片.JPG")
    assert status == 201, meta
    assert (meta["type"], meta["mime"], meta["state"], meta["name"]) == ("jpeg", "image/jpeg", "clean", "現場 照片.JPG")
    assert (meta["width"], meta["height"]) == (64, 48) and meta["thumbnail_url"]
    async with kiosk.http.get(kiosk.base_url + meta["download_url"], headers=kiosk.headers) as resp:
        assert resp.status == 200
        served = await resp.read()
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Type"] == "image/jpeg"
        disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''%E7%8F%BE%E5%A0%B4%20%E7%85%A7%E7%89%87.JPG" in disposition
    stripped = Image.open(io.BytesIO(served))
    assert not stripped.getexif() and b"PhoneMaker" not in served and b"Exif" not in served
    assert hashlib.sha256(served).hexdigest() == meta["sha256"] and len(served) == meta["size_bytes"]
    async with kiosk.http.get(kiosk.base_url + meta["thumbnail_url"], headers=kiosk.headers) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == "image/jpeg"
        assert max(Image.open(io.BytesIO(await resp.read())).size) <= 320


async def test_pdf_docx_png_webp_are_accepted_and_listed(kiosk, world) -> None:  # type: ignore[no-untyped-def]
    webp = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(webp, "WEBP")
    for data, name, kind in [(b"%PDF-1.7\n%%EOF\n", "判決書.pdf", "pdf"), (docx(), "借條", "docx"),
                             (TINY_PNG, "a.png", "png"), (webp.getvalue(), "b.webp", "webp")]:
        status, meta = await upload(kiosk, world, data, name)
        assert status == 201 and meta["type"] == kind, meta
    status, listed = await kiosk.send("GET", Request("/api/files", query={
        "parent_kind": "consultation", "parent_id": str(await consultation_in(world, "C-EAST-1"))}))
    assert status == 200
    assert [f["name"] for f in listed] == ["判決書.pdf", "借條.docx", "a.png", "b.webp"]
    assert [f["thumbnail_url"] is not None for f in listed] == [False, False, True, True]


async def test_per_parent_limits(kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    files: Files = app[FILES]
    object.__setattr__(files.limits, "files_per_parent", 2)
    assert (await upload(kiosk, world, b"%PDF-1\n", "1.pdf"))[0] == 201
    assert (await upload(kiosk, world, b"%PDF-1\n", "2.pdf"))[0] == 201
    status, reply = await upload(kiosk, world, b"%PDF-1\n", "3.pdf")
    assert status == 409 and reply["error"]["details"]["reason"] == "too_many_files"
    object.__setattr__(files.limits, "files_per_parent", 20)
    object.__setattr__(files.limits, "bytes_per_parent", 20)
    status, reply = await upload(kiosk, world, b"%PDF-1\n", "4.pdf")
    assert status == 413 and reply["error"]["details"]["reason"] == "parent_full"


async def test_concurrent_uploads_never_pass_the_per_parent_limit(kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    """50 uploads at once to one parent: counting and then inserting stored 21–24 of them
    against a limit of 20; the conditional quota UPDATE keeps exactly 20."""
    files: Files = app[FILES]
    assert files.limits.files_per_parent == 20
    consultation = await consultation_in(world, "C-EAST-1")
    assert (await upload(kiosk, world, b"%PDF-1\n", "0.pdf"))[0] == 201  # one before the rush
    results = await asyncio.gather(*(upload(kiosk, world, b"%PDF-1\n" + bytes([i]), f"{i}.pdf") for i in range(50)))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 19 and statuses.count(409) == 31, statuses
    assert all(reply["error"]["details"]["reason"] == "too_many_files" for status, reply in results if status == 409)
    status, listed = await kiosk.send("GET", Request("/api/files", query={"parent_kind": "consultation",
                                                                         "parent_id": str(consultation)}))
    assert status == 200 and len(listed) == 20
    assert len([p for p in leftovers(app) if "incoming" not in p.parts and not p.name.endswith(".jpg")]) == 20


async def test_the_other_side_of_a_live_consultation_is_told(kiosk, world, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server.realtime.setup import SIO

    emitted: list[tuple] = []

    async def emit(event, data, room=None, **kw):  # type: ignore[no-untyped-def]
        emitted.append((event, data, room))

    monkeypatch.setattr(app[SIO], "emit", emit)
    status, meta = await upload(kiosk, world, TINY_PNG, "借據.png")
    assert status == 201
    consultation = await consultation_in(world, "C-EAST-1")
    [(event, data, room)] = emitted
    assert (event, room) == ("file.shared", f"consultation:{consultation}")
    assert data["id"] == meta["id"] and data["name"] == "借據.png" and data["thumbnail_url"] == meta["thumbnail_url"]
    assert data["uploaded_by"] == meta["uploaded_by"]


# -- partial uploads of dead processes ----------------------------------------------------------------

async def test_partial_uploads_go_only_once_their_process_is_dead(app, client, db, clock) -> None:  # type: ignore[no-untyped-def]
    """What the retention job runs at start and hourly; tests/test_files_processes.py does it
    with a process SIGKILLed mid-upload."""
    store = app[FILES].store
    async with db.sessions() as s:
        await presence.register(s, "dead", clock.now() - timedelta(seconds=LEASE_SECONDS + 1))
        await presence.register(s, "alive", clock.now() - timedelta(seconds=LEASE_SECONDS - 1))
        await s.commit()
    store.incoming_dir.mkdir(parents=True, exist_ok=True)
    long_ago = app[keys.WALL_CLOCK].now().timestamp() - UNOWNED_PARTIAL_MAX_AGE_SECONDS - 60
    names = {"mine": store.incoming().name, "dead": "dead-0a1b", "dead_thumb": "dead-2c3d.thumb.jpg",
             "alive": "alive-4e5f", "unknown": "gone-6a7b", "unowned_old": "0a1b2c", "unowned_new": "3d4e5f"}
    for name in names.values():
        (store.incoming_dir / name).write_bytes(b"%PDF-1.7\n")
    os.utime(store.incoming_dir / names["unowned_old"], (long_ago, long_ago))
    # written now by the clock the service reads (a faked clock, faketime's, is not the file system's)
    just_now = app[keys.WALL_CLOCK].now().timestamp()
    os.utime(store.incoming_dir / names["unowned_new"], (just_now, just_now))
    async with db.sessions() as s:
        removed = await service.remove_abandoned(s, app[FILES], now=clock.now(),
                                                 now_epoch_seconds=app[keys.WALL_CLOCK].now().timestamp())
    assert removed == 4
    assert sorted(p.name for p in store.incoming_dir.iterdir()) == sorted(
        names[k] for k in ("mine", "alive", "unowned_new"))


# -- who may download, and the audit --------------------------------------------------------------------

async def test_every_role_downloads_only_what_it_may_and_each_download_is_audited(scanner, client, world) -> None:  # type: ignore[no-untyped-def]
    units = ["CENTER", "D-UNION", "S-EAST", "S-WEST", "C-EAST-1", "C-EAST-2", "C-WEST-1"]
    files = {unit: await file_in(world, unit) for unit in units}
    wrong, allowed = [], 0
    async with world.db.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(AuditEntry)
                                      .where(AuditEntry.action == "file.download"))
    for actor in ACTORS:
        caller = Caller(str(client.make_url("")), actor, world)
        await caller.sign_in()
        try:
            for unit, file_id in files.items():
                if file_id is None:
                    continue
                # staff by the unit tree, the kiosk its own; lawyer1 took every sample consultation
                may = actor.unit is not None and world.holds(actor.unit, unit)
                status, _ = await fetch(caller, f"/api/files/{file_id}/download")
                if status == 200:
                    allowed += 1
                if (status == 200) != may:
                    wrong.append(f"{actor.name} → file in {unit}: {status}")
        finally:
            await caller.close()
    assert not wrong, wrong
    async with world.db.sessions() as session:
        rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "file.download")))
    assert len(rows) - before == allowed and allowed > 0
    assert all(r.object.startswith("file:") and r.outcome == "ok" for r in rows)


async def test_a_kiosk_sees_no_files_once_its_consultation_ended(kiosk, world) -> None:  # type: ignore[no-untyped-def]
    from server.consultations.models import Consultation

    status, meta = await upload(kiosk, world, b"%PDF-1\n", "a.pdf")
    assert status == 201
    async with world.db.sessions.begin() as session:
        (await session.get(Consultation, meta["parent_id"])).state = "ended"
    status, _ = await fetch(kiosk, meta["download_url"])
    assert status == 403
    status, _ = await upload(kiosk, world, b"%PDF-1\n", "b.pdf")
    assert status == 403


async def test_quarantine_blocks_download_until_clean(scanner, kiosk, world, app) -> None:  # type: ignore[no-untyped-def]
    from server.files import service

    scanner.unavailable = True
    status, meta = await upload(kiosk, world, b"%PDF-1.7\n", "pending.pdf")
    assert status == 201 and meta["state"] == "pending_scan"
    status, reply = await kiosk.send("GET", Request(meta["download_url"]))
    assert status == 409 and reply["error"]["details"]["reason"] == "pending_scan"
    scanner.unavailable = False
    async with world.db.sessions.begin() as session:
        await service.rescan(session, app[FILES], meta["id"], now=world.now)
    status, _ = await fetch(kiosk, meta["download_url"])
    assert status == 200

    scanner.verdict = Verdict(clean=False, detail="fake: Eicar-Test-Signature")
    status, meta = await upload(kiosk, world, b"%PDF-1.7\n", "eicar.pdf")
    assert status == 201 and meta["state"] == "quarantined"
    for path in (meta["download_url"], f"/api/files/{meta['id']}/thumbnail"):
        status, reply = await kiosk.send("GET", Request(path))
        assert status in (404, 409)


# -- pure helpers -----------------------------------------------------------------------------------------

def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    header = names.content_disposition('判決 "書".pdf')
    assert header == "attachment; filename=\"file.pdf\"; filename*=UTF-8''%E5%88%A4%E6%B1%BA%20%22%E6%9B%B8%22.pdf"
    assert names.ascii_fallback("Café résumé.pdf") == "Cafe resume.pdf"


async def test_clamd_instream_against_a_fake_clamd(tmp_path) -> None:  # type: ignore[no-untyped-def]
    received = bytearray()

    async def clamd(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert await reader.readexactly(10) == b"zINSTREAM\0"
        while size := struct.unpack(">I", await reader.readexactly(4))[0]:
            received.extend(await reader.readexactly(size))
        found = b"EICAR" in received
        writer.write(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(clamd, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sample = tmp_path / "sample"
    try:
        sample.write_bytes(b"x" * 200_000)
        assert (await Clamd(f"tcp://127.0.0.1:{port}").scan(sample)).clean
        assert bytes(received) == b"x" * 200_000
        received.clear()
        sample.write_bytes(b"EICAR")
        verdict = await Clamd(f"tcp://127.0.0.1:{port}").scan(sample)
        assert not verdict.clean and "Eicar" in verdict.detail
    finally:
        server.close()
        await server.wait_closed()
    with pytest.raises(ScannerUnavailable):
        await Clamd(f"tcp://127.0.0.1:{port}", timeout_seconds=2).scan(sample)
    with pytest.raises(ScannerUnavailable):
        parse_reply("INSTREAM size limit exceeded. ERROR")
