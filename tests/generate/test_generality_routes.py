"""A service unlike the examples answers every request as the examples do.

One generated project, an online shop whose orders carry nested line items and fields
named like the list's own query parameters (``limit``, ``page``, ``sort``, ...), is
built once for the module. Probes written into its test directory drive the app
in-process (its own fixtures: a migrated SQLite database, an HTTP client, accounts);
each test below asserts that one probe passed, so a failure names the defect.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest

from backend_agent.design import design
from backend_agent.generate import generate, write_project
from backend_agent.spec import load_spec_text
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment

pytestmark = pytest.mark.slow

SPEC = """\
name: shop
auth:
  roles: [admin, clerk, customer]
  default_role: customer
entities:
  Order:
    owner: true
    fields:
      reference: {type: string, max_length: 40, required: true}
      placed_at: {type: datetime, nullable: true}
      limit: {type: integer, min: 0, nullable: true}
      page: {type: string, max_length: 20, nullable: true}
      sort: {type: string, max_length: 20, nullable: true}
      filters: {type: string, max_length: 20, nullable: true}
      q: {type: string, max_length: 20, nullable: true}
      total: {type: integer, nullable: true}
      total_min: {type: integer, nullable: true}
    permissions: {list: anyone, read: anyone, create: authenticated,
                  update: owner_or_admin, delete: owner_or_admin}
    filters: [reference, placed_at, limit, page, sort, filters, q, total, total_min]
    sort: [placed_at, created_at, limit]
  OrderItem:
    fields:
      sku: {type: string, max_length: 40, required: true}
      quantity: {type: integer, min: 1, required: true}
    relations:
      order: {belongs_to: Order, on_delete: cascade}
    nested_under: Order
    permissions: {list: anyone, read: anyone, create: [clerk, admin],
                  update: [clerk, admin], delete: [admin]}
    sort: [created_at]
"""

PROBES = '''\
"""Probes of backend-agent's tests/generate/test_generality_routes.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core.ratelimit import MemoryStore, Rate

pytestmark = pytest.mark.anyio

ORDERS = "/api/v1/orders"
ITEMS = "/api/v1/order_items"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Bodies no endpoint takes: (bytes, content type).
BAD_BODIES = (
    (b"{", "application/json"),
    (b'{"reference": 1, "no_such_field": 1}', "application/json"),
    (b"reference=x", "application/x-www-form-urlencoded"),
    (b"{}", "text/plain"),
)


