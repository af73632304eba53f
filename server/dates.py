"""Dates and times as the API accepts them.

A year outside FIRST_YEAR..LAST_YEAR is refused by validation (a 400 naming the field): nothing
in legal aid happens then, and arithmetic at the edges of Python's range (China's offset applied
to 0001-01-01, a day added to 9999-12-31) would otherwise fail as a 500. A time must carry its
offset: a naive one cannot be compared with the stored UTC times.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

FIRST_YEAR, LAST_YEAR = 1900, 2999


def _plausible_year(value: date) -> date:  # a datetime is a date too
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"give a date from {FIRST_YEAR} to {LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(_plausible_year)]
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_year)]

