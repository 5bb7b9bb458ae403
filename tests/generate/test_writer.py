"""write_project(): all at once or not at all, never over someone's files by accident."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from backend_agent.errors import OutputError
from backend_agent.generate import write_project

FILES = {
    PurePosixPath("README.md"): "# demo\n",
    PurePosixPath("app/__init__.py"): '"""demo"""\n',
    PurePosixPath("app/core/config.py"): "X = 1\n",
}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_writes_every_file_with_lf_endings(tmp_path: Path) -> None:
    out = tmp_path / "service"
    write_project({**FILES, PurePosixPath("notes.txt"): "a\nb\n"}, out)
    assert tree(out)["app/core/config.py"] == b"X = 1\n"
    assert tree(out)["notes.txt"] == b"a\nb\n"
    assert set(tree(out)) == {"README.md", "app/__init__.py", "app/core/config.py", "notes.txt"}
    assert [p.name for p in tmp_path.iterdir()] == ["service"]  # no scratch left behind


def test_an_empty_directory_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "service"
    out.mkdir()
    write_project(FILES, out)
    assert "README.md" in tree(out)


def test_a_non_empty_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "service"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputError, match="--overwrite"):
        write_project(FILES, out)
    assert tree(out) == {"mine.txt": b"keep me"}


def test_overwrite_replaces_the_whole_tree(tmp_path: Path) -> None:
    out = tmp_path / "service"
    write_project({PurePosixPath("old.txt"): "old\n"}, out)
    write_project(FILES, out, overwrite=True)
    assert set(tree(out)) == {"README.md", "app/__init__.py", "app/core/config.py"}
    assert [p.name for p in tmp_path.iterdir()] == ["service"]


def test_a_failed_write_keeps_the_old_tree_and_leaves_no_scratch(tmp_path: Path) -> None:
    out = tmp_path / "service"
    write_project({PurePosixPath("old.txt"): "old\n"}, out)
    # "a" is written as a file, so "a/b" cannot be created beneath it.
    broken = {PurePosixPath("a"): "file\n", PurePosixPath("a/b"): "nested\n"}
    with pytest.raises(OutputError, match="cannot write"):
        write_project(broken, out, overwrite=True)
    assert tree(out) == {"old.txt": b"old\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["service"]


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "service"
    out.write_text("not a directory")
    with pytest.raises(OutputError, match="not a directory"):
        write_project(FILES, out, overwrite=True)


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.txt", "app/../../x"])
def test_paths_must_stay_inside_the_project(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="inside the project"):
        write_project({PurePosixPath(bad): "x"}, tmp_path / "service")
    assert not (tmp_path / "service").exists()
