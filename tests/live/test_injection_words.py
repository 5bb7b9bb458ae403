"""The filter-injection probe and full-text search: a payload whose words alone find as
many rows is a search matching words, not an injection; one whose words alone find
fewer is (the syntax widened the answer)."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest

from backend_agent.verify.live.client import Reply
from backend_agent.verify.live.hardening import PAYLOADS, _query
from backend_agent.verify.live.operations import Operation, Parameter
from backend_agent.verify.live.probes import Probes
from backend_agent.verify.live.target import Target

PARAM = Parameter("q", "query", required=False, schema={"type": "string", "maxLength": 200})
LIST = Operation("GET", "/api/v1/products", "list_products", secured=False, parameters=(PARAM,))
ROWS = ["enamel mug 1", "script alert 1", "etc passwd or null"]  # words some payloads hold


def _words(text: str) -> set[str]:
    return {w.lower() for w in "".join(c if c.isalnum() else " " for c in text).split()}


class _Client:
    """A list whose ``q`` is a word search, or (``injectable``) whose ``q`` is pasted into
    SQL: a payload with ``OR`` in it answers every row."""

    def __init__(self, *, injectable: bool) -> None:
        self.injectable = injectable

    def request(self, method: str, url: str, *, token: str | None = None, **_: Any) -> Reply:
        q = parse_qs(urlsplit(url).query).get("q", [""])[0]
        if len(q) > 200 or "\x00" in q:
            return Reply(422, {}, b"{}")
        if self.injectable:
            found = ROWS if " OR " in q.upper() else [r for r in ROWS if r == q]
        else:
            found = [r for r in ROWS if _words(q) and _words(q) <= _words(r)]
        body = {"data": [{"title": r} for r in found], "meta": {"total": len(found)}}
        return Reply(200, {"content-type": "application/json"}, json.dumps(body).encode())


class _Target:
    def __init__(self, *, injectable: bool) -> None:
        self.client = _Client(injectable=injectable)


@pytest.mark.parametrize(("injectable", "passed"), [(False, True), (True, False)])
def test_words_found_by_a_search_are_no_injection(injectable: bool, passed: bool) -> None:
    probes = Probes()
    _query(cast(Target, _Target(injectable=injectable)), probes, LIST, PARAM, None)
    (result,) = probes.results
    assert (result.kind, result.passed) == ("injection-filter", passed), result.observed
    if not injectable:
        # Some payload's words did find rows: the probe looked, and judged them words.
        assert any(_words(p) and _words(p) <= _words(r) for p in PAYLOADS for r in ROWS)
