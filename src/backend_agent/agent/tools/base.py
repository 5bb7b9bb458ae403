"""What a tool is, the workspace it acts in, and the toolbox that finds tools by name.

A tool is a function ``(workspace, arguments) -> ToolResult`` whose arguments
are a pydantic model: the model's JSON Schema is what the LLM sees, and
validating against it turns bad arguments into a ``ToolError`` (an
observation), never a crash. Register a tool with ``REGISTRY.tool(...)``::

    class PingArgs(ToolArgs):
        host: str = Field(description="The host to ping.")

    @REGISTRY.tool("ping", PingArgs)
    def ping(workspace: Workspace, args: PingArgs) -> ToolResult:
        \"\"\"Check that a host answers.\"\"\"
        ...
"""

from __future__ import annotations

import contextlib
import inspect
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from backend_agent.agent.errors import ToolError
from backend_agent.agent.model import ToolSpec
from backend_agent.errors import BackendAgentError
from backend_agent.figures import Delivery

__all__ = [
    "MAX_OUTPUT_CHARS",
    "READ_ONLY",
    "REGISTRY",
    "Effects",
    "Tool",
    "ToolArgs",
    "ToolResult",
    "Toolbox",
    "Workspace",
]

MAX_OUTPUT_CHARS = 20_000  # an observation longer than this is cut, saying so


