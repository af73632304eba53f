"""Running Alembic from code: `fayuan migrate`, the test fixtures and `make run` share this."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

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
