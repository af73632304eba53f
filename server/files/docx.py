"""Looking inside a DOCX before it is accepted: a zip can be a bomb, or not a document.

Nothing is extracted to disk. Every entry is decompressed once, in chunks, to prove that its
declared size is true (zipfile stops at the declared size and then checks the CRC), so the
limits below hold for what Word will actually unpack."""
from __future__ import annotations

import zipfile
from pathlib import Path

from server.errors import UnsupportedType

MAX_ENTRIES = 1000  # a long report has a few dozen; thousands are a bomb's padding
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed : compressed, per entry above RATIO_FLOOR_BYTES and overall
RATIO_FLOOR_BYTES = 1024 * 1024  # small XML parts compress very well and harm nobody
REQUIRED = ("[Content_Types].xml", "word/document.xml")
READ_CHUNK_BYTES = 64 * 1024


class NotADocument(UnsupportedType):
    pass


def inspect(path: Path) -> None:
    """Raise NotADocument unless the zip at `path` is a plausible, bounded Word document."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            _check_directory(entries, path.stat().st_size)
            for entry in entries:
                _decompress(archive, entry)
    except zipfile.BadZipFile as exc:
        raise NotADocument(f"this is not a readable DOCX: {exc}") from None
    except (EOFError, NotImplementedError, ValueError, OSError) as exc:
        raise NotADocument(f"this DOCX cannot be read: {type(exc).__name__}") from None


def _check_directory(entries: list[zipfile.ZipInfo], archive_bytes: int) -> None:
    if len(entries) > MAX_ENTRIES:
        raise NotADocument(f"this DOCX has {len(entries)} parts; at most {MAX_ENTRIES} are accepted")
    names = {entry.filename for entry in entries}
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise NotADocument(f"this zip is not a Word document (no {', '.join(missing)})")
    if "word/vbaProject.bin" in names:
        raise NotADocument("documents with macros are not accepted")
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise NotADocument("encrypted documents are not accepted")
        if entry.filename.startswith(("/", "\\")) or ".." in entry.filename.replace("\\", "/").split("/"):
            raise NotADocument("this DOCX has a part with a path outside the document")
        total += entry.file_size
        if entry.file_size > RATIO_FLOOR_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise NotADocument(f"part {entry.filename[:80]!r} expands more than {MAX_RATIO}×: refused as a zip bomb")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise NotADocument(f"this DOCX would unpack to {total // (1024 * 1024)} MB; at most "
                           f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB are accepted")
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(archive_bytes, 1):
        raise NotADocument(f"this DOCX expands more than {MAX_RATIO}×: refused as a zip bomb")


def _decompress(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    with archive.open(entry) as part:
        while part.read(READ_CHUNK_BYTES):
            pass
