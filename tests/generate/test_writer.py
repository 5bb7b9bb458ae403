"""write_project(): all at once or not at all, never over someone's files by accident."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from backend_agent.errors import OutputError
from backend_agent.generate import write_project
from backend_agent.pipeline import manifest_files

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


def generated(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    """``files`` with the generation record build() writes beside them."""
    return manifest_files(files, "name: demo\n")


def test_overwrite_replaces_an_untouched_generated_tree(tmp_path: Path) -> None:
    out = tmp_path / "service"
    write_project(generated({PurePosixPath("old.txt"): "old\n"}), out)
    # What verify leaves behind is ours to replace: reports and caches.
    (out / ".backend-agent/reports").mkdir()
    (out / ".backend-agent/reports/delivery.json").write_text("{}")
    (out / "__pycache__").mkdir()
    (out / "__pycache__/x.pyc").write_bytes(b"\0")
    (out / ".coverage").write_text("data")
    (out / ".hypothesis/examples").mkdir(parents=True)  # the generated tests use hypothesis
    (out / ".hypothesis/examples/a").write_text("x")
    write_project(generated(FILES), out, overwrite=True)
    assert {"README.md", "app/__init__.py", "app/core/config.py"} <= set(tree(out))
    assert "old.txt" not in tree(out)
    assert [p.name for p in tmp_path.iterdir()] == ["service"]


def test_overwrite_refuses_a_git_repository_and_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    (out / ".git").mkdir(parents=True)
    (out / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (out / "notes.txt").write_text("mine")
    before = tree(out)
    with pytest.raises(OutputError, match=f"{out} is not empty and backend-agent did not"):
        write_project(generated(FILES), out, overwrite=True)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["repo"]


def test_a_generated_project_put_under_git_is_refused_pointing_to_update(
    tmp_path: Path,
) -> None:
    out = tmp_path / "service"
    write_project(generated(FILES), out)
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (out / "app/mine.py").write_text("X = 2\n")
    (out / "README.md").write_text("# my own words\n")
    before = tree(out)
    with pytest.raises(OutputError) as caught:
        write_project(generated({PurePosixPath("new.txt"): "new\n"}), out, overwrite=True)
    message = str(caught.value)
    assert ".git/" in message
    assert "app/mine.py" in message
    assert "generated files changed since (README.md)" in message
    assert f"backend-agent update {out}" in message
    assert tree(out) == before


def test_a_link_to_a_generated_project_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_project(generated(FILES), real)
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        write_project(generated(FILES), tmp_path / "link", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


@pytest.mark.parametrize("where", ["/", "home"])
def test_root_and_home_are_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "home":
        home = tmp_path / "home"
        write_project(generated(FILES), home)  # even one that holds a manifest
        monkeypatch.setenv("HOME", str(home))
        target = home
    else:
        target = Path("/")
    before = tree(target) if where == "home" else None
    with pytest.raises(OutputError, match="never replaces it"):
        write_project(generated(FILES), target, overwrite=True)
    if before is not None:
        assert tree(target) == before


def test_an_empty_current_folder_is_filled_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "service"
    out.mkdir()
    monkeypatch.chdir(out)
    write_project(FILES, Path("."))
    assert Path.cwd() == out
    assert "README.md" in tree(out)


def test_a_failed_write_keeps_the_old_tree_and_leaves_no_scratch(tmp_path: Path) -> None:
    out = tmp_path / "service"
    write_project(generated({PurePosixPath("old.txt"): "old\n"}), out)
    # "a" is written as a file, so "a/b" cannot be created beneath it.
    broken = {PurePosixPath("a"): "file\n", PurePosixPath("a/b"): "nested\n"}
    with pytest.raises(OutputError, match="cannot write"):
        write_project(broken, out, overwrite=True)
    assert tree(out)["old.txt"] == b"old\n"
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
