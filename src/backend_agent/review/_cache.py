"""Per-file results kept between runs, so an unchanged tree is reviewed again at once.

A file's result (findings, pending findings, project facts, ``noqa`` lines)
depends only on its path, its dotted module name, its bytes, the rules run and
the reviewer's own code; the key hashes all of them, so any edit to the file or to
the reviewer misses the cache. Project-wide decisions (``resolve``) are made again
on every run from the cached parts. Entries are pickles in a folder only the user
can read (``$XDG_CACHE_HOME/backend-agent/review`` by default): a pickle runs code
when loaded, so the folder must not be shared.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path

__all__ = ["ResultCache", "default_cache_dir"]

_FORMAT = "1"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/backend-agent/review``, else ``~/.cache/backend-agent/review``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "backend-agent" / "review"


@cache
def _reviewer_fingerprint() -> str:
    """A hash of the reviewer's own source and the Python version (its ``ast``)."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ResultCache:
    """Results by file content in ``folder``; read and write errors only cost a miss."""

    def __init__(self, folder: Path, codes: Sequence[str]) -> None:
        self.folder = folder
        self._salt = "\0".join([_FORMAT, _reviewer_fingerprint(), ",".join(codes)])

    def key(self, path: str, name: str, data: bytes) -> str:
        """The entry name for ``path`` holding ``data``."""
        digest = hashlib.sha256("\0".join([self._salt, path, name, ""]).encode())
        digest.update(data)
        return digest.hexdigest()

    def load(self, key: str) -> object | None:
        """The stored result, or None."""
        if not self._trusted:
            return None
        try:
            with open(self._file(key), "rb") as handle:
                # Only this user can write the folder (checked above): the pickle is ours.
                loaded: object = pickle.load(handle)  # noqa: S301
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return loaded

    def store(self, key: str, result: object) -> None:
        """Keep ``result`` under ``key`` (written whole or not at all)."""
        target = self._file(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            target.parent.mkdir(exist_ok=True, mode=0o700)
            fd, scratch = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(scratch, target)
        except OSError:
            return

    @cached_property
    def _trusted(self) -> bool:
        return self._private()

    def _private(self) -> bool:
        """The folder belongs to this user and nobody else may write to it."""
        try:
            status = self.folder.stat()
        except OSError:
            return False
        owner = getattr(os, "getuid", lambda: status.st_uid)()
        return status.st_uid == owner and not status.st_mode & 0o022

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"
