"""Shared helpers for the agent tests: folders, git repositories, and the provider environment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
EXAMPLES = REPO / "examples"
# Agent definition files written for these tests, one per case the loader handles.
DEFINITIONS = Path(__file__).parent / "definitions"

PROVIDER_VARIABLES = (
    "BACKEND_AGENT_PROVIDER",
    "BACKEND_AGENT_MODEL",
    "BACKEND_AGENT_SCRIPT",
    "BACKEND_AGENT_MAX_OUTPUT_TOKENS",
    "BACKEND_AGENT_TIMEOUT",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
)


@pytest.fixture(autouse=True)
def _no_provider_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure providers explicitly; the developer's own settings never leak in."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its stdout."""
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def init_repo(root: Path) -> Path:
    """Make ``root`` a git repository with one commit of whatever it holds."""
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(
        root,
        "-c",
        "user.name=Someone",
        "-c",
        "user.email=someone@example.com",
        "commit",
        "--quiet",
        "--allow-empty",
        "-m",
        "start",
    )
    return root


@pytest.fixture
def library_project(tmp_path: Path) -> Path:
    """A folder holding the library example spec as ``spec.yaml``."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(EXAMPLES / "library.yaml", root / "spec.yaml")
    return root
