"""The public Python API: ``review()``, selection, suppression, config and parallel runs."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import backend_agent.review as api
from backend_agent.review import Finding, Level, ReviewError, review

FIXTURES = Path(__file__).parent / "fixtures"

SOURCE = """\
import pickle
import subprocess


def load(blob):
    return pickle.loads(blob)


def run(name):
    subprocess.run(f"echo {name}", shell=True)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "jobs.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def places(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(Path(f.file).name, f.line, f.column, f.code) for f in findings]


def test_exports_are_sorted_and_complete() -> None:
    assert api.__all__ == sorted(api.__all__)
    public = {n for n in vars(api) if not n.startswith("_") and n not in {"annotations", "rules"}}
    assert set(api.__all__) == public


def test_finding_is_frozen_and_ordered(project: Path) -> None:
    findings = review(project)
    assert places(findings) == [("jobs.py", 6, 12, "BA105"), ("jobs.py", 10, 5, "BA102")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].line = 1  # type: ignore[misc]
    assert findings[1].severity is Level.HIGH


@pytest.mark.parametrize(
    ("select", "ignore", "codes"),
    [
        (["BA102"], None, ["BA102"]),
        (["BA1"], ["BA105"], ["BA102"]),
        (["command_injection"], None, ["BA102"]),
        (["insecure-deserialization"], None, ["BA105"]),
        (["ALL"], ["BA1"], []),
    ],
)
def test_select_and_ignore(
    project: Path, select: list[str], ignore: list[str] | None, codes: list[str]
) -> None:
    assert [f.code for f in review(project, select=select, ignore=ignore)] == codes


def test_unknown_selector_is_a_user_error(project: Path) -> None:
    with pytest.raises(ReviewError, match="'BA999' matches no rule"):
        review(project, select=["BA999"])


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match="does not exist"):
        review(tmp_path / "nope")


@pytest.mark.parametrize(
    ("comment", "kept"),
    [
        ("  # noqa: BA102", ["BA105"]),
        ("  # noqa: BA102, S602", ["BA105"]),
        ("  # noqa:BA105", ["BA105", "BA102"]),
        ("  # noqa", ["BA105"]),
        ("  # NOQA: ba102", ["BA105"]),
    ],
)
def test_noqa_suppresses_on_the_finding_line(project: Path, comment: str, kept: list[str]) -> None:
    path = project / "jobs.py"
    lines = SOURCE.splitlines()
    lines[9] += comment
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [f.code for f in review(project)] == kept


def test_config_select_ignore_exclude_and_per_file_ignores(project: Path) -> None:
    (project / "vendor").mkdir()
    (project / "vendor" / "lib.py").write_text(SOURCE, encoding="utf-8")
    (project / "scripts").mkdir()
    (project / "scripts" / "tool.py").write_text(SOURCE, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        "[tool.backend-agent.review]\n"
        'exclude = ["vendor"]\n'
        'ignore = ["BA105"]\n'
        '[tool.backend-agent.review.per-file-ignores]\n"scripts/*" = ["BA1"]\n',
        encoding="utf-8",
    )
    assert places(review(project)) == [("jobs.py", 10, 5, "BA102")]
    assert places(review(project, ignore=[])) == [
        ("jobs.py", 6, 12, "BA105"),
        ("jobs.py", 10, 5, "BA102"),
    ]


def test_config_is_found_by_walking_up(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.backend-agent.review]\nselect = ["BA105"]\n', encoding="utf-8"
    )
    (project / "src").mkdir()
    (project / "src" / "jobs.py").write_text(SOURCE, encoding="utf-8")
    assert [f.code for f in review(project / "src")] == ["BA105"]
    assert api.load_config(project / "src").select == ("BA105",)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('fail-on = "critical"', "fail-on must be low, medium or high"),
        ('colour = "red"', "unknown key"),
        ('select = "BA101"', "select must be a list of strings"),
        ('min-confidence = "sure"', "min-confidence must be low, medium or high"),
    ],
)
def test_bad_config_is_a_user_error(project: Path, table: str, message: str) -> None:
    (project / "pyproject.toml").write_text(
        f"[tool.backend-agent.review]\n{table}\n", encoding="utf-8"
    )
    with pytest.raises(ReviewError, match=message):
        review(project)


def test_unparsable_files_are_reported_and_skipped(project: Path) -> None:
    (project / "broken.py").write_text("def f(:\n", encoding="utf-8")
    errors: list[str] = []
    assert len(review(project, on_error=errors.append)) == 2
    assert len(errors) == 1
    assert "broken.py: cannot parse" in errors[0]


