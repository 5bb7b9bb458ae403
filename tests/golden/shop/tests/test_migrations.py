"""The migrations go up, down and up again, leaving exactly the modelled tables."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.migrations import downgrade, upgrade
from app.jobs import pgq
from app.models import Base
from app.models.counts import counts_metadata

pytestmark = pytest.mark.anyio
# SQLite's full-text indexes: FTS5 tables, and the tables FTS5 keeps beside each (on
# PostgreSQL an index is a column of its table).
SQLITE_SEARCH_TABLES = frozenset(
    {
        "_search_products",
        "_search_products_config",
        "_search_products_data",
        "_search_products_docsize",
        "_search_products_idx",
    }
)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"} - pgq.tables()  # pgqueuer's, on PostgreSQL


# The models' tables, and the one the count triggers write to.
MODELLED = set(Base.metadata.tables) | set(counts_metadata.tables)


async def test_upgrade_downgrade_upgrade(engine: AsyncEngine) -> None:
    sqlite = engine.dialect.name == "sqlite"
    expected = MODELLED | SQLITE_SEARCH_TABLES if sqlite else MODELLED
    assert await table_names(engine) == expected
    await downgrade(engine, "base")
    assert await table_names(engine) == set()
    await upgrade(engine, "head")
    assert await table_names(engine) == expected
