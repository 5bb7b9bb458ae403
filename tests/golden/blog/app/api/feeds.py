"""The change feed of each entity (app/api/realtime.py), by the name its changes carry:
its read rule, the fields only some roles see, and the parent whose read rule keeps
rows out of some callers' reach."""

from __future__ import annotations

from app.api.realtime import Feed
from app.services import bookmark as bookmark_service
from app.services import comment as comment_service
from app.services import post as post_service
from app.services import tag as tag_service

FEEDS: dict[str, Feed] = {
    post_service.ENTITY: Feed(
        entity=post_service.ENTITY,
        rule=post_service.RULES["read"],
    ),
    comment_service.ENTITY: Feed(
        entity=comment_service.ENTITY,
        rule=comment_service.RULES["read"],
    ),
    tag_service.ENTITY: Feed(
        entity=tag_service.ENTITY,
        rule=tag_service.RULES["read"],
    ),
    bookmark_service.ENTITY: Feed(
        entity=bookmark_service.ENTITY,
        rule=bookmark_service.RULES["read"],
    ),
}
