"""The OpenAPI pieces of the job queue: its schemas, list parameters and responses."""

from __future__ import annotations

from typing import Any

from backend_agent.design.blueprint import Blueprint

__all__ = ["jobs_list_params", "jobs_responses", "jobs_schemas"]

JSON = dict[str, Any]
_UUID = {"type": "string", "format": "uuid"}
_TIME = {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: str, description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


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
    page = {
        "type": "object",
        "properties": {
            "success": {"const": True},
            "data": {"type": "array", "items": _ref("Job")},
            "meta": _ref("PageMeta"),
        },
        "required": ["success", "data", "meta"],
    }
    response = {
        "type": "object",
        "properties": {"success": {"const": True}, "data": _ref("Job")},
        "required": ["success", "data"],
    }
    return {"Job": job, "JobResponse": response, "JobPage": page}


def jobs_responses(action: str) -> JSON:
    """The success (and conflict) responses of a job route."""
    if action == "jobs_list":
        return {"200": _ok("JobPage", "Jobs, newest first.")}
    if action == "jobs_read":
        return {"200": _ok("JobResponse", "The job, with its payload and last error.")}
    return {
        "200": _ok("JobResponse", "The job is queued to run now, with a fresh count of attempts."),
        "409": _error("Only a dead job can be replayed."),
    }


def jobs_list_params(blueprint: Blueprint, *, max_page: int) -> list[JSON]:
    """Paging, ``status`` and ``name`` of the job list."""
    jobs = blueprint.jobs
    assert jobs is not None  # only job routes ask
    return [
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_page, "default": 1},
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": blueprint.max_page_size,
                "default": blueprint.page_size,
            },
        },
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
