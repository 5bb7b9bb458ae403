"""Drawn specs (hypothesis): the loader accepts or refuses cleanly; what loads designs and renders.

The seed is fixed (``BACKEND_AGENT_DRAW_SEED`` overrides it) and printed, so a failure
here is reproduced by running the same test with the same seed.
"""

from __future__ import annotations

from hypothesis import given, note, seed, settings

from backend_agent.design import design
from backend_agent.design.blueprint import Blueprint
from backend_agent.errors import SpecError
from backend_agent.generate import generate, render
from backend_agent.spec import load_spec_text
from backend_agent.spec.identifiers import MAX_IDENTIFIER_BYTES
from tests.strategies.specs import DRAWN, SEED, DrawnSpec, drawn_specs


def _identifiers(blueprint: Blueprint) -> list[str]:
    names = [f"{c.table}_count_truncate" for c in blueprint.counted]
    for table in blueprint.tables:
        names += [table.name, f"pk_{table.name}"]
        names += [column.name for column in table.columns]
        names += [index.name for index in table.indexes]
        names += [name for name, _ in table.check_constraints]
        names += [f"fk_{table.name}_{c.name}" for c in table.columns if c.foreign_key]
    return names


def _load(drawn: DrawnSpec) -> Blueprint | None:
    refusal: SpecError | None = None
    try:
        spec = load_spec_text(drawn.text, "drawn.yaml")
    except SpecError as exc:
        refusal = exc
    if refusal is not None:
        # A refusal is the loader's own: located problems, never another exception.
        assert refusal.problems, drawn.text
        assert all(
            p.file == "drawn.yaml" and p.line >= 1 and p.column >= 1 for p in refusal.problems
        )
        return None
    return design(spec)


@seed(SEED)
@settings(DRAWN, max_examples=200)
@given(drawn_specs(mutated=True, under_repair=False))
def test_a_drawn_spec_loads_or_is_refused_and_what_loads_renders(drawn: DrawnSpec) -> None:
    note(f"seed {SEED} (BACKEND_AGENT_DRAW_SEED)")
    blueprint = _load(drawn)
    if blueprint is None:
        return
    too_long = [n for n in _identifiers(blueprint) if len(n.encode()) > MAX_IDENTIFIER_BYTES]
    assert not too_long, f"identifiers over {MAX_IDENTIFIER_BYTES} bytes: {too_long}"
    files = render(blueprint)
    for path, text in files.items():
        if path.suffix == ".py":
            compile(text, str(path), "exec")
    assert render(design(load_spec_text(drawn.text, "drawn.yaml"))) == files


@seed(SEED)
@settings(DRAWN, max_examples=6)
@given(drawn_specs(max_entities=3, under_repair=False))
def test_a_drawn_spec_generates_the_same_bytes_twice(drawn: DrawnSpec) -> None:
    note(f"seed {SEED} (BACKEND_AGENT_DRAW_SEED)")
    blueprint = _load(drawn)
    if blueprint is None:
        return
    files = generate(blueprint)
    for path, text in files.items():
        if path.suffix == ".py":
            compile(text, str(path), "exec")
    assert generate(blueprint) == files


def test_every_regression_spec_loads() -> None:
    # A regression spec the loader refuses would build nothing: its slow build fails,
    # but only on the day its window comes round.
    from tests.strategies.regressions import ALL_REGRESSIONS

    assert ALL_REGRESSIONS
    for path in ALL_REGRESSIONS:
        assert load_spec_text(path.read_text(encoding="utf-8"), str(path)).entities, path
