"""Scratch databases for the speed benchmark: create, migrate, seed, clean, drop.

The schema comes from the generated project's own Alembic migrations, so every app
reads the tables the generated service defines. Rows go in through the drivers
directly (COPY on PostgreSQL, ``executemany`` on SQLite): seeding 100k posts takes
seconds, not the minutes the HTTP API would.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-1"
POSTER_EMAIL = "bench-author@example.com"
AUTHORS = 10
DELETED_EVERY = 100  # one post in a hundred is soft-deleted, so the filter has work to do
WORDS = (
    "async",
    "python",
    "service",
    "latency",
    "throughput",
    "database",
    "index",
    "query",
    "pool",
    "worker",
    "event",
    "loop",
    "request",
    "response",
    "schema",
    "json",
    "token",
    "session",
    "cache",
    "queue",
    "replica",
    "vacuum",
    "page",
    "limit",
)


@dataclass
class Database:
    """One scratch database: the URL the apps use and what was put in it."""

    kind: str  # "postgresql" or "sqlite"
    url: str  # SQLAlchemy URL (postgresql+asyncpg:// or sqlite+aiosqlite://)
    name: str = ""  # the PostgreSQL database name
    path: Path | None = None  # the SQLite file
    poster_id: uuid.UUID | None = None
    ids: list[str] = field(default_factory=list)  # a sample of visible post ids
    visible: int = 0  # posts not soft-deleted

    @property
    def dsn(self) -> str:
        """The libpq-style DSN (asyncpg) of a PostgreSQL database."""
        return self.url.replace("postgresql+asyncpg://", "postgresql://")


def create(kind: str, workdir: Path) -> Database:
    """A new, empty scratch database of ``kind``."""
    if kind == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Database(kind, f"sqlite+aiosqlite:///{path}", path=path)
    name = f"bench_speed_{os.getpid()}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    return Database(kind, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name=name)


def drop(db: Database) -> None:
    """Remove the scratch database."""
    if db.kind == "sqlite" and db.path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db.path}{suffix}").unlink(missing_ok=True)
    elif db.name:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)'))


async def _admin(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def migrate(db: Database, project: Path, env: dict[str, str], python: Path) -> None:
    """``alembic upgrade head`` in the generated project, against ``db``."""
    subprocess.run(
        [str(python), "-m", "alembic", "upgrade", "head"],
        cwd=project,
        env={**env, "DATABASE_URL": db.url},
        check=True,
        capture_output=True,
        timeout=120,
    )


def _posts(rows: int, owners: list[uuid.UUID], now: datetime) -> list[tuple[object, ...]]:
    rng = random.Random(7)
    records = []
    for i in range(rows):
        created = now - timedelta(seconds=rng.randrange(365 * 86400), microseconds=i)
        published = rng.random() < 0.6
        body = " ".join(rng.choices(WORDS, k=rng.randrange(40, 120)))
        records.append(
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                f"Post {i}: {' '.join(rng.choices(WORDS, k=5))}",
                body,
                "published" if published else "draft",
                created + timedelta(hours=1) if published else None,
                owners[i % len(owners)],
                created,
                created,
                created + timedelta(days=1) if i % DELETED_EVERY == DELETED_EVERY - 1 else None,
            )
        )
    return records


def _users(now: datetime) -> list[tuple[object, ...]]:
    password_hash = PasswordHasher().hash(PASSWORD)
    emails = [POSTER_EMAIL] + [f"author-{i}@example.com" for i in range(AUTHORS)]
    return [(uuid.uuid4(), email, password_hash, "author", now, now) for email in emails]


USER_COLUMNS = ("id", "email", "password_hash", "role", "created_at", "updated_at")
POST_COLUMNS = (
    "id",
    "title",
    "body",
    "status",
    "published_at",
    "owner_id",
    "created_at",
    "updated_at",
    "deleted_at",
)


def seed(db: Database, rows: int, *, sample: int = 20_000) -> None:
    """Insert the users and ``rows`` posts, then refresh the planner statistics."""
    now = datetime.now(UTC)
    users = _users(now)
    posts = _posts(rows, [u[0] for u in users[1:]], now)
    db.poster_id = users[0][0]
    visible = [str(p[0]) for p in posts if p[8] is None]
    db.visible = len(visible)
    db.ids = random.Random(11).sample(visible, min(sample, len(visible)))
    if db.kind == "sqlite":
        _seed_sqlite(db, users, posts)
    else:
        asyncio.run(_seed_postgresql(db, users, posts))


async def _seed_postgresql(
    db: Database, users: list[tuple[object, ...]], posts: list[tuple[object, ...]]
) -> None:
    import asyncpg

    conn = await asyncpg.connect(db.dsn)
    try:
        await conn.copy_records_to_table("users", records=users, columns=USER_COLUMNS)
        await conn.copy_records_to_table("posts", records=posts, columns=POST_COLUMNS)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def _sqlite_value(value: object) -> object:
    # How SQLAlchemy stores these types on SQLite: 32 hex digits, naive UTC text.
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _seed_sqlite(
    db: Database, users: list[tuple[object, ...]], posts: list[tuple[object, ...]]
) -> None:
    conn = sqlite3.connect(str(db.path))
    try:
        for table, columns, records in (
            ("users", USER_COLUMNS, users),
            ("posts", POST_COLUMNS, posts),
        ):
            marks = ", ".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                ([_sqlite_value(v) for v in record] for record in records),
            )
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


def remove_new_posts(db: Database) -> int:
    """Delete the posts the POST runs created (all owned by the poster) and their audit
    rows, so every run reads and writes to the same data."""
    if db.kind == "sqlite":
        conn = sqlite3.connect(str(db.path), timeout=30)
        try:
            assert db.poster_id is not None
            count = conn.execute("DELETE FROM posts WHERE owner_id = ?", (db.poster_id.hex,))
            conn.execute("DELETE FROM audit_log WHERE actor_id = ?", (db.poster_id.hex,))
            conn.commit()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return count.rowcount
        finally:
            conn.close()
    return asyncio.run(_remove_new_posts_pg(db))


async def _remove_new_posts_pg(db: Database) -> int:
    import asyncpg

    conn = await asyncpg.connect(db.dsn)
    try:
        status = await conn.execute("DELETE FROM posts WHERE owner_id = $1", db.poster_id)
        await conn.execute("DELETE FROM audit_log WHERE actor_id = $1", db.poster_id)
        await conn.execute("VACUUM ANALYZE posts")
        await conn.execute("VACUUM ANALYZE audit_log")
        return int(status.split()[-1])
    finally:
        await conn.close()


def audit_rows(db: Database, entity_id: uuid.UUID) -> list[tuple[object, ...]]:
    """The audit rows of one post: (action, entity, actor_id), actor ids as UUIDs."""
    if db.kind == "sqlite":
        conn = sqlite3.connect(str(db.path), timeout=30)
        try:
            found = conn.execute(
                "SELECT action, entity, actor_id FROM audit_log WHERE entity_id = ?",
                (entity_id.hex,),
            ).fetchall()
        finally:
            conn.close()
        return [(a, e, actor and uuid.UUID(actor)) for a, e, actor in found]
    return asyncio.run(_audit_rows_pg(db, entity_id))


async def _audit_rows_pg(db: Database, entity_id: uuid.UUID) -> list[tuple[object, ...]]:
    import asyncpg

    conn = await asyncpg.connect(db.dsn)
    try:
        query = "SELECT action, entity, actor_id FROM audit_log WHERE entity_id = $1"
        rows = await conn.fetch(query, entity_id)
        return [(r[0], r[1], r[2] and uuid.UUID(str(r[2]))) for r in rows]
    finally:
        await conn.close()


def busy_queries(db: Database) -> int:
    """Statements running in ``db`` right now, from other sessions (0 on SQLite)."""
    if db.kind == "sqlite":
        return 0
    return asyncio.run(_busy_queries_pg(db))


async def _busy_queries_pg(db: Database) -> int:
    import asyncpg

    conn = await asyncpg.connect(db.dsn)
    try:
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
            " AND state = 'active' AND pid <> pg_backend_pid()"
        )
        return int(await conn.fetchval(query, db.name))
    finally:
        await conn.close()
