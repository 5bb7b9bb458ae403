"""Post endpoints: success, validation, authentication, roles, ownership, paging."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories import bookmark as bookmark_repo
from app.repositories import comment as comment_repo
from app.repositories import post as repo
from tests import factories
from tests.factories import Account
from tests.helpers import MAX_PAGE_SIZE, assert_error, data, ids, listed

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
COLLECTION = "/api/v1/posts"
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-ffffffffffff")
# Content types of bodies that are not JSON: refused with 415 once the caller may act.
NOT_JSON = ("text/plain", "application/x-www-form-urlencoded")
# Bodies no endpoint accepts: (bytes, content type). A caller who may not act gets 401
# or 403 for each, never what is wrong with it.
BAD_BODIES = (
    (b"{", "application/json"),
    (b'{"no_such_field": 1}', "application/json"),
    (b"no_such_field=1", "application/x-www-form-urlencoded"),
)


def item(row_id: Any) -> str:
    return f"{COLLECTION}/{row_id}"


async def valid_body(db: AsyncConnection, owner: Account) -> dict[str, Any]:
    """A body the API accepts."""
    body: dict[str, Any] = {
        "title": "Hello, world",
        "body": "Sample body",
        "status": "draft",
        "published_at": "2024-01-01T00:00:00+00:00",
    }
    return body


async def test_create_returns_the_row_and_its_location(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    body = await valid_body(db, actor)
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    row = data(response, 201)
    assert response.headers["Location"] == item(row["id"])
    assert row["owner_id"] == str(actor.id)
    assert {key: row[key] for key in body} == body
    assert "deleted_at" not in row
    assert data(await client.get(item(row["id"]), headers=actor.headers))["id"] == row["id"]


async def test_create_names_each_invalid_field(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    body = await valid_body(db, actor)
    body["title"] = {"not": "valid"}
    body["id"] = str(uuid.uuid4())
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    assert_error(response, 422, "VALIDATION_ERROR", fields={"title", "id"})


async def test_create_needs_a_token(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    body = await valid_body(db, await make_user())
    response = await client.post(COLLECTION, json=body)
    assert_error(response, 401, "AUTHENTICATION_REQUIRED")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    # The caller first: an anonymous caller learns nothing of what a valid body is.
    for content, content_type in BAD_BODIES:
        refused = await client.post(
            COLLECTION, content=content, headers={"Content-Type": content_type}
        )
        assert_error(refused, 401, "AUTHENTICATION_REQUIRED")


async def test_create_is_refused_to_role_reader(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("reader")
    response = await client.post(
        COLLECTION, json=await valid_body(db, caller), headers=caller.headers
    )
    assert_error(response, 403, "FORBIDDEN")
    for content, content_type in BAD_BODIES:
        headers = caller.headers | {"Content-Type": content_type}
        assert_error(
            await client.post(COLLECTION, content=content, headers=headers), 403, "FORBIDDEN"
        )


async def test_a_datetime_without_an_offset_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    # A time without its offset from UTC is a guess: refused, never taken as UTC.
    actor = await make_user("author")
    body = await valid_body(db, actor) | {"published_at": "2024-01-31T09:30:00"}
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    assert_error(response, 422, "VALIDATION_ERROR", fields={"published_at"})
    body["published_at"] = "2024-01-31T09:30:00+02:00"
    row = data(await client.post(COLLECTION, json=body, headers=actor.headers), 201)
    assert row["published_at"].startswith("2024-01-31T07:30:00")
    caller = await make_user("reader")
    params = {"published_at": "2024-01-31T09:30:00"}
    refused = await client.get(COLLECTION, params=params, headers=caller.headers)
    assert_error(refused, 422, "VALIDATION_ERROR", fields={"query.published_at"})


async def test_read_unknown_is_not_found(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    caller = await make_user("reader")
    assert_error(await client.get(item(UNKNOWN), headers=caller.headers), 404, "NOT_FOUND")
    assert_error(
        await client.get(item("not-a-uuid"), headers=caller.headers),
        422,
        "VALIDATION_ERROR",
        fields={"path.id"},
    )


async def test_extra_slashes_are_redirected_or_not_found(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("reader")
    lister = await make_user("reader")  # list and read may name other roles
    row = await factories.create_post(db, caller)
    for path, who in ((f"{COLLECTION}/", lister), (f"{item(row['id'])}/", caller)):
        found = await client.get(path, headers=who.headers, follow_redirects=True)
        assert found.status_code == 200, path
    prefix, _, plural = COLLECTION.rpartition("/")
    variants = (
        f"{COLLECTION}/",
        f"{COLLECTION}//",
        f"{item(row['id'])}/",
        f"{COLLECTION}//{row['id']}",
        f"{prefix}//{plural}",
        f"{prefix}//{plural}/{row['id']}",
    )
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        for path in variants:
            response = await client.request(method, path, headers=caller.headers)
            if response.status_code == 307:
                # To the same path without its trailing slash, on this host only.
                assert response.headers["Location"] == f"http://test{path.rstrip('/')}", (
                    method,
                    path,
                )
            elif method == "HEAD":
                assert response.status_code in (404, 405), (method, path)
            else:
                code = "NOT_FOUND" if response.status_code == 404 else "METHOD_NOT_ALLOWED"
                assert_error(response, response.status_code, code)
                assert response.status_code in (404, 405), (method, path)


async def test_list_pages_with_a_total(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("reader")
    rows = [await factories.create_post(db, caller, n) for n in range(3)]
    limit = min(2, MAX_PAGE_SIZE)  # a page shorter than the three rows
    first = await client.get(COLLECTION, params={"limit": limit}, headers=caller.headers)
    assert len(data(first)) == limit
    assert first.json()["meta"] == {"page": 1, "limit": limit, "total": 3}
    seen = ids(first)
    for page in range(2, -(-3 // limit) + 1):
        later = await client.get(
            COLLECTION, params={"limit": limit, "page": page}, headers=caller.headers
        )
        assert later.json()["meta"]["total"] == 3
        seen += ids(later)
    assert sorted(seen) == sorted(str(row["id"]) for row in rows)
    beyond = await client.get(
        COLLECTION, params={"limit": limit, "page": 5}, headers=caller.headers
    )
    assert data(beyond) == []
    assert beyond.json()["meta"]["total"] == 3
    largest = await client.get(COLLECTION, params={"limit": MAX_PAGE_SIZE}, headers=caller.headers)
    assert largest.json()["meta"] == {"page": 1, "limit": MAX_PAGE_SIZE, "total": 3}
    assert len(data(largest)) == min(3, MAX_PAGE_SIZE)


async def test_list_sorts(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("reader")
    rows = [str((await factories.create_post(db, caller, n))["id"]) for n in range(3)]
    assert await listed(client, COLLECTION, caller.headers) == [rows[2], rows[1], rows[0]]
    ascending = await listed(client, COLLECTION, caller.headers, {"sort": "title"})
    assert ascending == rows
    descending = await listed(client, COLLECTION, caller.headers, {"sort": "-title"})
    assert descending == rows[::-1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "draft"}, (0, 2)),
        ({"published_at": "2024-01-01T00:00:00+00:00"}, (0,)),
        ({"published_at_min": "2024-01-01T01:00:00+00:00"}, (1, 2)),
        ({"published_at_max": "2024-01-01T01:00:00+00:00"}, (0, 1)),
    ],
)
async def test_list_filters(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    params: dict[str, str],
    expected: tuple[int, ...],
) -> None:
    caller = await make_user("reader")
    rows = [str((await factories.create_post(db, caller, n))["id"]) for n in range(3)]
    found = await listed(client, COLLECTION, caller.headers, params)
    assert sorted(found) == sorted(rows[n] for n in expected)


async def test_list_refuses_bad_parameters(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    caller = await make_user("reader")
    params = {"limit": "0", "page": "0", "sort": "no-such-field", "no_such_filter": "1"}
    response = await client.get(COLLECTION, params=params, headers=caller.headers)
    fields = {"query.limit", "query.page", "query.sort", "query.no_such_filter"}
    assert_error(response, 422, "VALIDATION_ERROR", fields=fields)
    huge = await client.get(COLLECTION, params={"page": str(10**30)}, headers=caller.headers)
    assert_error(huge, 422, "VALIDATION_ERROR", fields={"query.page"})


async def test_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, count_queries: Any
) -> None:
    caller = await make_user("reader")
    # Pages that three rows and six leave not full (then the page's length is the total),
    # or, where the spec's pages are shorter, that both fill (then a count query follows).
    limit = MAX_PAGE_SIZE if MAX_PAGE_SIZE > 6 else min(3, MAX_PAGE_SIZE)
    for n in range(3):
        await factories.create_post(db, caller, n)
    with count_queries() as few:
        data(await client.get(COLLECTION, params={"limit": limit}, headers=caller.headers))
    for n in range(3, 6):
        await factories.create_post(db, caller, n)
    with count_queries() as many:
        rows = data(await client.get(COLLECTION, params={"limit": limit}, headers=caller.headers))
        assert len(rows) == min(6, limit)
    # One query for the caller's session, one for the page (and one to count a full
    # page): the same queries for three rows or six, never one per row.
    assert len(few) == len(many) <= (2 if limit > 6 else 3)


async def test_replace_and_update(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    body = await valid_body(db, actor)
    replaced = data(await client.put(item(row["id"]), json=body, headers=actor.headers))
    assert replaced["id"] == str(row["id"])
    assert replaced["updated_at"] >= replaced["created_at"]
    changes = {"title": "Hello, world"}
    updated = data(await client.patch(item(row["id"]), json=changes, headers=actor.headers))
    assert updated["title"] == changes["title"]
    unchanged = data(await client.patch(item(row["id"]), json={}, headers=actor.headers))
    assert unchanged["id"] == str(row["id"])
    for content_type in NOT_JSON:
        headers = actor.headers | {"Content-Type": content_type}
        assert_error(
            await client.put(item(row["id"]), content=b"{}", headers=headers),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        )
        assert_error(
            await client.patch(item(row["id"]), content=b"{}", headers=headers),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        )
    refused = await client.patch(item(row["id"]), json={"title": None}, headers=actor.headers)
    assert_error(refused, 422, "VALIDATION_ERROR", fields={"title"})
    missing = await client.put(item(UNKNOWN), json=body, headers=actor.headers)
    assert_error(missing, 404, "NOT_FOUND")
    assert_error(
        await client.patch(item(UNKNOWN), json={}, headers=actor.headers), 404, "NOT_FOUND"
    )


async def test_update_needs_a_token(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    row = await factories.create_post(db, await make_user("author"))
    assert_error(await client.patch(item(row["id"]), json={}), 401, "AUTHENTICATION_REQUIRED")
    for content, content_type in BAD_BODIES:
        headers = {"Content-Type": content_type}
        for path in (item(row["id"]), item("not-a-uuid")):
            assert_error(
                await client.put(path, content=content, headers=headers),
                401,
                "AUTHENTICATION_REQUIRED",
            )
            assert_error(
                await client.patch(path, content=content, headers=headers),
                401,
                "AUTHENTICATION_REQUIRED",
            )


async def test_update_by_a_stranger_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    owner = await make_user("author")
    row = await factories.create_post(db, owner)
    stranger = await make_user("author")
    response = await client.patch(item(row["id"]), json={}, headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")
    # The owner's own body (its references are rows the stranger may not see): the row
    # is out of the stranger's reach before any value is checked.
    body = await valid_body(db, owner)
    response = await client.put(item(row["id"]), json=body, headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")
    exempt = await make_user("admin")
    assert data(await client.patch(item(row["id"]), json={}, headers=exempt.headers))["id"] == str(
        row["id"]
    )


async def test_delete(client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    response = await client.delete(item(row["id"]), headers=actor.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(await client.delete(item(row["id"]), headers=actor.headers), 404, "NOT_FOUND")
    # Gone for those who may read and list the rows too.
    reader = await make_user("reader")
    assert_error(await client.get(item(row["id"]), headers=reader.headers), 404, "NOT_FOUND")
    lister = reader
    assert await listed(client, COLLECTION, lister.headers) == []
    # Soft delete: the row is still stored, marked, and invisible to the API.
    kept = await db.scalar(select(repo.posts.c.deleted_at).where(repo.posts.c.id == row["id"]))
    assert kept is not None


async def test_delete_needs_a_token(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    row = await factories.create_post(db, await make_user("author"))
    assert_error(await client.delete(item(row["id"])), 401, "AUTHENTICATION_REQUIRED")
    assert_error(await client.delete(item("not-a-uuid")), 401, "AUTHENTICATION_REQUIRED")


async def test_delete_by_a_stranger_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    row = await factories.create_post(db, await make_user("author"))
    stranger = await make_user("author")
    response = await client.delete(item(row["id"]), headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")


async def test_a_soft_delete_hides_its_comment_rows_by_post_id(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    child = await factories.create_comment(db, actor, post_id=row["id"])
    assert await comment_repo.get_comment(db, child["id"]) is not None
    assert (await client.delete(item(row["id"]), headers=actor.headers)).status_code == 204
    # ON DELETE CASCADE, softly: the child stays stored but no read path finds it.
    assert await comment_repo.get_comment(db, child["id"]) is None
    assert not await comment_repo.comment_exists(db, child["id"])


async def test_a_soft_delete_hides_its_bookmark_rows_by_post_id(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    child = await factories.create_bookmark(db, actor, post_id=row["id"])
    assert await bookmark_repo.get_bookmark(db, child["id"]) is not None
    assert (await client.delete(item(row["id"]), headers=actor.headers)).status_code == 204
    # ON DELETE CASCADE, softly: the child stays stored but no read path finds it.
    assert await bookmark_repo.get_bookmark(db, child["id"]) is None
    assert not await bookmark_repo.bookmark_exists(db, child["id"])


async def test_tags_link_list_and_unlink(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    targets = [await factories.create_tag(db, actor, n) for n in range(2)]
    related = f"{item(row['id'])}/tags"
    for target in targets:
        for _ in range(2):  # linking is idempotent
            response = await client.put(f"{related}/{target['id']}", headers=actor.headers)
            assert response.status_code == 204, response.text
    linked = await client.get(related, headers=actor.headers)
    assert linked.json()["meta"].get("total", 2) == 2  # (paged by cursor: no total)
    assert sorted(await listed(client, related, actor.headers)) == sorted(
        str(target["id"]) for target in targets
    )
    response = await client.delete(f"{related}/{targets[0]['id']}", headers=actor.headers)
    assert response.status_code == 204
    assert ids(await client.get(related, headers=actor.headers)) == [str(targets[1]["id"])]
    missing = await client.put(f"{related}/{UNKNOWN}", headers=actor.headers)
    assert_error(missing, 404, "NOT_FOUND")
    assert_error(await client.get(f"{item(UNKNOWN)}/tags", headers=actor.headers), 404, "NOT_FOUND")
    unknown_row = await client.put(
        f"{item(UNKNOWN)}/tags/{targets[0]['id']}", headers=actor.headers
    )
    assert_error(unknown_row, 404, "NOT_FOUND")


async def test_tags_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, count_queries: Any
) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    related = f"{item(row['id'])}/tags"
    # Pages one to three links leave not full, or, where the spec's pages are shorter,
    # pages of one row that each fills (then a count query follows).
    limit = MAX_PAGE_SIZE if MAX_PAGE_SIZE > 3 else 1
    counts = []
    for n in range(3):
        target = await factories.create_tag(db, actor, n)
        await client.put(f"{related}/{target['id']}", headers=actor.headers)
        with count_queries() as queries:
            page = data(await client.get(related, params={"limit": limit}, headers=actor.headers))
            assert len(page) == min(n + 1, limit)
        counts.append(len(queries))
    # The session, the row's visibility (and its parents', one query a level), then one
    # query for the page (and one to count a full page): never one per link.
    assert counts[0] == counts[1] == counts[2] <= (3 if limit > 3 else 4) + 0


async def test_tags_cannot_be_changed_by_a_stranger(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("author")
    row = await factories.create_post(db, actor)
    target = await factories.create_tag(db, actor)
    stranger = await make_user("author")
    response = await client.put(f"{item(row['id'])}/tags/{target['id']}", headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")