def test_parallel_run_matches_the_serial_one() -> None:
    serial = review(FIXTURES, jobs=1)
    assert review(FIXTURES, jobs=2) == serial
    assert serial


def test_review_package_imports_no_other_stage() -> None:
    package = Path(api.__file__).parent
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("backend_agent."):
                    allowed = ("backend_agent.review", "backend_agent.errors")
                    assert name.startswith(allowed), f"{path.name} imports {name}"


def test_columns_count_characters_not_utf8_bytes(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        'import os\n\n\ndef f(name):\n    é = "ü"; os.system("rm " + name)\n', encoding="utf-8"
    )
    [finding] = review(tmp_path)
    assert (finding.line, finding.column, finding.end_column) == (5, 14, 37)


def test_a_failing_rule_is_reported_and_the_others_still_run(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_agent.review.rules.ba105_insecure_deserialization import InsecureDeserialization

    def broken(self: object, module: object) -> list[Finding]:
        raise RuntimeError("boom")

    monkeypatch.setattr(InsecureDeserialization, "check", broken)
    errors: list[str] = []
    assert [f.code for f in review(project, on_error=errors.append)] == ["BA102"]
    assert errors == [f"{project / 'jobs.py'}: internal error in BA105: RuntimeError: boom"]


def test_one_defect_reached_twice_on_a_line_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n"
        '@app.get("/r")\ndef r():\n    try:\n        return jsonify(rows=[])\n'
        "    except Exception as e:\n        return jsonify(error=str(e)), 500\n",
        encoding="utf-8",
    )
    found = [(f.line, f.code) for f in review(tmp_path, select=["BA402"], jobs=1)]
    assert found == [(11, "BA402")]


@pytest.mark.parametrize(
    ("body", "confidence"),
    [
        ("def store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n", "high"),
        ("def password_reset_etag(user):\n    return hashlib.md5(user.email.encode()).hexdigest()\n", "low"),
    ],
)  # fmt: skip
def test_a_hash_named_only_by_its_surroundings_is_low_confidence(
    tmp_path: Path, body: str, confidence: str
) -> None:
    (tmp_path / "h.py").write_text("import hashlib\n\n\n" + body, encoding="utf-8")
    [finding] = review(tmp_path, select=["BA203"], jobs=1)
    assert finding.confidence == Level(confidence)


def _flask_routes(protected: int, open_routes: int) -> str:
    head = (
        "from flask import Flask\nfrom flask_login import login_required\n\napp = Flask(__name__)\n"
    )
    guarded = "".join(
        f'\n\n@app.post("/notes/{i}")\n@login_required\ndef guarded_{i}():\n    return ""\n'
        for i in range(protected)
    )
    bare = "".join(
        f'\n\n@app.post("/notes/o{i}")\ndef bare_{i}():\n    return ""\n'
        for i in range(open_routes)
    )
    return head + guarded + bare


@pytest.mark.parametrize(
    ("protected", "open_routes", "confidence"), [(3, 1, "medium"), (1, 3, "low")]
)
def test_missing_auth_is_low_confidence_without_a_consistent_scheme(
    tmp_path: Path, protected: int, open_routes: int, confidence: str
) -> None:
    (tmp_path / "app.py").write_text(_flask_routes(protected, open_routes), encoding="utf-8")
    found = review(tmp_path, select=["BA201"], jobs=1)
    assert len(found) == open_routes
    assert {f.confidence for f in found} == {Level(confidence)}


DRF_VIEWS = """\
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from notes.models import Note


class NoteViewSet(viewsets.{base}):
    queryset = Note.objects.all()[:100]
"""


@pytest.mark.parametrize(
    ("base", "reported"), [("ModelViewSet", True), ("ReadOnlyModelViewSet", False)]
)
def test_an_open_drf_default_is_reported_when_a_write_view_relies_on_it(
    tmp_path: Path, base: str, reported: bool
) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "settings.py").write_text(
        'REST_FRAMEWORK = {\n    "DEFAULT_PERMISSION_CLASSES": '
        '["rest_framework.permissions.AllowAny"],\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "notes" / "api.py").write_text(DRF_VIEWS.format(base=base), encoding="utf-8")
    found = [(Path(f.file).name, f.line) for f in review(tmp_path, select=["BA201"], jobs=1)]
    assert (("settings.py", 2) in found) is reported
