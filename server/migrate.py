"""Running Alembic from code: `fayuan migrate`, the test fixtures and `make run` share this."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Blocking: call from the CLI, or via asyncio.to_thread from async code. "heads": domains
    may add migrations side by side (branches off the same parent); all of them are applied."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "heads") -> None:
    await asyncio.to_thread(upgrade, database_url, revision)


async def schema_state(engine: AsyncEngine, database_url: str) -> str:
    """"missing" (no schema), "behind" (older than this code's migrations) or "current"."""
    async with engine.connect() as conn:
        applied = set(await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads()))
    if not applied:
        return "missing"
    known = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    return "current" if applied == known else "behind"
