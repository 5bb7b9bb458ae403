"""Measured figures and the delivery message that carries them.

Every number backend-agent reports is a ``Figure``: the value, its unit, the
command that produced it, that command's exit code and the raw artifact it
wrote. A gate that did not run is ``Figure.not_measured(...)``: its value is
``None`` and it says why, never a made-up number. The verify stage and the
agent protocol share these models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Delivery", "Figure", "FigureValue", "Gate"]

FigureValue = int | float | bool | str | None


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
    status: Literal["passed", "failed", "not_measured"]
    message: str = ""
    figures: tuple[str, ...] = ()  # names of the figures this gate produced


class Delivery(BaseModel):
    """The delivery message: what was built and what was measured."""

    agent: str = "backend-developer"
    status: Literal["completed", "failed"]
    summary: str
    figures: dict[str, Figure] = Field(default_factory=dict)
    gates: list[Gate] = Field(default_factory=list)
    artifacts_dir: str | None = None
