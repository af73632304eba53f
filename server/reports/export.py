"""The report as CSV (server/spreadsheet.py) in the page's language: headings and figure names
from the page's catalogs, a code column that stays the same in every language for whoever reads
it by machine, and times in the service's time zone. Figures only: the applicants' comments stay
on the page."""
from __future__ import annotations

from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

from server.spreadsheet import Language, document, local_time, words

SECTIONS = {"consultations": "reports.c", "board": "reports.b", "applications": "reports.a"}
# what the keys of a figure's breakdown are, and where their names are
KEY_NAMES = {"by_state": {"consultations": "consultation.state", "board": "board.state", "applications": "app.state"},
             "avg_days_in_state": {"applications": "app.state"}, "by_category": "category", "by_group": "group"}
TABLES = ("by_lawyer", "by_unit", "overdue_by_unit")  # a row per lawyer or unit: its name, then each figure


def rows(report: Mapping[str, Any], lang: Language, tz: ZoneInfo) -> Iterator[tuple[str, str, str, str]]:
    """(section, figure, code, value)."""
    w = words(lang)
    head = w("reports.report", "report")
    yield head, w("reports.unit", "unit"), "unit", report["unit"]["name"]
    yield head, w("reports.from", "from"), "from", report["from"].isoformat()
    yield head, w("reports.to", "to"), "to", report["to"].isoformat()
    yield head, w("reports.generated_at", "generated_at"), "generated_at", local_time(report["generated_at"], tz)
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


def to_csv(report: Mapping[str, Any], lang: Language, tz: ZoneInfo) -> bytes:
    w = words(lang)
    return document([w(f"reports.csv.{c}", c) for c in ("section", "figure", "code", "value")],
                    rows(report, lang, tz))


def _text(value: Any) -> str:
    return "" if value is None else str(value)
