"""``review(..., cache=folder)``: unchanged files are not analysed again, edited ones are."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from backend_agent.cli.review import register
from backend_agent.review import default_cache_dir, review

ROUTE = """\
import os
from flask import Flask, request

app = Flask(__name__)


@app.post("/run")
def run():
    os.system("ls " + request.form["path"])
    return ""
"""


def entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pickle"))


def test_a_second_run_reads_every_file_from_the_cache(tmp_path: Path) -> None:
    project, cache = tmp_path / "app", tmp_path / "cache"
    project.mkdir()
    (project / "routes.py").write_text(ROUTE, encoding="utf-8")
    (project / "util.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    first = review(project, jobs=1, cache=cache)
    stored = entries(cache)
    assert len(stored) == 2
    # Entries are only ever written, never rewritten, for unchanged files.
    stamps = [p.stat().st_mtime_ns for p in stored]
    assert review(project, jobs=1, cache=cache) == first
    assert [p.stat().st_mtime_ns for p in entries(cache)] == stamps
    assert [(f.line, f.code) for f in first] == [(9, "BA102")]


def test_an_edited_file_is_analysed_again(tmp_path: Path) -> None:
    project, cache = tmp_path / "app", tmp_path / "cache"
    project.mkdir()
    routes = project / "routes.py"
    routes.write_text(ROUTE, encoding="utf-8")
    assert [f.line for f in review(project, jobs=1, cache=cache)] == [9]
    routes.write_text("# moved down\n" + ROUTE, encoding="utf-8")
    assert [f.line for f in review(project, jobs=1, cache=cache)] == [10]
    routes.write_text(ROUTE.replace('"ls " + request.form["path"]', '"ls"'), encoding="utf-8")
    assert review(project, jobs=1, cache=cache) == []


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    project, cache = tmp_path / "app", tmp_path / "cache"
    project.mkdir()
    (project / "routes.py").write_text(ROUTE, encoding="utf-8")
    first = review(project, jobs=1, cache=cache)
    for entry in entries(cache):
        entry.write_bytes(b"not a pickle")
    assert review(project, jobs=1, cache=cache) == first


def test_a_folder_others_may_write_to_is_not_read(tmp_path: Path) -> None:
    project, cache = tmp_path / "app", tmp_path / "cache"
    project.mkdir()
    (project / "routes.py").write_text(ROUTE, encoding="utf-8")
    first = review(project, jobs=1, cache=cache)
    cache.chmod(0o777)
    [entry] = entries(cache)
    stamp = entry.stat().st_mtime_ns
    assert review(project, jobs=1, cache=cache) == first
    assert entry.stat().st_mtime_ns != stamp  # analysed again and written anew


def test_the_command_caches_unless_told_not_to(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    (tmp_path / "routes.py").write_text(ROUTE, encoding="utf-8")
    CliRunner().invoke(app, ["review", str(tmp_path), "--no-cache"])
    assert not default_cache_dir().exists()
    result = CliRunner().invoke(app, ["review", str(tmp_path)])
    assert "BA102" in result.stdout
    assert len(entries(default_cache_dir())) == 1
