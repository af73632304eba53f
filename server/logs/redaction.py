"""Defence in depth for log lines: whatever slips through looking like a mainland mobile number,
an 18-character resident ID number or a token is masked before it is written. The first line of
defence is that nothing logs them (tests/test_logs.py greps a whole server run for its values)."""
from __future__ import annotations

import re

MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
# session, device and kiosk tokens are token_urlsafe(32): 43 characters of letters, digits, - and _
TOKEN_MIN_CHARS = 32
TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{%d,}(?![A-Za-z0-9_-])" % TOKEN_MIN_CHARS)
LETTER = re.compile(r"[A-Za-z]")
DIGIT = re.compile(r"[0-9]")


def _token(match: re.Match[str]) -> str:
    text = match.group(0)
    # a long identifier (a_logger_name_or_route_template) has no digits; a random string has both
    return "[token]" if LETTER.search(text) and DIGIT.search(text) else text


def redact(text: str) -> str:
    text = ID_NUMBER.sub("[id-number]", text)
    text = MOBILE.sub("[phone]", text)
    return TOKEN_LIKE.sub(_token, text)
