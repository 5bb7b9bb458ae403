"""Each example's generated service passes the project's own code review.

The build's review gate runs the same rules on a built service; this test finds a
template that trips a rule in seconds, without building or running anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_agent.generate import write_project
from backend_agent.review import Level, review
from tests.generate.conftest import EXAMPLES, generated

NAMES = [path.stem for path in EXAMPLES]


@pytest.mark.parametrize("name", NAMES)
def test_the_generated_service_has_no_finding_of_medium_severity(name: str, tmp_path: Path) -> None:
    project = tmp_path / name
    write_project(generated(name), project)
    findings = [
        f"{Path(f.file).relative_to(project)}:{f.line}: {f.code} {f.message}"
        for f in review(project, jobs=1)
        if f.severity >= Level.MEDIUM
    ]
    assert findings == []
