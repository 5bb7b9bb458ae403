"""The live gates on a deliberately broken generated service: the matching gates fail.

(tests/e2e measures every example's healthy service through `build`.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from backend_agent.verify.live.service import serve_project
from tests.live.conftest import generate_example
from tests.live.test_audit import cli


def _drop(path: Path, line: str, after: str = "") -> None:
    """Remove the first ``line`` of ``path`` that follows ``after``; it must be there."""
    text = path.read_text()
    start = text.index(after) if after else 0
    assert line in text[start:], (path, line)
    path.write_text(text[:start] + text[start:].replace(line, "", 1))


def _raise_in(path: Path, function: str) -> None:
    """Make ``function`` of ``path`` raise as soon as it is called."""
    text = path.read_text()
    body = text.index(") -> Response:\n", text.index(f"async def {function}(")) + len(
        ") -> Response:\n"
    )
    path.write_text(text[:body] + '    raise RuntimeError("broken on purpose")\n' + text[body:])


def _break(project: Path) -> None:
    """Drop the auth check of create_tag (route, fast path and service), and make list_tags
    raise (route and fast path)."""
    app = project / "app"
    _drop(
        app / "api" / "routes" / "tag.py",
        '    dependencies=[Depends(allowed(service.RULES["create"]))],\n',
        after='operation_id="create_tag"',
    )
    _drop(
        app / "fastpath" / "endpoints.py", '        authorize(service_tag.RULES["create"], user)\n'
    )
    # The service checks the rule it is given (app/services/base.py): let anyone create.
    rules = app / "services" / "tag.py"
    rule = '    "create": Rule("roles", frozenset({"admin", "author"})),\n'
    assert rule in rules.read_text(), rules
    rules.write_text(rules.read_text().replace(rule, '    "create": Rule("anyone"),\n'))
    _raise_in(app / "api" / "routes" / "tag.py", "list_tags")
    _raise_in(app / "fastpath" / "endpoints.py", "list_tags")


def test_a_broken_service_fails_the_matching_gates(tmp_path: Path) -> None:
    generated = generate_example("blog", tmp_path / "healthy")
    broken = tmp_path / "broken"
    shutil.copytree(generated.project, broken)
    _break(broken)
    plan = tmp_path / "plan.json"
    plan.write_text(generated.plan.to_json())
    with serve_project(
        broken, generated.python, reports=tmp_path, scratch=tmp_path, roles=generated.plan.roles
    ) as service:
        tokens = [f"--token={a.role}:{a.token}" for a in service.accounts]
        result = CliRunner().invoke(
            cli(),
            ["audit", service.base_url, f"--plan={plan}", f"--report-dir={tmp_path / 'audit'}",
             "--gate=security", "--gate=contract", "--contract-examples=2",
             "--min-contract-cases=1", "--json", *tokens],
        )  # fmt: skip
    assert result.stdout.startswith("{"), (result.output, result.exception)
    delivery = json.loads(result.stdout)
    gates = {g["name"]: g for g in delivery["gates"]}
    assert result.exit_code == 1
    assert gates["security"]["status"] == "failed"
    assert "no-token POST /api/v1/tags: expected 401" in gates["security"]["message"]
    assert gates["contract"]["status"] == "failed"
    assert "ST101 Server error" in gates["contract"]["message"]
    assert "GET /api/v1/tags" in gates["contract"]["message"]
    assert delivery["figures"]["contract_server_errors"]["value"] >= 1
    assert gates["load"]["status"] == "skipped"
