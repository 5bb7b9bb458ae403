"""HTTP endpoints of loans."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api.deps import CurrentUser, OptionalUser, SessionDep
from app.core.responses import no_content, ok, page
from app.schemas.loan import LoanCreate, LoanQuery, LoanUpdate
from app.services import loan as service

router = APIRouter(tags=["loans"])


@router.get("/loans", operation_id="list_loans", summary="List loans")
async def list_loans(
    db: SessionDep, user: OptionalUser, query: Annotated[LoanQuery, Query()]
) -> Response:
    rows, total = await service.list_loans(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post("/loans", status_code=201, operation_id="create_loan", summary="Create a loan")
async def create_loan(body: LoanCreate, db: SessionDep, user: CurrentUser) -> Response:
    row = await service.create_loan(db, user, body)
    return ok(row, status_code=201, headers={"Location": f"/api/v1/loans/{row['id']}"})


@router.get("/loans/{id}", operation_id="get_loan", summary="Get a loan")
async def get_loan(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return ok(await service.get_loan(db, user, id))


@router.put("/loans/{id}", operation_id="replace_loan", summary="Replace a loan")
async def replace_loan(
    id: uuid.UUID, body: LoanCreate, db: SessionDep, user: OptionalUser
) -> Response:
    return ok(await service.replace_loan(db, user, id, body))


@router.patch("/loans/{id}", operation_id="update_loan", summary="Update some fields of a loan")
async def update_loan(
    id: uuid.UUID, body: LoanUpdate, db: SessionDep, user: OptionalUser
) -> Response:
    return ok(await service.update_loan(db, user, id, body))


@router.delete("/loans/{id}", status_code=204, operation_id="delete_loan", summary="Delete a loan")
async def delete_loan(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    await service.delete_loan(db, user, id)
    return no_content()
