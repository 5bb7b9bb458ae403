"""Access-control probes: no token, bad token, wrong role, non-owner, login flood.

Each probe sends real requests and compares the status with what a secure
service must answer. Probes that need knowledge the OpenAPI document does not
carry (roles, ownership) run only when the probe plan supplies it; otherwise
they are listed as skipped with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from backend_agent.verify.live.client import Reply
from backend_agent.verify.live.credentials import token_urls
from backend_agent.verify.live.operations import (
    Collection,
    Operation,
    next_link,
    row_count,
    rows_of,
)
from backend_agent.verify.live.plan import Account
from backend_agent.verify.live.samples import Unsupported, sample_body
from backend_agent.verify.live.target import Target

__all__ = ["OWASP", "ProbeResult", "Probes", "access_probes", "login_flood"]

_BAD_TOKEN = "backend-agent.invalid.token"  # noqa: S105 - a deliberately wrong token

# The OWASP API Security Top 10 (2023) item each kind of probe checks.
OWASP: dict[str, str] = {
    "non-owner": "API1:2023 Broken Object Level Authorization",
    "no-token": "API2:2023 Broken Authentication",
    "bad-token": "API2:2023 Broken Authentication",
    "login-flood": "API2:2023 Broken Authentication",
    "mass-assignment": "API3:2023 Broken Object Property Level Authorization",
    "body-size": "API4:2023 Unrestricted Resource Consumption",
    "page-bounds": "API4:2023 Unrestricted Resource Consumption",
    "wrong-role": "API5:2023 Broken Function Level Authorization",
    "header": "API8:2023 Security Misconfiguration",
    "cors-preflight": "API8:2023 Security Misconfiguration",
    "cors-simple": "API8:2023 Security Misconfiguration",
    "verbose-error": "API8:2023 Security Misconfiguration",
    "methods": "API8:2023 Security Misconfiguration",
    "injection-path": "API8:2023 Security Misconfiguration (injection)",
    "injection-filter": "API8:2023 Security Misconfiguration (injection)",
    "injection-sort": "API8:2023 Security Misconfiguration (injection)",
    "graphql-introspection": "API8:2023 Security Misconfiguration",
    "graphql-method": "API8:2023 Security Misconfiguration",
    "graphql-complexity": "API4:2023 Unrestricted Resource Consumption",
    "graphql-batch": "API4:2023 Unrestricted Resource Consumption",
    "graphql-size": "API4:2023 Unrestricted Resource Consumption",
}


@dataclass(frozen=True)
class ProbeResult:
    """One probe: what it sent, what it expected, what it saw."""

    kind: str
    target: str
    expected: str
    observed: str
    passed: bool
    owasp: str = ""  # the OWASP API Security Top 10 (2023) item, from the kind


@dataclass
class Probes:
    """Probe results and the probes that could not run, with why."""

    results: list[ProbeResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, kind: str, target: str, expected: str, observed: str, passed: bool) -> None:
        """Record one result."""
        self.results.append(
            ProbeResult(kind, target, expected, observed, passed, OWASP.get(kind, ""))
        )

    @property
    def failed(self) -> list[ProbeResult]:
        """The probes that did not get the expected answer."""
        return [r for r in self.results if not r.passed]


def _send(target: Target, op: Operation, *, token: str | None, row: str | None = None) -> Reply:
    try:
        body = target.body_for(op, target.number_for(op))
    except Unsupported:
        body = {}
    return target.client.request(
        op.method, target.path_for(op, row=row), token=token, json_body=body
    )


def _token_probes(target: Target, probes: Probes) -> None:
    # The design's rules count too: a document served from the code says an operation
    # is public once the code lost its check, exactly when the probe matters most.
    designed = {rule.operation_id for rule in target.plan.rules}
    for op in target.api.operations:
        if not (op.secured or op.operation_id in designed):
            continue
        for kind, token in (("no-token", None), ("bad-token", _BAD_TOKEN)):
            reply = _send(target, op, token=token)
            if token is None:
                probes.add(kind, op.label, "401", str(reply.status), reply.status == 401)
                continue
            # Some JWT libraries (Flask-JWT-Extended) refuse a token they cannot decode
            # with 422: still a refusal, and nothing is served.
            refused = reply.status in (401, 422)
            probes.add(kind, op.label, "401 (or 422)", str(reply.status), refused)


def _role_probes(target: Target, probes: Probes) -> None:
    rules = [r for r in target.plan.rules if r.roles and not r.owner]
    if not rules:
        probes.skipped.append("wrong-role: the probe plan names no role-restricted operation")
        return
    for rule in rules:
        op = target.api.operation(rule.operation_id)
        outsider = next((a for a in target.accounts if a.role and a.role not in rule.roles), None)
        if op is None or outsider is None:
            why = "not in the OpenAPI document" if op is None else "no account outside its roles"
            probes.skipped.append(f"wrong-role {rule.operation_id}: {why}")
            continue
        reply = _send(target, op, token=outsider.token, row=_row_for(target, op))
        observed = f"{reply.status} as {outsider.role}"
        probes.add("wrong-role", op.label, "403", observed, reply.status == 403)


def _row_for(target: Target, op: Operation) -> str | None:
    """A row of the operation's collection, made if there is none yet."""
    collection = target.api.collection_for(op)
    if not op.params("path") or collection is None:
        return None
    rows = target.rows.get(collection.path, [])
    if rows:
        return rows[0]
    account = target.creator(collection)
    return _owned_row(target, collection, account) if account else None


