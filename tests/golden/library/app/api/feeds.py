"""The change feed of each entity (app/api/realtime.py), by the name its changes carry:
its read rule, the fields only some roles see, and the parent whose read rule keeps
rows out of some callers' reach."""

from __future__ import annotations

from app.api.realtime import Feed
from app.services import author as author_service
from app.services import book as book_service
from app.services import loan as loan_service

FEEDS: dict[str, Feed] = {
    author_service.ENTITY: Feed(
        entity=author_service.ENTITY,
        rule=author_service.RULES["read"],
    ),
    book_service.ENTITY: Feed(
        entity=book_service.ENTITY,
        rule=book_service.RULES["read"],
    ),
    loan_service.ENTITY: Feed(
        entity=loan_service.ENTITY,
        rule=loan_service.RULES["read"],
    ),
}
