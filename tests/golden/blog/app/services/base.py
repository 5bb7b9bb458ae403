"""What every entity's service does alike: read, list, create, change and delete rows.

Each module beside this one (``app/services/<entity>.py``) describes its rows to one
``EntityService``: its rules, its repository functions, and what is its own (the rows it
refers to, the parent it lives under, the cache it clears, the jobs it queues). The
functions the routes call are one-line calls into that object, so a change to how rows
are written is made here, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from types import ModuleType
from typing import Any, ClassVar, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache, events
from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.hooks import Change, run
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.services import audit
from app.services.common import Visibility, checked_version, missing
from app.services.idempotency import remember, replayed

# A page of rows and their total, or for a list paged by cursor the position of its
# last row when more rows follow (app.core.cursors.Position, else None).
Listing = tuple[list[Row], Any]
# A check of the values a client sent, before they are written (such as references).
Check = Callable[[AsyncConnection, AuthUser | None, dict[str, Any]], Awaitable[None]]
# Repository functions that take ``owner_id=`` when the entity has owners: called with
# it only when a rule narrows the caller to their own rows, which never happens to an
# entity without owners.
GetRow = Callable[..., Awaitable[Row | None]]
RowExists = Callable[..., Awaitable[bool]]
ListRows = Callable[..., Awaitable[Listing]]
UpdateRow = Callable[..., Awaitable[Row | None]]
DeleteRow = Callable[..., Awaitable[bool]]
RowsById = Callable[..., Awaitable[list[Row]]]
GroupRows = Callable[..., Awaitable[dict[uuid.UUID, list[Row]]]]
# How far a caller's lists reach: the repository's ``owner_id`` and ``parent_owner_id``
# keywords, each present only when a rule narrows the list.
Reach = dict[str, uuid.UUID]


class Query(Protocol):
    """The query string of a list: filters, sort and where the page starts."""

    limit: int

    @property
    def sort(self) -> str: ...

    def filters(self) -> dict[str, Any]: ...

    def paging(self, after: Any = None) -> dict[str, Any]: ...

    # The second half of a list's answer when it has no rows: the total 0, or no position.
    EMPTY: ClassVar[Any]


class Peer(Protocol):
    """Another entity's service module, as seen from the entities nested under it."""

    @property
    def RULES(self) -> Mapping[str, Rule]: ...

    @property
    def NOT_FOUND(self) -> str: ...

    def is_visible(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID, /
    ) -> Awaitable[bool]: ...

    def visible_ids(
        self, db: AsyncConnection, user: AuthUser | None, ids: Sequence[uuid.UUID], /
    ) -> Awaitable[set[uuid.UUID]]: ...


