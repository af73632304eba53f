"""The CJK face the documents are set in, and a small copy of it that makes rendering fast.

fpdf2 embeds a subset of the font in every PDF, made with fontTools from the font file it was
given. From Noto Sans CJK's 19 MB collection that subsetting alone took 2–4 s per document
(measured on the CI machine: parsing the 65 000-glyph CFF dominates, not the glyphs kept).
So the process keeps a "working face": the configured face cut down once to the characters
documents are normally made of (ASCII, CJK and full-width punctuation, the 3 755 most common
hanzi of GB 2312 level 1, and every character of the forms' own wording). Subsetting from
that file costs tens of milliseconds. Cutting it takes ~20 s, so it is done once and kept in
a cache directory of this user's (keyed by the source font and the repertoire); a document with a character
outside the repertoire (a rare character in a name) is set from the full face, slowly but
correctly.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

FONT_ENV = "FAYUAN_PDF_FONT"
# (file, the family inside a collection): the first that exists is used. Simplified glyphs
# come from the SC face; the same code point has a different shape in the TC/JP faces.
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)
# Per user and private: a font file another local user could put there would be embedded.
CACHE_DIR = Path(tempfile.gettempdir()) / f"fayuan-fonts-{os.getuid()}"
# Bumped when the way the working face is cut changes, so old cached files are not reused.
WORKING_FACE_VERSION = 1


class FontMissing(RuntimeError):
    """No CJK font: install fonts-noto-cjk (Debian) or set FAYUAN_PDF_FONT."""


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # the font's number inside a .ttc collection (0 for a single font)


@lru_cache(maxsize=8)
def index_of(path: str, family: str) -> int:
    if not path.endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            return index
    return 0


def find_font(env: Mapping[str, str] | None = None) -> FontFile:
    configured = (env or {}).get(FONT_ENV, "").strip()
    if configured:
        path, _, index = configured.partition("#")
        if not Path(path).is_file():
            raise FontMissing(f"{FONT_ENV}: {path} does not exist")
        return FontFile(path, int(index) if index.isdigit() else 0)
    for path, family in FONT_CANDIDATES:
        if Path(path).is_file():
            return FontFile(path, index_of(path, family))
    raise FontMissing("no CJK font found: install fonts-noto-cjk or set " + FONT_ENV)


def common_characters() -> frozenset[str]:
    """ASCII, CJK symbols and punctuation, full-width forms, and GB 2312 level 1 (its rows
    16–55: the 3 755 hanzi of everyday writing)."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0x3000, 0x3040)}
    chars |= {chr(c) for c in range(0xFF01, 0xFF66)} | set("—…·‘’“”※○□√×")
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


class WorkingFaces:
    """Per process: the working face of each source font, cut on first use (or by warm()).

    Thread-safe: renders run in worker threads, and two of them must not cut the same face
    twice at once."""

    def __init__(self, cache_dir: Path = CACHE_DIR, repertoire: Iterable[str] = ()) -> None:
        self.cache_dir = cache_dir
        self.repertoire = common_characters() | frozenset(repertoire)
        self.lock = threading.Lock()
        self.ready: dict[FontFile, FontFile] = {}

    def cache_path(self, font: FontFile) -> Path:
        stat = os.stat(font.path)
        key = hashlib.sha256(repr((WORKING_FACE_VERSION, os.path.realpath(font.path), font.index, stat.st_size,
                                   stat.st_mtime_ns, "".join(sorted(self.repertoire)))).encode()).hexdigest()[:20]
        return self.cache_dir / f"{Path(font.path).stem}-{font.index}-{key}.otf"

    def face_for(self, font: FontFile, text: Iterable[str]) -> FontFile:
        """The working face when it holds every character of `text`, else the full face."""
        if not set(text) <= self.repertoire:
            return font
        return self.working(font)

    def working(self, font: FontFile, wait: bool = False) -> FontFile:
        """The working face, cutting it if need be; while another thread cuts it, the full face
        (unless `wait`): a render waiting ~20 s on the lock would hold a worker thread."""
        if font in self.ready:
            return self.ready[font]
        if not self.lock.acquire(blocking=wait):
            return font
        try:
            if font not in self.ready:
                private_dir(self.cache_dir)
                path = self.cache_path(font)
                if not path.is_file():
                    cut(font, self.repertoire, path)
                self.ready[font] = FontFile(str(path), 0)
            return self.ready[font]
        finally:
            self.lock.release()


def private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o022:
        raise PermissionError(f"{folder} is not this user's own: remove it or fix its owner and mode")


def cut(font: FontFile, repertoire: frozenset[str], target: Path) -> None:
    """Save `font` reduced to `repertoire` at `target` (atomically: another process may read it)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = TTFont(font.path, fontNumber=font.index, lazy=True)
    # No layout tables: fpdf2 places one glyph per character (no shaping), and the GSUB
    # closure over a CJK face is what made a full cut take a minute.
    options = subset.Options(notdef_outline=True, layout_features=[], name_IDs=["*"], name_languages=["*"],
                             drop_tables=subset.Options().drop_tables + ["GSUB", "GPOS", "BASE", "vhea", "vmtx",
                                                                         "VORG"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in repertoire])
    subsetter.subset(face)
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    face.save(str(partial))
    os.replace(partial, target)
