"""Project environments are made once, even when several builds ask for one at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from backend_agent.verify.environment import ensure_environment
from backend_agent.verify.runner import FakeRunner

PYPROJECT = '[project]\nname = "svc"\ndependencies = ["fastapi"]\n'


def slow_venv(args: Sequence[str], _cwd: Path) -> tuple[int, str]:
    """Make a venv's python the way ``python -m venv`` would, slowly: long enough for the
    other builds to look at the cache meanwhile."""
    time.sleep(0.2)
    if "venv" in args:
        python = Path(args[-1]) / "bin" / "python"
        python.parent.mkdir(parents=True, exist_ok=True)
        python.write_text("", encoding="utf-8")
    return 0, ""


def test_builds_at_once_share_one_environment_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_AGENT_CACHE", str(tmp_path / "cache"))
    runner = FakeRunner(slow_venv)
    found: list[Path] = []
    errors: list[BaseException] = []

    def build(n: int) -> None:
        project = tmp_path / f"p{n}"
        project.mkdir()
        (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
        try:
            found.append(ensure_environment(project, runner, tmp_path / f"env{n}.log"))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(found)) == 1
    assert found[0].is_file()
    assert [command[1:3] for command in runner.calls] == [["-m", "venv"], ["-m", "pip"]]
    assert (found[0].parents[1] / ".ready").is_file()
