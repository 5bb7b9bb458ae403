"""Full-text search: ``q`` keeps the rows holding every word of it, best matches first.

The index is the database's own (a generated ``tsvector`` column on PostgreSQL, an FTS5
table kept by triggers on SQLite): each test writes rows, changes or deletes them
through the repositories and reads the list through the API, so an index that fell
behind a write would show here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from anyio import to_thread
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.cli import main
from app.repositories import product as product_repo
from tests import factories
from tests import test_product as product_tests
from tests.factories import Account
from tests.helpers import assert_error, data, ids, listed

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
# Words no sample row holds, written into a searched field (20 characters each).
BEST = "quokka quokka quokka"
OTHER = "quokka zephyr marmot"
MISS = "zephyr marmot walrus"


async def test_product_search_finds_every_word_best_match_first(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    best = await factories.create_product(db, caller, 0, **{"name": BEST})
    other = await factories.create_product(db, caller, 1, **{"name": OTHER})
    await factories.create_product(db, caller, 2, **{"name": MISS})
    collection = product_tests.COLLECTION
    # Case and punctuation are not words: they change nothing.
    found = await listed(client, collection, caller.headers, {"q": "QUOKKA!"})
    assert found == [str(best["id"]), str(other["id"])]
    assert await listed(client, collection, caller.headers, {"q": "quokka, zephyr"}) == [
        str(other["id"])
    ]
    assert await listed(client, collection, caller.headers, {"q": "quokka walrus"}) == []
    # English words are matched by their stem: "quokkas" finds "quokka".
    assert await listed(client, collection, caller.headers, {"q": "quokkas"}) == found
    # A sort given wins over the rank; paging and the total count only the matches.
    newest = await listed(
        client, collection, caller.headers, {"q": "quokka", "sort": "-created_at"}
    )
    assert newest == [str(other["id"]), str(best["id"])]
    first = await client.get(collection, params={"q": "quokka", "limit": 1}, headers=caller.headers)
    assert ids(first) == [str(best["id"])]
    assert first.json()["meta"]["total"] == 2
    # Every page of them: the spec's page size may be smaller than the matches.
    ranked = await listed(client, collection, caller.headers, {"q": "quokka", "sort": "relevance"})
    assert ranked == found


async def test_product_search_follows_every_write(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    row = await factories.create_product(db, caller, 0, **{"name": MISS})
    collection = product_tests.COLLECTION
    assert await listed(client, collection, caller.headers, {"q": "quokka"}) == []
    await product_repo.update_product(db, row["id"], {"name": OTHER})
    await db.commit()
    assert await listed(client, collection, caller.headers, {"q": "quokka"}) == [str(row["id"])]
    assert await listed(client, collection, caller.headers, {"q": "walrus"}) == []
    assert await product_repo.delete_product(db, row["id"])
    await db.commit()
    assert await listed(client, collection, caller.headers, {"q": "quokka"}) == []


async def test_product_search_index_is_rebuilt_by_the_cli(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caller = await make_user("customer")
    row = await factories.create_product(db, caller, 0, **{"name": BEST})
    collection = product_tests.COLLECTION
    if db.dialect.name == "sqlite":
        # What a VACUUM that renumbered the rows leaves: an index that finds nothing.
        await db.execute(
            text("""INSERT INTO "_search_products" ("_search_products") VALUES ('delete-all')""")
        )
        await db.commit()
        assert await listed(client, collection, caller.headers, {"q": "quokka"}) == []
    # The command runs its own event loop, so it runs in a thread here.
    assert await to_thread.run_sync(main, ["reindex"]) == 0
    assert "rebuilt the full-text indexes" in capsys.readouterr().out
    assert await listed(client, collection, caller.headers, {"q": "quokka"}) == [str(row["id"])]


async def test_product_search_refuses_a_q_without_words(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    collection = product_tests.COLLECTION
    for q in ("", "!?* -", '"', "x" * 201):
        response = await client.get(collection, params={"q": q}, headers=caller.headers)
        assert_error(response, 422, "VALIDATION_ERROR", fields={"query.q"})
    # The rank exists only for a search.
    response = await client.get(collection, params={"sort": "relevance"}, headers=caller.headers)
    assert_error(response, 422, "VALIDATION_ERROR", fields={"query.sort"})
    # Operators of either database's query syntax are plain words here.
    for q in ("a OR b", "NOT x", "title:x", "x*", "(x", "x & !y", "NEAR(a b)"):
        response = await client.get(collection, params={"q": q}, headers=caller.headers)
        assert data(response) == []
