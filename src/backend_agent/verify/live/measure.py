"""The live gates against any running API: seed, probe, load, fuzz; figures and verdicts.

``measure`` is shared by ``verify`` (our service, started by ``service.py``)
and ``audit`` (any API on this machine). Every figure it returns names the
command that produced it, that command's exit code and the saved raw artifact.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from backend_agent.figures import Figure, Gate, GateStatus
from backend_agent.verify.gates import GateResult
from backend_agent.verify.live.contract import (
    SCHEMA_CODES,
    SERVER_CODES,
    ContractRun,
    run_contract,
    schemathesis_available,
)
from backend_agent.verify.live.exposure import (
    method_probes,
    page_bound_probes,
    verbose_error_probes,
)
from backend_agent.verify.live.graphql_gate import GRAPHQL_FIGURES, graphql_gate
from backend_agent.verify.live.graphql_probes import graphql_probes
from backend_agent.verify.live.hardening import (
    body_size_probe,
    cors_probes,
    header_probes,
    injection_probes,
    mass_assignment_probes,
)
from backend_agent.verify.live.load import (
    BODY_POOL_LIMIT,
    Endpoint,
    LoadRun,
    run_load,
    wrk_path,
)
from backend_agent.verify.live.operations import Collection
from backend_agent.verify.live.options import Evidence, LiveOptions, LiveThresholds
from backend_agent.verify.live.probes import Probes, access_probes, login_flood
from backend_agent.verify.live.samples import Unsupported
from backend_agent.verify.live.seed import Seeded, seed_collection
from backend_agent.verify.live.summary import contract_gate, load_gate, security_gate
from backend_agent.verify.live.target import Progress, Target

__all__ = ["LIVE_FIGURES", "main_collection", "measure"]

LIVE_FIGURES = (
    "seed_rows",
    "load_rps",
    "load_p50_ms",
    "load_p95_ms",
    "load_p99_ms",
    "load_error_rate",
    "load_generator_cpu_percent",
    "contract_cases",
    "contract_server_errors",
    "contract_schema_violations",
    "security_probes_passed",
    "security_probes_failed",
)
_LOAD_FIGURES = tuple(n for n in LIVE_FIGURES if n.startswith("load_"))
_CONTRACT_FIGURES = tuple(n for n in LIVE_FIGURES if n.startswith("contract_"))
_SECURITY_FIGURES = tuple(n for n in LIVE_FIGURES if n.startswith("security_"))
_SESSION_END = re.compile(r"/(logout|log-out|signout|sign-out)/?$")


def _gate(
    name: str, problems: list[str], ok_message: str, figures: dict[str, Figure]
) -> GateResult:
    status = "failed" if problems else "passed"
    message = "; ".join(problems) if problems else ok_message
    return GateResult(
        Gate(name=name, status=status, message=message, figures=tuple(figures)), figures
    )


def _missing(
    name: str, reason: str, names: tuple[str, ...], *, skipped: bool = False
) -> GateResult:
    """A gate that did not run: ``skipped`` when the user left it out, else not measured."""
    figures = {n: Figure.not_measured(reason) for n in names}
    status: GateStatus = "skipped" if skipped else "not_measured"
    gate = Gate(name=name, status=status, message=reason, figures=names)
    return GateResult(gate, figures)


def _ticker(progress: Progress, task: str, total: float | None) -> Callable[[float], None]:
    def tick(elapsed: float) -> None:
        progress(task, elapsed if total is None else min(elapsed, total), total)

    return tick


def main_collection(target: Target) -> Collection | None:
    """The plan's main collection, else the first one we may create rows in, else read."""
    if target.plan.main_collection:
        found = target.api.collection_of(target.plan.main_collection)
        if found is not None:
            return found
    collections = target.api.collections
    writable = next((c for c in collections if target.creator(c) is not None), None)
    return writable or next(
        (c for c in collections if c.list_op is not None and target.reader(c.list_op)), None
    )


