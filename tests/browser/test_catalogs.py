"""The message catalogs (no browser needed): both languages have the same keys and the same
{placeholders}, and every key the pages name is in them."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "client" / "web"
LANGUAGES = ["zh-CN", "en"]
# Keys written literally in the pages and scripts: data-i18n="k", i18n: "k", label: "k", section("k"…
LITERAL_KEY = re.compile(
    r'(?:data-i18n(?:-[a-z-]+)?=|\b(?:i18n|i18nLabel|label|hint):\s*|\b(?:section|confirmAction|showPanel|translate'
    r'|showDone)\((?:[\w.]+,\s*)?\[?)"([a-z_]+\.[a-z0-9_.]+)"')
# Keys the scripts build from data, with every value the data can take.
FAMILIES = {
    "kind": ["center", "department", "station", "community"],
    "role": ["admin", "center_staff", "lawyer", "station_staff", "department_staff", "community_staff", "kiosk"],
    "daykind": ["workday", "weekend", "holiday", "makeup_workday"],
    "weekday": [str(d) for d in range(7)],
    "outcome": ["ok", "refused", "failed"],
    "section": ["units", "accounts", "devices", "lawyers", "hours", "audit", "replies"],
    "title": ["units", "accounts", "devices", "lawyers", "hours", "audit", "replies"],
    "hours.day_marked": ["holiday", "makeup_workday"],
    "meetings.video_server": ["not_configured", "unreachable"],
    "group": ["elderly", "disabled", "migrant_worker", "minor", "woman"],
    "app.channel": ["phone", "in_person", "video", "sms"],
    "app.route": ["station", "department", "center", "community"],  # the unit kinds a community may send to
    "app.conflict_party": ["applicant", "opposing_party"],
    "app.action": ["pass_over_chosen", "override_conflict"],  # the timeline's steps that record a reason
}
# Counts (i18n.js translateCount): key.other in every language, key.one too in English.
COUNTED_KEY = re.compile(r'\btranslateCount\([^,]+,\s*"([a-z_]+\.[a-z0-9_.]+)"')


def catalog(lang: str) -> dict[str, str]:
    return json.loads((WEB / "static" / "i18n" / f"{lang}.json").read_text())


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_both_languages_have_the_same_keys_and_placeholders():
    zh, en = (catalog(lang) for lang in LANGUAGES)
    assert sorted(set(zh) ^ set(en)) == []
    mismatched = [key for key in zh if placeholders(zh[key]) != placeholders(en[key])]
    assert mismatched == []
    assert [key for key in zh if not zh[key].strip() or not en[key].strip()] == []


def used_keys() -> set[str]:
    keys = set()
    for path in [*WEB.glob("pages/*.html"), *WEB.glob("static/js/**/*.js")]:
        keys |= set(LITERAL_KEY.findall(path.read_text()))
    for family, values in FAMILIES.items():
        sep = "_" if family == "hours.day_marked" else "."
        keys |= {f"{family}{sep}{value}" for value in values}
    return keys


def test_every_count_has_the_plural_forms_its_language_needs():
    counted = set()
    for path in WEB.glob("static/js/**/*.js"):
        counted |= set(COUNTED_KEY.findall(path.read_text()))
    assert {"meetings.count", "meetings.joined"} <= counted, "the pattern no longer finds the counts"
    zh, en = (catalog(lang) for lang in LANGUAGES)
    missing = [f"{key}.other" for key in counted if f"{key}.other" not in zh] + [
        f"{key}.{form}" for key in counted for form in ("one", "other") if f"{key}.{form}" not in en]
    assert missing == []
    assert all("{count}" in en[f"{key}.{form}"] for key in counted for form in ("one", "other"))


def test_every_key_the_pages_use_is_in_the_catalog():
    keys = used_keys()
    assert len(keys) > 150, "the key pattern no longer finds the keys"
    assert sorted(keys - set(catalog("zh-CN"))) == []


@pytest.mark.parametrize("module", ["server/errors.py", "server/accounts/sessions.py"])
def test_every_error_code_of_the_foundation_has_words(module):
    source = (WEB.parents[1] / module).read_text()
    codes = set(re.findall(r'\bcode = "(\w+)"', source)) | set(re.findall(r'status, code = \d+, "(\w+)"', source))
    codes.discard("error")  # the base class: shown as error.unknown
    assert codes
    assert sorted(f"error.{code}" for code in codes if f"error.{code}" not in catalog("zh-CN")) == []


def test_the_consultation_consent_text_has_the_version_the_server_counts():
    from signaling.payloads import CONSENT_TEXT_VERSION

    for lang in LANGUAGES:
        words = catalog(lang)
        assert words["recording.consent_version"] == CONSENT_TEXT_VERSION, lang
        assert len(words["recording.consent_text"]) > 40, lang
