"""The records of a run: its budget, each step, and the result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend_agent.agent.model import Reply, ToolCall
from backend_agent.agent.protocol import DeliveryMessage, ExitReason
from backend_agent.figures import Delivery

__all__ = ["ActionStep", "Budget", "Observation", "RunResult"]


@dataclass(frozen=True)
class Budget:
    """Limits of a run; ``None`` means no limit of that kind.

    Limits are checked before each model call; a bash command is also cut off
    at the time limit, but a build or verify already running is let finish.
    """

    max_steps: int = 40
    max_tokens: int | None = None
    max_seconds: float | None = None
    repeat_limit: int = 3  # the same action this many times in a row is a loop

    def __post_init__(self) -> None:
        if self.max_steps < 1 or self.repeat_limit < 2:
            raise ValueError("a budget needs max_steps >= 1 and repeat_limit >= 2")

    def exceeded(self, *, steps: int, tokens: int, seconds: float) -> str | None:
        """Why the run must stop before another step, or None."""
        if steps >= self.max_steps:
            return f"the step budget ({self.max_steps} steps) is used up"
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return f"the token budget is used up ({tokens} of {self.max_tokens} tokens)"
        if self.max_seconds is not None and seconds >= self.max_seconds:
            return f"the time budget is used up ({seconds:.0f} of {self.max_seconds:g} seconds)"
        return None

    def describe(self) -> str:
        """The limits in words, for the system prompt."""
        parts = [f"at most {self.max_steps} steps"]
        if self.max_tokens is not None:
            parts.append(f"{self.max_tokens} tokens")
        if self.max_seconds is not None:
            parts.append(f"{self.max_seconds:g} seconds")
        return ", ".join(parts)


@dataclass(frozen=True)
class Observation:
    """The result of one tool call, as the model will read it."""

    call: ToolCall
    output: str
    is_error: bool = False
    delivery: Delivery | None = None  # what a build or verify call measured


@dataclass(frozen=True)
class ActionStep:
    """One model reply and what its tool calls observed; a final answer has no observations."""

    number: int
    reply: Reply
    observations: tuple[Observation, ...]
    seconds: float
    checkpoint: str | None = None  # the git commit recording this step's changes


@dataclass(frozen=True)
class RunResult:
    """How a run ended, honestly."""

    exit_reason: ExitReason
    answer: str
    steps: tuple[ActionStep, ...]
    tokens: int
    seconds: float
    run_dir: Path
    delivery: DeliveryMessage

    @property
    def transcript(self) -> Path:
        """The JSONL transcript of the run."""
        return self.run_dir / "transcript.jsonl"
