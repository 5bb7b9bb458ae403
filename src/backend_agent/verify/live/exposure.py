"""Probes of what an API exposes by accident: internals in errors, unbounded pages, methods.

Each works from the OpenAPI document alone, so it applies to any API:
- ``verbose-error``: an id that cannot exist and one of the wrong shape, on every
  item read; the answer must not carry a traceback, a file path, SQL or an
  exception's name.
- ``page-bounds``: a list with a limit-like parameter must honour a limit of 1 and
  refuse (4xx) or cap a limit far past its documented maximum.
- ``methods``: ``TRACE`` is never served; an undocumented method on a path is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from backend_agent.verify.live.operations import Operation, Parameter, rows_of
from backend_agent.verify.live.probes import Probes
from backend_agent.verify.live.samples import flatten
from backend_agent.verify.live.target import Target

__all__ = ["INTERNALS", "method_probes", "page_bound_probes", "verbose_error_probes"]

# Text that only internals put into an answer: stack traces, source paths, SQL, exceptions.
INTERNALS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+"
    r"|\b(?:[A-Z][A-Za-z]*(?:Error|Exception))\b(?=[:(])"
    r"|\bat [\w.$]+\([\w]+\.java:\d+\)|\bSELECT\b .+ \bFROM\b|\bsqlalchemy\.|\bpsycopg|\basyncpg\."
    r"|/(?:usr|srv|home|app|opt)/[\w./-]+\.py",
    re.DOTALL,
)
_LIMIT_NAMES = ("limit", "per_page", "page_size", "size", "count", "take", "pageSize", "perPage")
_FAR_PAST = 1_000_000


def _token(target: Target, op: Operation) -> str | None:
    account = target.reader(op)
    return account.token if account is not None and op.secured else None


def verbose_error_probes(target: Target, probes: Probes) -> None:
    """Unknown and malformed ids on each item read: no internals in the answer."""
    for op in target.api.operations:
        params = op.params("path")
        if op.method != "GET" or len(params) != 1 or target.reader(op) is None:
            continue
        name = params[0].name
        kinds = flatten(params[0].schema).get("type")
        unknown = "987654321" if kinds == "integer" else "00000000-0000-4000-8000-0000000d0e5f"
        for value in (unknown, "%ff%fe'\"<x>"):
            reply = target.client.request(
                "GET", op.path.replace("{" + name + "}", value), token=_token(target, op)
            )
            text = reply.body[:20_000].decode("utf-8", errors="replace")
            found = INTERNALS.search(text)
            observed = f"{reply.status}" + (
                f", body shows {found.group(0)[:60]!r}" if found else ""
            )
            ok = found is None and reply.status < 500
            probes.add(
                "verbose-error", f"{op.label} {name}={value[:12]}", "no internals", observed, ok
            )


def _limit(op: Operation) -> Parameter | None:
    return next((p for p in op.params("query") if p.name in _LIMIT_NAMES), None)


def page_bound_probes(target: Target, probes: Probes) -> None:
    """Lists honour a limit of 1 and never serve a page far past their documented bound."""
    for op in target.api.operations:
        limit = _limit(op)
        if op.method != "GET" or op.params("path") or limit is None or target.reader(op) is None:
            continue
        token = _token(target, op)
        one = target.client.request("GET", f"{op.path}?{urlencode({limit.name: 1})}", token=token)
        rows = rows_of(one.json()) if one.status == 200 else None
        if rows is not None:
            ok = len(rows) <= 1
            probes.add("page-bounds", f"{op.label} ?{limit.name}=1", "at most 1 row",
                       f"{one.status}, {len(rows)} rows", ok)  # fmt: skip
        maximum = flatten(limit.schema).get("maximum")
        far = target.client.request(
            "GET", f"{op.path}?{urlencode({limit.name: _FAR_PAST})}", token=token
        )
        many = rows_of(far.json()) if far.status == 200 else None
        cap = int(maximum) if isinstance(maximum, int | float) else 1000
        ok = far.status < 500 and (400 <= far.status < 500 or many is None or len(many) <= cap)
        observed = f"{far.status}" + (f", {len(many)} rows" if many is not None else "")
        probes.add("page-bounds", f"{op.label} ?{limit.name}={_FAR_PAST}",
                   f"4xx, or at most {cap} rows", observed, ok)  # fmt: skip


def method_probes(target: Target, probes: Probes) -> None:
    """TRACE is refused everywhere; an undocumented method on a documented path is refused."""
    paths: dict[str, set[str]] = {}
    for op in target.api.operations:
        if not op.params("path"):
            paths.setdefault(op.path, set()).add(op.method)
    for path, methods in list(paths.items())[:10]:
        for method in ("TRACE", *(m for m in ("PUT", "DELETE", "PATCH") if m not in methods)):
            reply = target.client.request(method, path)
            ok = reply.status in (401, 403, 404, 405, 501) or (
                method != "TRACE" and reply.status == 400
            )
            probes.add("methods", f"{method} {path}", "401/403/404/405/501",
                       str(reply.status), ok)  # fmt: skip
            if method != "TRACE":
                break  # one undocumented write method a path is enough
