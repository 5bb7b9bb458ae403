"""The agent loop: ask the model, run the tools it calls, until it answers or a limit stops it.

A model's mistake (an unknown tool, bad arguments, a failing command) becomes
an observation it can correct on the next step. A provider failure ends the
run with exit reason ``error``. Anything else that goes wrong is a bug in
backend-agent and raises.
"""

from __future__ import annotations

from dataclasses import replace

from backend_agent.agent.definition import AgentDefinition, builtin_definitions
from backend_agent.agent.errors import ModelError, ToolError
from backend_agent.agent.memory import Observer, RunMemory
from backend_agent.agent.model import Model, ToolCall
from backend_agent.agent.steps import Budget, Observation, RunResult
from backend_agent.agent.tools import REGISTRY, Toolbox, Workspace

__all__ = ["LoopGuard", "execute", "run_agent"]

_REPEAT_NOTE = (
    "\n[note: this exact action was already taken and gave this result; "
    "repeating it again will end the run as a loop]"
)


def run_agent(
    task: str,
    *,
    model: Model,
    workspace: Workspace,
    definition: AgentDefinition | None = None,
    budget: Budget | None = None,
    toolbox: Toolbox = REGISTRY,
    checkpoints: bool = True,
    command: str = "backend-agent run",
    observer: Observer | None = None,
) -> RunResult:
    """Work on ``task`` in ``workspace`` until the model answers or the run must stop."""
    definition = definition or builtin_definitions()[0]
    budget = budget or Budget()
    tools = definition.toolbox(toolbox)
    if budget.max_seconds is not None:
        workspace.deadline = workspace.clock() + budget.max_seconds
    memory = RunMemory(
        task,
        model_name=model.name,
        definition=definition,
        workspace=workspace,
        budget=budget,
        toolbox=tools,
        checkpoints=checkpoints,
        command=command,
        observer=observer,
    )
    try:
        return _loop(memory, model, tools, budget)
    except BaseException as exc:  # our bug, or an interrupt: record it, then let it through
        memory.crash(exc)
        raise


def _loop(memory: RunMemory, model: Model, tools: Toolbox, budget: Budget) -> RunResult:
    guard = LoopGuard()
    specs = [tool.spec() for tool in tools]
    while True:
        stop = budget.exceeded(
            steps=len(memory.steps), tokens=memory.tokens, seconds=memory.elapsed()
        )
        if stop is not None:
            return memory.finish("budget_exceeded", stop)
        started = memory.workspace.clock()
        left = None if budget.max_tokens is None else budget.max_tokens - memory.tokens
        try:
            reply = model.complete(memory.messages, specs, max_tokens=left)
        except ModelError as exc:
            return memory.finish("error", f"the model failed: {exc}")
        memory.tokens += reply.usage.total
        if not reply.tool_calls:
            memory.add_step(reply, (), started)
            failed = memory.delivery is not None and memory.delivery.status != "completed"
            return memory.finish("gate_failed" if failed else "completed", reply.text)
        repeats = guard.repeats(reply.tool_calls)
        if repeats >= budget.repeat_limit:
            return memory.finish("loop_detected", _loop_message(reply.tool_calls, repeats))
        observations = [execute(tools, memory.workspace, call) for call in reply.tool_calls]
        if repeats > 1:
            observations = [replace(o, output=o.output + _REPEAT_NOTE) for o in observations]
        memory.add_step(reply, tuple(observations), started)


def execute(tools: Toolbox, workspace: Workspace, call: ToolCall) -> Observation:
    """Run one tool call; the model's mistakes become an error observation."""
    tool = tools.get(call.name)
    if tool is None:
        known = ", ".join(tools.names)
        return Observation(call, f"unknown tool '{call.name}'; this agent may call: {known}", True)
    try:
        result = tool.call(workspace, call.arguments)
    except ToolError as exc:
        return Observation(call, f"error: {exc}", True)
    return Observation(call, result.output, result.is_error, result.delivery)


class LoopGuard:
    """Counts how many times in a row the model has asked for the very same action."""

    def __init__(self) -> None:
        self._last: tuple[str, ...] | None = None
        self._count = 0

    def repeats(self, calls: tuple[ToolCall, ...]) -> int:
        """How many consecutive times this action (same tools, same arguments) has been asked."""
        action = tuple(sorted(call.key() for call in calls))
        self._count = self._count + 1 if action == self._last else 1
        self._last = action
        return self._count


def _loop_message(calls: tuple[ToolCall, ...], repeats: int) -> str:
    names = ", ".join(call.name for call in calls)
    return f"the model asked for the same action ({names}) {repeats} times in a row"
