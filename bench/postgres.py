"""PostgreSQL for the benchmarks: FAYUAN_BENCH_DATABASE_URL names a server (and a database on it
to connect to); each bench makes databases of its own beside it and drops them after.

    FAYUAN_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres make bench
"""
from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.engine import make_url

ENVIRONMENT = "FAYUAN_BENCH_DATABASE_URL"


def server_url() -> str | None:
    """FAYUAN_BENCH_DATABASE_URL when it names PostgreSQL; None (the .pg figures are skipped)
    otherwise."""
    url = os.environ.get(ENVIRONMENT, "")
    return url if url.startswith("postgresql") else None


def skipped_because() -> str:
    if not os.environ.get(ENVIRONMENT):
        return f"{ENVIRONMENT} is not set (a PostgreSQL server the bench may create databases on)"
    return f"{ENVIRONMENT} is not a PostgreSQL URL"


class Databases:
    """Databases of the bench's own beside the one FAYUAN_BENCH_DATABASE_URL names (which is
    left alone: it is only connected to), each made empty or as a copy of another
    (CREATE DATABASE … TEMPLATE) and dropped when the bench is done with it, or at the end."""

    def __init__(self, url: str, purpose: str) -> None:
        self.url = url
        self.prefix = f"fayuan_bench_{purpose}_{os.getpid()}"
        self.created: list[str] = []

    async def __aenter__(self) -> "Databases":
        from server.db import make_engine

        self.admin = make_engine(self.url).execution_options(isolation_level="AUTOCOMMIT")
        return self

    async def __aexit__(self, *exc: object) -> None:
        for name in self.created:
            await self.drop(name)
        await self.admin.dispose()

    async def create(self, name: str, template: str | None = None) -> str:
        self.created.append(name)
        await self.drop(name)
        async with self.admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    async def drop(self, name: str) -> None:
        async with self.admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
