"""Finding personal data in free text: ID numbers, bank cards, phone numbers, a person's name.

Numbers are read from the folded, digit view of the text (see normalise.py) as groups: digits
with up to a few separators between them, so 139.1234.5678, 139/1234/5678, 139  1234  5678 and
一三九一二三四五六七八 are all the chunks of one group. A phone number is any run of consecutive
chunks whose digits have a phone's shape; a chunk is never split, so the digits of a date, an
amount or a year are not read into a phone's.

What keeps dates and amounts out is their context, not the number of digits:
- a date: year-month-day chunks with a real month and day (2026-09-30, 2026.9.30), eight digits
  that are a real date (20260930), a year with its month (2025.9), and lists of years (2019-2026)
  are read as dates before phones are looked for;
- an amount: a number followed by a unit (元, 万, 块, %, 平方米, 天 …) or after a currency sign,
  or written with thousands commas (1,500,000), is a quantity;
- the shape: a mobile is 1[3-9] and nine digits; a landline 0, an area code, and seven or eight
  digits; a local number alone is seven or eight digits starting 2–9, so 1500000 (starting 1)
  is not one. 400 and 800 service numbers are public.
Mobile and ID numbers are so specific that a unit after them does not excuse them: in
"13912345678万女士" the 万 is a surname.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Iterable, Iterator

from server.applications.idnumber import EARLIEST_BIRTH_YEAR, PROVINCES
from server.board.normalise import View, as_digits, compact, folded

MAX_SEPARATORS = 4  # "139 - 1234 - 5678" has three marks between its digits
LONGEST_NUMBER_DIGITS = 19  # a bank card; longer runs of chunks are not looked at
# In the digit view every separator is a space, except the dot that may be a decimal point.
GROUP = re.compile(rf"[0-9]+(?:[ .]{{1,{MAX_SEPARATORS}}}[0-9]+)*(?:[Xx](?![A-Za-z]))?")
CHUNK = re.compile(r"[0-9]+[Xx]?")
THOUSANDS = re.compile(r"(?<![0-9,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])")
UNIT_AFTER = re.compile(r"\s*(?:多|余)?\s*(?:元|圆|块|角|毛|万|亿|千|百|美元|美金|港币|港元|欧元|日元|英镑|人民币|"
                        r"%|‰|平方|m2|米|公里|千米|公顷|亩|斤|公斤|千克|克|吨|个|件|人|名|位|户|套|间|辆|台|"
                        r"天|日|周|月|年|小时|分钟|秒|次|岁|倍|号|条|页|份|股|笔|字)")
CURRENCY_BEFORE = re.compile(r"(?:¥|\$|€|£|RMB|CNY|USD|HKD|人民币)\s*$", re.IGNORECASE)
CURRENCY_BEFORE_CHARS = 8  # "人民币 " and a little room
MOBILE = re.compile(r"(?:0086|86|0)?1[3-9][0-9]{9}")
# Local numbers start with 2-9, but behind an area code any digit is read as one: a made-up
# 0755-12345678 in an answer is as much a phone number to a reader.
LANDLINE = re.compile(r"(?:(?:0086|86)0?|0)(?:10|2[0-9]|[3-9][0-9]{2})[1-9][0-9]{6,7}")
LOCAL = re.compile(r"[2-9][0-9]{6,7}")
SERVICE_NUMBER = re.compile(r"[48]00[0-9]{7}")  # 400/800 numbers belong to companies and services
FIRST_YEAR, LAST_YEAR = 1900, 2099  # what a four-digit chunk may be read as a year in


class Kind(StrEnum):
    """What was found; the value is the `reason` of the refusal."""

    id_number = "id_number"
    bank_card = "bank_card"
    mobile = "mobile_phone"
    landline = "landline_phone"
    name = "name"

    @property
    def described(self) -> str:
        return DESCRIBED[self]


DESCRIBED = {Kind.id_number: "an ID card number", Kind.bank_card: "a bank card number",
             Kind.mobile: "a mobile phone number", Kind.landline: "a landline phone number",
             Kind.name: "the resident's name"}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int  # the span in the original text
    end: int


@dataclass(frozen=True)
class Chunk:
    digits: str
    start: int  # the span in the digit view
    end: int


def find(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Every piece of personal data in the text, in order of position."""
    view = folded(text)
    found = list(_numbers(as_digits(view))) + list(_names(view, names))
    return sorted(found, key=lambda f: (f.start, f.end))