def _owned_row(target: Target, collection: Collection, owner: Account) -> str | None:
    """A row of ``collection`` that ``owner`` created, made if there is none yet."""
    for row in target.rows.get(collection.path, []):
        if target.owners.get((collection.path, row)) == owner.name:
            return row
    _reply, created = target.create(collection, target.numbers(collection.path)[0], owner)
    return created


_ORDER = {"GET": 0, "PUT": 1, "PATCH": 2, "POST": 3, "DELETE": 4}


def _owner_probes(target: Target, probes: Probes) -> None:
    rules = [r for r in target.plan.rules if r.owner]
    if not rules:
        probes.skipped.append("non-owner: the probe plan names no owner-checked operation")
        return
    ops = [(target.api.operation(r.operation_id), r) for r in rules]
    for op, rule in sorted(
        ((o, r) for o, r in ops if o is not None), key=lambda item: _ORDER.get(item[0].method, 9)
    ):
        counted = _counted_collection(target, op)
        collection = counted or target.api.collection_for(op)
        owner = None
        attacker = None
        for candidate in target.accounts:
            if collection is None or candidate.role in rule.roles:
                continue
            owner = target.creator(collection, avoid=candidate.name)
            if owner is not None:
                attacker = candidate
                break
        if collection is None or owner is None or attacker is None:
            probes.skipped.append(f"non-owner {op.label}: no owner/outsider pair of accounts")
            continue
        row = _owned_row(target, collection, owner)
        if row is None:
            probes.skipped.append(f"non-owner {op.label}: could not create a row to probe")
            continue
        reply = _send(target, op, token=attacker.token, row=row)
        if counted is not None:
            _stats_probe(target, probes, op, counted, attacker, reply)
            continue
        if op.params("path"):
            observed = f"{reply.status} for {attacker.name}"
            probes.add("non-owner", op.label, "404 or 403", observed, reply.status in (403, 404))
            continue
        leaked = [
            r for r in rows_of(reply.json()) or []
            if isinstance(r, dict)
            and target.owners.get((collection.path, str(r.get("id"))), attacker.name)
            != attacker.name
        ]  # fmt: skip
        observed = f"{reply.status}, {len(leaked)} row(s) of other users visible"
        passed = not leaked and reply.status in (200, 403, 404)
        probes.add("non-owner", op.label, "no rows of other users", observed, passed)


def _counted_collection(target: Target, op: Operation) -> Collection | None:
    """The collection a stats operation (``GET <collection>/stats``) counts, if ``op`` is one."""
    base, _, last = op.path.rstrip("/").rpartition("/")
    if op.method != "GET" or last != "stats" or op.params("path"):
        return None
    return target.api.collection_of(base)


MAX_PAGES = 100  # pages of a list without a total walked to count its rows


