"""Alembic: head → base → head on every database kind, and the models match the migrated schema."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from server.db import Base, all_models, make_engine
from server.migrate import downgrade, upgrade
from tests.support import PG_URL, sqlite_url


async def _schema_diff(url: str) -> list:
    all_models()
    engine = make_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata))
    await engine.dispose()
    return diff


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _round_trip(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    assert await _schema_diff(url) == []
    tables = await _tables(url)
    assert {"units", "accounts", "audit_log", "calendar_days"} <= tables
    await asyncio.to_thread(downgrade, url, "base")
    assert await _tables(url) == set()
    await asyncio.to_thread(upgrade, url)
    assert await _tables(url) == tables
    assert await _schema_diff(url) == []


async def test_sqlite_round_trip(tmp_path: Path) -> None:
    await _round_trip(sqlite_url(tmp_path / "migrations.sqlite3"))


@pytest.mark.skipif(not PG_URL, reason="FAYUAN_TEST_DATABASE_URL is not set")
async def test_postgresql_round_trip() -> None:
    """In a database of its own, so the shared test database stays migrated for the others."""
    assert PG_URL
    name = f"fayuan_migrations_{os.getpid()}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        await conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        await _round_trip(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()
