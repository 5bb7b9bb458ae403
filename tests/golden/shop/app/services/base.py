"""What every entity's service does alike: read, list, create, change and delete rows.

Each module beside this one (``app/services/<entity>.py``) describes its rows to one
``EntityService``: its rules, its repository functions, and what is its own (the rows it
refers to, the parent it lives under, the cache it clears, the jobs it queues). The
functions the routes call are one-line calls into that object, so a change to how rows
are written is made here, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from types import ModuleType
from typing import Any, ClassVar, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache
from app.core.domain import ActionNotWritten
from app.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFoundError,
    PreconditionFailed,
    ValidationFailed,
)
from app.core.hooks import ActionCall, Change, run
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.core.rules import RowRule, broken
from app.jobs.queue import enqueue
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.services import audit
from app.services.common import checked_version, missing
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


@dataclass(frozen=True, slots=True)
class Parent:
    """The entity whose rows a nested entity is listed and created under."""

    column: str  # the foreign key to the parent
    service: Peer  # the parent's service module


@dataclass(frozen=True, slots=True)
class Scope:
    """A parent whose read rule keeps some callers from some of its rows: a nested row
    is in reach only where its parent is."""

    column: str  # the foreign key to the parent
    service: Peer
    owned: bool = False  # lists take the parent's owner scope (``parent_owner_id``)


# Sets the new state (and what else the transition sets) on a row in one of the states
# the transition starts from; ``None`` when no row matched.
TransitionRow = Callable[..., Awaitable[Row | None]]


class InvalidTransition(Conflict):
    """The row is not in a state the transition starts from."""

    code = "INVALID_TRANSITION"


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """A move of a state field from one of ``sources`` to ``target``."""

    name: str
    field: str
    sources: tuple[str, ...]
    target: str
    rule: Rule
    label: str  # what the rows are called in messages: "order"
    values: Callable[[], dict[str, Any]] = dict  # what else it sets, computed as it runs
    event: str | None = None  # the job event queued with each move, if a job runs on it


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
    # Field-level permissions: the roles that see (may set) each such field; no one else.
    readers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    writers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    scope: Scope | None = None  # the parent that keeps rows out of reach, if any
    ttl: int | None = None  # seconds a cached row or page may be served; None: not cached
    stale_on_write: tuple[str, ...] = ()  # the entities a create or change makes stale
    stale_on_delete: tuple[str, ...] = ()  # the entities a delete makes stale
    transition_row: TransitionRow | None = None  # with transitions: the conditional UPDATE
    # With aggregates: the grouped counts and sums of the rows the caller may list.
    stats_rows: Callable[..., Awaitable[list[dict[str, Any]]]] | None = None
    # The spec's rules between two fields, checked on the values a write sends (the
    # database's CHECKs refuse the rest, and the error handler names the same fields).
    row_rules: tuple[RowRule, ...] = ()

    def _obey_rules(self, values: dict[str, Any]) -> None:
        """422 naming the fields of each rule the written values break."""
        if self.row_rules and (details := broken(self.row_rules, values)):
            raise ValidationFailed(details=details)

    def shown(self, row: Row, user: AuthUser | None) -> Row:
        """``row`` as the caller sees it: without the fields its role may not read."""
        if not self.readers:
            return row
        role = user.role if user is not None else None
        return {
            name: value
            for name, value in row.items()
            if name not in self.readers or role in self.readers[name]
        }

    def _shown_created(self, result: Created, user: AuthUser | None) -> Created:
        return replace(result, data=self.shown(result.data, user))

    def check_writes(self, user: AuthUser | None, sent: Mapping[str, Any]) -> None:
        """403 naming each field of ``sent`` (a body's fields) the caller's role may not set."""
        role = user.role if user is not None else None
        refused = [name for name in sent if name in self.writers and role not in self.writers[name]]
        if refused:
            raise Forbidden(
                f"Your role may not set {', '.join(refused)}.",
                details=[
                    {"field": f"body.{name}", "message": "your role may not set it"}
                    for name in refused
                ],
            )

    def writable(self, values: dict[str, Any], user: AuthUser | None) -> dict[str, Any]:
        """``values`` without the fields the caller's role may not set: a replace keeps the
        row's own values of those."""
        role = user.role if user is not None else None
        return {
            name: value
            for name, value in values.items()
            if name not in self.writers or role in self.writers[name]
        }

    async def is_visible(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID
    ) -> bool:
        """Whether ``user`` may see the row: as itself, as a parent or as a reference."""
        decision = access(self.rules["read"], user)
        if self.scope is not None:
            if not decision.allowed:
                return False
            row = await self._get(db, row_id, decision.owner_id)
            return row is not None and await self._in_reach(db, user, self.scope, row)
        return decision.allowed and await self._exists(db, row_id, decision.owner_id)

    async def page(
        self, db: AsyncConnection, user: AuthUser | None, query: Query, after: Any = None
    ) -> Listing:
        """A page of the rows the caller may list, each as the caller sees it, and their
        total (paged by cursor: the rows ``after`` a position, and the position after them)."""
        rows, tail = await self._listing(db, user, query, after)
        return [self.shown(row, user) for row in rows], tail

    async def _listing(
        self, db: AsyncConnection, user: AuthUser | None, query: Query, after: Any = None
    ) -> Listing:
        """A page of the rows the caller may list, and their total (paged by cursor: the
        rows ``after`` a position, and the position after them)."""
        reach = self._reach(user)
        if reach is None:
            return [], query.EMPTY
        owner_id = reach.get("owner_id")
        parent_owner_id = reach.get("parent_owner_id")
        params: dict[str, Any] = {
            "filters": query.filters(),
            "sort": query.sort,
            "limit": query.limit,
            **query.paging(after),
        }
        if self.ttl is None:
            return await self._list(db, params, owner_id, parent_owner_id)
        load = partial(self._list, db, params, owner_id, parent_owner_id)
        if parent_owner_id is not None:
            # Only the caller's own parents: a page of theirs alone, under its own name.
            view = "list-in-own-parents" if owner_id is None else "list-own-in-own-parents"
            return await cache.current().page(
                self.entity, view, params, scope=parent_owner_id, ttl=self.ttl, load=load
            )
        return await cache.current().page(
            self.entity, "list", params, scope=owner_id, ttl=self.ttl, load=load
        )

    async def stats(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        filters: dict[str, Any],
        group_by: list[str],
    ) -> list[dict[str, Any]]:
        """Grouped counts and sums of exactly the rows the caller may list (its filters,
        its scope): never of a row it could not list."""
        owner_id = authorize(self.rules["list"], user)
        scope: dict[str, Any] = {}
        if owner_id is not None:
            scope["owner_id"] = owner_id
        if self.scope is not None:
            parent = access(self.scope.service.RULES["read"], user)
            if not parent.allowed:
                return []
            if self.scope.owned and parent.owner_id is not None:
                scope["parent_owner_id"] = parent.owner_id
        if self.stats_rows is None:
            raise TypeError(f"{self.entity} declares no aggregates")
        return await self.stats_rows(db, filters=filters, group_by=group_by, **scope)

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
        scope = self.scope
        if row is None or (scope is not None and not await self._in_reach(db, user, scope, row)):
            raise NotFoundError(self.not_found)
        return self.shown(row, user)

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
            return self._shown_created(earlier, user)
        self._obey_rules(values)
        if self.check is not None:
            await self.check(db, user, values)
        return self._shown_created(await self._insert(db, user, values, idempotent, owner_id), user)

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
        self._obey_rules(values)
        if self.scope is not None:
            await self._check_parent(db, user, self.scope, row_id, owner_id)
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
        return self.shown(row, user)

    async def transition(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        row_id: uuid.UUID,
        move: Transition,
        if_match: str | None,
    ) -> Row:
        """Move the row's state (of the version If-Match names, if any); 409 when it is in
        none of the states the move starts from."""
        owner_id = authorize(move.rule, user)
        if self.scope is not None:
            await self._check_parent(db, user, self.scope, row_id, owner_id)
        seen = await self._version(db, user, row_id, if_match, owner_id)
        if self.transition_row is None:
            raise TypeError(f"{self.entity} has no transitions")
        values = {**move.values(), move.field: move.target}
        change = Change(
            db=db, user=user, entity=self.entity, values=values, row_id=row_id, transition=move.name
        )
        await run(self.hooks, "before_transition", change)
        args = (db, row_id, move.field, move.sources, values)
        if owner_id is not None:
            row = await self.transition_row(*args, owner_id=owner_id, seen=seen)
        else:
            row = await self.transition_row(*args, seen=seen)
        if row is None:
            raise await self._not_moved(db, user, row_id, seen, owner_id, move)
        change.row = row
        await run(self.hooks, "after_transition", change)
        detail = {"transition": move.name, "to": move.target, "fields": sorted(values)}
        await audit.record(db, user, "update", self.entity, row_id, detail)
        if move.event is not None:
            # Queued in the same transaction: the job exists if and only if the move does.
            await enqueue(db, move.event, {"id": str(row_id), "transition": move.name})
        await db.commit()
        if self.stale_on_write:
            await cache.current().invalidate(*self.stale_on_write)
        return self.shown(row, user)

    async def _not_moved(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        row_id: uuid.UUID,
        seen: datetime | None,
        owner_id: uuid.UUID | None,
        move: Transition,
    ) -> AppError:
        # The move matched no row: not there or not the caller's (404, 403), changed since
        # the version If-Match named (412), or in a state the move does not start from.
        current = await self._get(db, row_id, owner_id)
        if current is None:
            return missing(await self.is_visible(db, user, row_id), self.not_found)
        if seen is not None and current["updated_at"] != seen:
            return PreconditionFailed()
        state = current[move.field]
        starts = " or ".join(f"'{source}'" for source in move.sources)
        return InvalidTransition(
            f"Cannot {move.name} this {move.label}: its {move.field} is '{state}', and "
            f"{move.name} starts from {starts}.",
            details=[{"field": move.field, "message": f"is '{state}'"}],
        )

    async def act(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID, name: str, rule: Rule
    ) -> Row:
        """Run the owner's handler ``name`` (app/domain) on a row the caller may act on, in
        one transaction; the row as the handler left it."""
        owner_id = authorize(rule, user)
        if self.scope is not None:
            await self._check_parent(db, user, self.scope, row_id, owner_id)
        row = await self._get(db, row_id, owner_id)
        if row is None:
            raise missing(await self.is_visible(db, user, row_id), self.not_found)
        handler = getattr(self.hooks, name, None)
        if handler is None:
            raise ActionNotWritten(f"The action {name} has no handler in app/domain yet.")
        await handler(
            ActionCall(db=db, user=user, entity=self.entity, name=name, row_id=row_id, row=row)
        )
        await audit.record(db, user, "update", self.entity, row_id, {"action": name})
        await db.commit()
        if self.stale_on_write:
            await cache.current().invalidate(*self.stale_on_write)
        after = await self._get(db, row_id, None)
        await db.commit()  # end the read
        if after is None:  # the handler deleted it
            raise NotFoundError(self.not_found)
        return self.shown(after, user)

    async def delete(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID, if_match: str | None
    ) -> None:
        """Delete a row (a soft-deleted entity's row is kept, but marked deleted)."""
        owner_id = authorize(self.rules["delete"], user)
        if self.scope is not None:
            await self._check_parent(db, user, self.scope, row_id, owner_id)
        seen = await self._version(db, user, row_id, if_match, owner_id)
        await run(
            self.hooks, "before_delete", Change(db=db, user=user, entity=self.entity, row_id=row_id)
        )
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
        return checked_version(if_match, self.shown(current, user))

    async def _missed(
        self, db: AsyncConnection, user: AuthUser | None, row_id: uuid.UUID, seen: datetime | None
    ) -> AppError:
        # The write matched no row. A conditional one found the row a moment ago, so it
        # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
        if seen is not None:
            return PreconditionFailed()
        return missing(await self.is_visible(db, user, row_id), self.not_found)

    async def _in_reach(
        self, db: AsyncConnection, user: AuthUser | None, scope: Scope, row: Row
    ) -> bool:
        """Whether the caller may read the parent a row belongs to: a nested row is
        visible only where its parent is."""
        parent = access(scope.service.RULES["read"], user)
        if not parent.allowed:
            return False
        parent_id: uuid.UUID | None = row[scope.column]
        return (
            parent_id is None
            or parent.owner_id is None
            or await scope.service.is_visible(db, user, parent_id)
        )

    async def _check_parent(
        self,
        db: AsyncConnection,
        user: AuthUser | None,
        scope: Scope,
        row_id: uuid.UUID,
        owner_id: uuid.UUID | None,
    ) -> None:
        # A write reaches a row only where a read would: under a parent out of the
        # caller's reach, the row is not found.
        row = await self._get(db, row_id, owner_id)
        if row is not None and not await self._in_reach(db, user, scope, row):
            raise NotFoundError(self.not_found)

    def _reach(self, user: AuthUser | None) -> Reach | None:
        """How far the caller's lists reach, as the repository's keywords: ``owner_id``
        (its own rows only), ``parent_owner_id`` (the rows of its own parents only);
        ``None`` when the parents are out of its reach, so it may list no row."""
        owner_id = authorize(self.rules["list"], user)
        reach: Reach = {} if owner_id is None else {"owner_id": owner_id}
        if self.scope is not None:
            # Rows are listed only where their parent can be read.
            parent = access(self.scope.service.RULES["read"], user)
            if not parent.allowed:
                return None
            if self.scope.owned and parent.owner_id is not None:
                reach["parent_owner_id"] = parent.owner_id
        return reach

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
        parent_owner_id: uuid.UUID | None = None,
    ) -> Awaitable[Listing]:
        if parent_owner_id is not None:
            if owner_id is not None:
                return self.list_rows(
                    db, **params, owner_id=owner_id, parent_owner_id=parent_owner_id
                )
            return self.list_rows(db, **params, parent_owner_id=parent_owner_id)
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
        """The rows of one parent, each as the caller sees it; 404 if the parent is not visible."""
        rows, tail = await self._listing_under(db, user, parent_id, query, after)
        return [self.shown(row, user) for row in rows], tail

    async def _listing_under(
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
            return self._shown_created(earlier, user)
        if self.check is not None:
            await self.check(db, user, values)
        return self._shown_created(
            await self._insert(
                db, user, {**values, self.parent.column: parent_id}, idempotent, owner_id
            ),
            user,
        )

    async def _check_parent_visible(
        self, db: AsyncConnection, user: AuthUser | None, parent_id: uuid.UUID
    ) -> None:
        parent = self.parent.service
        if not await parent.is_visible(db, user, parent_id):
            raise NotFoundError(parent.NOT_FOUND)
