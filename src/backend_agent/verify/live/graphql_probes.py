"""Security probes of a service's GraphQL endpoint (``/graphql``), served in production.

Each probe sends one operation an attacker would and expects it refused before it runs:
the schema asked for by introspection (off in production), operations made huge by
aliases or by fragments that double at every level, a batch of operations, a document
over the size limit, and a mutation sent with GET. Refused means a 4xx whose body
carries no ``data``; a 2xx, a 5xx or a timeout fails the probe.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from backend_agent.verify.live.client import Reply
from backend_agent.verify.live.probes import Probes
from backend_agent.verify.live.target import Target

__all__ = ["GRAPHQL_PROBES", "graphql_probes"]

PATH = "/graphql"
# Alias and fragment bombs sized far past any sane limit, and a document past 20,000
# characters (the generated service's limit).
ALIASES = 2_000
DOUBLINGS = 30
OVERSIZE = 25_000


def _doubling(levels: int) -> str:
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)
    ]
    return f"{{ ...F{levels} }} " + " ".join(fragments)


# (kind, what is sent, method, payload): the payload is the JSON body of a POST, or
# the query string of a GET.
GRAPHQL_PROBES: tuple[tuple[str, str, str, Any], ...] = (
    ("graphql-introspection", "the schema by introspection", "POST",
     {"query": "{ __schema { queryType { name } types { name } } }"}),
    ("graphql-complexity", f"{ALIASES} aliases in one operation", "POST",
     {"query": "{ " + " ".join(f"a{n}: __typename" for n in range(ALIASES)) + " }"}),
    ("graphql-complexity", f"fragments doubling {DOUBLINGS} times (2**{DOUBLINGS} fields)",
     "POST", {"query": _doubling(DOUBLINGS)}),
    ("graphql-batch", "a batch of 50 operations", "POST",
     [{"query": "{ __typename }"} for _ in range(50)]),
    ("graphql-size", f"a document of {OVERSIZE} characters", "POST",
     {"query": "{ __typename }" + " " * OVERSIZE}),
    ("graphql-method", "a mutation sent with GET", "GET", {"query": "mutation { __typename }"}),
)  # fmt: skip


def _refused(reply: Reply) -> bool:
    body = reply.json()
    answered = isinstance(body, dict) and body.get("data") is not None
    return 400 <= reply.status < 500 and not answered


def graphql_probes(target: Target, probes: Probes) -> None:
    """Send each of ``GRAPHQL_PROBES`` to ``/graphql``; record what came back."""
    for kind, what, method, payload in GRAPHQL_PROBES:
        try:
            if method == "GET":
                reply = target.client.request("GET", f"{PATH}?{urlencode(payload)}")
            else:
                reply = target.client.request("POST", PATH, json_body=payload)
        except OSError as exc:  # a timeout: the server is still working on it
            observed, passed = f"no answer ({exc})", False
        else:
            observed, passed = str(reply.status), _refused(reply)
        probes.add(kind, f"{method} {PATH}: {what}", "4xx, no data", observed, passed)