@dataclass(frozen=True, slots=True)
class Parent:
    """The entity whose rows a nested entity is listed and created under."""

    column: str  # the foreign key to the parent
    service: Peer  # the parent's service module


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityService:
    """The shared behaviour of one entity's service, bound to that entity's parts."""

    entity: str  # what the audit log and the cache call these rows
    rules: Mapping[str, Rule]
    not_found: str
    location: Callable[[Row], str]  # the URL of a created row
    get_row: GetRow
    row_exists: RowExists
    list_rows: ListRows
    insert_row: Callable[[AsyncConnection, dict[str, Any]], Awaitable[Row]]
    update_row: UpdateRow
    delete_row: DeleteRow
    check: Check | None = None  # run on the values of every create and change
    hooks: ModuleType | None = None  # the entity's module in app/domain (app.core.hooks)
    ttl: int | None = None  # seconds a cached row or page may be served; None: not cached
    stale_on_write: tuple[str, ...] = ()  # the entities a create or change makes stale
    stale_on_delete: tuple[str, ...] = ()  # the entities a delete makes stale
    # Its changes are told to the WebSocket feed (app.core.events) once committed.
    realtime: bool = False
    # GraphQL's batched reads: the rows of many ids, and the first rows of many parents.
    rows_by_id: RowsById | None = None
    group_rows: GroupRows | None = None

    async def is_visible(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID
    ) -> bool:
        """Whether ``user`` may see the row: as itself, as a parent or as a reference."""
        decision = access(self.rules["read"], user)
        return decision.allowed and await self._exists(db, row_id, decision.owner_id)

    async def page(
        self, db: AsyncConnection, user: AuthUser | None, query: Query, after: Any = None
    ) -> Listing:
        """A page of the rows the caller may list, and their total (paged by cursor: the
        rows ``after`` a position, and the position after them)."""
        reach = self._reach(user)
        owner_id = reach.get("owner_id")
        params: dict[str, Any] = {
            "filters": query.filters(),
            "sort": query.sort,
            "limit": query.limit,
            **query.paging(after),
        }
        if self.ttl is None:
            return await self._list(db, params, owner_id)
        load = partial(self._list, db, params, owner_id)
        return await cache.current().page(
            self.entity, "list", params, scope=owner_id, ttl=self.ttl, load=load
        )

    async def get(self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID) -> Row:
        """One row; 404 when it does not exist or the caller may not see it."""
        owner_id = authorize(self.rules["read"], user)
        if self.ttl is None:
            row = await self._get(db, row_id, owner_id)
        else:
            # The scope is part of the key: a row cached for its owner never reaches anyone else.
            load = partial(self._get, db, row_id, owner_id)
            row = await cache.current().row(
                self.entity, row_id, scope=owner_id, ttl=self.ttl, load=load
            )
        if row is None:
            raise NotFoundError(self.not_found)
        return row

    async def create(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        values: dict[str, Any],
        idempotent: IdempotentRequest | None,
        owner_id: uuid.UUID | None = None,
    ) -> Created:
        """Create a row (owned by ``owner_id``, if given), or answer a retry with the first response."""
        authorize(self.rules["create"], user)
        if (earlier := await replayed(db, idempotent)) is not None:
            return earlier
        if self.check is not None:
            await self.check(db, user, values)
        return await self._insert(db, user, values, idempotent, owner_id)

    async def update(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        row_id: uuid.UUID,
        values: dict[str, Any],
        if_match: str | None,
        action: audit.Action,
    ) -> Row:
        """Change ``values`` of a row (of the version If-Match names, if any)."""
        owner_id = authorize(self.rules["update"], user)
        if self.check is not None:
            # A row out of the caller's reach is refused before its values are checked:
            # a reference it may not see would otherwise answer 422 for someone else's row.
            if owner_id is not None and not await self._exists(db, row_id, owner_id):
                raise missing(await self.is_visible(db, user, row_id), self.not_found)
            await self.check(db, user, values)
        seen = await self._version(db, user, row_id, if_match, owner_id)
        change = Change(db=db, user=user, entity=self.entity, values=values, row_id=row_id)
        await run(self.hooks, "before_update", change)
        if owner_id is not None:
            row = await self.update_row(db, row_id, values, owner_id=owner_id, seen=seen)
        else:
            row = await self.update_row(db, row_id, values, seen=seen)
        if row is None:
            raise await self._missed(db, user, row_id, seen)
        change.row = row
        await run(self.hooks, "after_update", change)
        await audit.record(db, user, action, self.entity, row_id, {"fields": sorted(values)})
        await db.commit()
        if self.stale_on_write:
            await cache.current().invalidate(*self.stale_on_write)
        if self.realtime:
            await events.current().publish(self.entity, "updated", row)
        return row

    async def delete(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID, if_match: str | None
    ) -> None:
        """Delete a row (a soft-deleted entity's row is kept, but marked deleted)."""
        owner_id = authorize(self.rules["delete"], user)
        seen = await self._version(db, user, row_id, if_match, owner_id)
        await run(
            self.hooks, "before_delete", Change(db=db, user=user, entity=self.entity, row_id=row_id)
        )
        # The row as it last was, for the feed: who may be told of its deletion.
        last = await self._get(db, row_id, None) if self.realtime else None
        if owner_id is not None:
            deleted = await self.delete_row(db, row_id, owner_id=owner_id, seen=seen)
        else:
            deleted = await self.delete_row(db, row_id, seen=seen)
        if not deleted:
            raise await self._missed(db, user, row_id, seen)
        await audit.record(db, user, "delete", self.entity, row_id)
        await db.commit()
        if self.stale_on_delete:
            await cache.current().invalidate(*self.stale_on_delete)
        if last is not None:
            await events.current().publish(self.entity, "deleted", last)

    async def check_link(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        row_id: uuid.UUID,
        target_visible: Visibility,
        target_id: uuid.UUID,
        target_not_found: str,
    ) -> None:
        """Whether the caller may link the row to another: changing links changes the row,
        so it takes the update rule on it, and the linked row must be one the caller can see."""
        owner_id = authorize(self.rules["update"], user)
        if not await self._exists(db, row_id, owner_id):
            raise missing(await self.is_visible(db, user, row_id), self.not_found)
        if not await target_visible(db, user, target_id):
            raise NotFoundError(target_not_found)

    async def _insert(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        values: dict[str, Any],
        idempotent: IdempotentRequest | None,
        owner_id: uuid.UUID | None,
    ) -> Created:
        # The row, its audit entry and the stored response commit together, or not at all.
        change = Change(db=db, user=user, entity=self.entity, values=values)
        await run(self.hooks, "before_create", change)
        row = await self.insert_row(
            db, values if owner_id is None else {**values, "owner_id": owner_id}
        )
        change.row_id, change.row = row["id"], row
        await run(self.hooks, "after_create", change)
        await audit.record(db, user, "create", self.entity, row["id"])
        result = Created(row, location=self.location(row))
        await remember(db, idempotent, result)
        await db.commit()
        if self.stale_on_write:
            await cache.current().invalidate(*self.stale_on_write)
        if self.realtime:
            await events.current().publish(self.entity, "created", row)
        return result

    async def _version(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        row_id: uuid.UUID,
        if_match: str | None,
        owner_id: uuid.UUID | None,
    ) -> datetime | None:
        """The version (``updated_at``) a conditional write must still find, or ``None``.

        ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
        row is read from the database, never from the cache: the compare-and-set needs the
        version that is current now.
        """
        if if_match is None or if_match.strip() == "*":
            return None
        current = await self._get(db, row_id, owner_id)
        if current is None:
            raise missing(await self.is_visible(db, user, row_id), self.not_found)
        return checked_version(if_match, current)

    async def _missed(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID, seen: datetime | None
    ) -> AppError:
        # The write matched no row. A conditional one found the row a moment ago, so it
        # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
        if seen is not None:
            return PreconditionFailed()
        return missing(await self.is_visible(db, user, row_id), self.not_found)

    def _reach(self, user: AuthUser | None) -> Reach:
        """How far the caller's lists reach, as the repository's keywords: ``owner_id``
        (its own rows only)."""
        owner_id = authorize(self.rules["list"], user)
        reach: Reach = {} if owner_id is None else {"owner_id": owner_id}
        return reach

    # -- GraphQL's batched reads (app/api/graphql.py): a statement per nested field of
    # -- a query, never one per row.

    async def get_many(
        self, db: AsyncConnection, user: AuthUser | None, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Row]:
        """The rows of ``ids`` the caller may read, each as the caller sees it: what
        :meth:`get` answers for each, read at once (401 or 403 as :meth:`get`)."""
        owner_id = authorize(self.rules["read"], user)
        rows = await self._by_id(db, user, ids, owner_id)
        return {row["id"]: row for row in rows}

    async def visible_ids(
        self, db: AsyncConnection, user: AuthUser | None, ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of ``ids`` the caller may see: :meth:`is_visible` for each, at once."""
        decision = access(self.rules["read"], user)
        if not decision.allowed:
            return set()
        return {row["id"] for row in await self._by_id(db, user, ids, decision.owner_id)}

    async def lists_of(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        parents: Sequence[uuid.UUID],
        query: Query,
        *,
        parent: str,
    ) -> dict[uuid.UUID, list[Row]]:
        """The first rows of each of ``parents`` (by the foreign key ``parent``) that the
        caller may list with ``query``'s filters and sort, each as the caller sees it:
        the list each parent's rows would show, read for all of them in one statement."""
        if self.group_rows is None:
            raise RuntimeError(f"{self.entity} are not read in groups")
        reach = self._reach(user)
        return await self.group_rows(
            db,
            parent,
            parents,
            filters=query.filters(),
            sort=query.sort,
            limit=query.limit,
            **reach,
        )

    async def _by_id(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        ids: Sequence[uuid.UUID],
        owner_id: uuid.UUID | None,
    ) -> list[Row]:
        """The rows of ``ids`` in reach of a caller narrowed to ``owner_id``'s rows (if
        given)."""
        if self.rows_by_id is None:
            raise RuntimeError(f"{self.entity} are not read by ids")
        owned = {} if owner_id is None else {"owner_id": owner_id}
        return await self.rows_by_id(db, ids, **owned)

    def _get(
        self, db: AsyncConnection, row_id: uuid.UUID, owner_id: uuid.UUID | None
    ) -> Awaitable[Row | None]:
        if owner_id is not None:
            return self.get_row(db, row_id, owner_id=owner_id)
        return self.get_row(db, row_id)

    def _exists(
        self, db: AsyncConnection, row_id: uuid.UUID, owner_id: uuid.UUID | None
    ) -> Awaitable[bool]:
        if owner_id is not None:
            return self.row_exists(db, row_id, owner_id=owner_id)
        return self.row_exists(db, row_id)

    def _list(
        self,
        db: AsyncConnection,
        params: dict[str, Any],
        owner_id: uuid.UUID | None,
    ) -> Awaitable[Listing]:
        if owner_id is not None:
            return self.list_rows(db, **params, owner_id=owner_id)
        return self.list_rows(db, **params)


@dataclass(frozen=True, slots=True, kw_only=True)
class NestedEntityService(EntityService):
    """The shared behaviour of an entity whose rows are also listed and created under a parent."""

    parent: Parent

    async def page_under(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        parent_id: uuid.UUID,
        query: Query,
        after: Any = None,
    ) -> Listing:
        """The rows of one parent; 404 if the parent is not visible."""
        owner_id = authorize(self.rules["list"], user)
        await self._check_parent_visible(db, user, parent_id)
        params: dict[str, Any] = {
            "filters": {**query.filters(), self.parent.column: parent_id},
            "sort": query.sort,
            "limit": query.limit,
            **query.paging(after),
        }
        return await self._list(db, params, owner_id)

    async def create_under(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        parent_id: uuid.UUID,
        values: dict[str, Any],
        idempotent: IdempotentRequest | None,
        owner_id: uuid.UUID | None = None,
    ) -> Created:
        """Create a row under a parent the caller can see."""
        authorize(self.rules["create"], user)
        await self._check_parent_visible(db, user, parent_id)
        if (earlier := await replayed(db, idempotent)) is not None:
            return earlier
        if self.check is not None:
            await self.check(db, user, values)
        return await self._insert(
            db, user, {**values, self.parent.column: parent_id}, idempotent, owner_id
        )

    async def _check_parent_visible(
        self, db: AsyncConnection, user: AuthUser | None, parent_id: uuid.UUID
    ) -> None:
        parent = self.parent.service
        if not await parent.is_visible(db, user, parent_id):
            raise NotFoundError(parent.NOT_FOUND)
