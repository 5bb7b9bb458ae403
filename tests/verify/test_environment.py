"""Project environments are made once, even when several builds ask for one at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from backend_agent.verify.environment import ensure_environment
from backend_agent.verify.runner import Completed

PYPROJECT = '[project]\nname = "svc"\ndependencies = ["fastapi"]\n'


class SlowVenvRunner:
    """Makes a venv's python the way ``python -m venv`` would, slowly; counts what it ran."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self._lock = threading.Lock()

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
    ) -> Completed:
        with self._lock:
            self.commands.append([str(a) for a in args])
        time.sleep(0.2)  # long enough for the other builds to look at the cache meanwhile
        if "venv" in args:
            python = Path(args[-1]) / "bin" / "python"
            python.parent.mkdir(parents=True, exist_ok=True)
            python.write_text("", encoding="utf-8")
        return Completed(" ".join(map(str, args)), 0, "", 0.2)


def test_builds_at_once_share_one_environment_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_AGENT_CACHE", str(tmp_path / "cache"))
    runner = SlowVenvRunner()
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
    assert [command[1:3] for command in runner.commands] == [["-m", "venv"], ["-m", "pip"]]
    assert (found[0].parents[1] / ".ready").is_file()
