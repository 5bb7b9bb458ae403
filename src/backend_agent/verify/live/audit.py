"""``audit``: the live gates against any API running on this machine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from backend_agent.errors import GateError, OutputError
from backend_agent.figures import Delivery, Figure
from backend_agent.verify.live.client import Client
from backend_agent.verify.live.credentials import oauth2_account
from backend_agent.verify.live.measure import LIVE_FIGURES, measure
from backend_agent.verify.live.operations import Api
from backend_agent.verify.live.options import Evidence, LiveOptions, LiveThresholds
from backend_agent.verify.live.plan import Account, ProbePlan
from backend_agent.verify.live.report import write_html_report
from backend_agent.verify.live.target import Progress, Target, quiet

__all__ = ["audit", "load_openapi"]

_AGENT = "backend-agent audit"


def load_openapi(source: str, client: Client, *, credential: str | None = None) -> dict[str, Any]:
    """The OpenAPI document from a loopback URL (through ``client``) or a JSON/YAML file.

    A document only signed-in users may read (401/403 without credentials) is
    fetched again with ``credential``, the first account's.
    """
    if source.startswith(("http://", "https://")):
        if not source.startswith(client.base_url):
            Client(source).close()  # refuses anything off this machine
        path = source.removeprefix(client.base_url) or "/"
        reply = client.request("GET", path)
        if reply.status in (401, 403) and credential:
            reply = client.request("GET", path, token=credential)
        if reply.status != 200:
            raise GateError(f"GET {source} answered {reply.status}: no OpenAPI document there")
        text = reply.body.decode("utf-8", errors="replace")
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise GateError(f"cannot read the OpenAPI document {source}: {exc}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise GateError(f"{source} is neither JSON nor YAML: {exc}") from None
    if not isinstance(document, dict):
        raise GateError(f"{source} is not an OpenAPI document")
    return document


def _refuse_foreign_reports(report_dir: Path) -> None:
    """Write only into a new or empty folder, or one an earlier audit wrote its reports to."""
    if not report_dir.is_dir() or not any(report_dir.iterdir()):
        return
    try:
        earlier = json.loads((report_dir / "delivery.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        earlier = None
    if not isinstance(earlier, dict) or earlier.get("agent") != _AGENT:
        raise OutputError(
            f"{report_dir} is not empty and holds no earlier audit's reports; the audit "
            "would replace files there (openapi.json, report.html...): choose a new or empty "
            "--report-dir"
        )


def audit(
    base_url: str,
    *,
    openapi: str,
    accounts: Sequence[Account] = (),
    oauth2_logins: Sequence[tuple[str, str]] = (),
    plan: ProbePlan | None = None,
    options: LiveOptions | None = None,
    thresholds: LiveThresholds | None = None,
    report_dir: Path,
    progress: Progress | None = None,
) -> Delivery:
    """Seed, probe, load and fuzz the API at ``base_url``; write the reports; return the delivery.

    ``accounts`` are signed-in users (the first is used for the contract run
    and authenticated load; its token is revoked at the very end if the API has
    a logout operation, which is fuzzed last). ``oauth2_logins`` are (flow,
    ``[ROLE=]name:secret``) pairs logged in through the document's OAuth2 token
    URL (flows ``password`` and ``clientCredentials``) and added as accounts.
    ``report_dir`` must be new, empty or an earlier audit's (``OutputError``
    otherwise, before anything is sent). Raises ``GateError`` when the target is
    not on this machine or has no OpenAPI document, or a login fails.
    """
    with Client(base_url) as client:
        return _audit(
            client, openapi=openapi, accounts=accounts, oauth2_logins=oauth2_logins, plan=plan,
            options=options, thresholds=thresholds, report_dir=report_dir, progress=progress,
        )  # fmt: skip


def _audit(
    client: Client,
    *,
    openapi: str,
    accounts: Sequence[Account],
    oauth2_logins: Sequence[tuple[str, str]],
    plan: ProbePlan | None,
    options: LiveOptions | None,
    thresholds: LiveThresholds | None,
    report_dir: Path,
    progress: Progress | None,
) -> Delivery:
    base_url = client.base_url
    report_dir = report_dir.resolve()
    _refuse_foreign_reports(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    document = load_openapi(openapi, client, credential=accounts[0].token if accounts else None)
    api = Api.from_document(document)
    accounts = [
        *accounts,
        *(
            oauth2_account(document, client, text, flow=flow, index=index)
            for index, (flow, text) in enumerate(oauth2_logins, 1)
        ),
    ]
    openapi_file = report_dir / "openapi.json"
    openapi_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    plan = plan or ProbePlan()
    thresholds = thresholds or LiveThresholds()
    options = options or LiveOptions(seed_rows=100, load_every_get=True, allow_writes=False)
    target = Target(client, api, tuple(accounts), plan, writes=options.allow_writes)
    results = measure(
        target, evidence=Evidence(report_dir, report_dir), openapi_file=openapi_file,
        options=options, thresholds=thresholds, progress=progress or quiet,
    )  # fmt: skip
    figures: dict[str, Figure] = {}
    for result in results:
        figures.update(result.figures)
    for name in LIVE_FIGURES:
        figures.setdefault(name, Figure.not_measured("its gate did not produce it"))
    figures.setdefault(
        "review_findings_medium_plus", Figure.not_measured("audit sees only the running API")
    )
    gates = [r.gate for r in results]
    passed = "; ".join(f"{g.name}: {g.message}" for g in gates if g.status == "passed")
    delivery = Delivery.from_gates(
        gates,
        figures=figures,
        headline=f"{base_url}" + (f" ({passed})" if passed else ""),
        agent=_AGENT,
        artifacts_dir=str(report_dir),
    )
    (report_dir / "delivery.json").write_text(delivery.model_dump_json(indent=2) + "\n", "utf-8")
    write_html_report(
        delivery, report_dir / "report.html", er_diagram=plan.er_diagram, openapi=document,
        p95_limit_ms=thresholds.max_p95_ms,
    )  # fmt: skip
    return delivery