def measure(
    target: Target,
    *,
    evidence: Evidence,
    openapi_file: Path,
    options: LiveOptions,
    thresholds: LiveThresholds,
    progress: Progress,
    graphql_file: Path | None = None,
) -> list[GateResult]:
    """Seed, probe, load and fuzz ``target`` (its GraphQL too, given ``graphql_file``, its
    schema); the gates in the order they ran."""
    main = main_collection(target)
    chosen = set(options.gates)
    skipped = "not selected for this run"
    results = [
        _seed(target, main, evidence, options, progress)
        if "seed" in chosen
        else _missing("seed", skipped, ("seed_rows",), skipped=True)
    ]
    probes = Probes()
    if "security" in chosen:
        progress("security probes", 0, None)
        probes = access_probes(target)
        header_probes(target, probes)
        cors_probes(target, probes)
        injection_probes(target, probes)
        body_size_probe(target, probes)
        mass_assignment_probes(target, probes)
        verbose_error_probes(target, probes)
        page_bound_probes(target, probes)
        method_probes(target, probes)
        if graphql_file is not None:
            graphql_probes(target, probes)
        progress("security probes", 1, 1)
    if "load" in chosen:
        results.append(_load(target, main, evidence, options, thresholds, progress))
    else:
        results.append(_missing("load", skipped, _LOAD_FIGURES, skipped=True))
    # Before the contract gate: its last run ends the session of the token both use.
    if "graphql" in chosen and graphql_file is not None:
        progress("graphql", 0, None)
        gate = graphql_gate(
            schema=graphql_file,
            base_url=target.client.base_url,
            token=_contract_token(target),
            ev=evidence,
            options=options,
            tick=_ticker(progress, "graphql", None),
        )
        results.append(gate)
        progress("graphql", 1, 1)
    elif graphql_file is not None:
        results.append(_missing("graphql", skipped, GRAPHQL_FIGURES, skipped=True))
    if "contract" in chosen:
        results.append(_contract(target, evidence, openapi_file, options, thresholds, progress))
    else:
        results.append(_missing("contract", skipped, _CONTRACT_FIGURES, skipped=True))
    if "security" not in chosen:
        return [*results, _missing("security", skipped, _SECURITY_FIGURES, skipped=True)]
    progress("login flood", 0, None)
    login_flood(target, probes, attempts=options.login_flood_attempts)  # last: it locks us out
    progress("login flood", 1, 1)
    results.append(_security(target, probes, evidence, thresholds))
    return results


def _seed(
    target: Target, main: Collection | None, ev: Evidence, options: LiveOptions, progress: Progress
) -> GateResult:
    if not target.writes:
        reason = "--allow-writes not given: no rows are created through the API"
        return _missing("seed", reason, ("seed_rows",), skipped=True)
    if not any(c.create_op for c in target.api.collections):
        # Nothing to seed is not a measurement that failed: the API has no such thing.
        reason = "the API has no collection (GET and POST on a list, GET on an item) to seed"
        return _missing("seed", reason, ("seed_rows",), skipped=True)
    if main is None or target.creator(main) is None:
        return _missing("seed", "no collection the accounts may create rows in", ("seed_rows",))
    seeded = seed_collection(
        target,
        main,
        options.seed_rows,
        workers=options.seed_workers,
        progress=progress,
        task=f"seeding {main.path}",
    )
    related: list[Seeded] = []
    for other in target.api.collections:
        if other is not main and options.seed_related_rows and target.creator(other):
            related.append(
                seed_collection(
                    target,
                    other,
                    options.seed_related_rows,
                    workers=options.seed_workers,
                    progress=progress,
                    task=f"seeding {other.path}",
                )
            )
    artifact = ev.reports / "seed.json"
    records = [seeded, *related]
    artifact.write_text(
        json.dumps([s.record() for s in records], indent=2) + "\n", encoding="utf-8"
    )
    problems = []
    if seeded.created < seeded.requested:
        problems.append(
            f"created {seeded.created} of {seeded.requested} rows in {main.path}"
            + (f"; first failure: {seeded.failure}" if seeded.failure else "")
        )
    hidden = bool(seeded.notes)  # rows their creator may not read are not in its list either
    if seeded.listed_total is not None and seeded.listed_total < seeded.created and not hidden:
        problems.append(
            f"{main.path} lists {seeded.listed_total} rows after {seeded.created} creates"
        )
    command = (
        f"backend-agent seed: {seeded.requested} x POST {main.path} as {seeded.account} "
        f"({options.seed_workers} concurrent, in-process)"
    )
    figure = Figure(
        value=seeded.created,
        unit="rows",
        command=command,
        exit_code=1 if problems else 0,
        artifact=ev.artifact(artifact),
        note=f"{main.path}: {seeded.created / max(seeded.seconds, 1e-9):.0f} rows/s",
    )
    ok = f"{seeded.created} rows in {main.path} ({seeded.seconds:.1f} s)"
    ok += "".join(f"; {note}" for note in seeded.notes)
    return _gate("seed", problems, ok, {"seed_rows": figure})