# -- numbers ---------------------------------------------------------------------------------
def _numbers(view: View) -> Iterator[Finding]:
    text = THOUSANDS.sub(lambda m: "#" * len(m.group()), view.text)  # amounts, whatever their digits
    for group in GROUP.finditer(text):
        chunks = [Chunk(m.group(), group.start() + m.start(), group.start() + m.end())
                  for m in CHUNK.finditer(group.group())]
        for i, j, kind in _outermost(_classified(chunks, _amount_chunks(text, group, chunks))):
            yield Finding(kind, *view.original_span(chunks[i].start, chunks[j].end))


def _amount_chunks(text: str, group: re.Match[str], chunks: list[Chunk]) -> set[int]:
    """The chunks that a unit after the group, or a currency sign before it, make an amount
    (with its decimals: 2500000.50元)."""
    amount: set[int] = set()
    last = len(chunks) - 1
    if UNIT_AFTER.match(text, group.end()):
        amount.add(last)
        if last >= 1 and _decimal_point(text, chunks[last - 1], chunks[last]):
            amount.add(last - 1)
    if CURRENCY_BEFORE.search(text, max(0, group.start() - CURRENCY_BEFORE_CHARS), group.start()):
        amount.add(0)
        if last >= 1 and _decimal_point(text, chunks[0], chunks[1]):
            amount.add(1)
    return amount


def _decimal_point(text: str, before: Chunk, after: Chunk) -> bool:
    return text[before.end:after.start] == "." and len(after.digits) <= 2


def _classified(chunks: list[Chunk], amount: set[int]) -> Iterator[tuple[int, int, Kind]]:
    """(first chunk, last chunk, kind) of each number found. ID numbers first, over all chunks
    (110101 19500307 1234 holds a date); then phones and cards, in the chunks left once dates and
    service numbers are set aside."""
    ids = {(i, j) for i, j, digits in _runs(chunks, range(len(chunks))) if is_id_number(digits)}
    for i, j in ids:
        yield i, j, Kind.id_number
    public = _public_chunks(chunks)
    for segment in _segments(len(chunks), public):
        for i, j, digits in _runs(chunks, segment):
            kind = _number_kind(digits, quantity=i in amount or j in amount)
            if kind is not None and (i, j) not in ids:  # an ID number may also pass the card check
                yield i, j, kind


def _outermost(found: Iterable[tuple[int, int, Kind]]) -> list[tuple[int, int, Kind]]:
    """Without the runs inside a longer one: 6222 0212 0301 2345 673 is a card, not also the
    phone 2345673 inside it."""
    kept: list[tuple[int, int, Kind]] = []
    reach = -1
    for i, j, kind in sorted(found, key=lambda f: (f[0], -f[1])):
        if j > reach or (kept and kept[-1][:2] == (i, j)):
            kept.append((i, j, kind))
            reach = max(reach, j)
    return kept


def _runs(chunks: list[Chunk], indices: range) -> Iterator[tuple[int, int, str]]:
    for i in indices:
        digits = ""
        for j in range(i, indices.stop):
            digits += chunks[j].digits
            if len(digits) > LONGEST_NUMBER_DIGITS:
                break
            yield i, j, digits