class ToolArgs(BaseModel):
    """Base of every tool's arguments: unknown arguments are mistakes, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


A = TypeVar("A", bound=ToolArgs)


@dataclass(frozen=True)
class Effects:
    """What calling a tool does to the world (MCP's tool annotations say the same to hosts).

    ``long`` tools take minutes and start child processes: the MCP server runs them
    in a worker process it can end as a whole, and forwards their progress.
    """

    read_only: bool = False
    destructive: bool = True  # meaningful only when not read_only: may replace what is there
    idempotent: bool = False
    open_world: bool = False  # talks to something outside the project (a URL, a database)
    long: bool = False


READ_ONLY = Effects(read_only=True, destructive=False, idempotent=True)
"""A tool that only reads the project (the default for a tool registered without effects)."""


@dataclass
class Workspace:
    """The project a run works in; every path a tool touches must stay inside ``root``."""

    root: Path
    deadline: float | None = None  # on ``clock``'s scale; commands get no more time than is left
    clock: Callable[[], float] = time.monotonic
    progress: Callable[[str], None] | None = None  # a long tool says each step it starts here
    # Held around writes that must not be cut short: a cancelled run waits for the
    # write to finish, so what it writes is either untouched or complete.
    writing: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext

    def __post_init__(self) -> None:
        self.root = self.root.resolve()

    def resolve(self, path: str, *, must_exist: bool = False) -> Path:
        """``path`` (relative to the root, or absolute) as an absolute path inside the root."""
        target = (self.root / path).resolve()
        if target != self.root and self.root not in target.parents:
            raise ToolError(f"'{path}' is outside the project {self.root}; use a path inside it")
        if must_exist and not target.exists():
            raise ToolError(f"'{path}' does not exist")
        return target

    def relative(self, path: Path) -> str:
        """``path`` as the model should write it: relative to the root, with slashes."""
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    def say(self, message: str) -> None:
        """Report a step to whoever watches (an MCP host's progress), if anyone does."""
        if self.progress is not None:
            self.progress(message)

    def seconds_left(self) -> float | None:
        """Wall time left before the run's deadline, or None without one."""
        return None if self.deadline is None else max(0.0, self.deadline - self.clock())


@dataclass(frozen=True)
class ToolResult:
    """What a tool gives back: text for the model, and a delivery when it measured something.

    ``data`` is the structured answer (the CLI's ``--json``) when it is not a delivery.
    """

    output: str
    is_error: bool = False
    delivery: Delivery | None = None
    data: dict[str, Any] | None = None

    @property
    def structured(self) -> dict[str, Any] | None:
        """The answer as JSON: ``data``, else the delivery, else None."""
        if self.data is not None:
            return self.data
        return None if self.delivery is None else self.delivery.model_dump(mode="json")


@dataclass(frozen=True)
class Tool(Generic[A]):
    """A named function the model may call, with a JSON Schema for its arguments."""

    name: str
    description: str
    arguments: type[A]
    function: Callable[[Workspace, A], ToolResult]
    claude_name: str | None = None  # the Claude Code name this tool answers to
    effects: Effects = READ_ONLY

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON Schema of the arguments."""
        schema = self.arguments.model_json_schema()
        schema.pop("title", None)
        return schema

    def spec(self) -> ToolSpec:
        """The tool as the model sees it."""
        return ToolSpec(self.name, self.description, self.parameters)

    def validate(self, data: object) -> A:
        """``data`` (decoded JSON) as the tool's arguments; a mismatch raises ``ToolError``."""
        try:
            return self.arguments.model_validate(data)
        except ValidationError as exc:
            raise ToolError(_describe(self.name, exc)) from None

    def call(self, workspace: Workspace, arguments: str) -> ToolResult:
        """Run the tool on a model's JSON ``arguments``; its mistakes raise ``ToolError``."""
        try:
            data = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ToolError(f"the arguments of '{self.name}' are not valid JSON: {exc}") from None
        args = self.validate(data)
        try:
            result = self.function(workspace, args)
        except BackendAgentError as exc:  # a bad spec, an unsafe output folder...
            raise ToolError(str(exc)) from exc
        if len(result.output) > MAX_OUTPUT_CHARS:
            cut = len(result.output) - MAX_OUTPUT_CHARS
            output = f"{result.output[:MAX_OUTPUT_CHARS]}\n[... {cut} more characters not shown]"
            result = ToolResult(output, result.is_error, result.delivery, result.data)
        return result


def _describe(name: str, error: ValidationError) -> str:
    lines = [f"invalid arguments for '{name}':"]
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(arguments)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


@dataclass
class Toolbox:
    """Tools by name; a name matches case-insensitively, and Claude Code names are aliases."""

    tools: list[Tool[Any]] = field(default_factory=list)

    def __iter__(self) -> Iterator[Tool[Any]]:
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self.tools)

    @property
    def names(self) -> tuple[str, ...]:
        """The tools' own names, in registration order."""
        return tuple(tool.name for tool in self.tools)

    def get(self, name: str) -> Tool[Any] | None:
        """The tool called ``name`` (or its Claude Code alias), or None."""
        wanted = name.strip().lower()
        for tool in self.tools:
            if wanted in (tool.name.lower(), (tool.claude_name or "").lower()):
                return tool
        return None

    def select(self, names: Iterable[str]) -> Toolbox:
        """The tools named, in the order named; an unknown name raises ``KeyError``."""
        chosen: list[Tool[Any]] = []
        for name in names:
            tool = self.get(name)
            if tool is None:
                raise KeyError(name)
            if tool not in chosen:
                chosen.append(tool)
        return Toolbox(chosen)

    def tool(
        self,
        name: str,
        arguments: type[A],
        *,
        claude_name: str | None = None,
        effects: Effects = READ_ONLY,
    ) -> Callable[[Callable[[Workspace, A], ToolResult]], Callable[[Workspace, A], ToolResult]]:
        """Register the decorated function as a tool; its docstring is the description."""

        def register(
            function: Callable[[Workspace, A], ToolResult],
        ) -> Callable[[Workspace, A], ToolResult]:
            if self.get(name) is not None:
                raise ValueError(f"a tool called '{name}' is already registered")
            description = inspect.cleandoc(function.__doc__ or "")
            if not description:
                raise ValueError(f"the tool '{name}' needs a docstring: it is its description")
            self.tools.append(Tool(name, description, arguments, function, claude_name, effects))
            return function

        return register


REGISTRY = Toolbox()
"""Every tool backend-agent ships (``backend_agent.agent.tools`` imports their modules)."""
