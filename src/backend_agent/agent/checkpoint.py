"""Git checkpoints: one commit per agent step, so every change can be inspected or undone.

Only the working repository is touched (``git -C ROOT``), only paths under
the run's root are committed, and the author is fixed so checkpoints are
easy to find (``git log --author=backend-agent``) and never impersonate the user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from backend_agent.agent.errors import AgentError

__all__ = ["AUTHOR_EMAIL", "AUTHOR_NAME", "CheckpointError", "Checkpointer"]

AUTHOR_NAME = "backend-agent"
AUTHOR_EMAIL = "backend-agent@localhost"
_TIMEOUT = 60


class CheckpointError(AgentError):
    """git refused a checkpoint (a lock file, a broken repository...)."""


@dataclass(frozen=True)
class Checkpointer:
    """Commits the changes under ``root`` after each step."""

    root: Path

    @classmethod
    def detect(cls, root: Path) -> Checkpointer | None:
        """A checkpointer when ``root`` is inside a git work tree, else None."""
        if shutil.which("git") is None:
            return None
        result = _git(root, "rev-parse", "--is-inside-work-tree")
        return cls(root) if result.returncode == 0 and result.stdout.strip() == "true" else None

    def commit(self, message: str) -> str | None:
        """Commit what changed under the root; the new commit's hash, or None if nothing changed."""
        try:
            _git(self.root, "add", "--all", "--", ".", check=True)
            staged = _git(self.root, "diff", "--cached", "--quiet", "--", ".")
            if staged.returncode == 0:
                return None
            _git(
                self.root, "commit", "--no-verify", "--quiet", "-m", message, "--", ".", check=True
            )
            return _git(self.root, "rev-parse", "HEAD", check=True).stdout.strip()
        except subprocess.CalledProcessError as exc:
            raise CheckpointError(f"git {exc.cmd[5]} failed: {exc.stderr.strip()}") from None


def _git(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": AUTHOR_NAME,
        "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
        "GIT_COMMITTER_NAME": AUTHOR_NAME,
        "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
    }
    return subprocess.run(
        ["git", "-C", str(root), "-c", "commit.gpgsign=false", *args],
        capture_output=True,
        text=True,
        env=env,
        check=check,
        timeout=_TIMEOUT,
    )
