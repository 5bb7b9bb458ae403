"""Measured figures and the delivery message that carries them.

Every number backend-agent reports is a ``Figure``: the value, its unit, the
command that produced it, that command's exit code and the raw artifact it
wrote. A gate that did not run is ``Figure.not_measured(...)``: its value is
``None`` and it says why, never a made-up number. The verify stage and the
agent protocol share these models.

Every gate ends in one of four states: passed, failed, not measured (it was
asked for but could not run; the message says why) or skipped (switched off
by the user). ``Delivery.from_gates`` is the one place a delivery's status,
summary and exit code come from: a failed gate fails it (exit 1); otherwise
a gate that was not measured leaves it ``incomplete`` (exit 3); only passed
and skipped gates complete it (exit 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "EXIT_CODES",
    "Delivery",
    "DeliveryStatus",
    "Figure",
    "FigureValue",
    "Gate",
    "GateStatus",
    "delivery_status",
]

FigureValue = int | float | bool | str | None
GateStatus = Literal["passed", "failed", "not_measured", "skipped"]
DeliveryStatus = Literal["completed", "failed", "incomplete"]
EXIT_CODES: dict[str, int] = {"completed": 0, "failed": 1, "incomplete": 3}
_SEVERITY = {"completed": 0, "incomplete": 1, "failed": 2}


class Figure(BaseModel):
    """One measured number (or ``None`` with a reason when it was not measured)."""

    model_config = ConfigDict(frozen=True)

    value: FigureValue
    unit: str = ""
    command: str | None = None
    exit_code: int | None = None
    artifact: str | None = None
    note: str | None = None

    @property
    def measured(self) -> bool:
        """Whether a command ran and produced this value."""
        return self.value is not None and self.command is not None

    @classmethod
    def not_measured(cls, reason: str, *, unit: str = "") -> Figure:
        """A figure for a gate that did not run."""
        return cls(value=None, unit=unit, note=f"not measured: {reason}")

    def display(self) -> str:
        """The value as a person reads it."""
        if self.value is None:
            return "not measured"
        if isinstance(self.value, bool):
            return "yes" if self.value else "no"
        if isinstance(self.value, float):
            text = f"{self.value:.2f}".rstrip("0").rstrip(".")
        else:
            text = str(self.value)
        return f"{text} {self.unit}".strip() if self.unit and self.unit != "count" else text


class Gate(BaseModel):
    """The outcome of one verification gate."""

    model_config = ConfigDict(frozen=True)

    name: str
    status: GateStatus
    message: str = ""  # for not_measured and skipped: why
    figures: tuple[str, ...] = ()  # names of the figures this gate produced


def delivery_status(gates: Sequence[Gate]) -> DeliveryStatus:
    """Failed if any gate failed; incomplete if any was not measured; else completed."""
    states = {gate.status for gate in gates}
    if "failed" in states:
        return "failed"
    if "not_measured" in states:
        return "incomplete"
    return "completed"


class Delivery(BaseModel):
    """The delivery message: what was built and what was measured."""

    agent: str = "backend-developer"
    status: DeliveryStatus
    summary: str
    figures: dict[str, Figure] = Field(default_factory=dict)
    gates: list[Gate] = Field(default_factory=list)
    artifacts_dir: str | None = None

    @model_validator(mode="after")
    def _no_better_than_its_gates(self) -> Delivery:
        # A delivery may report worse than its gates (an agent run over budget has
        # failed whatever its gates say), never better: no "completed" past a gate
        # that failed or could not run.
        earned = delivery_status(self.gates)
        if _SEVERITY[self.status] < _SEVERITY[earned]:
            raise ValueError(f"status {self.status!r} claims more than its gates give ({earned!r})")
        return self

    @property
    def exit_code(self) -> int:
        """0 completed, 1 a gate failed, 3 a gate that was asked for could not run."""
        return EXIT_CODES[self.status]

    @classmethod
    def from_gates(
        cls,
        gates: Sequence[Gate],
        *,
        figures: dict[str, Figure],
        headline: str,
        agent: str = "backend-developer",
        artifacts_dir: str | None = None,
    ) -> Delivery:
        """The delivery of ``gates``: its status and a summary naming every gate not passed."""
        status = delivery_status(gates)
        parts = []
        for state, title in (
            ("failed", "failed"),
            ("not_measured", "not measured"),
            ("skipped", "skipped"),
        ):
            named = [f"{g.name} ({g.message})" if g.message else g.name for g in gates
                     if g.status == state]  # fmt: skip
            if named:
                parts.append(f"{title}: " + "; ".join(named))
        ran = any(g.status == "passed" for g in gates)
        verdict = {
            "completed": ("every gate that ran passed" if parts else "every gate passed")
            if ran
            else "no gate ran",
            "failed": "a gate failed",
            "incomplete": "not every gate could run",
        }[status]
        summary = f"{headline}; {verdict}" + "".join(f". {part}" for part in parts)
        return cls(
            agent=agent,
            status=status,
            summary=summary,
            figures=figures,
            gates=list(gates),
            artifacts_dir=artifacts_dir,
        )
