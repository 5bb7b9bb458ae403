"""Review endpoints: success, validation, authentication, roles, ownership, paging."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories import review as repo
from tests import factories
from tests.factories import Account
from tests.helpers import MAX_PAGE_SIZE, assert_error, data, ids, listed

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
COLLECTION = "/api/v1/reviews"
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
    """A body the API accepts, with parent rows for its foreign keys."""
    body: dict[str, Any] = {"rating": 1, "title": "Sample title", "body": "Sample body"}
    body["product_id"] = str((await factories.create_product(db, owner))["id"])
    return body


async def test_create_returns_the_row_and_its_location(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
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
    actor = await make_user("customer")
    body = await valid_body(db, actor)
    body["rating"] = {"not": "valid"}
    body["id"] = str(uuid.uuid4())
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    assert_error(response, 422, "VALIDATION_ERROR", fields={"rating", "id"})


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


async def test_create_with_a_taken_unique_value_is_a_conflict(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    body = await valid_body(db, actor)
    data(await client.post(COLLECTION, json=body, headers=actor.headers), 201)
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    assert_error(response, 409, "CONFLICT", fields={"owner_id", "product_id"})


async def test_create_refuses_an_unknown_product_id(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    body = await valid_body(db, actor) | {"product_id": str(UNKNOWN)}
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    assert_error(response, 422, "VALIDATION_ERROR", fields={"product_id"})


async def test_read_unknown_is_not_found(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    caller = await make_user("customer")
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
    caller = await make_user("customer")
    lister = await make_user("customer")  # list and read may name other roles
    row = await factories.create_review(db, caller)
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


async def test_list_pages_by_cursor(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    rows = [await factories.create_review(db, caller, n) for n in range(3)]
    limit = min(2, MAX_PAGE_SIZE)  # a page shorter than the three rows
    page = await client.get(COLLECTION, params={"limit": limit}, headers=caller.headers)
    assert len(data(page)) == limit
    meta = page.json()["meta"]
    assert set(meta) == {"limit", "next_cursor"}
    assert meta["limit"] == limit
    # The next page's URL is this one's with the cursor (RFC 8288).
    link = page.headers["Link"]
    assert link.startswith("<")
    assert link.endswith('>; rel="next"')
    following = httpx.URL(link[1 : -len('>; rel="next"')])
    assert following.path == page.url.path
    assert dict(following.params) == {"limit": str(limit), "cursor": meta["next_cursor"]}
    seen = ids(page)
    while meta["next_cursor"] is not None:
        page = await client.get(
            COLLECTION,
            params={"limit": limit, "cursor": meta["next_cursor"]},
            headers=caller.headers,
        )
        meta = page.json()["meta"]
        seen += ids(page)
    assert "Link" not in page.headers  # the last page names no next one
    assert sorted(seen) == sorted(str(row["id"]) for row in rows)
    largest = await client.get(COLLECTION, params={"limit": MAX_PAGE_SIZE}, headers=caller.headers)
    assert len(data(largest)) == min(3, MAX_PAGE_SIZE)
    assert (largest.json()["meta"]["next_cursor"] is None) == (MAX_PAGE_SIZE >= 3)


async def test_list_cursor_holds_its_place_while_rows_are_added(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    rows = [str((await factories.create_review(db, caller, n))["id"]) for n in range(3)]
    first = await client.get(COLLECTION, params={"limit": 1}, headers=caller.headers)
    # Rows added between two pages: newer, so before the cursor in the newest-first order.
    added = [str((await factories.create_review(db, caller))["id"]) for _ in range(2)]
    after = {"cursor": first.json()["meta"]["next_cursor"]}
    seen = ids(first) + await listed(client, COLLECTION, caller.headers, after, limit=1)
    # Every row that was there is seen once, none of the new ones shifted a page.
    assert sorted(seen) == sorted(rows)
    assert set(added).isdisjoint(seen)
    assert (await listed(client, COLLECTION, caller.headers))[:2] == added[::-1]


@pytest.mark.parametrize("sort", ["rating", "-rating", "created_at", "-created_at"])
async def test_list_pages_by_cursor_in_every_order(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, sort: str
) -> None:
    caller = await make_user("customer")
    for n in range(3):
        await factories.create_review(db, caller, n)
    for _ in range(2):  # fresh copies of sample 0: equal keys where its field is not unique
        await factories.create_review(db, caller)
    whole = await listed(client, COLLECTION, caller.headers, {"sort": sort})
    # Row after row, each page a cursor after the last: the same rows in the same order.
    assert await listed(client, COLLECTION, caller.headers, {"sort": sort}, limit=1) == whole
    assert len(set(whole)) == len(whole) == 5


async def test_list_refuses_a_cursor_it_did_not_make(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    for n in range(3):
        await factories.create_review(db, caller, n)
    cursor = (await client.get(COLLECTION, params={"limit": 1}, headers=caller.headers)).json()[
        "meta"
    ]["next_cursor"]
    middle = len(cursor) // 2  # a character of six whole bits (the last may carry padding)
    forged = cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]
    for bad in (forged, cursor + "x", "not-a-cursor", "x" * 1001):
        response = await client.get(COLLECTION, params={"cursor": bad}, headers=caller.headers)
        assert_error(response, 422, "VALIDATION_ERROR", fields={"query.cursor"})
    # A cursor names a place in one order: another sort refuses it.
    other = next(
        s for s in ["rating", "-rating", "created_at", "-created_at"] if s != "-created_at"
    )
    response = await client.get(
        COLLECTION, params={"cursor": cursor, "sort": other}, headers=caller.headers
    )
    assert_error(response, 422, "VALIDATION_ERROR", fields={"query.cursor"})


async def test_list_sorts(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    rows = [str((await factories.create_review(db, caller, n))["id"]) for n in range(3)]
    assert await listed(client, COLLECTION, caller.headers) == [rows[2], rows[1], rows[0]]
    ascending = await listed(client, COLLECTION, caller.headers, {"sort": "rating"})
    assert ascending == rows
    descending = await listed(client, COLLECTION, caller.headers, {"sort": "-rating"})
    assert descending == rows[::-1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"rating": "1"}, (0,)),
        ({"rating_min": "2"}, (1, 2)),
        ({"rating_max": "2"}, (0, 1)),
    ],
)
async def test_list_filters(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    params: dict[str, str],
    expected: tuple[int, ...],
) -> None:
    caller = await make_user("customer")
    rows = [str((await factories.create_review(db, caller, n))["id"]) for n in range(3)]
    found = await listed(client, COLLECTION, caller.headers, params)
    assert sorted(found) == sorted(rows[n] for n in expected)


async def test_list_refuses_bad_parameters(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    caller = await make_user("customer")
    params = {"limit": "0", "page": "0", "sort": "no-such-field", "no_such_filter": "1"}
    response = await client.get(COLLECTION, params=params, headers=caller.headers)
    fields = {"query.limit", "query.page", "query.sort", "query.no_such_filter"}
    assert_error(response, 422, "VALIDATION_ERROR", fields=fields)
    huge = await client.get(COLLECTION, params={"page": str(10**30)}, headers=caller.headers)
    assert_error(huge, 422, "VALIDATION_ERROR", fields={"query.page"})


async def test_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, count_queries: Any
) -> None:
    caller = await make_user("customer")
    # Pages that three rows and six leave not full (then the page's length is the total),
    # or, where the spec's pages are shorter, that both fill (then a count query follows).
    limit = MAX_PAGE_SIZE if MAX_PAGE_SIZE > 6 else min(3, MAX_PAGE_SIZE)
    for n in range(3):
        await factories.create_review(db, caller, n)
    with count_queries() as few:
        data(await client.get(COLLECTION, params={"limit": limit}, headers=caller.headers))
    for n in range(3, 6):
        await factories.create_review(db, caller, n)
    with count_queries() as many:
        rows = data(await client.get(COLLECTION, params={"limit": limit}, headers=caller.headers))
        assert len(rows) == min(6, limit)
    # One query for the caller's session, one for the page (and one to count a full
    # page): the same queries for three rows or six, never one per row.
    assert len(few) == len(many) <= (2 if limit > 6 else 3)


async def test_replace_and_update(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_review(db, actor)
    body = await valid_body(db, actor)
    replaced = data(await client.put(item(row["id"]), json=body, headers=actor.headers))
    assert replaced["id"] == str(row["id"])
    assert replaced["updated_at"] >= replaced["created_at"]
    changes = {"rating": 1}
    updated = data(await client.patch(item(row["id"]), json=changes, headers=actor.headers))
    assert updated["rating"] == changes["rating"]
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
    refused = await client.patch(item(row["id"]), json={"rating": None}, headers=actor.headers)
    assert_error(refused, 422, "VALIDATION_ERROR", fields={"rating"})
    missing = await client.put(item(UNKNOWN), json=body, headers=actor.headers)
    assert_error(missing, 404, "NOT_FOUND")
    assert_error(
        await client.patch(item(UNKNOWN), json={}, headers=actor.headers), 404, "NOT_FOUND"
    )


async def test_update_needs_a_token(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    row = await factories.create_review(db, await make_user("customer"))
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
    owner = await make_user("customer")
    row = await factories.create_review(db, owner)
    stranger = await make_user("customer")
    response = await client.patch(item(row["id"]), json={}, headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")
    # The owner's own body (its references are rows the stranger may not see): the row
    # is out of the stranger's reach before any value is checked.
    body = await valid_body(db, owner)
    response = await client.put(item(row["id"]), json=body, headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")


async def test_delete(client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser) -> None:
    actor = await make_user("customer")
    row = await factories.create_review(db, actor)
    response = await client.delete(item(row["id"]), headers=actor.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(await client.delete(item(row["id"]), headers=actor.headers), 404, "NOT_FOUND")
    # Gone for those who may read and list the rows too.
    reader = actor
    assert_error(await client.get(item(row["id"]), headers=reader.headers), 404, "NOT_FOUND")
    lister = reader
    assert await listed(client, COLLECTION, lister.headers) == []
    assert await db.scalar(select(repo.reviews.c.id).where(repo.reviews.c.id == row["id"])) is None


async def test_delete_needs_a_token(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    row = await factories.create_review(db, await make_user("customer"))
    assert_error(await client.delete(item(row["id"])), 401, "AUTHENTICATION_REQUIRED")
    assert_error(await client.delete(item("not-a-uuid")), 401, "AUTHENTICATION_REQUIRED")


async def test_delete_by_a_stranger_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    row = await factories.create_review(db, await make_user("customer"))
    stranger = await make_user("customer")
    response = await client.delete(item(row["id"]), headers=stranger.headers)
    assert_error(response, 403, "FORBIDDEN")
