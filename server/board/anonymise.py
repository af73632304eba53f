"""Personal data in public text: masked names, the anonymised draft of an answer, refusing text that has any."""
from __future__ import annotations

import re
from typing import Iterable

from server.board.models import BoardMessage, BoardReply
from server.board.schemas import PublicDraft
from server.errors import InvalidInput

# Text a public answer must not carry: ID numbers, and anything that could be dialled: seven or
# more digits in a row, spaces or hyphens allowed between them (139 1234 5678, 010-1234 5678).
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
DIGIT_RUN = re.compile(r"\d(?:[ \-]?\d)+")
DATE = re.compile(r"^\d{4}([ \-])\d{1,2}\1\d{1,2}$")  # 2026-09-30 is a date, not a phone
PHONE_MIN_DIGITS = 7
REDACTED = "***"
SOMEONE = "某某"


def mask_name(name: str) -> str:
    """張三豐 → 張**: what a kiosk shows of other residents."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _names(names: Iterable[str]) -> list[str]:
    # A one-character "name" would redact every occurrence of a common character.
    return sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)


def _phone_like(text: str) -> list[tuple[int, int]]:
    spans = []
    for run in DIGIT_RUN.finditer(text):
        if sum(c.isdigit() for c in run.group()) >= PHONE_MIN_DIGITS and not DATE.match(run.group()):
            spans.append(run.span())
    return spans


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """A starting point for public text: ID numbers and phone-like numbers redacted, names replaced."""
    text = ID_NUMBER.sub(REDACTED, text)
    for start, end in reversed(_phone_like(text)):
        text = text[:start] + REDACTED + text[end:]
    for name in _names(names):
        text = text.replace(name, SOMEONE)
    return text


def check_public_text(text: str, field: str, names: Iterable[str] = ()) -> None:
    """Refuse text that still carries an ID number, a phone-like number or the resident's name."""
    if ID_NUMBER.search(text):
        raise InvalidInput("the text still contains an ID number; remove it before publishing", field=field,
                           reason="id_number")
    if _phone_like(text):
        raise InvalidInput("the text still contains a phone-like number; remove it before publishing",
                           field=field, reason="phone")
    for name in _names(names):
        if name in text:
            raise InvalidInput("the text still contains the resident's name; remove it before publishing",
                               field=field, reason="name")


def draft(m: BoardMessage, replies: list[BoardReply]) -> PublicDraft:
    names = [m.contact_name]
    return PublicDraft(question=anonymise(m.question, names),
                       answer=anonymise("\n\n".join(r.body for r in replies), names))
