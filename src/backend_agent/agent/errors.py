"""Errors of the agent layer, all user errors under ``BackendAgentError``.

::

    BackendAgentError                 (backend_agent.errors)
     +-- AgentError                   something about agents the user can fix
          +-- DefinitionError         an agent file is invalid; carries located Problems
          +-- ProviderNotConfigured   ``run`` has no LLM provider to talk to
          +-- ModelError              the provider failed (network, auth, bad reply)
          |    +-- ScriptExhausted    a scripted model ran out of replies
          +-- SpecFromTextError       the model never produced a valid spec

``ToolError`` is not a user error: it is a model's mistake with a tool (bad
arguments, a path outside the project, a failing command). The loop turns it
into an observation for the next step; it never reaches the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_agent.errors import BackendAgentError, Problem

__all__ = [
    "AgentError",
    "DefinitionError",
    "ModelError",
    "ProviderNotConfigured",
    "ScriptExhausted",
    "SpecFromTextError",
    "ToolError",
]


class AgentError(BackendAgentError):
    """A problem with agents, providers or runs that the user can fix."""


class DefinitionError(AgentError):
    """An agent definition file is invalid; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        header = f"the agent definition has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))


class ProviderNotConfigured(AgentError):
    """No LLM provider is configured, or its configuration is incomplete."""


class ModelError(AgentError):
    """The model provider failed: the run ends with exit reason ``error``."""


class ScriptExhausted(ModelError):
    """A scripted model was asked for more replies than it was given."""


class SpecFromTextError(AgentError):
    """Every attempt to turn plain words into a valid spec failed."""

    def __init__(self, problems: Sequence[Problem], attempts: int) -> None:
        self.problems = list(problems)
        lines = [f"the model did not produce a valid spec in {attempts} attempts; last problems:"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ToolError(Exception):
    """A tool call the model got wrong; its message becomes the observation."""
