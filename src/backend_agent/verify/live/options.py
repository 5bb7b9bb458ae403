"""The knobs of the live gates and the thresholds they are judged by."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend_agent.errors import GateError

__all__ = ["LIVE_GATES", "MAX_CONNECTIONS", "Evidence", "LiveOptions", "LiveThresholds", "gates_of"]

MAX_CONNECTIONS = 64
# The live gates; "graphql" runs only for a service with a GraphQL schema of ours.
LIVE_GATES = ("seed", "load", "contract", "graphql", "security")


def gates_of(graphql: bool) -> tuple[str, ...]:
    """The live gates of a service (with GraphQL or without)."""
    return LIVE_GATES if graphql else tuple(g for g in LIVE_GATES if g != "graphql")


@dataclass(frozen=True)
class LiveOptions:
    """How much the live gates do; the defaults are the product's, tests pass smaller ones."""

    seed_rows: int = 10_000  # rows created in the main collection through the API
    seed_related_rows: int = 20  # rows in every other collection we may create in
    seed_workers: int = 8
    load_seconds: float = 5.0  # per endpoint
    load_connections: int = 32
    load_threads: int = 2
    load_max_requests: int = 200_000  # per endpoint; wrk stops at whichever bound comes first
    load_every_get: bool = False  # load every safe GET that can be filled, not only the main
    load_max_endpoints: int = 12  # a bound on the endpoints one load gate runs
    allow_writes: bool = True  # audit: rows are created (seed, POST load) only when allowed
    contract_max_examples: int = 25  # per operation and phase; ~1,500+ cases for a blog
    contract_budget_seconds: float = 900.0  # schemathesis is killed (gate failed) past this
    contract_seed: int = 0
    login_flood_attempts: int = 50
    server_workers: int = 1
    server_start_timeout: float = 60.0
    gates: tuple[str, ...] = LIVE_GATES  # a subset runs only those; the rest are not measured

    def __post_init__(self) -> None:
        unknown = sorted(set(self.gates) - set(LIVE_GATES))
        if unknown:
            raise GateError(f"unknown live gate(s) {unknown}; choose from {list(LIVE_GATES)}")
        if not 1 <= self.load_connections <= MAX_CONNECTIONS:
            raise GateError(f"load connections must be between 1 and {MAX_CONNECTIONS}")
        if self.load_seconds <= 0 or self.load_max_requests < 1:
            raise GateError("load runs need a positive duration and request bound")
        if self.seed_rows < 1 or self.contract_max_examples < 1:
            raise GateError("seed rows and contract examples must be at least 1")


@dataclass(frozen=True)
class LiveThresholds:
    """What a passing service must reach (the seeds' own bars by default)."""

    max_p95_ms: float = 100.0
    max_error_rate: float = 0.01
    min_contract_cases: int = 1000
    max_server_errors: int = 0
    max_schema_violations: int = 0
    max_probe_failures: int = 0


@dataclass(frozen=True)
class Evidence:
    """Where raw artifacts go, and what their recorded paths are relative to."""

    root: Path
    reports: Path

    def artifact(self, path: Path) -> str:
        """``path`` as recorded in a figure."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)
