"""Three-way merge of one text file, with standard conflict markers."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from backend_agent.errors import BackendAgentError

__all__ = ["Merged", "merge_text"]


@dataclass(frozen=True)
class Merged:
    """The merged text and how many conflicts it holds."""

    text: str
    conflicts: int


def merge_text(*, base: str, ours: str, theirs: str, name: str) -> Merged:
    """Merge ``theirs`` (the new render) into ``ours`` (the user's file) against ``base``.

    Uses ``git merge-file``, the same line merge git itself uses; conflicts are
    marked ``<<<<<<< yours`` / ``=======`` / ``>>>>>>> generated`` in the text.
    """
    if ours == theirs or base == theirs:
        return Merged(ours, 0)
    if base == ours:
        return Merged(theirs, 0)
    with tempfile.TemporaryDirectory(prefix="backend-agent-merge-") as scratch:
        paths = {}
        for label, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            paths[label] = Path(scratch) / label
            paths[label].write_text(text, encoding="utf-8")
        try:
            result = subprocess.run(
                [
                    "git",
                    "merge-file",
                    "-p",
                    "-L",
                    f"yours: {name}",
                    "-L",
                    "last generated",
                    "-L",
                    "generated now",
                    str(paths["ours"]),
                    str(paths["base"]),
                    str(paths["theirs"]),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError:
            raise BackendAgentError("update needs git on PATH for three-way merges") from None
    if result.returncode < 0 or result.returncode > 127:
        raise RuntimeError(f"git merge-file failed on {name}: {result.stderr}")
    return Merged(result.stdout, result.returncode)
