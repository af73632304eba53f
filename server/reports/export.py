"""The report as CSV in the page's language: headings and figure names from the same message
catalogs the page uses (client/web/static/i18n, one place per text), a code column that stays the
same in every language for whoever reads it by machine, and times in the service's time zone.
Figures only: the applicants' comments stay on the page."""
from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from typing import Any, Iterator, Literal, Mapping
from zoneinfo import ZoneInfo

from server.pages import WEB_ROOT

Language = Literal["zh-CN", "en"]
SECTIONS = {"consultations": "reports.c", "board": "reports.b", "applications": "reports.a"}
# what the keys of a figure's breakdown are, and where their names are
KEY_NAMES = {"by_state": {"consultations": "consultation.state", "board": "board.state", "applications": "app.state"},
             "avg_days_in_state": {"applications": "app.state"}, "by_category": "category", "by_group": "group"}
TABLES = ("by_lawyer", "by_unit", "overdue_by_unit")  # a row per lawyer or unit: its name, then each figure


@lru_cache(maxsize=4)
def catalog(lang: Language) -> dict[str, str]:
    return json.loads((WEB_ROOT / "static" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


class Words:
    def __init__(self, lang: Language) -> None:
        self.messages = catalog(lang)

    def __call__(self, key: str, fallback: str) -> str:
        return self.messages.get(key, fallback)


def rows(report: Mapping[str, Any], lang: Language, tz: ZoneInfo) -> Iterator[tuple[str, str, str, str]]:
    """(section, figure, code, value)."""
    w = Words(lang)
    head = w("reports.report", "report")
    yield head, w("reports.unit", "unit"), "unit", report["unit"]["name"]
    yield head, w("reports.from", "from"), "from", report["from"].isoformat()
    yield head, w("reports.to", "to"), "to", report["to"].isoformat()
    yield (head, w("reports.generated_at", "generated_at"), "generated_at",
           report["generated_at"].astimezone(tz).isoformat(timespec="seconds"))
    for section, prefix in SECTIONS.items():
        title = w(f"reports.{section}", section)
        for name, value in report[section].items():
            label = w(f"{prefix}.{name}", name)
            if isinstance(value, list):
                continue  # the comments: words about people, not figures
            if not isinstance(value, dict):
                yield title, label, f"{section}.{name}", _text(value)
                continue
            for key, inner in _flat(value):
                names = KEY_NAMES.get(name)
                family = names.get(section) if isinstance(names, dict) else names
                part = w(f"{family}.{key}", key) if family else w(f"reports.f.{key.replace('.', '_')}", key)
                yield title, f"{label}: {part}", f"{section}.{name}.{key}", _text(inner)
    for table in TABLES:
        title = w(f"reports.{table}", table)
        for row in report[table]:
            ident = row.get("account_id", row.get("unit_id"))
            for name, value in row.items():
                if name in ("account_id", "unit_id", "name", "kind"):
                    continue
                yield (title, f"{row['name']}: {w(f'reports.t.{name}', name)}", f"{table}.{ident}.{name}",
                       _text(value))


def _flat(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, inner in value.items():
        if isinstance(inner, dict):
            yield from _flat(inner, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", inner


def to_csv(report: Mapping[str, Any], lang: Language, tz: ZoneInfo) -> str:
    w = Words(lang)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([w(f"reports.csv.{c}", c) for c in ("section", "figure", "code", "value")])
    writer.writerows([_safe(cell) for cell in row] for row in rows(report, lang, tz))
    return "\ufeff" + out.getvalue()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _safe(cell: str) -> str:
    """A unit's or lawyer's name a spreadsheet would run as a formula is quoted as text."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
