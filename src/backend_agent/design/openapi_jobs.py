"""The OpenAPI pieces of the job queue: its schemas, list parameters and responses."""

from __future__ import annotations

from backend_agent.design.blueprint import Blueprint
from backend_agent.design.openapi_parts import JSON, envelope, error, ok, paging_params, ref

__all__ = ["jobs_list_params", "jobs_responses", "jobs_schemas"]

_UUID = {"type": "string", "format": "uuid"}
_TIME = {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}


def jobs_schemas(blueprint: Blueprint) -> dict[str, JSON]:
    """``Job``, ``JobResponse`` and ``JobPage``; none when the service has no jobs."""
    jobs = blueprint.jobs
    if jobs is None:
        return {}
    properties: JSON = {
        "id": _UUID,
        "name": {"type": "string", "enum": [job.name for job in jobs.jobs]},
        "payload": {"type": "object", "description": "What the event passed to the job."},
        "status": {"type": "string", "enum": list(jobs.statuses)},
        "attempts": {"type": "integer", "minimum": 0, "description": "Runs started so far."},
        "run_after": {**_TIME, "description": "Not run before this time."},
        "locked_until": {**_MAYBE_TIME, "description": "The running worker's lease."},
        "last_error": {"type": ["string", "null"], "description": "Why the last run failed."},
        "finished_at": _MAYBE_TIME,
        "created_at": _TIME,
        "updated_at": _TIME,
    }
    job = {"type": "object", "properties": properties, "required": list(properties)}
    page = envelope({"type": "array", "items": ref("Job")}, page=True)
    response = envelope(ref("Job"))
    return {"Job": job, "JobResponse": response, "JobPage": page}


def jobs_responses(action: str) -> JSON:
    """The success (and conflict) responses of a job route."""
    if action == "jobs_list":
        return {"200": ok("JobPage", "Jobs, newest first.")}
    if action == "jobs_read":
        return {"200": ok("JobResponse", "The job, with its payload and last error.")}
    return {
        "200": ok("JobResponse", "The job is queued to run now, with a fresh count of attempts."),
        "409": error("Only a dead job can be replayed."),
    }


def jobs_list_params(blueprint: Blueprint) -> list[JSON]:
    """Paging, ``status`` and ``name`` of the job list."""
    jobs = blueprint.jobs
    assert jobs is not None  # only job routes ask
    return [
        *paging_params(blueprint),
        {
            "name": "status",
            "in": "query",
            "description": "Only jobs in this state; `dead` lists the dead letters.",
            "schema": {"type": "string", "enum": list(jobs.statuses)},
        },
        {
            "name": "name",
            "in": "query",
            "description": "Only this job.",
            "schema": {"type": "string", "enum": [job.name for job in jobs.jobs]},
        },
    ]
