"""Queries on comments: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import comment as comment_models
from app.models import post as post_models
from app.models.base import table_of
from app.repositories.base import (
    EQ,
    Filter,
    Page,
    Row,
    bound_filters,
    exists,
    fetch_one,
    filter_params,
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)
from app.repositories.grouped import Grouped

comments = table_of(comment_models.Comment)

# What a comment looks like in responses.
COLUMNS = (
    comments.c.id,
    comments.c.body,
    comments.c.post_id,
    comments.c.owner_id,
    comments.c.created_at,
    comments.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "created_at": comments.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "post_id": (comments.c.post_id, EQ),
}


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: of live parents, and owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    clauses.append(
        comments.c.post_id.in_(
            select(table_of(post_models.Post).c.id).where(
                table_of(post_models.Post).c.deleted_at.is_(None)
            )
        )
    )
    if owner_id is not None:
        clauses.append(comments.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(comments.c.owner_id == bindparam("owner_id"))
    return where


def _params(filters: dict[str, Any], owner_id: uuid.UUID | None) -> dict[str, Any]:
    """The values a list's statement binds."""
    params = filter_params(filters)
    if owner_id is not None:
        params["owner_id"] = owner_id
    return params


@lru_cache(maxsize=256)
def _page(filters: tuple[str, ...], sort: str, owned: bool) -> Page:
    """The list query of one shape (the filters given, the sort, the owner scope), built once."""
    where = _where(filters, owned)
    order = order_by(SORTS, sort, comments.c.id)
    return Page.of(select(*COLUMNS).where(*where), order)


async def list_comments(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of comments and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


@lru_cache(maxsize=256)
def _grouped(parent: str, filters: tuple[str, ...], sort: str, owned: bool) -> Grouped:
    """The list of one shape cut per parent (``parent``: a foreign key's column), built once."""
    statement = select(*COLUMNS).where(*_where(filters, owned))
    order = order_by(SORTS, sort, comments.c.id)
    return Grouped.of(statement, order, comments.c[parent])


async def group_comments(
    db: AsyncConnection,
    parent: str,
    parents: Sequence[uuid.UUID],
    *,
    filters: dict[str, Any],
    sort: str,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[Row]]:
    """The first ``limit`` comments of each of ``parents`` (by the foreign key ``parent``), as a list with ``filters`` and ``sort`` shows them: one statement."""
    params = _params(filters, owner_id)
    shape = _grouped(parent, tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, parents, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(comments.c.id == bindparam("id"), *visible())
_INSERT = insert(comments).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    comments.c.id == bindparam("id"), *visible(), comments.c.owner_id == bindparam("owner_id")
)


async def get_comment(
    db: AsyncConnection, comment_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One comment, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": comment_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": comment_id})


async def comments_by_id(
    db: AsyncConnection, ids: Sequence[uuid.UUID], *, owner_id: uuid.UUID | None = None
) -> list[Row]:
    """The comments of ``ids`` in reach, in one statement."""
    statement = select(*COLUMNS).where(comments.c.id.in_(ids), *visible(owner_id))
    return [dict(row) for row in (await db.execute(statement)).mappings()]


async def comment_exists(
    db: AsyncConnection, comment_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the comment exists and is in reach."""
    statement = select(comments.c.id).where(comments.c.id == comment_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_comment(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a comment from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_comment(
    db: AsyncConnection,
    comment_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a comment in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(comments)
        .where(
            comments.c.id == comment_id,
            *visible(owner_id),
            *unchanged_since(comments.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_comment(
    db: AsyncConnection,
    comment_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a comment in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(comments)
        .where(
            comments.c.id == comment_id,
            *visible(owner_id),
            *unchanged_since(comments.c.updated_at, seen),
        )
        .returning(comments.c.id)
    )
    return await fetch_one(db, statement) is not None
