"""render() and generate(): which files a spec produces, and that they are sound."""

from __future__ import annotations

import ast
import json
from pathlib import PurePosixPath

import pytest

from backend_agent.design import design, openapi_document
from backend_agent.design.architecture import architecture_markdown
from backend_agent.errors import SpecError
from backend_agent.generate import render
from backend_agent.spec import load_spec_text
from tests.generate.conftest import EXAMPLES, example_blueprint, generated

NAMES = [path.stem for path in EXAMPLES]

NOTES = """
name: notes
entities:
  Note:
    owner: true
    fields:
      text: {type: text, required: true}
      pinned: {type: boolean, default: false}
    filters: [pinned]
    sort: [created_at]
"""


def rendered(spec: str) -> dict[PurePosixPath, str]:
    return render(design(load_spec_text(spec, "spec.yaml")))


def test_an_entity_gets_its_model_schema_repository_service_routes_and_tests() -> None:
    files = rendered(NOTES)
    for path in (
        "app/models/note.py",
        "app/schemas/note.py",
        "app/repositories/note.py",
        "app/services/note.py",
        "app/api/routes/note.py",
        "tests/test_note.py",
    ):
        assert PurePosixPath(path) in files, path


def test_the_project_has_its_runtime_and_operations_files() -> None:
    files = rendered(NOTES)
    for path in (
        "app/main.py",
        "app/cli.py",
        "app/core/config.py",
        "app/core/db.py",
        "app/core/security.py",
        "app/api/deps.py",
        "app/api/routes/auth.py",
        "app/api/routes/health.py",
        "migrations/env.py",
        "migrations/versions/0001_initial.py",
        "alembic.ini",
        "pyproject.toml",
        "README.md",
        ".env.example",
        "Dockerfile",
        "compose.yaml",
        ".gitignore",
        ".github/workflows/ci.yml",
        ".pre-commit-config.yaml",
        "tests/conftest.py",
    ):
        assert PurePosixPath(path) in files, path


def test_render_is_deterministic() -> None:
    assert rendered(NOTES) == rendered(NOTES)


@pytest.mark.parametrize("name", NAMES)
def test_every_generated_python_file_parses(name: str) -> None:
    for path, text in generated(name).items():
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))


@pytest.mark.parametrize("name", NAMES)
def test_generated_files_are_lf_terminated_text(name: str) -> None:
    for path, text in generated(name).items():
        assert "\r" not in text, path
        assert text.endswith("\n"), path


@pytest.mark.parametrize("name", NAMES)
def test_the_contract_and_the_architecture_come_from_the_design(name: str) -> None:
    files = generated(name)
    blueprint = example_blueprint(name)
    expected = json.dumps(openapi_document(blueprint), indent=2) + "\n"
    assert files[PurePosixPath("app/openapi.json")] == expected
    assert files[PurePosixPath("ARCHITECTURE.md")] == architecture_markdown(blueprint)


def test_the_migration_creates_every_table_and_drops_them_in_reverse() -> None:
    blueprint = design(load_spec_text(NOTES, "spec.yaml"))
    migration = rendered(NOTES)[PurePosixPath("migrations/versions/0001_initial.py")]
    upgrade, downgrade = migration.split("def downgrade")
    created = [t.name for t in blueprint.tables]
    assert [name for name in created if f'"{name}"' in upgrade] == created
    positions = [downgrade.index(f'op.drop_table("{name}")') for name in created]
    assert positions == sorted(positions, reverse=True)
    assert "ck_users_role" in upgrade  # the role enum is a CHECK constraint too


def test_the_readme_walkthrough_creates_as_a_role_allowed_to() -> None:
    readme = rendered(NOTES)[PurePosixPath("README.md")]
    walkthrough = readme.split("<!-- walkthrough -->", 1)[1]
    assert walkthrough.lstrip().startswith("```bash\nset -euo pipefail")
    assert "create-user --email editor@example.com" in walkthrough
    # The default for create is any signed-in user; a stranger may not update (owner rule).
    assert "call 404 -X PATCH" in walkthrough or "call 403 -X PATCH" in walkthrough


@pytest.mark.parametrize("entity", ["Health", "Auth", "Errors", "User", "Session"])
def test_entity_names_that_collide_with_project_modules_are_refused(entity: str) -> None:
    # Refused by the spec checks when they know the name, else by the generator.
    spec = f"name: x\nentities:\n  {entity}:\n    fields: {{a: string}}\n"
    with pytest.raises((SpecError, ValueError), match=r"reserved|clash"):
        rendered(spec)
