"""Specs the generality campaign found the generator failing on render cleanly now.

Each spec is the minimal one kept in ``bench/generality/found/`` (the whole build of the
fixed ones is in ``tests/spec/drawn/``, built by the slow tier); here the checks are
the fast ones: the design, the rendering, and ruff on the rendered tree.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

from backend_agent.design import design
from backend_agent.design.blueprint import Blueprint
from backend_agent.generate import generate, write_project
from backend_agent.generate.counts import counts_view
from backend_agent.generate.samples import body_value
from backend_agent.spec import load_spec_text

RUFF = Path(sys.executable).parent / "ruff"

TWO_MANY_TO_MANY = """\
name: shop
entities:
  Tag:
    fields: {label: string}
  Invoice:
    fields: {note: string}
    relations:
      labels: {many_to_many: Tag}
      topics: {many_to_many: Tag}
      related: {many_to_many: Invoice}
      linked: {many_to_many: Invoice}
"""


def _blueprint(text: str) -> Blueprint:
    return design(load_spec_text(text, "found.yaml"))


def _ruff(blueprint: Blueprint, out: Path) -> str:
    write_project(generate(blueprint), out)
    result = subprocess.run(
        [str(RUFF), "check", "--no-cache", "app"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode else ""


def test_many_to_many_relations_to_one_target_get_unique_operations(tmp_path: Path) -> None:
    blueprint = _blueprint(TWO_MANY_TO_MANY)
    repeated = [
        name for name, n in Counter(r.operation_id for r in blueprint.routes).items() if n > 1
    ]
    assert repeated == []
    names = {r.operation_id for r in blueprint.routes}
    assert {"add_invoice_labels", "remove_invoice_topics", "add_invoice_related"} <= names
    assert _ruff(blueprint, tmp_path / "shop") == ""


def test_a_single_many_to_many_keeps_its_target_name() -> None:
    blueprint = _blueprint(
        "name: blog\nentities:\n  Tag:\n    fields: {label: string}\n"
        "  Post:\n    fields: {title: string}\n    relations:\n"
        "      tags: {many_to_many: Tag}\n"
    )
    names = {r.operation_id for r in blueprint.routes}
    assert {"add_post_tag", "remove_post_tag"} <= names


def test_owner_only_lists_render_their_initial_migration() -> None:
    files = generate(
        _blueprint(
            "name: a\nentities:\n  Group:\n    fields: {note: string}\n"
            "    owner: true\n    permissions: {list: owner}\n"
        )
    )
    migration = next(text for path, text in files.items() if path.name == "0001_initial.py")
    compile(migration, "0001_initial.py", "exec")
    assert "def downgrade() -> None:" in migration


def test_a_pattern_with_a_min_length_gets_a_long_enough_sample() -> None:
    pattern = "^[A-Z][a-z0-9-]*$"
    blueprint = _blueprint(
        "name: shop\nentities:\n  Post:\n    fields:\n"
        f'      search: {{type: string, pattern: "{pattern}", min_length: 5}}\n'
    )
    entity = blueprint.entity("Post")
    field = next(f for f in entity.fields if f.name == "search")
    sample = body_value(field)
    assert isinstance(sample, str)
    assert len(sample) >= 5
    assert re.search(pattern, sample)


def test_a_cascade_to_its_own_table_is_not_the_counted_cascade() -> None:
    views = counts_view(
        _blueprint(
            "name: tree\nentities:\n  Node:\n    fields: {label: string}\n    relations:\n"
            "      parent: {belongs_to: Node, required: false, on_delete: cascade}\n"
        )
    )
    assert views is not None
    assert views.cascade is None


def test_defaults_render_as_values_of_their_field_type() -> None:
    blueprint = _blueprint(
        "name: shop\nentities:\n  Event:\n    fields:\n"
        '      at: {type: datetime, nullable: true, default: "2024-01-31T12:00:00Z"}\n'
        '      day: {type: date, default: "2024-02-29"}\n'
        '      price: {type: decimal, default: "1.50"}\n'
        '      ref: {type: uuid, default: "6f1c1f2e-3b7a-4c55-9a51-2f6a3c1d9e01"}\n'
    )
    files = generate(blueprint)
    schema = next(text for path, text in files.items() if path.as_posix() == "app/schemas/event.py")
    namespace = {"datetime": datetime, "date": date, "Decimal": Decimal, "uuid": uuid}
    expected = {
        "at": datetime(2024, 1, 31, 12, tzinfo=UTC),
        "day": date(2024, 2, 29),
        "price": Decimal("1.50"),
        "ref": uuid.UUID("6f1c1f2e-3b7a-4c55-9a51-2f6a3c1d9e01"),
    }
    for name, value in expected.items():
        line = next(line for line in schema.splitlines() if line.strip().startswith(f"{name}:"))
        default = eval(line.split(" = ", 1)[1], namespace)  # noqa: S307 (our own output)
        assert default == value
        assert type(default) is type(value)


def test_spec_text_in_any_script_passes_the_project_lint(tmp_path: Path) -> None:
    blueprint = _blueprint(
        "name: shop\nentities:\n  Note:\n    description: Größe in cm × cm\n"
        '    fields:\n      size: {type: string, default: "2×3", description: "Breite × Höhe"}\n'
    )
    assert _ruff(blueprint, tmp_path / "shop") == ""


def test_fields_in_pydantics_namespace_get_attributes_outside_it() -> None:
    files = generate(
        _blueprint(
            "name: shop\nentities:\n  Child:\n    fields:\n"
            "      model_computed_fields: {type: json, nullable: true}\n"
            "      model_dump: {type: integer, nullable: true}\n"
        )
    )
    schema = next(text for path, text in files.items() if path.as_posix() == "app/schemas/child.py")
    attributes = [line.split(":")[0].strip() for line in schema.splitlines() if ": " in line]
    assert not [name for name in attributes if name.startswith("model_")]
    assert 'Field(alias="model_computed_fields")' in schema
    assert 'Field(alias="model_dump")' in schema


def test_a_parent_in_pydantics_namespace_keeps_its_path_parameter(tmp_path: Path) -> None:
    blueprint = _blueprint(
        "name: shop\nentities:\n  Box:\n    fields: {label: string}\n  Key:\n"
        "    fields: {note: string}\n    relations:\n"
        "      model_config: {belongs_to: Box, on_delete: cascade}\n    nested_under: Box\n"
    )
    assert _ruff(blueprint, tmp_path / "shop") == ""


FACTORY_NAMES = (Path(__file__).parents[1] / "spec" / "drawn").joinpath(
    "found-campaign-1224-001-field-named-owner.yaml"
)


def test_factories_take_any_field_name_as_a_keyword() -> None:
    """Campaign seed 1224, spec 001: fields named ``owner`` and ``sample`` collided with
    the factories' own parameters (TypeError: multiple values for argument 'owner')."""
    import ast

    files = generate(design(load_spec_text(FACTORY_NAMES.read_text(encoding="utf-8"))))
    tree = ast.parse(files[PurePosixPath("tests/factories.py")])
    factories = [
        node
        for node in tree.body
        if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("create_")
    ]
    assert [f.name for f in factories] == ["create_ticket"]
    for factory in factories:
        own = [a.arg for a in factory.args.posonlyargs]
        assert own == ["db", "owner", "sample"], factory.name
        assert not factory.args.args, factory.name
        assert not factory.args.kwonlyargs, factory.name
        assert factory.args.kwarg is not None


MODULES_NAMED_LIKE_VERBS = (Path(__file__).parents[1] / "spec" / "drawn").joinpath(
    "found-campaign-1224-190-module-named-list.yaml"
)


def test_fast_path_names_never_meet_its_endpoints() -> None:
    """Campaign seed 1224, spec 190: entities List and Schema gave the fast path an alias
    list_schemas (List's schemas) and an endpoint list_schemas (Schema's list)."""
    import ast

    files = generate(design(load_spec_text(MODULES_NAMED_LIKE_VERBS.read_text(encoding="utf-8"))))
    tree = ast.parse(files[PurePosixPath("app/fastpath/endpoints.py")])
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names += [alias.asname or alias.name for alias in node.names]
        elif isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    assert "list_schemas" in names  # the Schema list's endpoint
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
