"""Queries on posts: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import post as post_models
from app.models.base import table_of
from app.models.post import post_tags
from app.repositories import tag as tag_repo
from app.repositories.base import (
    EQ,
    GE,
    LE,
    Filter,
    Page,
    Row,
    bound_filters,
    exists,
    fetch_one,
    fetch_page,
    filter_params,
    insert_ignoring_duplicates,
    live_count,
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)
from app.repositories.grouped import Grouped

posts = table_of(post_models.Post)

# What a post looks like in responses (deleted_at stays inside).
COLUMNS = (
    posts.c.id,
    posts.c.title,
    posts.c.body,
    posts.c.status,
    posts.c.published_at,
    posts.c.owner_id,
    posts.c.created_at,
    posts.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "title": posts.c.title,
    "published_at": posts.c.published_at,
    "created_at": posts.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "status": (posts.c.status, EQ),
    "published_at": (posts.c.published_at, EQ),
    "published_at_min": (posts.c.published_at, GE),
    "published_at_max": (posts.c.published_at, LE),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(posts)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: not deleted, and owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = [posts.c.deleted_at.is_(None)]
    if owner_id is not None:
        clauses.append(posts.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(posts.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, posts.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_posts(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of posts and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(posts.c.id == bindparam("id"), *visible())
_INSERT = insert(posts).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    posts.c.id == bindparam("id"), *visible(), posts.c.owner_id == bindparam("owner_id")
)


async def get_post(
    db: AsyncConnection, post_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One post, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": post_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": post_id})


async def posts_by_id(
    db: AsyncConnection, ids: Sequence[uuid.UUID], *, owner_id: uuid.UUID | None = None
) -> list[Row]:
    """The posts of ``ids`` in reach, in one statement."""
    statement = select(*COLUMNS).where(posts.c.id.in_(ids), *visible(owner_id))
    return [dict(row) for row in (await db.execute(statement)).mappings()]


async def post_exists(
    db: AsyncConnection, post_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the post exists and is in reach."""
    statement = select(posts.c.id).where(posts.c.id == post_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_post(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a post from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_post(
    db: AsyncConnection,
    post_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a post in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(posts)
        .where(
            posts.c.id == post_id,
            *visible(owner_id),
            *unchanged_since(posts.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_post(
    db: AsyncConnection,
    post_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Soft-delete a post in reach (only version ``seen``, if given): it stays in the
    table, invisible to every query."""
    now = next_version(seen)
    statement = (
        update(posts)
        .where(
            posts.c.id == post_id,
            *visible(owner_id),
            *unchanged_since(posts.c.updated_at, seen),
        )
        .values(deleted_at=now, updated_at=now)
        .returning(posts.c.id)
    )
    return await fetch_one(db, statement) is not None


async def list_post_tags(
    db: AsyncConnection,
    post_id: uuid.UUID,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of the tags linked to a post, in one query."""
    statement = (
        select(*tag_repo.COLUMNS)
        .join(post_tags, post_tags.c.tag_id == tag_repo.tags.c.id)
        .where(
            post_tags.c.post_id == post_id,
            *tag_repo.visible(),
            *bound_filters(tag_repo.FILTERS, filters),
        )
    )
    order = order_by(tag_repo.SORTS, sort, tag_repo.tags.c.id)
    return await fetch_page(
        db, statement, order=order, page=page, limit=limit, params=filter_params(filters)
    )


async def group_post_tags(
    db: AsyncConnection,
    parents: Sequence[uuid.UUID],
    *,
    filters: dict[str, Any],
    sort: str,
    limit: int,
) -> dict[uuid.UUID, list[Row]]:
    """The first ``limit`` tags linked to each of ``parents`` (posts), in one statement."""
    statement = (
        select(*tag_repo.COLUMNS)
        .join(post_tags, post_tags.c.tag_id == tag_repo.tags.c.id)
        .where(*tag_repo.visible(), *bound_filters(tag_repo.FILTERS, filters))
    )
    order = order_by(tag_repo.SORTS, sort, tag_repo.tags.c.id)
    shape = Grouped.of(statement, order, post_tags.c.post_id)
    return await shape.fetch(db, parents, limit=limit, params=filter_params(filters))


async def link_post_tags(db: AsyncConnection, post_id: uuid.UUID, tag_id: uuid.UUID) -> None:
    """Link a tag; linking twice changes nothing."""
    statement = insert_ignoring_duplicates(db, post_tags).values(
        post_id=post_id, tag_id=tag_id, created_at=utcnow()
    )
    await db.execute(statement)


async def unlink_post_tags(db: AsyncConnection, post_id: uuid.UUID, tag_id: uuid.UUID) -> None:
    """Remove the link to a tag, if there is one."""
    await db.execute(
        delete(post_tags).where(
            post_tags.c.post_id == post_id,
            post_tags.c.tag_id == tag_id,
        )
    )
