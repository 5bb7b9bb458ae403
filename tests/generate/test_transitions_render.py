"""Transitions render to valid Python whatever their states are called."""

from __future__ import annotations

from pathlib import PurePosixPath

from backend_agent.design import design
from backend_agent.generate import generate
from backend_agent.spec import load_spec_text

SPEC = """\
name: x
entities:
  Thing:
    description: 'Moves "quoted" states'
    fields:
      state: {type: enum, values: ['say "hi"', 'back\\\\slash', "it's"], default: "it's"}
    transitions:
      state:
        quote: {from: "it's", to: 'say "hi"'}
        slash: {from: ['say "hi"', "it's"], to: 'back\\\\slash'}
"""


def test_states_with_quotes_and_backslashes_render_to_code_that_compiles() -> None:
    files = generate(design(load_spec_text(SPEC, "x.yaml")))
    for path in ("app/services/thing.py", "app/api/routes/thing.py", "tests/test_transitions.py"):
        text = files[PurePosixPath(path)]
        compile(text, path, "exec")  # a state pasted between quotes would end the string
    service = files[PurePosixPath("app/services/thing.py")]
    assert "target='say \"hi\"'" in service or 'target="say \\"hi\\""' in service
