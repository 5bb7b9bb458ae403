"""Generated services work for specs unlike the examples: names, soft deletes, roles, jobs.

The specs here are a shop (customers' accounts, a catalogue, orders with nested line
items, reviews, a scheduled job beside an event's) and a clinic with awkward names and
only a scheduled job. The fast tests render only; the slow one builds each project and
runs the generated tests its names, rules and relations reach, plus (in the shop) a few
read-path checks dropped into its test folder.
"""

from __future__ import annotations

import ast
import builtins
import subprocess
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from backend_agent.design import design
from backend_agent.design.blueprint import Blueprint
from backend_agent.errors import SpecError
from backend_agent.generate import generate, write_project
from backend_agent.generate.render import render
from backend_agent.spec import load_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment

SHOP = """\
name: shop
auth:
  roles: [manager, clerk, buyer]
  default_role: buyer
entities:
  Account:
    owner: true
    fields:
      nickname: {type: string, max_length: 80, required: true}
      metadata: {type: json, nullable: true}
      model_config: {type: string, nullable: true}
    permissions: {list: owner_or_manager, read: owner_or_manager, create: authenticated,
                  update: owner, delete: owner_or_manager}
  Product:
    fields:
      title: {type: string, max_length: 120, required: true}
      price: {type: decimal, precision: 10, scale: 2, min: 0, required: true}
      owner: {type: string, nullable: true}
      user: {type: string, nullable: true}
      account_id: {type: string, nullable: true}
    # list and read name different roles: each test must log in with its own.
    permissions: {list: [clerk, manager], read: [buyer, manager], create: [manager],
                  update: [manager], delete: [manager]}
    soft_delete: true
    filters: [title]
  Order:
    owner: true
    fields:
      note: {type: string, required: true}
    relations:
      items: {has_many: OrderItem}
    permissions: {list: owner, read: owner_or_manager, create: authenticated, update: owner,
                  delete: owner}
    soft_delete: true
  OrderItem:
    owner: true
    cache: 1m
    fields:
      quantity: {type: integer, min: 1, required: true}
    relations:
      order: {belongs_to: Order, on_delete: cascade}
      product: {belongs_to: Product, on_delete: restrict}
    nested_under: Order
    # Visible to anyone signed in, yet only where the order is: to its buyer or a manager.
    permissions: {list: authenticated, read: authenticated, create: authenticated,
                  update: owner, delete: owner_or_manager}
    filters: [order]
  Review:
    owner: true
    fields:
      stars: {type: integer, min: 1, max: 5, required: true}
    relations:
      product: {belongs_to: Product, on_delete: set_null, required: false}
    permissions: {list: anyone, read: anyone, create: authenticated, update: owner,
                  delete: owner_or_manager}
  Settings:
    fields: {label: {type: string, required: true}}
  Token:
    fields: {code: {type: string, required: true}}
  Metadata:
    fields: {key: {type: string, required: true}}
jobs:
  notify_order: {on: order.created}
  nightly_cleanup: {every: 1h}
"""

# Field names that are keywords, constants or names the schema modules import, and
# entity names that are names the repositories import.
CLINIC = """\
name: clinic
entities:
  Patient:
    fields:
      "true": {type: boolean, nullable: true}
      "false": {type: boolean, nullable: true}
      none: {type: string, max_length: 20, nullable: true}
      field: {type: string, max_length: 20, required: true}
      annotated: {type: string, max_length: 20, nullable: true}
      literal: {type: string, max_length: 20, nullable: true}
      decimal: {type: decimal, precision: 8, scale: 2, nullable: true}
      class: {type: string, max_length: 20, nullable: true}
      from: {type: integer, min: 0, nullable: true}
      date: {type: date, nullable: true}
      type: {type: enum, values: [a, b]}
  Page:
    fields: {title: {type: string, max_length: 20, required: true}}
  Row:
    fields: {title: {type: string, max_length: 20, required: true}}
  Filter:
    fields: {title: {type: string, max_length: 20, required: true}}
  Column:
    fields: {title: {type: string, max_length: 20, required: true}}
  Value:   # its table, values, is an SQL keyword
    fields: {title: {type: string, max_length: 20, required: true}}
jobs:
  tidy_up: {every: 10m}   # the only job is scheduled: it is the one the job tests queue
"""


def _blueprint(tmp_path: Path, text: str) -> Blueprint:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return design(load_spec(path))