def _endpoints(
    target: Target, main: Collection, *, count: int
) -> list[tuple[Endpoint, str | None]]:
    """(endpoint, token) for read-one, list and create (``count`` bodies) of the main collection."""
    creator = target.creator(main)
    caller = creator or (target.reader(main.list_op) if main.list_op else None)
    token = caller.token if caller else None
    ids = target.known_ids(main)[:1000]
    found: list[tuple[Endpoint, str | None]] = []
    read, listing, create = main.read_op, main.list_op, main.create_op
    if read is not None and ids:
        paths = tuple(target.path_for(read, row=i) for i in ids)
        found.append((Endpoint(read.key, read.label, "GET", paths, auth=read.secured), token))
    if listing is not None:
        pages = max(1, min(50, len(ids) // 20))
        has_page = any(p.name == "page" for p in listing.params("query"))
        paths = (
            tuple(f"{main.path}?page={k}" for k in range(1, pages + 1))
            if has_page
            else (main.path,)
        )
        found.append(
            (Endpoint(listing.key, listing.label, "GET", paths, auth=listing.secured), token)
        )
    if create is not None and creator is not None:
        # Rows the load creates are numbered past every row made before it.
        numbers = target.numbers(main.path, count)
        try:
            bodies = tuple(json.dumps(target.body_for(create, n)) for n in numbers)
        except Unsupported:
            bodies = ()
        if bodies:
            found.append(
                (
                    Endpoint(create.key, create.label, "POST", (main.path,), bodies,
                             create.secured),
                    token,
                )
            )  # fmt: skip
    return found


def _every_get(
    target: Target, main: Collection | None, *, count: int
) -> tuple[list[tuple[Endpoint, str | None]], list[str]]:
    """Every safe GET we can fill, the main collection's first; and why the others were left."""
    found = _endpoints(target, main, count=count) if main is not None else []
    taken = {endpoint.label for endpoint, _ in found}
    skipped: list[str] = []
    for op in target.api.operations:
        if op.method != "GET" or op.label in taken or _SESSION_END.search(op.path):
            continue
        account = target.reader(op)
        if account is None:
            skipped.append(f"{op.label}: no account given may call it")
            continue
        paths: tuple[str, ...] = (op.path,)
        if op.params("path"):
            collection = target.api.collection_for(op)
            ids = target.known_ids(collection)[:1000] if collection else []
            if not ids:
                skipped.append(f"{op.label}: no id to fill {{{op.params('path')[0].name}}} with")
                continue
            paths = tuple(target.path_for(op, row=i) for i in ids)
        token = account.token if op.secured else None
        found.append((Endpoint(op.key, op.label, "GET", paths, auth=op.secured), token))
        taken.add(op.label)
    return found, skipped


def _load(
    target: Target,
    main: Collection | None,
    ev: Evidence,
    options: LiveOptions,
    thresholds: LiveThresholds,
    progress: Progress,
) -> GateResult:
    names = _LOAD_FIGURES
    if wrk_path() is None:
        return _missing("load", "wrk is not installed (apt-get install wrk)", names)
    skipped: list[str] = []
    bodies = min(options.load_max_requests, BODY_POOL_LIMIT) + options.load_connections
    if options.load_every_get:
        endpoints, skipped = _every_get(target, main, count=bodies)
    else:
        endpoints = _endpoints(target, main, count=bodies) if main is not None else []
    if not endpoints:
        reason = "; ".join(skipped) if skipped else "no collection to load"
        return _missing("load", f"nothing could be loaded: {reason}", names)
    runs: list[LoadRun] = []
    for endpoint, token in endpoints[: options.load_max_endpoints]:
        task = f"load {endpoint.label}"
        progress(task, 0, options.load_seconds)
        runs.append(
            run_load(
                endpoint,
                base_url=target.client.base_url,
                token=token,
                seconds=options.load_seconds,
                connections=options.load_connections,
                threads=options.load_threads,
                max_requests=options.load_max_requests,
                reports=ev.reports,
                tick=_ticker(progress, task, options.load_seconds),
            )
        )
        progress(task, options.load_seconds, options.load_seconds)
        _settle(target)
    left = [f"{e.label}: past the bound of {options.load_max_endpoints} endpoints"
            for e, _ in endpoints[options.load_max_endpoints :]]  # fmt: skip
    return load_gate(runs, ev, thresholds, skipped=[*skipped, *left])


def _settle(target: Target, *, limit: float = 15.0) -> None:
    """Wait (up to ``limit`` s) until requests queued by the last run have drained."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        target.client.request("GET", "/openapi.json")
        if time.monotonic() - started < 0.25:
            return


def _contract(
    target: Target,
    ev: Evidence,
    openapi_file: Path,
    options: LiveOptions,
    thresholds: LiveThresholds,
    progress: Progress,
) -> GateResult:
    names = _CONTRACT_FIGURES
    if not schemathesis_available():
        return _missing("contract", "schemathesis is not installed", names)
    ending = [
        op.path for op in target.api.operations
        if op.operation_id in target.plan.session_end_operations or _SESSION_END.search(op.path)
    ]  # fmt: skip
    regex = "^(" + "|".join(re.escape(p) for p in sorted(set(ending))) + ")$" if ending else None
    token = _contract_token(target)
    runs: list[ContractRun] = []
    with tempfile.TemporaryDirectory(prefix="backend-agent-contract-") as scratch:
        plans = [("contract", None, regex)] + (
            [("contract.session-end", regex, None)] if regex else []
        )
        for name, include, exclude in plans:
            progress(name, 0, None)
            runs.append(
                run_contract(
                    name=name,
                    schema=openapi_file,
                    base_url=target.client.base_url,
                    token=token,
                    max_examples=options.contract_max_examples,
                    budget_seconds=options.contract_budget_seconds,
                    seed=options.contract_seed,
                    workdir=Path(scratch),
                    reports=ev.reports,
                    include_path_regex=include,
                    exclude_path_regex=exclude,
                    tick=_ticker(progress, name, None),
                )
            )
            progress(name, 1, 1)
    return contract_gate(
        runs, ev, thresholds, SERVER_CODES, SCHEMA_CODES,
        operations=[op.label for op in target.api.operations],
        examples=options.contract_max_examples,
    )  # fmt: skip


def _contract_token(target: Target) -> str | None:
    """The token of the account that may call the most operations."""
    if not target.accounts:
        return None
    secured = [op for op in target.api.operations if op.secured]

    def reach(account_index: int) -> int:
        account = target.accounts[account_index]
        return sum(target.plan.may_call(op.operation_id, account) for op in secured)

    best = max(range(len(target.accounts)), key=lambda i: (reach(i), -i))
    return target.accounts[best].token


def _security(
    target: Target, probes: Probes, ev: Evidence, thresholds: LiveThresholds
) -> GateResult:
    return security_gate(target, probes, ev, thresholds)
