"""HTTP endpoint of the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.deps import OptionalUser, SessionDep, allowed
from app.api.routes.docs import design_responses
from app.core.responses import page
from app.schemas.audit import AuditQuery
from app.services import audit as service

# The rule before anything of the request is validated (app.api.deps.allowed).
router = APIRouter(tags=["audit"], dependencies=[Depends(allowed(service.RULE))])


@router.get(
    "/audit-log",
    operation_id="list_audit_log",
    summary="List the audit log of writes, newest first",
    responses=design_responses("list_audit_log"),
)
async def list_audit_log(
    db: SessionDep, user: OptionalUser, query: Annotated[AuditQuery, Query()]
) -> Response:
    rows, total = await service.list_entries(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)
