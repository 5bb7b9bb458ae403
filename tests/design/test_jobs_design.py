"""Background jobs in the design: the queue and outbox tables, admin routes, OpenAPI."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from backend_agent.design import architecture_markdown, design, openapi_document
from backend_agent.spec import load_spec, load_spec_text, starter_spec
from tests.conftest import ROOT

SPEC = "name: a\n{auth}entities:\n  Note:\n    fields: {{x: string}}\n{jobs}"
JOBS = "jobs:\n  welcome: {on: user.registered, delay: 5s}\n  digest: {every: 1h}\n"


def test_jobs_are_designed_from_the_spec() -> None:
    blueprint = design(load_spec(ROOT / "examples" / "blog.yaml"))
    assert blueprint.jobs is not None
    (job,) = blueprint.jobs.jobs
    assert (job.name, job.event, job.every_seconds) == (
        "send_welcome_email",
        "user.registered",
        None,
    )
    assert (job.delay_seconds, job.attempts, job.backoff_seconds, job.timeout_seconds) == (
        5,
        3,
        2,
        30,
    )


def test_the_queue_and_the_outbox_are_tables_of_a_service_with_jobs() -> None:
    blueprint = design(load_spec(ROOT / "examples" / "blog.yaml"))
    assert [t.name for t in blueprint.tables][-4:-2] == ["jobs", "mail_outbox"]
    assert blueprint.jobs is not None
    queue, outbox = blueprint.jobs.tables
    assert queue.column("status").enum_values == ("queued", "running", "done", "dead")
    assert queue.column("payload").type == "json"
    assert {i.columns for i in queue.indexes} >= {
        ("status", "run_after"),
        ("status", "locked_until"),
    }
    assert [i.columns for i in outbox.indexes if i.unique] == [("job_id",)]
    assert outbox.column("job_id").foreign_key is None  # mail outlives purged jobs


def test_a_service_without_jobs_has_no_job_tables_or_routes() -> None:
    blueprint = design(load_spec_text(starter_spec("notes")))
    assert blueprint.jobs is None
    assert "jobs" not in {t.name for t in blueprint.tables}
    assert not [r for r in blueprint.routes if r.tag == "jobs"]
    assert "/api/v1/jobs" not in openapi_document(blueprint)["paths"]


@pytest.mark.parametrize(
    ("auth", "role"),
    [
        ("", "admin"),
        ("auth: {roles: [librarian, member]}\n", "librarian"),
        ("auth: {roles: [librarian, member], admin_role: member}\n", "member"),
    ],
)
def test_jobs_are_managed_by_the_admin_role(auth: str, role: str) -> None:
    blueprint = design(load_spec_text(SPEC.format(auth=auth, jobs=JOBS)))
    routes = [r for r in blueprint.routes if r.tag == "jobs"]
    assert [(r.method, r.path) for r in routes] == [
        ("GET", "/api/v1/jobs"),
        ("GET", "/api/v1/jobs/{id}"),
        ("POST", "/api/v1/jobs/{id}/replay"),
    ]
    assert {(r.rule.kind, r.rule.roles) for r in routes} == {("roles", (role,))}
    assert all(r.rate_limit for r in routes)


def test_openapi_documents_the_job_routes() -> None:
    document = openapi_document(design(load_spec_text(SPEC.format(auth="", jobs=JOBS))))
    validate(document)
    listing = document["paths"]["/api/v1/jobs"]["get"]
    params = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert params["status"]["enum"] == ["queued", "running", "done", "dead"]
    assert params["name"]["enum"] == ["welcome", "digest"]
    replay = document["paths"]["/api/v1/jobs/{id}/replay"]["post"]
    assert set(replay["responses"]) >= {"200", "401", "403", "404", "409", "429"}
    job = document["components"]["schemas"]["Job"]
    assert {"status", "attempts", "run_after", "last_error", "payload"} <= set(job["required"])
    assert {"name": "jobs", "description": "Background jobs and their dead letters."} in document[
        "tags"
    ]


def test_the_job_engine_decision_is_recorded_only_for_a_service_with_jobs() -> None:
    with_jobs = design(load_spec(ROOT / "examples" / "blog.yaml"))
    without = design(load_spec_text(starter_spec("notes")))
    (decision,) = [d for d in with_jobs.decisions if d.title == "Background jobs at scale"]
    assert "pgqueuer 1.6" in decision.choice
    assert any("RetryRequested" in reason for reason in decision.reasons)
    assert any(a.startswith("procrastinate") for a in decision.alternatives)
    assert not [d for d in without.decisions if "jobs" in d.title]
    assert architecture_markdown(with_jobs).count("Background jobs at scale") == 1
