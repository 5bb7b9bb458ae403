"""Alembic, driven from Python: start-up migrations (AUTO_MIGRATE) and the test suite."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    """The project's alembic.ini, which lives beside the ``app`` package."""
    path = PROJECT_ROOT / "alembic.ini"
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: run migrations from the project directory")
    return Config(str(path))


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Migrate the database down to ``revision``."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "downgrade", revision)


def _run(connection: Connection, direction: str, revision: str) -> None:
    # migrations/env.py uses this connection instead of opening its own event loop.
    config = alembic_config()
    config.attributes["connection"] = connection
    if direction == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
