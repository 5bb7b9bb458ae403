"""A running API under test: its client, its operations, its accounts and the rows we made."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backend_agent.verify.live.client import Client, Reply
from backend_agent.verify.live.operations import Api, Collection, Operation, row_id, rows_of
from backend_agent.verify.live.plan import Account, ProbePlan
from backend_agent.verify.live.samples import Unsupported, sample, sample_body

__all__ = ["ANONYMOUS", "Progress", "Target", "messages", "quiet"]

# Who calls an operation that needs no credentials when no account is given.
ANONYMOUS = Account("anonymous", "", None)

# (task, completed, total): total None means "unknown, show elapsed time".
Progress = Callable[[str, float, float | None], None]


def quiet(_task: str, _done: float, _total: float | None) -> None:
    """A progress callback that shows nothing."""


@dataclass
class Target:
    """The API, the accounts we act as (the first is the main one), and rows by collection."""

    client: Client
    api: Api
    accounts: tuple[Account, ...]
    plan: ProbePlan = field(default_factory=ProbePlan)
    writes: bool = True  # whether the gates may create rows (audit: only with --allow-writes)
    rows: dict[str, list[str]] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, id) -> account
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _next: dict[str, int] = field(default_factory=dict, repr=False)  # path -> next number

    @property
    def primary(self) -> Account | None:
        """The account used for the contract run and authenticated load."""
        return self.accounts[0] if self.accounts else None

    def creator(self, collection: Collection, *, avoid: str | None = None) -> Account | None:
        """An account allowed to create rows in ``collection`` (other than ``avoid``)."""
        op = collection.create_op
        if op is None or not self.writes:
            return None
        candidates = [a for a in self.accounts if a.name != avoid]
        if not op.secured:
            if not candidates and avoid != ANONYMOUS.name:
                return ANONYMOUS
            return candidates[0] if candidates else None
        return next((a for a in candidates if self.plan.may_call(op.operation_id, a)), None)

    def reader(self, op: Operation) -> Account | None:
        """The account that reads with ``op``: anyone for a public one, else the first allowed."""
        if not op.secured:
            return self.primary or ANONYMOUS
        return next((a for a in self.accounts if self.plan.may_call(op.operation_id, a)), None)

    def known_ids(self, collection: Collection) -> list[str]:
        """Ids of rows in ``collection``: those we made, else those its list answers with."""
        ids = self.rows.get(collection.path)
        if ids:
            return ids
        listing = collection.list_op
        account = self.reader(listing) if listing is not None else None
        if listing is None or account is None or listing.params("path"):
            return []
        reply = self.client.request(
            "GET", listing.path, token=account.token if listing.secured else None
        )
        found = [
            str(i) for i in (row_id(row) for row in rows_of(reply.json()) or []) if i is not None
        ]
        if found:
            with self._lock:
                self.rows.setdefault(collection.path, []).extend(found)
        return found

    def forget(self, collection: Collection) -> None:
        """Drop the ids we made in ``collection`` (its list's own ids are used from then on)."""
        with self._lock:
            self.rows.pop(collection.path, None)

    def numbers(self, path: str, count: int = 1) -> range:
        """``count`` row numbers for the bodies of the collection at ``path``, none of
        them given out before. Values are drawn from the number, so every gate's rows
        differ in their unique fields while the field has room (``^[A-Z]{3}$``: 17,576
        codes), where fixed offsets per gate met again once the values wrapped around."""
        with self._lock:
            first = self._next.get(path, 1)
            self._next[path] = first + count
        return range(first, first + count)

    def number_for(self, op: Operation) -> int:
        """A row number for one body of ``op`` (a probe's), none given out before."""
        collection = self.api.collection_for(op)
        return self.numbers(collection.path if collection else op.path)[0]

    def references(self, collection: Collection, n: int, *, depth: int = 0) -> dict[str, str]:
        """Ids of existing rows for the ``*_id`` fields of the create body (made if needed)."""
        body = collection.create_op.body if collection.create_op else None
        required = set((body or {}).get("required", ()))
        found: dict[str, str] = {}
        for name in (body or {}).get("properties", {}):
            if not name.endswith("_id"):
                continue
            target = self.plan.reference(collection.path, name)
            if target == collection.path and name not in required:
                # An optional reference to its own collection stays empty: the first rows
                # have none to name, and an anonymous creator may not see the others.
                continue
            parent = (
                next((c for c in self.api.collections if c.path == target), None)
                if target is not None
                else self._parent(name.removesuffix("_id"))
            )
            if parent is None or depth > 3:
                continue
            ids = self.rows.get(parent.path, [])
            while len(ids) < 3:
                account = self.creator(parent)
                if account is None:
                    break
                number = self.numbers(parent.path)[0]
                _reply, new_id = self.create(parent, number, account, depth=depth + 1)
                if new_id is None:
                    break
                ids = self.rows.get(parent.path, [])
            if ids:
                found[name] = ids[n % len(ids)]
        return found

    def _parent(self, stem: str) -> Collection | None:
        names = {stem, f"{stem}s", f"{stem}es", f"{stem[:-1]}ies" if stem.endswith("y") else stem}
        return next((c for c in self.api.collections if c.name in names), None)

    def body_for(self, op: Operation, n: int, *, depth: int = 0) -> Any:
        """A valid request body for ``op`` (``Unsupported`` if none can be built)."""
        if op.body is None:
            return None
        collection = self.api.collection_for(op)
        refs = self.references(collection, n, depth=depth) if collection else {}
        if op.body.get("type") == "object" or "properties" in op.body:
            body = sample_body(op.body, n, references=refs)
            if collection is None or not isinstance(body, dict):
                return body
            withheld = self.plan.withholds
            return {k: v for k, v in body.items() if not withheld(collection.path, k)}
        return sample(op.body, n)

    def create(
        self, collection: Collection, n: int, account: Account, *, depth: int = 0
    ) -> tuple[Reply | None, str | None]:
        """Create row ``n`` as ``account``; the id is remembered with its owner."""
        op = collection.create_op
        if op is None:
            return None, None
        try:
            body = self.body_for(op, n, depth=depth)
        except Unsupported:
            return None, None
        reply = self.client.request(
            "POST", op.path, token=account.token if op.secured else None, json_body=body
        )
        new_id = row_id(reply.json()) if 200 <= reply.status < 300 else None
        if new_id is not None:
            with self._lock:
                self.rows.setdefault(collection.path, []).append(new_id)
                self.owners[(collection.path, new_id)] = account.name
        return reply, new_id

    def path_for(self, op: Operation, *, row: str | None = None) -> str:
        """``op.path`` with its path parameters filled: ``row`` first, then existing rows."""
        path = op.path
        for index, param in enumerate(op.params("path")):
            value = row if index == 0 and row is not None else self._existing(op, param.name)
            path = path.replace("{" + param.name + "}", value)
        return path

    def _existing(self, op: Operation, name: str) -> str:
        stem = name.removesuffix("_id") if name.endswith("_id") else None
        collection = self._parent(stem) if stem else self.api.collection_for(op)
        ids = self.rows.get(collection.path, []) if collection else []
        if ids:
            return ids[0]
        param = next(p for p in op.params("path") if p.name == name)
        kind = param.schema.get("type")
        return "1" if kind == "integer" else str(uuid.uuid4())


def messages(say: Callable[[str], None]) -> Progress:
    """A progress callback that prints one message when each task starts (for ``verify``)."""
    seen: set[str] = set()

    def progress(task: str, _done: float, _total: float | None) -> None:
        if task not in seen:
            seen.add(task)
            say(task)

    return progress
