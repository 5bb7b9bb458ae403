"""Shared fixtures: the examples, and scratch databases on the machine's PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
POSTGRES_ADMIN_URL = os.environ.get(
    "BACKEND_AGENT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (as a libpq URL without driver), dropped afterwards.

    The server is required: when it cannot be reached the test fails, it is never skipped.
    """
    name = f"ba_test_{uuid.uuid4().hex[:12]}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except OSError as exc:  # pragma: no cover - only when the server is down
        pytest.fail(f"PostgreSQL is required at {POSTGRES_ADMIN_URL}: {exc}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def example_ids() -> list[str]:
    return [path.stem for path in EXAMPLES]
