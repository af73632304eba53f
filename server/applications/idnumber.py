"""Resident identity card numbers (居民身份證號碼, GB 11643-1999): 6 digits of region, 8 of
birth date, 3 of sequence (odd for men), and an ISO 7064 MOD 11-2 check character (0-9 or X).
Pure: tests and schemas call it directly."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.errors import InvalidInput

LENGTH = 18
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
# The province-level codes a region code may start with (GB/T 2260; 71 Taiwan, 81 Hong Kong,
# 82 Macao; 83 for residence permits of Taiwan residents).
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})
EARLIEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised: upper-case X
    region: str
    birth_date: date
    sex: str  # "male" | "female"


def check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def parse(text: str, *, today: date | None = None) -> IdNumber:
    """The number's parts, or InvalidInput (field id_number) saying what is wrong."""
    number = text.strip().upper()
    if len(number) != LENGTH:
        raise InvalidInput(f"an ID number has {LENGTH} characters, this one has {len(number)}",
                           field="id_number", problem="length")
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise InvalidInput("an ID number is 17 digits and a final digit or X", field="id_number",
                           problem="characters")
    if int(number[:2]) not in PROVINCES or number[2:6] == "0000":
        raise InvalidInput(f"{number[:6]} is not a region code", field="id_number", problem="region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(f"{number[6:14]} is not a date of birth", field="id_number", problem="birth_date") from None
    if born.year < EARLIEST_BIRTH_YEAR or (today is not None and born > today):
        raise InvalidInput(f"{born.isoformat()} is not a possible date of birth", field="id_number",
                           problem="birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidInput("the last character of the ID number does not match (check digit)",
                           field="id_number", problem="check_digit")
    return IdNumber(number=number, region=number[:6], birth_date=born,
                    sex="male" if int(number[16]) % 2 else "female")


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidInput:
        return False
    return True
