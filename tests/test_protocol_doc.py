"""docs/protocol.md names every event of signaling/ in its direction, and no other.

The events are read from signaling/events.py and signaling/meetings.py, where each name sits
in a block under a "# client → server" or "# server → client" heading (a blank line ends the
block); the document's "Every event" table must list exactly those pairs, and the rest of the
document must mention each event at least once more, where it is described.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from server.realtime.setup import MAX_PAYLOAD_BYTES
from signaling import events, meetings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "protocol.md"
DIRECTIONS = ("client → server", "server → client")
_HEADING = re.compile(r"# (client → server|server → client)\b")
_CONSTANT = re.compile(r'([A-Z][A-Z0-9_]*) = "([^"]*)"')
_ROW = re.compile(r"\| `([^`]+)` \| (client → server|server → client) \|")


def declared_events(module: ModuleType) -> set[tuple[str, str]]:
    """(event name, direction) for each constant under a direction heading of the module."""
    found: set[tuple[str, str]] = set()
    direction = None
    for line in Path(module.__file__ or "").read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            direction = heading.group(1)
            continue
        if not line.strip():
            direction = None
            continue
        constant = _CONSTANT.match(line)
        if constant and direction:
            name, value = constant.groups()
            assert getattr(module, name) == value, f"{module.__name__}.{name} is not read as it is defined"
            found.add((value, direction))
    return found


def documented_events(text: str) -> set[tuple[str, str]]:
    section = text.partition("\n## Every event\n")[2].partition("\n## ")[0]
    assert section, "docs/protocol.md has no section '## Every event'"
    return {(m.group(1), m.group(2)) for m in _ROW.finditer(section)}


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_constant_of_the_event_module_is_under_a_direction() -> None:
    names = {value for key, value in vars(events).items() if key.isupper() and isinstance(value, str)}
    assert names == {name for name, _ in declared_events(events)}, \
        "an event in signaling/events.py sits outside the '# client → server' / '# server → client' blocks"
    assert len(declared_events(events) | declared_events(meetings)) >= 40


def test_the_event_table_lists_every_event_of_signaling_and_no_other(doc: str) -> None:
    declared = declared_events(events) | declared_events(meetings)
    documented = documented_events(doc)
    missing = sorted(declared - documented)
    unknown = sorted(documented - declared)
    assert not missing, f"docs/protocol.md 'Every event' misses {missing}"
    assert not unknown, f"docs/protocol.md 'Every event' lists what signaling/ does not define: {unknown}"


def test_every_event_is_described_outside_the_table(doc: str) -> None:
    body = doc.partition("\n## Every event\n")[0]
    declared = {name for name, _ in declared_events(events) | declared_events(meetings)}
    undescribed = sorted(name for name in declared if f"`{name}`" not in body)
    assert not undescribed, f"docs/protocol.md lists but never describes {undescribed}"


def test_the_documented_field_limits_are_the_models(doc: str) -> None:
    """The numbers a client most often needs, checked against signaling/payloads.py."""
    from signaling import payloads

    sdp = next(m.max_length for m in payloads.RtcSignal.model_fields["sdp"].metadata if hasattr(m, "max_length"))
    assert f"{sdp:,} characters" in doc
    assert f"{payloads.MAX_ROW_ID:,}" in doc
    assert f"at most {payloads.MAX_TEXT_CHARS:,} characters" in doc
    assert f"1–{payloads.MAX_CHAT_CHARS:,} characters" in doc
    assert f"`maxPayload: {MAX_PAYLOAD_BYTES}`" in doc and f"longer than {MAX_PAYLOAD_BYTES:,} bytes" in doc
