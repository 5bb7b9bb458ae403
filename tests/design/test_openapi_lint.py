"""The designed OpenAPI documents lint clean with Redocly (recommended) and Spectral (oas).

The linters are the ones scripts/bootstrap installs under .tools/node; without them
these tests fail, saying so (a gate left unchecked is not a gate that passed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_agent.design import design, openapi_document
from backend_agent.spec import load_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.openapi_lint import find_linters, lint_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LINTERS = find_linters()


@pytest.mark.parametrize("name", ["blog", "library"])
def test_the_designed_document_has_no_lint_errors(name: str, tmp_path: Path) -> None:
    assert LINTERS is not None, "OpenAPI linters not installed: run scripts/bootstrap"
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(openapi_document(design(load_spec(EXAMPLES / f"{name}.yaml")))))
    transcript, counts = lint_document(
        SubprocessRunner(), LINTERS, document, cwd=tmp_path, scratch=tmp_path
    )
    report = "\n".join(f"$ {r.command}\n{r.output}" for r in transcript)
    assert counts is not None, report
    assert counts.errors == 0, report
