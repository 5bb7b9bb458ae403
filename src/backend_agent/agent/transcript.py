"""The run folder and its JSONL transcript: one JSON object per line, flushed as it happens.

``ROOT/.backend-agent/runs/<UTC timestamp>/transcript.jsonl``; the ``runs``
folder ignores itself in git, so checkpoints never commit it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel

__all__ = ["Transcript", "new_run_dir"]


def new_run_dir(root: Path, *, now: datetime | None = None) -> Path:
    """A new, empty run folder under ``root/.backend-agent/runs``."""
    runs = root / ".backend-agent" / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    ignore = runs / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# backend-agent run records, not part of the project\n*\n")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    candidate, suffix = runs / stamp, 1
    while candidate.exists():
        suffix += 1
        candidate = runs / f"{stamp}-{suffix}"
    candidate.mkdir()
    return candidate


class Transcript:
    """Appends records to ``transcript.jsonl`` in a run folder."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / "transcript.jsonl"
        self._file: TextIO = self.path.open("a", encoding="utf-8")

    def write(self, kind: str, **fields: Any) -> None:
        """Append one record of type ``kind``."""
        record = {"type": kind, **{k: _plain(v) for k, v in fields.items()}}
        self._file.write(json.dumps(record, sort_keys=False, default=str) + "\n")
        self._file.flush()

    @property
    def closed(self) -> bool:
        """Whether the transcript is finished."""
        return self._file.closed

    def close(self) -> None:
        """Close the file (again, harmlessly)."""
        self._file.close()


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
