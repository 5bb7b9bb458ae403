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


def _break(project: Path) -> None:
    """Drop the auth check of create_tag (route and service), and make list_tags raise."""
    route = project / "app" / "api" / "routes" / "tag.py"
    text = route.read_text()
    create = text.index("async def create_tag(")
    check = '        authorize(service.RULES["create"], user)\n'
    assert check in text[create:]
    text = text[:create] + text[create:].replace(check, "", 1)
    listing = text.index("async def list_tags(")
    body = text.index(") -> Response:\n", listing) + len(") -> Response:\n")
    text = text[:body] + '    raise RuntimeError("broken on purpose")\n' + text[body:]
    route.write_text(text)
    service = project / "app" / "services" / "tag.py"
    text = service.read_text()
    check = '    authorize(RULES["create"], user)\n'
    assert check in text
    service.write_text(text.replace(check, "", 1))


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