def _bindings(node: ast.stmt) -> list[tuple[str, str]]:
    """The module-level names ``node`` binds, each with how: import, definition, assignment."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [((a.asname or a.name).split(".")[0], "import") for a in node.names]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [(node.name, "definition")]
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [
            (n.id, "assignment") for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)
        ]
    return []


def _clashes(source: str) -> list[str]:
    """Module-level names bound twice where one binding is an import or both are
    definitions (the later one silently wins), builtins hidden, and parameters that hide
    a module-level name."""
    seen: dict[str, str] = {}
    found = []
    for node in ast.parse(source).body:
        for name, kind in _bindings(node):
            earlier = seen.get(name)
            twice = earlier == kind == "definition"
            if earlier is not None and (twice or "import" in (earlier, kind)):
                found.append(f"{name} ({earlier}, then {kind}) at line {node.lineno}")
            if not name.startswith("_") and hasattr(builtins, name):
                found.append(f"{name} hides the builtin at line {node.lineno}")
            seen.setdefault(name, kind)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                if seen.get(arg.arg) == "assignment":
                    found.append(f"{arg.arg} of {node.name}() hides the module's {arg.arg}")
    return found


@pytest.mark.parametrize("spec", [SHOP, CLINIC], ids=["shop", "clinic"])
def test_every_rendered_module_compiles_and_binds_no_import_twice(
    tmp_path: Path, spec: str
) -> None:
    files = render(_blueprint(tmp_path, spec))
    problems = {}
    for path, text in files.items():
        if path.suffix != ".py":
            continue
        compile(text, str(path), "exec")
        if clashes := _clashes(text):
            problems[str(path)] = clashes
    assert problems == {}


@pytest.mark.parametrize("name", ["Mapped", "Decimal"])
def test_an_entity_named_like_a_model_import_is_refused_where_it_stands(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(f"name: x\nentities:\n  {name}:\n    fields: {{a: {{type: string}}}}\n")
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert f"spec.yaml:3:3: entity name '{name}' clashes" in str(error.value)


def test_list_tests_log_in_with_the_list_role_and_reads_with_the_read_role(
    tmp_path: Path,
) -> None:
    files = render(_blueprint(tmp_path, SHOP))
    fast = files[PurePosixPath("tests/test_fast_path.py")]
    assert '"product": ("/api/v1/products", "clerk", False)' in fast
    entity = files[PurePosixPath("tests/test_product.py")]
    assert 'make_user("clerk")' in entity  # the list tests
    assert 'make_user("buyer")' in entity  # the read tests


def test_rows_hidden_with_a_parent_are_not_counted_by_triggers(tmp_path: Path) -> None:
    counted = {c.table for c in _blueprint(tmp_path, SHOP).counted}
    assert "products" in counted
    assert "order_items" not in counted  # hidden with a softly deleted order or product


# Read paths the soft delete of a parent must reach, checked over HTTP in the project.
READ_PATHS = """\
from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import ids

pytestmark = pytest.mark.anyio
API = "/api/v1"


async def test_a_deleted_order_hides_its_items_in_every_read_path(client, db, make_user):
    buyer = await make_user("buyer")
    order = await factories.create_order(db, buyer)
    item = await factories.create_order_item(db, buyer, order_id=order["id"])
    url = f"{API}/order_items/{item['id']}"
    assert (await client.get(url, headers=buyer.headers)).status_code == 200
    response = await client.delete(f"{API}/orders/{order['id']}", headers=buyer.headers)
    assert response.status_code == 204
    assert (await client.get(url, headers=buyer.headers)).status_code == 404
    listed = await client.get(f"{API}/order_items", headers=buyer.headers)
    assert str(item["id"]) not in ids(listed)
    nested = await client.get(f"{API}/orders/{order['id']}/order_items", headers=buyer.headers)
    assert nested.status_code == 404


async def test_items_of_an_order_out_of_reach_are_hidden_and_untouchable(client, db, make_user):
    buyer, stranger = await make_user("buyer"), await make_user("buyer")
    item = await factories.create_order_item(db, buyer)
    url = f"{API}/order_items/{item['id']}"
    assert str(item["id"]) not in ids(await client.get(f"{API}/order_items", headers=stranger.headers))
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    response = await client.patch(url, json={"quantity": 9}, headers=stranger.headers)
    assert response.status_code == 404
    assert (await client.delete(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=buyer.headers)).json()["data"]["quantity"] == item["quantity"]


async def test_a_product_on_a_live_order_cannot_be_deleted(client, db, make_user):
    manager = await make_user("manager")
    buyer = await make_user("buyer")
    item = await factories.create_order_item(db, buyer)
    url = f"{API}/products/{item['product_id']}"
    assert (await client.delete(url, headers=manager.headers)).status_code == 409
    response = await client.delete(f"{API}/orders/{item['order_id']}", headers=buyer.headers)
    assert response.status_code == 204
    assert (await client.delete(url, headers=manager.headers)).status_code == 204
"""


# Each project, and the generated tests to run in it: those the specs' names, rules,
# relations and jobs reach.
PROJECTS = {
    "shop": (
        SHOP,
        (
            "tests/test_generality_reads.py",
            "tests/test_account.py",
            "tests/test_settings.py",
            "tests/test_product.py",
            "tests/test_order.py",
            "tests/test_order_item.py",
            "tests/test_cache.py",
            "tests/test_review.py",
            "tests/test_jobs.py",
            "tests/test_fast_path.py",
            "tests/test_every_route.py",
            "tests/test_health.py",
        ),
    ),
    "clinic": (
        CLINIC,
        (
            "tests/test_patient.py",
            "tests/test_filter.py",
            "tests/test_page.py",
            "tests/test_jobs.py",
        ),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_the_project_passes_its_own_tests(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    spec, tests = PROJECTS[name]
    root = tmp_path_factory.mktemp(name)
    project = root / name
    write_project(generate(_blueprint(root, spec)), project)
    if name == "shop":
        (project / "tests" / "test_generality_reads.py").write_text(READ_PATHS, encoding="utf-8")
    python = ensure_environment(project, SubprocessRunner(), root / "env.log")
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary = textwrap.shorten(result.stdout[-3000:], 3000)
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert " failed" not in result.stdout
