"""HTTP hardening probes: security headers, CORS, injection, body size, mass assignment.

Injection payloads go into path parameters, filters and the sort parameter.
A parameter whose documented schema rejects the payload (enum, format,
pattern, number) must get a 4xx; a free-text filter may answer 200 but must
not return more rows than a harmless value does. A 5xx always fails.
"""

from __future__ import annotations

import re
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
from backend_agent.verify.live.samples import Unsupported, flatten
from backend_agent.verify.live.target import Target

__all__ = [
    "PAYLOADS",
    "SERVER_OWNED",
    "body_size_probe",
    "cors_probes",
    "header_probes",
    "injection_probes",
    "mass_assignment_probes",
]

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
_WORD = re.compile(r"[^\W_]+")  # a word of a full-text search: letters and digits
# Fields a client must never set: the server owns identity, ownership, roles and time.
SERVER_OWNED = {
    "id": "00000000-0000-4000-8000-00000000beef",
    "owner_id": "00000000-0000-4000-8000-00000000cafe",
    "role": "admin",
    "is_admin": True,
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
}
_OVERSIZED_BYTES = 8 * 1024 * 1024
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
    if baseline.status == 200:
        base_rows = _rows(baseline.json())
    else:
        # The harmless value was refused (a filter in its own syntax: Rison, JSON), so it
        # says nothing about how many rows a filter may give: the unfiltered list is the
        # bound a payload must not pass.
        whole = target.client.request("GET", op.path, token=token)
        base_rows = _rows(whole.json()) if whole.status == 200 else 0
    results = []
    ignored = True
    for payload in PAYLOADS:
        reply = target.client.request(
            "GET", f"{op.path}?{urlencode({param.name: payload})}", token=token
        )
        rows = _rows(reply.json()) if reply.status == 200 else 0
        if rows > base_rows and (words := " ".join(_WORD.findall(payload))) != payload:
            # A search matches words: the payload's words alone, with no syntax to
            # inject, finding as many rows means the syntax changed nothing.
            plain = target.client.request(
                "GET", f"{op.path}?{urlencode({param.name: words})}", token=token
            )
            if plain.status == 200 and _rows(plain.json()) >= rows:
                rows = base_rows
        results.append((payload, reply.status, rows))
        # A documented enum/format the API does not enforce but ignores (the same answer,
        # byte for byte, as a harmless wrong value gets) is no injection: the payload
        # changed nothing. The contract gate reports the undocumented leniency.
        ignored = ignored and reply.status == baseline.status and reply.body == baseline.body
    kind = "injection-sort" if sort else "injection-filter"
    strict = _restricted(param) and not (ignored and 200 <= baseline.status < 300)
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


def body_size_probe(target: Target, probes: Probes) -> None:
    """An 8 MiB body to a create operation is refused with 413 before it is parsed."""
    collection = next((c for c in target.api.collections if c.create_op), None)
    if collection is None or collection.create_op is None:
        probes.skipped.append("body-size: no create operation found")
        return
    op = collection.create_op
    account = target.creator(collection)
    filler = "x" * _OVERSIZED_BYTES
    reply = target.client.request(
        "POST",
        op.path,
        token=account.token if account and op.secured else None,
        json_body={"padding": filler},
    )
    observed = f"{reply.status} for {_OVERSIZED_BYTES // (1024 * 1024)} MiB"
    probes.add("body-size", op.label, "413", observed, reply.status == 413)


def mass_assignment_probes(target: Target, probes: Probes) -> None:
    """Server-owned fields in a create body are refused (4xx) or at least not honoured."""
    for collection in target.api.collections:
        op = collection.create_op
        account = target.creator(collection) if op else None
        if op is None or op.body is None or account is None:
            continue
        try:
            body = target.body_for(op, target.number_for(op))
        except Unsupported:
            probes.skipped.append(f"mass-assignment {op.label}: no valid body could be built")
            continue
        declared = set(op.body.get("properties", {}))
        smuggled = {k: v for k, v in SERVER_OWNED.items() if k not in declared}
        if not isinstance(body, dict) or not smuggled:
            continue
        token = account.token if op.secured else None
        reply = target.client.request("POST", op.path, token=token, json_body=body | smuggled)
        honoured: list[str] = []
        if 200 <= reply.status < 300:
            data = reply.json()
            row = data.get("data", data) if isinstance(data, dict) else {}
            if isinstance(row, dict):
                honoured = [k for k, v in smuggled.items() if k in row and _same(row[k], v)]
        passed = 400 <= reply.status < 500 or (200 <= reply.status < 300 and not honoured)
        observed = f"{reply.status}" + (f", honoured {', '.join(honoured)}" if honoured else "")
        probes.add(
            "mass-assignment", op.label, "4xx, or server-owned fields ignored", observed, passed
        )


def _same(returned: object, sent: object) -> bool:
    if isinstance(sent, str) and isinstance(returned, str):
        return returned.replace("+00:00", "Z").startswith(sent.removesuffix("Z"))
    return returned == sent
