"""Rules between fields and unique groups: what the loader accepts, and each refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text
from backend_agent.spec.rules import RowRule, narrow, parse_rule

SPEC = """\
name: venue
entities:
  Customer:
    fields: {{name: string}}
  Booking:
    fields:
      sku: {{type: string, required: true}}
      starts_at: datetime
      ends_at: datetime
      day: date
      price: {{type: decimal, min: 0, max: 100}}
      discount: decimal
      rating: integer
      label: string
      data: json
      kind: {{type: enum, values: [a, b]}}
      active: boolean
    relations: {{customer: {{belongs_to: Customer}}}}
    {key}: {value}
"""


def problems(key: str, value: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC.format(key=key, value=value), "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_rules_and_groups_that_hold_load() -> None:
    rules = '["ends_at > starts_at", "discount <= price", "1 <= rating", "rating <= 5"]'
    spec = load_spec_text(SPEC.format(key="rules", value=rules), "spec.yaml")
    assert spec.entities["Booking"].rules[2] == "1 <= rating"
    groups = "[[customer, sku], [label, day, kind]]"
    spec = load_spec_text(SPEC.format(key="unique_together", value=groups), "spec.yaml")
    assert spec.entities["Booking"].unique_together == (
        ("customer", "sku"),
        ("label", "day", "kind"),
    )


def test_a_number_on_the_left_is_read_as_the_same_bound() -> None:
    assert parse_rule("1 <= rating") == RowRule("rating", ">=", Decimal(1))
    assert parse_rule("  ends_at>starts_at ") == RowRule("ends_at", ">", "starts_at")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("ends_at = starts_at", "'ends_at = starts_at' tests equality: a rule orders two values"),
        ("ends_at != starts_at", "tests equality"),
        ("ends_at after starts_at", "'ends_at after starts_at' is not a comparison such as"),
        ("1 < 2", "'1 < 2' compares two numbers: a rule names at least one field"),
        ("ends_on > starts_at", "names 'ends_on', which is not a field of 'Booking' ("),
        ("label > rating", "compares 'label', a string field: rules compare integers, decimals"),
        ("day > starts_at", "compares a date with a datetime: both sides are numbers, dates"),
        ("day > 3", "compares a date with a number: compare it with another field"),
        ("rating < rating", "compares 'rating' with itself"),
        ("price > 100", "rules and bounds leave no value for 'price' (100.01 > 100)"),
    ],
)
def test_a_rule_that_cannot_be_served_is_refused_where_it_stands(rule: str, message: str) -> None:
    (problem,) = problems("rules", f'["{rule}"]')
    assert problem.startswith("spec.yaml:19:")
    assert message in problem


def test_rules_that_cannot_hold_together_are_refused() -> None:
    (cycle,) = problems("rules", '["ends_at > starts_at", "starts_at >= ends_at"]')
    assert "the rules of 'Booking' cannot all hold at once" in cycle
    (bounds,) = problems("rules", '["discount > price", "discount <= -1"]')
    assert "cannot all hold at once: discount > price; discount <= -1" in bounds
    (twice,) = problems("rules", '["rating > 1", "1 < rating"]')
    assert "rule 'rating > 1' is listed twice" in twice


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("[[customer, skus]]", "names 'skus', which is neither a field nor a belongs_to"),
        ("[[sku, data]]", "'data' is a json field"),
        ("[[sku, sku]]", "the group ['sku', 'sku'] names a field twice"),
        ("[[sku, label], [label, sku]]", "the group ['label', 'sku'] is listed twice"),
        ("[[kind, active]]", "has only enum and boolean fields"),
        ("[[sku]]", "at least 2 items"),
    ],
)
def test_a_unique_group_that_cannot_be_served_is_refused(groups: str, message: str) -> None:
    found = problems("unique_together", groups)
    assert any(message in problem for problem in found), found


spans = st.tuples(
    st.integers(-50, 50), st.integers(0, 60), st.sampled_from([Decimal(1), Decimal("0.01")])
).map(lambda t: (Decimal(t[0]), Decimal(t[0] + t[1]), t[2]))


@given(
    st.dictionaries(st.sampled_from("abcd"), spans, min_size=2, max_size=4),
    st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd"), st.booleans())),
)
def test_narrowed_spans_keep_every_pair_at_their_ends(
    given_spans: dict[str, tuple[Decimal, Decimal, Decimal]],
    pairs: list[tuple[str, str, bool]],
) -> None:
    # Sound: each narrowed span lies inside its own, and the least values (and the
    # greatest) of two paired spans keep the pair: test data drawn from either end holds.
    pairs = [p for p in pairs if p[0] != p[1] and p[0] in given_spans and p[1] in given_spans]
    narrowed = narrow(given_spans, pairs)
    if narrowed is None:
        return
    for name, (low, high, step) in narrowed.items():
        assert given_spans[name][0] <= low <= high <= given_spans[name][1]
        assert step == given_spans[name][2]
    for lesser, greater, strict in pairs:
        for end in (0, 1):
            a, b = narrowed[lesser][end], narrowed[greater][end]
            assert a < b if strict else a <= b


def test_a_default_the_rules_refuse_is_refused() -> None:
    # Campaign seed 1220, spec 006: 'body' defaulted to -60.11 under "body > 32": every
    # create that left it out broke the CHECK (409 instead of a create).
    text = SPEC.replace("      rating: integer\n", "      rating: {{type: integer, default: 0}}\n")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text.format(key="rules", value='["rating >= 1"]'), "spec.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "spec.yaml:19:13: rule 'rating >= 1' refuses the default of 'rating' (0); give the "
        "field a default the rules keep, or none"
    ]
    pair = SPEC.replace(
        "      discount: decimal\n", "      discount: {{type: decimal, default: 5}}\n"
    )
    pair = pair.replace("max: 100}}", "max: 100, default: 2}}")
    with pytest.raises(SpecError) as caught:
        load_spec_text(pair.format(key="rules", value='["discount <= price"]'), "spec.yaml")
    assert "refuses the default of 'discount' and 'price'" in str(caught.value.problems[0])
    kept = pair.replace("default: 2}}", "default: 7}}")
    assert load_spec_text(kept.format(key="rules", value='["discount <= price"]'), "spec.yaml")
