"""Which allowed type a file is, decided by its first bytes; the name's extension must agree.

A DOCX starts like any zip: docx.py then looks inside before it is accepted."""
from __future__ import annotations

from dataclasses import dataclass

from server.errors import UnsupportedType
from server.files import names

SNIFF_BYTES = 16  # the longest signature below (RIFF....WEBP) is 12


@dataclass(frozen=True)
class FileType:
    name: str
    mime: str
    extensions: tuple[str, ...]  # the first is added to a name that has none
    is_image: bool = False


PDF = FileType("pdf", "application/pdf", ("pdf",))
JPEG = FileType("jpeg", "image/jpeg", ("jpg", "jpeg"), is_image=True)
PNG = FileType("png", "image/png", ("png",), is_image=True)
WEBP = FileType("webp", "image/webp", ("webp",), is_image=True)
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
ALLOWED = (PDF, JPEG, PNG, WEBP, DOCX)
ALLOWED_TEXT = "PDF, JPEG, PNG, WebP or DOCX"


def detect(head: bytes) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    return None


def check(head: bytes) -> FileType:
    found = detect(head)
    if found is None:
        raise UnsupportedType(f"only {ALLOWED_TEXT} files may be uploaded; this file's contents are none of them")
    return found


def agreeing_name(name: str, found: FileType) -> str:
    """The name to keep: refused when its extension names another type than the bytes are."""
    ext = names.extension(name)
    if not ext:
        return f"{name}.{found.extensions[0]}"
    if ext not in found.extensions:
        raise UnsupportedType(f"the name says .{ext} but the contents are {found.name.upper()}; "
                              f"rename it to .{found.extensions[0]}", detected=found.name, extension=ext)
    return name
