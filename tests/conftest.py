"""Shared fixtures: the examples, and scratch databases on the machine's PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
POSTGRES_ADMIN_URL = os.environ.get(
    "BACKEND_AGENT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


# A clone of the repository is all a user has: a test that reads a file beside it (a sibling
# folder next to the clone) passes only on the machine it was written on. Every file or
# folder a test opens is checked (a clone made straight in the temporary folder excepted).
_TEMP = Path(tempfile.gettempdir()).resolve()
_OPENED_OUTSIDE: list[str] = []


# Folders whose tests build, serve, migrate or attack whole projects: the quick tier
# (``pytest -m "not slow"``, the generator's and the tools' unit tests) leaves them out.
_SLOW_FOLDERS = ("e2e", "faults", "live", "security", "update")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.relative_to(ROOT / "tests").parts
        if parts[0] in _SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


def pytest_report_header() -> str:
    from tests.strategies.regressions import regressions_this_run

    chosen = ", ".join(path.stem for path in regressions_this_run()) or "none"
    return f"regression specs built this run (BACKEND_AGENT_REGRESSION_BUILDS): {chosen}"


def outside_repository(path: str | bytes | os.PathLike[Any] | int) -> bool:
    """Whether ``path`` lies beside the repository (under its parent folder, not in it)."""
    if isinstance(path, int):
        return False  # a file descriptor: its path was checked when it was opened
    try:
        resolved = Path(os.fsdecode(path)).resolve()
    except (OSError, ValueError):
        return False
    if resolved.is_relative_to(ROOT) or not resolved.is_relative_to(ROOT.parent):
        return False
    # Beside the clone. A clone made straight in the temporary folder has every test's
    # scratch space beside it too: only there are its siblings left unchecked.
    return ROOT.parent != _TEMP


def _watch_opens(event: str, args: tuple[Any, ...]) -> None:
    watched = event in {"open", "os.listdir", "os.scandir"} and args and args[0] is not None
    if watched and outside_repository(args[0]):
        _OPENED_OUTSIDE.append(os.fsdecode(args[0]))


sys.addaudithook(_watch_opens)


@pytest.fixture(autouse=True)
def _only_the_repository_is_read() -> Iterator[None]:
    del _OPENED_OUTSIDE[:]
    yield
    if _OPENED_OUTSIDE:
        opened = sorted(set(_OPENED_OUTSIDE))
        del _OPENED_OUTSIDE[:]
        pytest.fail(f"the test read outside the repository {ROOT}: {opened}")


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
