"""HTTP endpoints of the job queue: list jobs, read one, replay a dead one."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.deps import OptionalUser, SessionDep, allowed
from app.api.routes.docs import design_responses
from app.core.responses import ok, page
from app.schemas.jobs import JobQuery
from app.services import jobs as service

# The rule before anything of the request is validated (app.api.deps.allowed).
router = APIRouter(tags=["jobs"], dependencies=[Depends(allowed(service.RULE))])


@router.get(
    "/jobs",
    operation_id="list_jobs",
    summary="List jobs",
    responses=design_responses("list_jobs"),
)
async def list_jobs(
    db: SessionDep, user: OptionalUser, query: Annotated[JobQuery, Query()]
) -> Response:
    rows, total = await service.list_jobs(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.get(
    "/jobs/{id}",
    operation_id="get_job",
    summary="Get a job",
    responses=design_responses("get_job"),
)
async def get_job(db: SessionDep, user: OptionalUser, id: uuid.UUID) -> Response:
    return ok(await service.get_job(db, user, id))


@router.post(
    "/jobs/{id}/replay",
    operation_id="replay_job",
    summary="Run a dead job again",
    responses=design_responses("replay_job"),
)
async def replay_job(db: SessionDep, user: OptionalUser, id: uuid.UUID) -> Response:
    return ok(await service.replay(db, user, id))
