"""Every socket.io event name is in signaling/events.py, and nowhere else as a literal: the
Python sides (server/, client/) name events only through that module, and every name the
pages send or listen for is one of its values."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from signaling import events

ROOT = Path(__file__).resolve().parents[1]
NAMES = {value for name, value in vars(events).items() if name.isupper() and isinstance(value, str)}
# socket.io's own events, which no contract defines
BUILT_IN = {"connect", "disconnect", "connect_error", "*"}
# (callable name, index of the event argument): the calls that name an event
EVENT_ARGUMENT = {"emit": 0, "call": 0, "on": 0, "wait_for": 0, "emitWithAck": 0, "Notice": 1, "relay": 0}


def _literal_event_names(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        index = EVENT_ARGUMENT.get(name or "")
        if index is None or len(node.args) <= index:
            continue
        arg = node.args[index]
        # socket.io event names have a dot ("queue.take") or are one of the contract's few plain
        # ones ("hello"); other libraries' .on("track") are not ours to check
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and ("." in arg.value or arg.value in NAMES):
            found.append((node.lineno, arg.value))
    return found


def test_python_code_names_events_only_through_signaling_events() -> None:
    literals = [f"{path.relative_to(ROOT)}:{line}: {value!r}"
                for folder in ("server", "client")
                for path in sorted((ROOT / folder).rglob("*.py"))
                for line, value in _literal_event_names(path)]
    assert not literals, "use the constant from signaling/events.py instead of:\n" + "\n".join(literals)


def test_the_pages_use_only_event_names_of_the_contract() -> None:
    used = re.compile(r"""(?:\.on\(|\bsend\(\s*[\w.]+,\s*|emitWithAck\()\s*["']([a-z_]+\.[a-z_.]+|[a-z_]+)["']""")
    unknown = []
    for path in sorted((ROOT / "client" / "web" / "static" / "js").rglob("*.js")):
        for match in used.finditer(path.read_text()):
            name = match.group(1)
            if name not in NAMES and name not in BUILT_IN:
                unknown.append(f"{path.relative_to(ROOT)}: {name!r}")
    assert not unknown, "events the pages use that signaling/events.py does not define:\n" + "\n".join(unknown)


def test_the_check_finds_a_literal(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('await sio.emit("made.up", {})\nNotice(room, "also.made.up", {})\nsio.emit(events.HELLO)\n'
                      'pc.on("track")\nawait sio.emit("hello", {})\n')
    assert sorted(value for _, value in _literal_event_names(sample)) == ["also.made.up", "hello", "made.up"]
