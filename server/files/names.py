"""Uploaded file names: refused, not repaired, when they carry anything but a name.

The name is only for display and for the download's Content-Disposition (the bytes live
under a random key), yet a name with a path in it is a sign of a confused or hostile client,
and silently "fixing" it would show people a name they never chose. So:

- refused (400): `/`, `\\`, NUL and every other control character, bidirectional and other
  invisible format characters (U+202E makes "gpj.exe" look like "exe.jpg"), "." and "..",
  an empty stem, more than MAX_NAME_CHARS characters;
- changed: Unicode NFC normalisation and surrounding whitespace trimmed.

Pages send the name percent-encoded (JavaScript `encodeURIComponent`), since HTTP headers
carry only Latin-1.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote

from server.errors import InvalidInput

MAX_NAME_CHARS = 200
FILENAME_HEADER = "X-Filename"


def from_header(raw: str | None) -> str:
    if not raw:
        raise InvalidInput(f"send the file's name in the {FILENAME_HEADER} header (percent-encoded UTF-8)",
                           field=FILENAME_HEADER)
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput(f"{FILENAME_HEADER} is not percent-encoded UTF-8", field=FILENAME_HEADER) from None
    return check(decoded)


def check(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"a file name may be at most {MAX_NAME_CHARS} characters", field=FILENAME_HEADER)
    for char in name:
        if char in "/\\" or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise InvalidInput(f"a file name may not contain {_shown(char)}; send the name alone, without a path",
                               field=FILENAME_HEADER)
    stem, _dot, _ext = name.rpartition(".") if "." in name else (name, "", "")
    if name in (".", "..") or not stem.strip(". "):
        raise InvalidInput("the file name has no name before its extension", field=FILENAME_HEADER)
    return name


def extension(name: str) -> str:
    """The last extension, lower case, without the dot ("" when there is none)."""
    return name.rpartition(".")[2].lower() if "." in name else ""


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII fallback for old clients, and the real name as RFC 5987 UTF-8."""
    return f"{disposition}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def ascii_fallback(name: str) -> str:
    ext = extension(name)
    stem = name[: -len(ext) - 1] if ext else name
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    safe = "".join(c if c.isalnum() or c in "-_.() " else "_" for c in folded).strip(" ._")
    return f"{safe or 'file'}.{ext}" if ext else safe or "file"


def _shown(char: str) -> str:
    return {"/": "'/'", "\\": "'\\'", "\x00": "NUL"}.get(char, f"U+{ord(char):04X}")
