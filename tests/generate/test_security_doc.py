"""SECURITY.md names, for each OWASP API Security Top 10 item, tests that really exist."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from backend_agent.design import design
from backend_agent.generate import render
from backend_agent.spec import load_spec
from tests.conftest import EXAMPLES

_REFERENCE = re.compile(r"`(tests/test_\w+\.py)::(test_\w+)`")


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_every_test_named_in_security_md_exists(spec: Path) -> None:
    files = render(design(load_spec(spec)))
    document = files[PurePosixPath("SECURITY.md")]
    references = _REFERENCE.findall(document)
    assert len(references) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in references
        if f"def {name}(" not in files.get(PurePosixPath(path), "")
    ]
    assert missing == []


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_security_md_covers_the_ten_owasp_items(spec: Path) -> None:
    document = render(design(load_spec(spec)))[PurePosixPath("SECURITY.md")]
    headings = re.findall(r"^## (API\d+):2023 .+ — (applies|does not apply)$", document, re.M)
    assert [h[0] for h in headings] == [f"API{n}" for n in range(1, 11)]
    for number, verdict in headings:
        section = document.split(f"## {number}:2023", 1)[1].split("\n## ", 1)[0]
        if verdict == "applies":
            assert _REFERENCE.search(section), f"{number} applies but names no test"
