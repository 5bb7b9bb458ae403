"""What a run remembers: the conversation, its steps and spending, and where it records them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from backend_agent.agent.checkpoint import Checkpointer, CheckpointError
from backend_agent.agent.definition import AgentDefinition
from backend_agent.agent.model import Message, Reply
from backend_agent.agent.prompt import render_prompt
from backend_agent.agent.protocol import (
    AgentStatus,
    ContextQuery,
    ContextRequest,
    DeliveryMessage,
    ExitReason,
    Progress,
    gather_context,
)
from backend_agent.agent.steps import ActionStep, Budget, Observation, RunResult
from backend_agent.agent.tools import Toolbox, Workspace
from backend_agent.agent.transcript import Transcript, new_run_dir
from backend_agent.figures import Delivery, Figure

__all__ = ["Observer", "RunMemory"]

Observer = Callable[[ActionStep, Progress], None]
"""Called after each step, e.g. to show progress as it happens."""

_CONTEXT_QUERY = (
    "Project context needed: spec files, generated projects, version control, and the tools "
    "this agent may use."
)
_VERIFYING = frozenset({"build", "verify"})
_ANALYZING = frozenset({"read", "glob", "grep", "design", "review"})


class RunMemory:
    """The state of one run, recorded to its transcript as it changes."""

    def __init__(
        self,
        task: str,
        *,
        model_name: str,
        definition: AgentDefinition,
        workspace: Workspace,
        budget: Budget,
        toolbox: Toolbox,
        checkpoints: bool,
        command: str,
        observer: Observer | None = None,
    ) -> None:
        self.observer = observer
        self.workspace = workspace
        self.agent = definition.name
        self.command = command
        self.started = workspace.clock()
        self.run_dir = new_run_dir(workspace.root)
        self.transcript = Transcript(self.run_dir)
        self.checkpointer = Checkpointer.detect(workspace.root) if checkpoints else None
        self.steps: list[ActionStep] = []
        self.tokens = 0
        self.delivery: Delivery | None = None  # the latest build or verify report
        request = ContextRequest(
            requesting_agent=self.agent, payload=ContextQuery(query=_CONTEXT_QUERY)
        )
        context = gather_context(
            request, workspace.root, git=self.checkpointer is not None, tools=list(toolbox.names)
        )
        tools = "\n".join(f"- {t.name}: {t.description.splitlines()[0]}" for t in toolbox)
        system = render_prompt(
            "system",
            instructions=definition.instructions,
            root=str(workspace.root),
            tools=tools,
            budget=budget.describe(),
        )
        user = render_prompt("task", task=task, context=context.model_dump_json(indent=2))
        self.messages = [Message("system", system), Message("user", user)]
        self.transcript.write(
            "start",
            task=task,
            agent=self.agent,
            model=model_name,
            root=workspace.root,
            budget=asdict(budget),
            tools=list(toolbox.names),
            checkpoints=self.checkpointer is not None,
        )
        self.transcript.write("context_request", message=request)
        self.transcript.write("context_response", message=context)

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return self.workspace.clock() - self.started

    def add_step(self, reply: Reply, observations: tuple[Observation, ...], started: float) -> None:
        """Remember a step: extend the conversation, checkpoint, and record progress."""
        self.messages.append(Message("assistant", reply.text, reply.tool_calls))
        for seen in observations:
            self.messages.append(Message("tool", seen.output, (), seen.call.id, seen.is_error))
            self.delivery = seen.delivery or self.delivery
        number = len(self.steps) + 1
        checkpoint = self._checkpoint(number, reply) if reply.tool_calls else None
        step = ActionStep(number, reply, observations, self.workspace.clock() - started, checkpoint)
        self.steps.append(step)
        progress = Progress(
            agent=self.agent, status=self._status(step), step=number, progress=self.figures()
        )
        self.transcript.write("step", step=step, progress=progress)
        if self.observer is not None:
            self.observer(step, progress)

    def _checkpoint(self, number: int, reply: Reply) -> str | None:
        if self.checkpointer is None:
            return None
        names = ", ".join(dict.fromkeys(call.name for call in reply.tool_calls))
        try:
            return self.checkpointer.commit(
                f"backend-agent step {number}: {names}\n\nrun: {self.run_dir.name}"
            )
        except CheckpointError as exc:  # the run goes on; the transcript says what is missing
            self.transcript.write("checkpoint_failed", step=number, error=str(exc))
            return None

    def _status(self, step: ActionStep) -> AgentStatus:
        names = {call.name.lower() for call in step.reply.tool_calls}
        if not names:
            failed = self.delivery is not None and self.delivery.status != "completed"
            return "failed" if failed else "completed"
        if names & _VERIFYING:
            return "verifying"
        return "analyzing" if names <= _ANALYZING else "implementing"

    def figures(self) -> dict[str, Figure]:
        """The run's own measurements, then the latest build or verify figures."""
        source = {"command": self.command, "artifact": str(self.transcript.path)}
        own = {
            "run.steps": Figure(value=len(self.steps), unit="count", **source),
            "run.tokens": Figure(value=self.tokens, unit="tokens", **source),
            "run.seconds": Figure(value=round(self.elapsed(), 3), unit="s", **source),
        }
        return {**own, **(self.delivery.figures if self.delivery else {})}

    def crash(self, error: BaseException) -> None:
        """Record that the run stopped on an exception, and close the transcript."""
        if not self.transcript.closed:
            self.transcript.write("crash", error=f"{type(error).__name__}: {error}")
            self.transcript.close()

    def finish(self, reason: ExitReason, answer: str) -> RunResult:
        """End the run: write the delivery message and close the transcript."""
        delivery = DeliveryMessage(
            agent=self.agent,
            status="completed" if reason == "completed" else "failed",
            summary=answer,
            figures=self.figures(),
            gates=list(self.delivery.gates) if self.delivery else [],
            artifacts_dir=self.delivery.artifacts_dir if self.delivery else None,
            exit_reason=reason,
            transcript=str(self.transcript.path),
        )
        self.transcript.write("end", message=delivery)
        self.transcript.close()
        return RunResult(
            reason, answer, tuple(self.steps), self.tokens, self.elapsed(), self.run_dir, delivery
        )
