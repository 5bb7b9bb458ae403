"""pgqueuer, the queue engine at scale (JOBS_ENGINE=pgqueuer, PostgreSQL only).

The jobs table stays the record of every job; pgqueuer only delivers them. ``push``
adds one pgqueuer job per row of the jobs table (entrypoint: the job's name, payload:
its id) on the caller's asyncpg connection, so both commit or roll back together.
pgqueuer's schema comes from the migrations (``install_sql``), on PostgreSQL only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import cast

import asyncpg  # type: ignore[import-untyped]
from pgqueuer import AsyncpgDriver, Queries
from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment
from sqlalchemy import BigInteger, DateTime, LargeBinary, String, TableClause, column, table
from sqlalchemy.engine.interfaces import AdaptedConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


def uses_pgqueuer(db: AsyncConnection) -> bool:
    """Whether the jobs written on ``db`` go to pgqueuer too (its engine says so)."""
    return bool(db.engine.get_execution_options().get("jobs_engine") == "pgqueuer")


async def raw_connection(db: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under ``db``, inside the same transaction."""
    adapted = cast(AdaptedConnection, await db.get_raw_connection())
    return cast(asyncpg.Connection, adapted.driver_connection)


async def push(db: AsyncConnection, jobs: Sequence[tuple[str, uuid.UUID, float]]) -> None:
    """Hand jobs (name, id, seconds to wait) to pgqueuer in the caller's transaction."""
    if not jobs:
        return
    queries = Queries(AsyncpgDriver(await raw_connection(db)))
    await queries.enqueue(
        [name for name, _, _ in jobs],
        [job_id.hex.encode() for _, job_id, _ in jobs],
        [0] * len(jobs),
        [timedelta(seconds=delay) for _, _, delay in jobs],
    )


def job_id_of(payload: bytes | None) -> uuid.UUID | None:
    """The id of our job a pgqueuer job carries; None when it carries none."""
    try:
        return uuid.UUID(bytes(payload or b"").decode())
    except ValueError:
        return None


async def connect(engine: AsyncEngine) -> asyncpg.Connection:
    """A connection of its own for a pgqueuer worker (it listens on it)."""
    url = engine.url.set(drivername="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False))


def tables() -> frozenset[str]:
    """The tables pgqueuer's schema adds."""
    settings = QueryBuilderEnvironment().settings
    names = (
        settings.queue_table,
        settings.queue_table_log,
        settings.statistics_table,
        settings.schedules_table,
    )
    return frozenset(str(name) for name in names)


def queue_table() -> TableClause:
    """pgqueuer's queue table, to query through SQLAlchemy (admin tools, tests)."""
    return table(
        str(QueryBuilderEnvironment().settings.queue_table),
        column("id", BigInteger),
        column("entrypoint", String),
        column("status", String),
        column("payload", LargeBinary),
        column("created", DateTime(timezone=True)),
        column("execute_after", DateTime(timezone=True)),
    )


def install_sql() -> str:
    """The statements that create pgqueuer's schema."""
    return QueryBuilderEnvironment().build_install_query()


def uninstall_sql() -> str:
    """The statements that drop pgqueuer's schema."""
    return QueryBuilderEnvironment().build_uninstall_query()
