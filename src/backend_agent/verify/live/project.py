"""The live gates of ``verify``: our generated service, started for real, then measured."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from backend_agent.figures import Figure, Gate
from backend_agent.verify.gates import GateResult, Workspace
from backend_agent.verify.live.client import Client
from backend_agent.verify.live.graphql_gate import GRAPHQL_FIGURES
from backend_agent.verify.live.measure import LIVE_FIGURES, measure
from backend_agent.verify.live.operations import Api
from backend_agent.verify.live.options import Evidence, LiveOptions, LiveThresholds, gates_of
from backend_agent.verify.live.plan import ProbePlan
from backend_agent.verify.live.service import StartError, serve_project
from backend_agent.verify.live.target import Progress, Target, quiet

__all__ = ["live_gates"]

_GATES = {
    "seed": ("seed_rows",),
    "load": tuple(n for n in LIVE_FIGURES if n.startswith("load_")),
    "contract": tuple(n for n in LIVE_FIGURES if n.startswith("contract_")),
    "graphql": GRAPHQL_FIGURES,
    "security": tuple(n for n in LIVE_FIGURES if n.startswith("security_")),
}


def live_gates(
    ws: Workspace,
    *,
    plan: ProbePlan | None = None,
    options: LiveOptions | None = None,
    thresholds: LiveThresholds | None = None,
    progress: Progress | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
) -> list[GateResult]:
    """Serve ``ws.project`` in production mode on loopback and run seed, load, contract, security.

    The server, the database (``database_url`` with a fresh schema, else a new
    SQLite file) and the accounts (one per role in ``plan``, with passwords that
    follow its policy) exist only for this call. A service that does not start
    fails every live gate, with its log as the evidence.
    """
    plan = plan or ProbePlan()
    options = options or LiveOptions()
    say = progress or quiet
    evidence = Evidence(ws.project, ws.reports)
    graphql_file = ws.project / "app" / "schema.graphql"
    schema = graphql_file if graphql_file.is_file() else None
    with (
        tempfile.TemporaryDirectory(prefix="backend-agent-live-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        say("starting the service", 0, None)
        try:
            with serve_project(
                ws.project, ws.python, reports=ws.reports, scratch=Path(scratch),
                roles=plan.roles, password=plan.password, database_url=database_url,
                redis_url=redis_url, workers=options.server_workers,
                start_timeout=options.server_start_timeout,
            ) as service:  # fmt: skip
                say("starting the service", 1, 1)
                client = stack.enter_context(Client(service.base_url))
                document = client.request("GET", "/openapi.json").json()
                openapi_file = ws.reports / "openapi.json"
                openapi_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
                target = Target(client, Api.from_document(document), service.accounts, plan)
                return measure(
                    target, evidence=evidence, openapi_file=openapi_file, options=options,
                    thresholds=thresholds or LiveThresholds(), progress=say,
                    graphql_file=schema,
                )  # fmt: skip
        except StartError as exc:
            return _not_started(str(exc), evidence.artifact(exc.log), graphql=schema is not None)


def _not_started(message: str, log: str, *, graphql: bool) -> list[GateResult]:
    results = []
    for gate, names in _GATES.items():
        if gate not in gates_of(graphql):
            continue
        figures = {n: Figure.not_measured(f"the service did not start; see {log}") for n in names}
        results.append(
            GateResult(Gate(name=gate, status="failed", message=message, figures=names), figures)
        )
    return results
