"""Case numbers per center and year, e.g. 〔2026〕法援初字第0001号. A number
already given out keeps the form it was issued in (older ones end in 號).

The sequence is one row per (center, year). Allocation is an UPDATE … SET last = last + 1
RETURNING last, so concurrent transactions queue on that row (PostgreSQL row lock, SQLite's
single writer) and never share a number; the row is created first with INSERT … ON CONFLICT
DO NOTHING so that two first allocations of a year do not collide either.
"""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.applications.models import CaseSequence
from server.db import dialect_insert
from server.config import ConfigError

ENV = "FAYUAN_CASE_NUMBER_FORMAT"
DEFAULT_FORMAT = "〔{year}〕法援初字第{seq:04d}号"


def check_format(fmt: str) -> str:
    if "{seq" not in fmt or len(fmt) > 60:
        raise ConfigError(ENV, "must contain {seq} (e.g. {seq:04d}) and be at most 60 characters")
    try:
        fmt.format(year=2026, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(ENV, f"is not a format with only {{year}} and {{seq}}: {exc}") from None
    return fmt


def format_from_env(env: Mapping[str, str]) -> str:
    return check_format(env.get(ENV) or DEFAULT_FORMAT)


def format_number(fmt: str, year: int, seq: int) -> str:
    return fmt.format(year=year, seq=seq)


async def allocate(session: AsyncSession, center_id: int, year: int) -> int:
    """The next number of `center_id`'s `year`, inside the caller's transaction."""
    await session.execute(dialect_insert(session)(CaseSequence).values(center_id=center_id, year=year, last=0)
                          .on_conflict_do_nothing(index_elements=["center_id", "year"]))
    seq = await session.scalar(update(CaseSequence)
                               .where(CaseSequence.center_id == center_id, CaseSequence.year == year)
                               .values(last=CaseSequence.last + 1).returning(CaseSequence.last))
    assert seq is not None
    return int(seq)