def _number_kind(digits: str, *, quantity: bool) -> Kind | None:
    if not digits.isdigit():
        return None  # an X that ends no ID number
    if MOBILE.fullmatch(digits):
        return Kind.mobile
    if quantity:
        return None
    if LANDLINE.fullmatch(digits) or (LOCAL.fullmatch(digits) and not _is_eight_digit_date(digits)):
        return Kind.landline
    if 16 <= len(digits) <= LONGEST_NUMBER_DIGITS and _luhn_valid(digits):
        return Kind.bank_card
    return None


def _segments(count: int, public: set[int]) -> Iterator[range]:
    start = 0
    for i in range(count + 1):
        if i == count or i in public:
            if i > start:
                yield range(start, i)
            start = i + 1


def _public_chunks(chunks: list[Chunk]) -> set[int]:
    """Chunks that are dates, years or a service number: no phone is read across them."""
    public: set[int] = set()
    for i, j, digits in _runs(chunks, range(len(chunks))):
        if SERVICE_NUMBER.fullmatch(digits):
            public.update(range(i, j + 1))
    i = 0
    while i < len(chunks):
        taken = _date_length(chunks, i, after_date=i - 1 in public)
        public.update(range(i, i + taken))
        i += taken or 1
    return public


def _date_length(chunks: list[Chunk], i: int, *, after_date: bool) -> int:
    """How many chunks from i make a date: year-month-day, year-month, an eight-digit date, or a
    year in a list of years (2019-2026)."""
    first = chunks[i].digits
    if _is_eight_digit_date(first):
        return 1
    if not _is_year(first):
        return 0
    following = [c.digits for c in chunks[i + 1:i + 3]]
    if len(following) == 2 and len(following[0]) <= 2 and len(following[1]) <= 2 and \
            _date(first, *following) is not None:
        return 3
    if following and len(following[0]) <= 2 and following[0].isdigit() and 1 <= int(following[0]) <= 12:
        return 2
    if after_date or (following and _is_year(following[0])):
        return 1
    return 0


def _is_eight_digit_date(digits: str) -> bool:
    """20260930, also when written 2026-0930 (a document number, say)."""
    return len(digits) == 8 and _date(digits[:4], digits[4:6], digits[6:]) is not None


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits.isdigit() and FIRST_YEAR <= int(digits) <= LAST_YEAR


def _date(year: str, month: str, day: str) -> date | None:
    if not (year + month + day).isdigit():
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def is_id_number(digits: str) -> bool:
    """A resident ID number: a province, a real birth date, and a sequence; 18 characters (the
    last may be X) or the old 15 digits. The check character is not required: a number with one
    digit mistyped still points at the person."""
    digits = digits.upper()
    if len(digits) == 18 and digits[:17].isdigit() and (digits[17].isdigit() or digits[17] == "X"):
        born = _date(digits[6:10], digits[10:12], digits[12:14])
    elif len(digits) == 15 and digits.isdigit():
        born = _date("19" + digits[6:8], digits[8:10], digits[10:12])
    else:
        return False
    return int(digits[:2]) in PROVINCES and born is not None and born.year >= EARLIEST_BIRTH_YEAR


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, d in enumerate(reversed(digits)):
        n = int(d) * (2 if position % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


# -- names -----------------------------------------------------------------------------------
def _names(view: View, names: Iterable[str]) -> Iterator[Finding]:
    """The person's name however it is spaced or which script it is in: 王 秀英, 李桂蘭 for 李桂兰."""
    text = compact(view)
    for key in name_keys(names):
        start = text.text.find(key)
        while start != -1:
            yield Finding(Kind.name, *text.original_span(start, start + len(key)))
            start = text.text.find(key, start + 1)


def name_keys(names: Iterable[str]) -> list[str]:
    """The names as the text is searched for them, longest first. A one-character name would
    match every use of a common character."""
    keys = {compact(folded(n)).text for n in names}
    return sorted((k for k in keys if len(k) >= 2), key=len, reverse=True)
