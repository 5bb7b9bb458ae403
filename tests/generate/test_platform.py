"""The platform files: what every generated project shares, kept as real files.

They live under src/backend_agent/generate/platform/, laid out as in a project, and are
copied verbatim. The repository checks them as the projects do: byte for byte against the
golden projects, with the projects' ruff configuration, and (slow: the project's
environment may have to be built first) with mypy --strict and their own tests in a small
project generated from tests/generate/platform.yaml.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from backend_agent.design import design
from backend_agent.generate import generate, render, write_project
from backend_agent.spec import load_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.generate.conftest import GOLDEN, ROOT

PLATFORM = ROOT / "src" / "backend_agent" / "generate" / "platform"
SPEC = Path(__file__).with_name("platform.yaml")
FILES = sorted(
    PurePosixPath(path.relative_to(PLATFORM).as_posix())
    for path in PLATFORM.rglob("*")
    if path.is_file() and "__pycache__" not in path.parts
)
PYTHON = [path for path in FILES if path.suffix == ".py"]
# The platform's own tests, run in the small project.
TESTS = [path for path in PYTHON if path.parts[0] == "tests" and path.name.startswith("test_")]


def _platform_text(path: PurePosixPath) -> str:
    return (PLATFORM / path).read_bytes().decode("utf-8")


def test_the_platform_is_there() -> None:
    assert PurePosixPath("app/core/errors.py") in FILES
    assert TESTS


def test_the_small_project_renders_every_platform_file_verbatim() -> None:
    files = render(design(load_spec(SPEC)))
    missing = [str(path) for path in FILES if path not in files]
    assert not missing, f"tests/generate/platform.yaml does not render {missing}"
    changed = [str(path) for path in FILES if files[path] != _platform_text(path)]
    assert not changed


def test_every_golden_project_has_each_platform_file_it_includes_byte_for_byte() -> None:
    projects = sorted(path for path in GOLDEN.iterdir() if path.is_dir())
    assert projects
    differ, nowhere = [], []
    for path in FILES:
        copies = [project / path for project in projects if (project / path).is_file()]
        if not copies:
            nowhere.append(str(path))
        differ += [
            str(copy.relative_to(GOLDEN))
            for copy in copies
            if copy.read_bytes() != (PLATFORM / path).read_bytes()
        ]
    assert not nowhere, f"in no golden project: {nowhere}"
    assert not differ, f"not byte-identical to the platform file: {differ}"


def _ruff(tree: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, "--no-cache", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_platform_passes_the_projects_ruff_check_and_format(tmp_path: Path) -> None:
    # The tree as a project holds it, under the generated project's configuration.
    tree = tmp_path / "platform"
    shutil.copytree(PLATFORM, tree, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(GOLDEN / "blog" / "pyproject.toml", tree / "pyproject.toml")
    check = _ruff(tree, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = _ruff(tree, "format", "--check")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small project and the python of its (cached) environment."""
    root = tmp_path_factory.mktemp("platform")
    project = root / "notes"
    write_project(generate(design(load_spec(SPEC))), project)
    return project, ensure_environment(project, SubprocessRunner(), root / "env.log")


def _run(python: Path, project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_the_platform_passes_mypy_strict_in_a_project(small: tuple[Path, Path]) -> None:
    # The project's own configuration (strict, the pydantic plugin) over its app and the
    # platform's tests.
    project, python = small
    result = _run(python, project, "mypy", "app", *map(str, TESTS))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


@pytest.mark.slow
def test_the_platform_tests_pass_in_a_project(small: tuple[Path, Path]) -> None:
    project, python = small
    result = _run(python, project, "pytest", "-q", "-p", "no:cacheprovider", *map(str, TESTS))
    summary = textwrap.shorten(result.stdout[-3000:], 3000)
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert " failed" not in result.stdout
