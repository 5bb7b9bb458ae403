"""A virtual environment for a generated project, reused while its dependencies are unchanged."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tomllib
from pathlib import Path

from backend_agent.errors import GateError
from backend_agent.verify.runner import Runner

__all__ = ["cache_root", "dependencies", "ensure_environment"]

# Tools the verifier runs inside the project's environment, besides its own dependencies.
_VERIFIER_TOOLS = ("pytest>=8", "pytest-cov>=5", "coverage[toml]>=7.5", "mypy>=1.11")


def cache_root() -> Path:
    """Where environments are kept: $BACKEND_AGENT_CACHE, else the user cache directory."""
    configured = os.environ.get("BACKEND_AGENT_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "backend-agent"


def dependencies(project: Path) -> list[str]:
    """The project's runtime, test and development (ruff, mypy) requirements, from its
    pyproject.toml."""
    path = project / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateError(f"{path} not found: is {project} a generated project?") from None
    except tomllib.TOMLDecodeError as exc:
        raise GateError(f"{path} is not valid TOML: {exc}") from None
    section = data.get("project", {})
    extras = section.get("optional-dependencies", {})
    wanted = (*section.get("dependencies", []), *extras.get("test", []), *extras.get("dev", []))
    return sorted({*wanted, *_VERIFIER_TOOLS})


def ensure_environment(project: Path, runner: Runner, log: Path) -> Path:
    """The python executable of a ready environment for ``project``; built if needed.

    Environments are keyed by the hash of the requirement list and the Python
    version, so projects with the same dependencies share one.
    """
    requirements = dependencies(project)
    key = hashlib.sha256("\n".join([sys.version, *requirements]).encode("utf-8")).hexdigest()[:16]
    root = cache_root() / "venvs" / key
    root.parent.mkdir(parents=True, exist_ok=True)
    # Builds running at once (jobs, a campaign) wait for the one that makes the
    # environment, instead of removing it under each other's feet.
    with (root.parent / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ready(root, requirements, project, runner, log)


def _ready(root: Path, requirements: list[str], project: Path, runner: Runner, log: Path) -> Path:
    python = root / "bin" / "python"
    if (root / ".ready").exists() and python.exists():
        log.write_text(f"reused environment {root}\n", encoding="utf-8")
        return python
    shutil.rmtree(root, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(root)],
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements],
    ]
    transcript = []
    for step in steps:
        result = runner.run(step, cwd=project, timeout=1200)
        transcript.append(f"$ {result.command}\n{result.output}")
        if result.exit_code != 0:
            log.write_text("\n".join(transcript), encoding="utf-8")
            shutil.rmtree(root, ignore_errors=True)
            raise GateError(
                f"could not install the project's dependencies (exit {result.exit_code}); see {log}"
            )
    log.write_text("\n".join(transcript), encoding="utf-8")
    (root / ".ready").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    return python
