"""The one error hierarchy of backend-agent.

::

    BackendAgentError            a user error: print the message, exit non-zero
     +-- SpecError               the spec is invalid; carries every Problem found
     +-- OutputError             the output location cannot be written safely
     +-- GateError               verification could not run (not: a gate failed)

Anything else that escapes is a bug in backend-agent and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BackendAgentError", "GateError", "OutputError", "Problem", "SpecError"]


class BackendAgentError(Exception):
    """A problem the user can fix; the CLI prints it and exits with ``exit_code``."""

    exit_code: int = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One located mistake in a spec file."""

    file: str
    line: int
    column: int
    message: str
    expected: str = ""
    suggestion: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


class SpecError(BackendAgentError):
    """The spec is invalid; ``problems`` lists every mistake found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        header = f"the spec has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))


class OutputError(BackendAgentError):
    """The output directory cannot be written without losing something."""


class GateError(BackendAgentError):
    """A verification gate could not be run at all (missing tool, broken project)."""

    exit_code = 3
