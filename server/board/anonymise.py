"""Personal data in public text: masked names, the anonymised draft of an answer, refusing text that has any."""
from __future__ import annotations

from typing import Iterable

from server.board import personal_data
from server.board.models import BoardMessage, BoardReply
from server.board.personal_data import Kind
from server.board.schemas import PublicDraft
from server.errors import InvalidInput

REDACTED = "***"
SOMEONE = "某某"


def mask_name(name: str) -> str:
    """張三豐 → 張**: what a kiosk shows of other residents."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """A starting point for public text: ID, card and phone numbers redacted, names replaced."""
    spans: list[tuple[int, int, str]] = []
    for found in personal_data.find(text, names):
        replacement = SOMEONE if found.kind == Kind.name else REDACTED
        if spans and found.start < spans[-1][1]:  # overlapping findings become one redaction
            start, end, first = spans[-1]
            spans[-1] = (start, max(end, found.end), first)
        else:
            spans.append((found.start, found.end, replacement))
    for start, end, replacement in reversed(spans):
        text = text[:start] + replacement + text[end:]
    return text


def check_public_text(text: str, field: str, names: Iterable[str] = ()) -> None:
    """Refuse text that still carries personal data, saying which kinds (never the data itself)."""
    kinds = list(dict.fromkeys(found.kind for found in personal_data.find(text, names)))
    if kinds:
        listed = ", ".join(kind.described for kind in kinds)
        raise InvalidInput(f"the {field} still contains {listed}; remove it before publishing", field=field,
                           reason=kinds[0].value, found=[kind.value for kind in kinds])


def draft(m: BoardMessage, replies: list[BoardReply]) -> PublicDraft:
    names = [m.contact_name]
    return PublicDraft(question=anonymise(m.question, names),
                       answer=anonymise("\n\n".join(r.body for r in replies), names))
