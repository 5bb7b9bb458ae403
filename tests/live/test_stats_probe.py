"""The non-owner probe of a stats operation: the counts a caller gets hold only the
rows its own list holds (a row another user made for the probe counted is a leak)."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from backend_agent.verify.live.client import Reply
from backend_agent.verify.live.operations import Collection, Operation
from backend_agent.verify.live.plan import Account
from backend_agent.verify.live.probes import Probes, _counted_collection, _stats_probe
from backend_agent.verify.live.target import Target

LIST = Operation("GET", "/api/v1/orders", "list_orders", secured=True)
STATS = Operation("GET", "/api/v1/orders/stats", "stats_orders", secured=True)
ORDERS = Collection(
    path="/api/v1/orders",
    item_path="/api/v1/orders/{id}",
    item_param="id",
    list_op=LIST,
    create_op=None,
    read_op=None,
)
ATTACKER = Account("second", "token-2", "customer")


def _reply(status: int, body: Any) -> Reply:
    return Reply(status, {"content-type": "application/json"}, json.dumps(body).encode())


class _Client:
    """The list's pages, one reply per request, in order."""

    prefix = "/svc"  # the service's root path, which the Link header's URLs hold

    def __init__(self, *pages: Reply) -> None:
        self.pages = list(pages)
        self.sent: list[tuple[str, str, str | None]] = []

    def request(self, method: str, path: str, *, token: str | None, json_body: Any = None) -> Reply:
        self.sent.append((method, path, token))
        return self.pages.pop(0)


class _Target:
    def __init__(self, *pages: Reply) -> None:
        self.client = _Client(*pages)

    def body_for(self, op: Operation, number: int) -> dict[str, Any]:
        return {}

    def number_for(self, op: Operation) -> int:
        return 0

    def path_for(self, op: Operation, *, row: str | None = None) -> str:
        return op.path


def _probe(stats: Reply, *listed: Reply) -> tuple[Probes, _Target]:
    target = _Target(*listed)
    probes = Probes()
    _stats_probe(cast(Target, target), probes, STATS, ORDERS, ATTACKER, stats)
    return probes, target


def _list(total: int) -> Reply:
    return _reply(200, {"success": True, "data": [], "meta": {"total": total}})


def _stats(*counts: int) -> Reply:
    groups = [{"status": f"s{n}", "count": count} for n, count in enumerate(counts)]
    return _reply(200, {"success": True, "data": groups})


@pytest.mark.parametrize(
    ("stats", "listed", "passed"),
    [
        (_stats(1), _list(1), True),  # the caller's own row, in both
        (_stats(1, 2), _list(3), True),  # groups add up to the list
        (_stats(2), _list(1), False),  # the other user's row is counted
        (_stats(1, 1), _list(1), False),
        (_reply(403, {"success": False}), _list(1), True),  # refused outright
        (_reply(404, {"success": False}), _list(1), True),
        (_reply(500, {"success": False}), _list(1), False),
    ],
)
def test_stats_count_only_what_the_caller_lists(stats: Reply, listed: Reply, passed: bool) -> None:
    probes, target = _probe(stats, listed)
    assert [r.passed for r in probes.results] == [passed]
    result = probes.results[0]
    assert (result.kind, result.target) == ("non-owner", "GET /api/v1/orders/stats")
    if stats.status == 200:
        # The caller's own list was read with its own token.
        assert target.client.sent == [("GET", "/api/v1/orders", "token-2")]


def test_stats_without_a_count_are_skipped_with_why() -> None:
    probes, _ = _probe(_reply(200, {"data": [{"status": "a", "sum_total": "3.00"}]}), _list(1))
    assert probes.results == []
    assert probes.skipped == [
        "non-owner GET /api/v1/orders/stats: the stats answer no count to compare"
    ]


def test_only_a_get_of_a_collections_stats_is_counted() -> None:
    api = type(
        "Api",
        (),
        {"collection_of": staticmethod(lambda path: ORDERS if path == ORDERS.path else None)},
    )
    target = cast(Target, type("T", (), {"api": api})())
    assert _counted_collection(target, STATS) is ORDERS
    assert _counted_collection(target, LIST) is None
    assert _counted_collection(target, Operation("POST", STATS.path, "x", secured=True)) is None
    assert _counted_collection(target, Operation("GET", "/api/v1/stats", "y", secured=True)) is None


def _page(rows: int, following: str | None) -> Reply:
    """A page of a list paged by cursor: no total, the next page in a Link header."""
    headers = {"content-type": "application/json"}
    if following is not None:
        headers["link"] = f'<http://127.0.0.1:8000/svc{following}>; rel="next"'
    body = {"data": [{"id": str(n)} for n in range(rows)], "meta": {"next_cursor": following}}
    return Reply(200, headers, json.dumps(body).encode())


@pytest.mark.parametrize(("counted", "passed"), [(5, True), (6, False)])
def test_a_list_without_a_total_is_counted_page_by_page(counted: int, passed: bool) -> None:
    pages = (
        _page(2, "/api/v1/orders?cursor=a"),
        _page(2, "/api/v1/orders?cursor=b"),
        _page(1, None),
    )
    probes, target = _probe(_stats(counted), *pages)
    assert [r.passed for r in probes.results] == [passed]
    assert [path for _, path, _ in target.client.sent] == [
        "/api/v1/orders",
        "/api/v1/orders?cursor=a",
        "/api/v1/orders?cursor=b",
    ]
    assert {token for _, _, token in target.client.sent} == {"token-2"}


def test_a_page_of_the_walk_that_fails_leaves_the_count_unknown() -> None:
    probes, _ = _probe(_stats(2), _page(2, "/api/v1/orders?cursor=a"), _reply(500, {}))
    assert [r.passed for r in probes.results] == [False]
    assert "None listed" in probes.results[0].observed
