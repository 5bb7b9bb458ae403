"""Every error code a golden project's code can answer with is one its OpenAPI publishes.

The generated ``tests/test_security.py`` checks the same inside each project, but only a
full build runs it; this reads the golden trees, so a platform error class that a
service without the feature still defines fails in the fast tier.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.generate.conftest import GOLDEN

_CODE = re.compile(r'^\s+code = "([A-Z_]+)"$', re.MULTILINE)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_the_codes_the_code_answers_with_are_published(name: str) -> None:
    root = GOLDEN / name
    document = json.loads((root / "app" / "openapi.json").read_text(encoding="utf-8"))
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    published = set(error["properties"]["code"]["enum"])
    used = {
        code
        for path in (root / "app").rglob("*.py")
        for code in _CODE.findall(path.read_text(encoding="utf-8"))
    }
    assert used, "no error class found: the pattern no longer matches the code"
    assert used <= published, sorted(used - published)