def _listed(target: Target, op: Operation, token: str | None) -> int | None:
    """How many rows the list ``op`` shows the caller: its total, or where it reports
    none (pages by cursor) the rows of each page its ``Link: rel="next"`` leads to."""
    reply = _send(target, op, token=token)
    if reply.status != 200:
        return 0
    total = row_count(reply.json())
    if total is not None:
        return total
    rows = len(rows_of(reply.json()) or [])
    for _ in range(MAX_PAGES):
        following = next_link(reply.headers)
        if following is None:
            return rows
        parts = urlsplit(following)
        path = parts.path.removeprefix(target.client.prefix)
        reply = target.client.request(
            "GET", path + (f"?{parts.query}" if parts.query else ""), token=token
        )
        if reply.status != 200:
            return None
        rows += len(rows_of(reply.json()) or [])
    return None  # more pages than walked: not counted


def _stats_probe(
    target: Target, probes: Probes, op: Operation, collection: Collection, attacker: Account,
    reply: Reply,
) -> None:  # fmt: skip
    """Stats count only the rows their caller may list: another user's row (made for the
    probe) in the count, beyond what the caller's own list holds, is a leak."""
    groups = rows_of(reply.json()) if reply.status == 200 else []
    counts = [g.get("count") for g in groups or [] if isinstance(g, dict)]
    if reply.status == 200 and (not counts or not all(isinstance(c, int) for c in counts)):
        probes.skipped.append(f"non-owner {op.label}: the stats answer no count to compare")
        return
    listed = None
    if collection.list_op is not None and reply.status == 200:
        listed = _listed(target, collection.list_op, attacker.token)
    counted = sum(int(c) for c in counts if isinstance(c, int))
    observed = f"{reply.status}, {counted} row(s) counted, {listed} listed for {attacker.name}"
    passed = reply.status in (403, 404) or (reply.status == 200 and counted == listed)
    probes.add("non-owner", op.label, "only the rows the caller may list", observed, passed)


def access_probes(target: Target) -> Probes:
    """Every access probe except the login flood (which must run last)."""
    probes = Probes()
    _token_probes(target, probes)
    _role_probes(target, probes)
    _owner_probes(target, probes)
    return probes


def login_flood(target: Target, probes: Probes, *, attempts: int) -> None:
    """Wrong passwords for one unknown account until the API answers 429 (at most ``attempts``)."""
    op = (
        target.api.operation(target.plan.login_operation) if target.plan.login_operation else None
    ) or target.api.login_operation()
    form = None
    if op is None or op.body is None:
        # An OAuth2 password flow's token URL is a login too (a form, not JSON).
        op = _token_operation(target)
        form = {"grant_type": "password", "username": f"nobody-{uuid.uuid4().hex[:8]}"}
    if op is None:
        probes.skipped.append("login-flood: no login operation found (set login_operation)")
        return
    body: dict[str, Any] = {}
    if form is None and op.body is not None:
        try:
            body = sample_body(op.body, 424_242)
        except Unsupported as exc:
            probes.skipped.append(f"login-flood {op.label}: {exc}")
            return
    if form is not None:
        form["password"] = f"wrong-{uuid.uuid4().hex}"
    for name in body:
        if "pass" in name.lower():
            body[name] = f"wrong-{uuid.uuid4().hex}"
    statuses: list[int] = []
    for _ in range(attempts):
        if form is not None:
            statuses.append(target.client.request("POST", op.path, form=form).status)
        else:
            statuses.append(target.client.request("POST", op.path, json_body=body).status)
        if statuses[-1] == 429:
            break
    seen = ", ".join(f"{s}x{statuses.count(s)}" for s in sorted(set(statuses)))
    observed = f"429 after {len(statuses)} attempts" if statuses[-1] == 429 else f"no 429: {seen}"
    probes.add(
        "login-flood", op.label, f"429 within {attempts} attempts", observed, statuses[-1] == 429
    )


def _token_operation(target: Target) -> Operation | None:
    """The POST operation at the document's OAuth2 password-flow token URL, if declared."""
    url = token_urls(target.api.document).get("password")
    if url is None:
        return None
    base = target.client.base_url
    absolute = urljoin(base + "/", url)
    path = "/" + urlsplit(absolute.removeprefix(base)).path.lstrip("/")
    return next((o for o in target.api.operations if o.method == "POST" and o.path == path), None)
