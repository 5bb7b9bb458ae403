"""``write_project``: put a generated tree on disk all at once, or not at all.

A folder is replaced (``overwrite``) only when nothing in it would be lost: it
is empty, or backend-agent generated it (its manifest is there) and it holds
nothing but the files that manifest lists, unchanged, the generation record,
the verify reports and caches tools rebuild (``__pycache__``, ``.coverage``).
Anything else (a ``.git``, a file someone added, a generated file someone
edited, the home folder, ``/``) is refused before anything is touched: those
projects are changed with ``backend-agent update``, which merges and keeps them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from backend_agent.errors import OutputError

__all__ = ["BASE", "MANIFEST", "RECORD_DIR", "REPORTS", "SPEC_COPY", "write_project"]

RECORD_DIR = PurePosixPath(".backend-agent")
MANIFEST = RECORD_DIR / "manifest.json"
SPEC_COPY = RECORD_DIR / "spec.yaml"
BASE = RECORD_DIR / "base.json"
REPORTS = RECORD_DIR / "reports"
# Caches the project's own tools rebuild on their next run (verify's pytest writes some).
_CACHE_DIRS = frozenset(
    {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis"}
)
_SHOWN = 5


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
    refused unless ``overwrite`` is true and it is an untouched generated project
    (see the module docstring); then it is replaced as a whole.
    """
    _check_paths(files)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a directory")
    occupied = out_dir.is_dir() and any(out_dir.iterdir())
    if occupied and not overwrite:
        raise OutputError(
            f"{out_dir} is not empty; choose a new directory or pass --overwrite to replace "
            "a project backend-agent generated there"
        )
    if occupied:
        _refuse_special(out_dir)
        _refuse_foreign(out_dir)
    target = Path(os.path.abspath(out_dir))  # "." has no name and no parent to write beside
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write beside {out_dir}: {exc}") from exc
    try:
        _fill(scratch, files)
        _swap(scratch, target)
    except OSError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise OutputError(f"cannot write {out_dir}: {exc}") from exc


def _refuse_special(out_dir: Path) -> None:
    """Never replaced, whatever they hold: a link, a root, a mount, home, the current folder."""
    where = out_dir.resolve()
    here = Path.cwd().resolve()
    if out_dir.is_symlink():
        why = f"a symbolic link (to {where}); name the folder itself"
    elif where == Path(where.anchor) or os.path.ismount(where):
        why = "a filesystem root or mount point"
    elif where == Path.home().resolve():
        why = "the home folder"
    elif here == where or where in here.parents:
        why = "the current folder (or holds it); run backend-agent from outside it"
    else:
        return
    raise OutputError(f"{out_dir} is {why}; backend-agent never replaces it")


def _recorded_files(out_dir: Path) -> dict[str, str]:
    """The files (path -> sha256) a generated project's manifest lists; refuse without one."""
    path = out_dir / MANIFEST
    advice = "choose a new or empty folder; --overwrite replaces only a project it generated"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(
            f"{out_dir} is not empty and backend-agent did not generate it (no {MANIFEST}); "
            + advice
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path} cannot be read ({exc}); {advice}") from None
    listed = manifest.get("files") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("generator") != "backend-agent"
        or not isinstance(listed, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in listed.items())
    ):
        raise OutputError(f"{path} is not a backend-agent manifest; {advice}")
    return dict(listed)


def _disposable(relative: PurePosixPath) -> bool:
    """Caches and coverage data: what the project's tools write and rebuild."""
    if _CACHE_DIRS.intersection(relative.parts):
        return True
    return len(relative.parts) == 1 and relative.name.startswith(".coverage")


def _refuse_foreign(out_dir: Path) -> None:
    """Refuse unless every entry of ``out_dir`` is ours and unchanged, or disposable."""
    recorded = _recorded_files(out_dir)
    ours = {PurePosixPath(p) for p in recorded} | {MANIFEST, SPEC_COPY, BASE}
    ours_dirs = {parent for path in ours for parent in path.parents} | {REPORTS}
    foreign: list[str] = []
    changed: list[str] = []
    for root, dirs, names in os.walk(out_dir):
        here = PurePosixPath(Path(root).relative_to(out_dir).as_posix())
        for name in list(dirs):
            relative = here / name
            if (out_dir / relative).is_symlink() or not (
                relative in ours_dirs or REPORTS in relative.parents or _disposable(relative)
            ):
                dirs.remove(name)  # someone else's folder: named once, not walked
                if not _disposable(relative):
                    foreign.append(f"{relative}/")
        for name in names:
            relative = here / name
            full = out_dir / relative
            if REPORTS in relative.parents or _disposable(relative):
                continue
            if relative not in ours:
                foreign.append(str(relative))
            elif str(relative) in recorded and (
                full.is_symlink() or _sha256(full) != recorded[str(relative)]
            ):
                changed.append(str(relative))
    if not foreign and not changed:
        return
    parts = []
    if foreign:
        parts.append(f"files backend-agent did not write ({_listed(foreign)})")
    if changed:
        parts.append(f"generated files changed since ({_listed(changed)})")
    raise OutputError(
        f"{out_dir} holds {' and '.join(parts)}; --overwrite replaces only an untouched "
        f"generated project, so nothing was written. To apply a changed spec and keep this "
        f"work, run: backend-agent update {out_dir} --spec SPEC; or choose a new folder"
    )


def _listed(paths: list[str]) -> str:
    shown = ", ".join(sorted(paths)[:_SHOWN])
    return shown + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _swap(scratch: Path, out_dir: Path) -> None:
    """Move ``scratch`` to ``out_dir``; an existing ``out_dir`` is kept until that worked."""
    if not out_dir.exists():
        os.replace(scratch, out_dir)
        return
    if not any(out_dir.iterdir()):
        # Filled entry by entry, so an empty folder (perhaps the current one) stays itself.
        moved: list[Path] = []
        try:
            for entry in sorted(scratch.iterdir()):
                os.replace(entry, out_dir / entry.name)
                moved.append(out_dir / entry.name)
        except OSError:
            for entry in moved:
                os.replace(entry, scratch / entry.name)
            raise
        scratch.rmdir()
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
