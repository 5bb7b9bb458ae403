"""Background jobs in the spec: an event or a period, durations, located mistakes."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text

SPEC = """\
name: shop
entities:
  Order:
    fields: {total: integer}
"""


def problems_of(jobs: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC + jobs, "spec.yaml")
    return [str(p) for p in caught.value.problems]


def test_jobs_run_on_an_event_or_every_period() -> None:
    jobs = (
        "jobs:\n"
        "  welcome: {on: user.registered, delay: 5s, attempts: 3, backoff: 2s, timeout: 30s}\n"
        "  receipt: {on: order.created}\n"
        "  digest: {every: 24h}\n"
    )
    spec = load_spec_text(SPEC + jobs)
    welcome, receipt, digest = spec.jobs.values()
    assert (welcome.on, welcome.delay, welcome.attempts, welcome.backoff, welcome.timeout) == (
        "user.registered",
        5,
        3,
        2,
        30,
    )
    assert (receipt.on, receipt.delay, receipt.attempts, receipt.backoff) == (
        "order.created",
        0,
        3,
        10,
    )
    assert (digest.on, digest.every) == (None, 86400)


def test_a_spec_without_jobs_has_none() -> None:
    assert load_spec_text(SPEC).jobs == {}


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        (
            "jobs:\n  receipt: {on: ordr.created}\n",
            "spec.yaml:6:17: event 'ordr.created' is not one the service emits (expected "
            "user.registered, <entity>.created|updated|deleted or <entity>.<state a transition "
            "moves it to>, with <entity> one of order); did you mean 'order.created'?",
        ),
        (
            "jobs:\n  welcome: {on: user.created}\n",
            "spec.yaml:6:17: event 'user.created' is not one the service emits (expected "
            "user.registered); did you mean 'user.registered'?",
        ),
        (
            "jobs:\n  receipt: {on: order}\n",
            "spec.yaml:6:17: 'on': an event looks like user.registered, "
            "<entity>.created|updated|deleted or <entity>.<state>",
        ),
        (
            "jobs:\n  receipt: {attempts: 2}\n",
            "spec.yaml:6:12: 'receipt': a job needs exactly one of 'on' (an event) or 'every' "
            "(a period)",
        ),
        (
            "jobs:\n  receipt: {on: order.created, every: 1h}\n",
            "spec.yaml:6:12: 'receipt': a job needs exactly one of 'on' (an event) or 'every' "
            "(a period)",
        ),
        (
            "jobs:\n  digest: {every: 1h, delay: 5s}\n",
            "spec.yaml:6:11: 'digest': delay applies to jobs run on an event, not to scheduled "
            "ones",
        ),
        (
            "jobs:\n  receipt: {on: order.created, attempts: 0}\n",
            "spec.yaml:6:42: 'attempts': input should be greater than 0",
        ),
        (
            "jobs:\n  receipt: {on: order.created, backoff: soon}\n",
            "spec.yaml:6:41: 'backoff': 'soon' is not a duration such as 30s, 15m, 24h or 7d",
        ),
        (
            "jobs:\n  Receipt: {on: order.created}\n",
            "spec.yaml:6:12: '[key]': string should match pattern '^[a-z][a-z0-9_]*$'",
        ),
    ],
)
def test_job_mistakes_are_located(jobs: str, expected: str) -> None:
    assert problems_of(jobs) == [expected]


def test_job_classes_and_tables_are_reserved_only_when_jobs_are_declared() -> None:
    spec = "name: a\nentities:\n  Job:\n    fields: {x: string}\n"
    assert load_spec_text(spec).entities
    with pytest.raises(SpecError) as caught:
        load_spec_text(spec + "jobs:\n  nightly: {every: 24h}\n", "spec.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "spec.yaml:3:3: entity name 'Job' is reserved: the service's jobs use a class of this name"
    ]
