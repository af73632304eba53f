"""CSV files for people who open them in a spreadsheet: UTF-8 with a BOM (so Excel reads the
Chinese), headings in the page's language from the same message catalogs the pages use
(client/web/static/i18n: one place per text), times in the service's time zone, and no cell a
spreadsheet would run as a formula."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

# the pages' catalogs (server/pages.py serves them; not imported from there, which is aiohttp's side)
CATALOGS = Path(__file__).resolve().parent.parent / "client" / "web" / "static" / "i18n"
Language = Literal["zh-CN", "en"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class LanguageQuery(BaseModel):
    """?lang= of a CSV route: the page passes its own language."""

    model_config = ConfigDict(extra="forbid")
    lang: Language = Field(default="zh-CN", description="the language of the headings: the page's")


@lru_cache(maxsize=4)
def catalog(lang: Language) -> dict[str, str]:
    return json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))


def words(lang: Language) -> Callable[[str, str], str]:
    """key, fallback → the message in `lang`, or the fallback when the catalog has none."""
    messages = catalog(lang)
    return lambda key, fallback: messages.get(key, fallback)


def safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is quoted as text."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def local_time(at: datetime | None, tz: ZoneInfo) -> str:
    """An instant as the service's local time with its offset (2026-11-30T10:00:00+08:00)."""
    return at.astimezone(tz).isoformat(timespec="seconds") if at is not None else ""


def document(headings: Iterable[str], rows: Iterable[Iterable[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(h) for h in headings])
    writer.writerows([safe(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()
