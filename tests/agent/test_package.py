"""The agent package's shape: explicit exports, the dependency direction, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import backend_agent.agent as agent

PACKAGE = Path(agent.__file__).parent


def test_the_public_api_is_explicit_sorted_and_complete() -> None:
    assert agent.__all__ == sorted(agent.__all__, key=lambda n: (not n.isupper(), n))
    for name in agent.__all__:
        assert hasattr(agent, name), name


def test_every_module_declares_its_exports() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            t.id
            for n in tree.body
            if isinstance(n, ast.Assign | ast.AnnAssign)
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Name)
        }
        assert "__all__" in names, path


def test_the_agent_layer_never_imports_the_command_line() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("backend_agent.cli"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("backend_agent.cli") for a in node.names), path


def test_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path


def test_importing_the_agent_layer_does_not_import_the_provider_sdks_or_mcp() -> None:
    import subprocess
    import sys

    code = (
        "import sys, backend_agent.agent, backend_agent.cli.agent; "
        "print(sorted(m for m in ('openai', 'anthropic', 'mcp') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