async def order(client: httpx.AsyncClient, headers: Any, **fields: Any) -> dict[str, Any]:
    response = await client.post(ORDERS, json={"reference": "r", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def test_path_variants(client: httpx.AsyncClient, make_user: Any) -> None:
    admin = await make_user("admin")
    one = f"{ORDERS}/{(await order(client, admin.headers))['id']}"
    variants = (
        f"{ORDERS}/", f"{ORDERS}//", f"{one}/", f"{ORDERS}//{one.rsplit('/', 1)[1]}",
        "/api/v1//orders", f"{one}//order_items", f"{ORDERS}//order_items",
        f"{one}/order_items/", f"{ITEMS}/", f"{ITEMS}//",
    )
    for method in METHODS:
        for path in variants:
            response = await client.request(method, path, headers=admin.headers)
            status = response.status_code
            assert status in (307, 404, 405), (method, path, status, response.text)
            if status == 307:
                assert response.headers["Location"] == "http://test" + path.rstrip("/")
            elif method != "HEAD":
                error = response.json()["error"]
                assert error["code"] in ("NOT_FOUND", "METHOD_NOT_ALLOWED"), error
    for path in (f"{ORDERS}/", f"{one}/", f"{one}/order_items/"):
        found = await client.get(path, headers=admin.headers, follow_redirects=True)
        assert found.status_code == 200, (path, found.text)


async def test_nested_list_without_a_parent_filter(client: httpx.AsyncClient, make_user: Any) -> None:
    clerk = await make_user("clerk")
    first, second = await order(client, clerk.headers), await order(client, clerk.headers)
    body = {"sku": "A-1", "quantity": 2}
    created = await client.post(f"{ORDERS}/{first['id']}/order_items", json=body, headers=clerk.headers)
    assert created.status_code == 201, created.text
    listed = await client.get(f"{ORDERS}/{first['id']}/order_items")
    assert listed.status_code == 200, listed.text
    assert [row["id"] for row in listed.json()["data"]] == [created.json()["data"]["id"]]
    empty = await client.get(f"{ORDERS}/{second['id']}/order_items")
    assert empty.status_code == 200, empty.text
    assert empty.json()["data"] == []


async def test_fields_named_like_list_parameters(client: httpx.AsyncClient, make_user: Any) -> None:
    user = await make_user()
    await order(client, user.headers)
    odd = await order(
        client, user.headers, limit=5, page="p", sort="s", filters="f", q="x", total=3, total_min=7
    )
    paged = await client.get(ORDERS, params={"limit": 1, "page": 2})
    assert paged.status_code == 200, paged.text
    assert paged.json()["meta"] == {"page": 2, "limit": 1, "total": 2}
    for params in (
        {"filter_limit": 5}, {"filter_page": "p"}, {"filter_sort": "s"}, {"filters": "f"},
        {"q": "x"}, {"total_min": 7}, {"filter_total_min": 2}, {"limit_min": 4},
    ):
        response = await client.get(ORDERS, params=params)
        assert response.status_code == 200, (params, response.text)
        assert [row["id"] for row in response.json()["data"]] == [odd["id"]], params
    ordered = await client.get(ORDERS, params={"sort": "-limit", "limit": 2})
    assert ordered.status_code == 200, ordered.text


async def test_the_caller_is_checked_before_the_request(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    customer = await make_user("customer")
    mine = await order(client, customer.headers)
    one = f"{ORDERS}/{mine['id']}"
    for content, content_type in BAD_BODIES:
        anonymous = {"Content-Type": content_type}
        for method, path in (("POST", ORDERS), ("PUT", one), ("PATCH", one), ("PUT", f"{ORDERS}/x")):
            response = await client.request(method, path, content=content, headers=anonymous)
            assert response.status_code == 401, (method, path, content, response.text)
            assert response.json()["error"]["details"] == []
        refused = await client.post(
            f"{one}/order_items", content=content, headers=customer.headers | anonymous
        )
        assert refused.status_code == 403, (content, refused.text)
        wrong_role = await client.patch(
            f"{ITEMS}/not-a-uuid", content=content, headers=customer.headers | anonymous
        )
        assert wrong_role.status_code == 403, (content, wrong_role.text)
    assert (await client.delete(f"{ITEMS}/not-a-uuid")).status_code == 401
    audit = await client.get("/api/v1/audit-log", params={"limit": "0"})
    assert audit.status_code == 401, audit.text


async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient, make_user: Any) -> None:
    admin = await make_user("admin")
    one = f"{ORDERS}/{(await order(client, admin.headers))['id']}"
    for content, content_type in ((b"reference=x", "application/x-www-form-urlencoded"),
                                  (b'{"reference": "x"}', "text/plain"), (b"{}", None)):
        headers = admin.headers | ({"Content-Type": content_type} if content_type else {})
        for method, path in (("POST", ORDERS), ("PUT", one), ("PATCH", one),
                             ("POST", f"{one}/order_items")):
            response = await client.request(method, path, content=content, headers=headers)
            assert response.status_code == 415, (method, path, content_type, response.text)
            assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_naive_datetimes_are_refused(client: httpx.AsyncClient, make_user: Any) -> None:
    user = await make_user()
    naive = "2024-01-31T09:30:00"
    response = await client.post(ORDERS, json={"reference": "r", "placed_at": naive}, headers=user.headers)
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == ["placed_at"]
    listed = await client.get(ORDERS, params={"placed_at_min": naive})
    assert listed.status_code == 422, listed.text
    assert [d["field"] for d in listed.json()["error"]["details"]] == ["query.placed_at_min"]
    aware = await order(client, user.headers, placed_at=naive + "+02:00")
    assert aware["placed_at"].startswith("2024-01-31T07:30:00")


async def test_integers_beyond_the_column_type_are_refused(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    user = await make_user()
    for value in (2**31, -(2**31) - 1, 2**64):
        created = await client.post(ORDERS, json={"reference": "r", "total": value}, headers=user.headers)
        assert created.status_code == 422, (value, created.text)
        for name in ("total", "filter_total_min", "total_max", "filter_limit"):
            listed = await client.get(ORDERS, params={name: value})
            assert listed.status_code == 422, (name, value, listed.text)
    assert (await order(client, user.headers, total=2**31 - 1))["total"] == 2**31 - 1


@pytest.mark.parametrize("started", [2037.4028446252357, 8174.326235239371, 32724.14146871332])
async def test_the_reset_header_stays_within_the_window(started: float) -> None:
    store = MemoryStore(clock=lambda: started)
    usage = await store.take("k", Rate(5, 60.0))
    assert int(dict(usage.headers())[b"ratelimit-reset"]) <= 60, usage
'''


@dataclass(frozen=True)
class Run:
    """What pytest said of each probe (``PASSED``, ``FAILED``, ``ERROR``), and its output."""

    outcomes: dict[str, str]
    output: str

    def check(self, name: str) -> None:
        assert self.outcomes.get(name) == "PASSED", self.output[-6000:]


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = tmp_path_factory.mktemp("generality") / "shop"
    write_project(generate(design(load_spec_text(SPEC, "shop.yaml"))), project)
    (project / "tests" / "test_generality_probes.py").write_text(PROBES, "utf-8")
    python = ensure_environment(project, SubprocessRunner(), project.parent / "env.log")
    command = [str(python), "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "tests/test_generality_probes.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    outcomes: dict[str, str] = {}
    # -rA ends with one line per test: "PASSED tests/x.py::name[case]" or "FAILED ...".
    for line in result.stdout.splitlines():
        verdict, _, test = line.partition(" tests/test_generality_probes.py::")
        if verdict in ("PASSED", "FAILED", "ERROR") and test:
            name = test.split("[")[0].split(" ")[0]
            if outcomes.get(name, "PASSED") == "PASSED":
                outcomes[name] = verdict
    return Run(outcomes, result.stdout + result.stderr)


def test_every_path_variant_answers_a_redirect_or_an_error_envelope(probes: Run) -> None:
    probes.check("test_path_variants")


def test_a_nested_list_works_when_its_parent_is_not_a_filter(probes: Run) -> None:
    probes.check("test_nested_list_without_a_parent_filter")


def test_fields_named_like_list_parameters_never_replace_them(probes: Run) -> None:
    probes.check("test_fields_named_like_list_parameters")


def test_the_caller_and_its_role_are_checked_before_the_request_is_validated(
    probes: Run,
) -> None:
    probes.check("test_the_caller_is_checked_before_the_request")


def test_a_body_that_is_not_json_is_an_unsupported_media_type(probes: Run) -> None:
    probes.check("test_a_body_that_is_not_json_is_415")


def test_a_datetime_without_an_offset_is_refused_naming_its_field(probes: Run) -> None:
    probes.check("test_naive_datetimes_are_refused")


def test_integers_outside_the_column_type_are_a_validation_error(probes: Run) -> None:
    probes.check("test_integers_beyond_the_column_type_are_refused")


def test_the_ratelimit_reset_header_never_exceeds_the_window(probes: Run) -> None:
    probes.check("test_the_reset_header_stays_within_the_window")
