"""Seeding realistic rows through the API itself, concurrently, and checking they are there."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from backend_agent.verify.live.operations import PAGING_NAMES, Collection, row_count, rows_of
from backend_agent.verify.live.plan import Account
from backend_agent.verify.live.target import Progress, Target

__all__ = ["Seeded", "seed_collection"]


@dataclass(frozen=True)
class Seeded:
    """What seeding one collection did."""

    collection: str
    requested: int
    created: int
    statuses: dict[str, int]
    seconds: float
    listed_total: int | None  # what the list operation reports afterwards
    account: str | None
    failure: str | None = None  # the first failed response, for the report
    notes: list[str] = field(default_factory=list)

    def record(self) -> dict[str, object]:
        """This result as plain JSON data."""
        return {
            "collection": self.collection,
            "requested": self.requested,
            "created": self.created,
            "statuses": self.statuses,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.created / self.seconds, 1) if self.seconds else None,
            "listed_total": self.listed_total,
            "account": self.account,
            "first_failure": self.failure,
            "notes": self.notes,
        }


def seed_collection(
    target: Target,
    collection: Collection,
    count: int,
    *,
    workers: int = 8,
    progress: Progress,
    task: str = "seeding",
) -> Seeded:
    """Create ``count`` rows in ``collection`` as an account allowed to, ``workers`` at a time."""
    account = target.creator(collection)
    if account is None or collection.create_op is None:
        reason = "no account may create rows here" if collection.create_op else "no create op"
        return Seeded(collection.path, count, 0, {}, 0.0, None, None, reason)
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    done = 0
    lock = threading.Lock()
    target.references(collection, 0)  # parents first, outside the worker threads
    first = target.numbers(collection.path, count).start - 1  # row k is number first + k

    def one(k: int) -> None:
        reply, new_id = target.create(collection, first + k, account)
        with lock:
            statuses[str(reply.status) if reply else "unsupported"] += 1
            if new_id is None and not failures:
                failures.append(
                    f"{reply.status} {reply.body[:300]!r}" if reply else "no valid body was built"
                )

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        step = max(1, min(500, count // 50 or 1))
        for start in range(1, count + 1, step):
            batch = range(start, min(count, start + step - 1) + 1)
            list(pool.map(one, batch))
            done += len(batch)
            progress(task, done, count)
            if (
                failures
                and statuses.total() >= 20
                and not sum(v for k, v in statuses.items() if k.startswith("2"))
            ):
                break  # nothing is being created: stop instead of sending thousands of failures
    seconds = time.monotonic() - started
    created = sum(v for k, v in statuses.items() if k.startswith("2"))
    notes = []
    if created and _hidden_from_creator(target, collection, account):
        # Rows that belong to someone other than their creator (a sign-up makes a user
        # who is not the caller): the API rightly hides them from the creating account,
        # so they can neither be counted in its list nor read or loaded by it.
        target.forget(collection)
        notes.append(f"the rows are not readable by {account.name}, who created them")
    total = None
    if collection.list_op is not None:
        reply = target.client.request(
            "GET",
            collection.list_op.path,
            token=account.token if collection.list_op.secured else None,
        )
        body = reply.json()
        total = row_count(body)
        paged = any(p.name in PAGING_NAMES for p in collection.list_op.params("query"))
        if total is None and rows_of(body) is not None and not paged:
            total = len(rows_of(body) or [])  # an unpaged list is all the rows
    return Seeded(
        collection=collection.path,
        requested=count,
        created=created,
        statuses=dict(statuses),
        seconds=seconds,
        listed_total=total,
        account=account.name,
        failure=failures[0] if failures else None,
        notes=notes,
    )


def _hidden_from_creator(target: Target, collection: Collection, account: Account) -> bool:
    """Whether the first row made in ``collection`` answers 403/404 to its creator."""
    read = collection.read_op
    ids = target.rows.get(collection.path)
    if read is None or not ids:
        return False
    reply = target.client.request(
        "GET", target.path_for(read, row=ids[0]), token=account.token if read.secured else None
    )
    return reply.status in (403, 404)
