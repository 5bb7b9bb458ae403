"""The database engines: async SQLAlchemy on SQLite (default) or PostgreSQL (asyncpg).

Writes go to the primary; with ``DATABASE_REPLICA_URL`` set, read-only requests use a
second engine on the replica (see ``app.api.deps.get_db``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.config import Settings


def create_engine(settings: Settings, *, url: str | None = None) -> AsyncEngine:
    """An engine for ``url`` (by default ``settings.database_url``), pooled per settings.

    Statement parameters are kept out of error messages and logs (they may hold password
    hashes); SQLite gets foreign keys and WAL turned on.
    """
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        hide_parameters=True,
        # enqueue() reads which engine runs the jobs from the connection it is given.
        execution_options={"jobs_engine": settings.jobs_engine},
    )


def create_read_engine(settings: Settings, primary: AsyncEngine) -> AsyncEngine:
    """The engine of read-only requests: the replica's when ``DATABASE_REPLICA_URL`` is set,
    else ``primary`` itself (so callers compare with ``is`` before disposing it)."""
    if settings.database_replica_url is None:
        return primary
    return create_engine(settings, url=settings.database_replica_url)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked on every connection; WAL lets readers
    # proceed while one writer commits, and busy_timeout waits for a lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # With WAL, NORMAL still never corrupts the database; it only skips an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
