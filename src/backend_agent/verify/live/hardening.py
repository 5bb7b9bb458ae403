"""HTTP hardening probes: security headers, CORS, and injection payloads.

Injection payloads go into path parameters, filters and the sort parameter.
A parameter whose documented schema rejects the payload (enum, format,
pattern, number) must get a 4xx; a free-text filter may answer 200 but must
not return more rows than a harmless value does. A 5xx always fails.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlencode

from backend_agent.verify.live.operations import (
    PAGING_NAMES,
    SORT_NAMES,
    Operation,
    Parameter,
    row_count,
    rows_of,
)
from backend_agent.verify.live.probes import Probes
from backend_agent.verify.live.samples import flatten
from backend_agent.verify.live.target import Target

__all__ = ["PAYLOADS", "cors_probes", "header_probes", "injection_probes"]

PAYLOADS = (
    "' OR '1'='1",
    "1 OR 1=1",
    "'; DROP TABLE users; --",
    '" OR ""="',
    "1)) UNION SELECT NULL, NULL --",
    "title; DELETE FROM users",
    "../../../../etc/passwd",
    '{"$ne": null}',
    "<script>alert(1)</script>",
    "a\x00b",
    "%27%20OR%201%3D1",
    "x" * 5000,
)
_EVIL_ORIGIN = "https://evil.example"
_HEADERS = {
    "x-content-type-options": ("nosniff",),
    "x-frame-options": ("deny", "sameorigin"),
    "referrer-policy": None,  # any policy
}


def _probe_get(target: Target) -> Operation | None:
    for op in target.api.operations:
        if op.method == "GET" and not op.params("path") and not op.secured:
            return op
    return next((o for o in target.api.operations if o.method == "GET"), None)


def header_probes(target: Target, probes: Probes) -> None:
    """The security headers on a success and on an error response."""
    op = _probe_get(target)
    token = target.primary.token if target.primary else None
    replies = [target.client.request("GET", f"/backend-agent-probe-{uuid.uuid4().hex}")]
    if op is not None:
        replies.insert(0, target.client.request("GET", target.path_for(op), token=token))
    for name, allowed in _HEADERS.items():
        values = [reply.headers.get(name) for reply in replies]
        ok = all(v is not None and (allowed is None or v.lower() in allowed) for v in values)
        expected = f"{name}: {' or '.join(allowed) if allowed else 'present'}"
        observed = "; ".join(
            f"{r.status}: {v or 'missing'}" for r, v in zip(replies, values, strict=True)
        )
        probes.add("header", name, expected, observed, ok)


def cors_probes(target: Target, probes: Probes) -> None:
    """An unknown origin is not allowed: no Access-Control-Allow-Origin echo (nor ``*``)."""
    op = _probe_get(target)
    path = target.path_for(op) if op else "/"
    preflight = target.client.request(
        "OPTIONS",
        path,
        headers={"Origin": _EVIL_ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    simple = target.client.request("GET", path, headers={"Origin": _EVIL_ORIGIN})
    for kind, reply in (("cors-preflight", preflight), ("cors-simple", simple)):
        allowed = reply.headers.get("access-control-allow-origin")
        ok = allowed not in (_EVIL_ORIGIN, "*")
        observed = f"{reply.status}, Access-Control-Allow-Origin: {allowed or 'absent'}"
        probes.add(kind, f"{path} from {_EVIL_ORIGIN}", "origin not allowed", observed, ok)


def _restricted(param: Parameter) -> bool:
    schema = flatten(param.schema)
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return (
        "enum" in schema
        or "pattern" in schema
        or schema.get("format") in ("uuid", "date", "date-time", "email")
        or any(k in ("integer", "number", "boolean") for k in kinds)
    )


def _rows(reply_body: object) -> int:
    total = row_count(reply_body)
    return total if total is not None else len(rows_of(reply_body) or [])


def injection_probes(target: Target, probes: Probes) -> None:
    """Payloads in path parameters, filters and sort parameters of every GET operation."""
    token = target.primary.token if target.primary else None
    for op in target.api.operations:
        if op.method != "GET":
            continue
        path_params = op.params("path")
        if len(path_params) == 1:
            base = op.path.replace("{" + path_params[0].name + "}", "{}")
            statuses = []
            for payload in PAYLOADS:
                url = base.replace("{}", quote(payload, safe=""))
                statuses.append((payload, target.client.request("GET", url, token=token).status))
            _judge(probes, "injection-path", f"{op.label} {path_params[0].name}", statuses, 0, 0)
        if path_params:
            continue
        for param in op.params("query"):
            if param.name.lower() in PAGING_NAMES:
                continue
            _query(target, probes, op, param, token)


def _query(
    target: Target, probes: Probes, op: Operation, param: Parameter, token: str | None
) -> None:
    sort = param.name.lower() in SORT_NAMES
    baseline = target.client.request(
        "GET", f"{op.path}?{urlencode({param.name: 'backend-agent-no-such-value'})}", token=token
    )
    base_rows = _rows(baseline.json()) if baseline.status == 200 else 0
    results = []
    for payload in PAYLOADS:
        reply = target.client.request(
            "GET", f"{op.path}?{urlencode({param.name: payload})}", token=token
        )
        results.append((payload, reply.status, _rows(reply.json()) if reply.status == 200 else 0))
    kind = "injection-sort" if sort else "injection-filter"
    strict = _restricted(param)
    statuses = [(p, s) for p, s, _ in results]
    extra = max((rows for _p, s, rows in results if s == 200), default=0)
    _judge(probes, kind, f"{op.label} ?{param.name}=", statuses, extra, base_rows, strict=strict)


def _judge(
    probes: Probes,
    kind: str,
    label: str,
    statuses: list[tuple[str, int]],
    rows: int,
    base_rows: int,
    *,
    strict: bool = True,
) -> None:
    bad = [
        (payload, status)
        for payload, status in statuses
        if status >= 500 or (strict and not 400 <= status < 500) or (not strict and status < 200)
    ]
    counts = sorted({s for _p, s in statuses})
    seen = ", ".join(f"{s}x{sum(1 for _p, x in statuses if x == s)}" for s in counts)
    leaked = rows > base_rows
    expected = "4xx" if strict else "4xx, or 2xx without extra rows"
    if bad:
        first = bad[0]
        observed = f"{seen}; e.g. {first[1]} for {first[0][:40]!r}"
    elif leaked:
        observed = f"{seen}; {rows} row(s) where a harmless value gives {base_rows}"
    else:
        observed = seen
    probes.add(kind, label, expected, observed, not bad and not leaked)
