"""The ``review`` and ``rules`` commands, driven through a Typer app of our own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backend_agent.cli.review import register
from backend_agent.errors import BackendAgentError

VULNERABLE = """\
import os
from flask import Flask, request

app = Flask(__name__)
app.run(debug=True)


def cleanup(path):
    os.system("rm -rf " + path)
"""


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(VULNERABLE, encoding="utf-8")
    return tmp_path


def invoke(app: typer.Typer, *args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.exception


def test_review_prints_findings_and_exits_1(app: typer.Typer, project: Path) -> None:
    code, out, _ = invoke(app, "review", str(project))
    assert code == 1
    assert f"{project / 'app.py'}:5:1: BA502 [high]" in out
    assert f"{project / 'app.py'}:9:5: BA102 [high]" in out
    assert out.endswith("Found 2 problems (2 high, 0 medium, 0 low).\n")


def test_clean_code_exits_0(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("print('hello')\n", encoding="utf-8")
    code, out, _ = invoke(app, "review", str(tmp_path))
    assert (code, out) == (0, "No problems found.\n")


@pytest.mark.parametrize(
    ("source", "fail_on", "exit_code"),
    [
        ("requests_get", "low", 1),
        ("requests_get", "medium", 1),
        ("requests_get", "high", 0),
        ("debug", "high", 1),
    ],
)
def test_fail_on_sets_the_threshold(
    app: typer.Typer, tmp_path: Path, source: str, fail_on: str, exit_code: int
) -> None:
    text = {
        "requests_get": "import requests\n\ndef f():\n    return requests.get('https://x.example')\n",
        "debug": "from fastapi import FastAPI\n\napp = FastAPI(debug=True)\n",
    }[source]
    (tmp_path / "m.py").write_text(text, encoding="utf-8")
    code, _, _ = invoke(app, "review", str(tmp_path), "--fail-on", fail_on)
    assert code == exit_code


def test_json_is_a_list_of_findings(app: typer.Typer, project: Path) -> None:
    _, out, _ = invoke(app, "review", str(project), "--format", "json", "--select", "BA102")
    assert json.loads(out) == [
        {
            "file": str(project / "app.py"),
            "line": 9,
            "column": 5,
            "end_line": 9,
            "end_column": 32,
            "code": "BA102",
            "category": "command_injection",
            "severity": "high",
            "confidence": "high",
            "message": "os.system() runs a shell command built from a run-time value",
            "fix": "Pass an argument list without shell=True, or quote each value with "
            "shlex.quote().",
        }
    ]


def test_select_and_ignore_take_comma_separated_codes(app: typer.Typer, project: Path) -> None:
    _, out, _ = invoke(app, "review", str(project), "-f", "json", "--ignore", "BA102,BA1")
    assert [f["code"] for f in json.loads(out)] == ["BA502"]


def test_output_writes_the_report_to_a_file(app: typer.Typer, project: Path) -> None:
    target = project / "report.sarif"
    code, out, _ = invoke(app, "review", str(project), "-f", "sarif", "-o", str(target))
    assert (code, out) == (1, "")
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize(
    "args",
    [
        ("review", "does-not-exist"),
        ("review", ".", "--select", "BA999"),
        ("rules", "--explain", "BA999"),
    ],
)
def test_user_errors_raise_the_exit_code_2_error(app: typer.Typer, args: tuple[str, ...]) -> None:
    code, _, error = invoke(app, *args)
    assert isinstance(error, BackendAgentError)
    assert error.exit_code == 2
    assert code != 0


def test_bad_option_value_is_a_usage_error(app: typer.Typer, project: Path) -> None:
    code, _, _ = invoke(app, "review", str(project), "--fail-on", "critical")
    assert code == 2


def test_config_in_pyproject_applies(app: typer.Typer, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.backend-agent.review]\nignore = ["BA502"]\nfail-on = "high"\n', encoding="utf-8"
    )
    _, out, _ = invoke(app, "review", str(project / "app.py"), "-f", "json")
    assert [f["code"] for f in json.loads(out)] == ["BA102"]


def test_rules_lists_every_rule(app: typer.Typer) -> None:
    code, out, _ = invoke(app, "rules")
    assert code == 0
    first = out.splitlines()[0].split()
    assert first[:4] == ["BA101", "sql-injection", "sql_injection", "high"]


def test_rules_json(app: typer.Typer) -> None:
    _, out, _ = invoke(app, "rules", "--json")
    rows = json.loads(out)
    assert rows[0]["code"] == "BA101"
    assert {row["category"] for row in rows} >= {"sql_injection", "missing_auth", "ssrf"}


def test_explain_prints_the_four_parts(app: typer.Typer) -> None:
    code, out, _ = invoke(app, "rules", "--explain", "ba101")
    assert code == 0
    assert out.startswith("BA101 sql-injection (sql_injection, severity high, confidence high)")
    for title in ("What it finds:", "Why it matters:", "Example:", "Fix:"):
        assert f"\n{title}\n" in out


GUESSED = """\
import hashlib


def password_reset_etag(user):
    return hashlib.md5(user.email.encode()).hexdigest()
"""


def test_low_confidence_findings_are_hidden_and_do_not_fail(
    app: typer.Typer, tmp_path: Path
) -> None:
    (tmp_path / "tokens.py").write_text(GUESSED, encoding="utf-8")
    code, out, _ = invoke(app, "review", str(tmp_path))
    assert (code, out) == (
        0,
        "No problems found.\n1 low-confidence finding not shown "
        "(--min-confidence low shows them).\n",
    )
    code, out, _ = invoke(app, "review", str(tmp_path), "--min-confidence", "low")
    assert code == 1
    assert f"{tmp_path / 'tokens.py'}:5:12: BA203 [high, low confidence]" in out


def test_min_confidence_comes_from_pyproject(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "tokens.py").write_text(GUESSED, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.backend-agent.review]\nmin-confidence = "low"\n', encoding="utf-8"
    )
    code, out, _ = invoke(app, "review", str(tmp_path))
    assert code == 1
    assert "BA203 [high, low confidence]" in out


def test_explain_says_how_confidence_is_used(app: typer.Typer) -> None:
    code, out, _ = invoke(app, "rules", "--explain", "BA201")
    assert code == 0
    assert "--min-confidence low" in out
