"""``write_project``: put a generated tree on disk all at once, or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from backend_agent.errors import OutputError

__all__ = ["write_project"]


def _check_paths(files: Mapping[PurePosixPath, str]) -> None:
    for path in files:
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"not a relative path inside the project: {path}")


def _fill(root: Path, files: Mapping[PurePosixPath, str]) -> None:
    for path in sorted(files):
        target = root.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[path])


def write_project(
    files: Mapping[PurePosixPath, str], out_dir: Path, *, overwrite: bool = False
) -> None:
    """Write ``files`` (paths relative to the project) into ``out_dir``.

    The tree is written into a scratch directory beside ``out_dir`` and then moved
    into place, so ``out_dir`` is never half-written. A non-empty ``out_dir`` is
    refused unless ``overwrite`` is true, in which case it is replaced as a whole.
    """
    _check_paths(files)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a directory")
    occupied = out_dir.is_dir() and any(out_dir.iterdir())
    if occupied and not overwrite:
        raise OutputError(
            f"{out_dir} is not empty; choose a new directory or pass --overwrite to replace it"
        )
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    except OSError as exc:
        raise OutputError(f"cannot write beside {out_dir}: {exc}") from exc
    try:
        _fill(scratch, files)
        _swap(scratch, out_dir)
    except OSError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise OutputError(f"cannot write {out_dir}: {exc}") from exc


def _swap(scratch: Path, out_dir: Path) -> None:
    """Move ``scratch`` to ``out_dir``; an existing ``out_dir`` is kept until that worked."""
    if not out_dir.exists():
        os.replace(scratch, out_dir)
        return
    if not any(out_dir.iterdir()):
        out_dir.rmdir()
        os.replace(scratch, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    retired.rmdir()
    os.replace(out_dir, retired)
    try:
        os.replace(scratch, out_dir)
    except OSError:
        os.replace(retired, out_dir)  # put the old tree back untouched
        raise
    shutil.rmtree(retired, ignore_errors=True)
