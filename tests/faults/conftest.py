"""Fixtures of the fault tests: the blog generated once, a private PostgreSQL cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend_agent.pipeline import build
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.conftest import EXAMPLES
from tests.faults.harness import Blog, Cluster


@pytest.fixture(scope="session")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Blog:
    """The blog example, generated only (no verification), with its environment."""
    spec = next(path for path in EXAMPLES if path.stem == "blog")
    project = tmp_path_factory.mktemp("faults") / "blog"
    build(spec, project, run_verify=False)
    python = ensure_environment(project, SubprocessRunner(), project.parent / "env.log")
    return Blog(project, python)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the tests' own, started; removed at the end."""
    started = Cluster()
    try:
        started.start()
        yield started
    finally:
        started.close()
