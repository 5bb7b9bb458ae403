"""GraphQL (/graphql) answers as REST does: the same rows, the same refusals.

Every read, list, create, update and delete is sent both ways by every kind of caller
(anonymous, each role, the rows' owner and a stranger), on rows made by each role: the
outcome (the REST envelope's code, or ``extensions.code`` of the GraphQL error) and
the rows must match, so every rule the REST tests prove holds over GraphQL too. Then
the limits (depth, fields, introspection), the errors, and the schema itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from graphql import GraphQLObjectType, build_schema, get_named_type, is_leaf_type
from sqlalchemy import UniqueConstraint, delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api.graphql import SCHEMA_FILE
from app.core.pagination import MAX_PAGE_SIZE
from app.main import create_app
from app.models import Base
from tests import factories
from tests.apps import serving
from tests.conftest import make_settings
from tests.factories import Account
from tests.helpers import data, pages
from tests.test_author import valid_body as author_body
from tests.test_book import valid_body as book_body
from tests.test_loan import valid_body as loan_body

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
Outcome = tuple[str, Any]  # "OK" and the data, or the error's code and None
ROLES = ("librarian", "member")
SCHEMA = build_schema(SCHEMA_FILE.read_text("utf-8"))


def scalar_fields(name: str) -> list[str]:
    """The fields of the type ``name`` that hold values, not rows of a relation."""
    kind = SCHEMA.type_map[name]
    assert isinstance(kind, GraphQLObjectType)
    return [key for key, value in kind.fields.items() if is_leaf_type(get_named_type(value.type))]


def offered(mutation: str) -> str | None:
    """``mutation``, if the schema has it (an entity may not take every write)."""
    root = SCHEMA.mutation_type
    return mutation if root is not None and mutation in root.fields else None


def takes_input(mutation: str) -> bool:
    root = SCHEMA.mutation_type
    return root is not None and "input" in root.fields[mutation].args


@dataclass(frozen=True)
class Case:
    """One entity, over REST and over GraphQL."""

    type: str
    table: str
    collection: str
    item: str
    list: str
    create: str | None
    update: str | None
    delete: str | None
    factory: Callable[..., Awaitable[dict[str, Any]]]
    body: Callable[[AsyncConnection, Account], Awaitable[dict[str, Any]]]
    patch: dict[str, Any]

    @property
    def fields(self) -> str:
        """Every field of the type that holds a value (not rows), as a selection."""
        return " ".join(scalar_fields(self.type))

    @property
    def keyset(self) -> bool:
        page = SCHEMA.type_map[f"{self.type}Page"]
        assert isinstance(page, GraphQLObjectType)
        return "next_cursor" in page.fields


CASES = (
    Case(
        type="Author",
        table="authors",
        collection="/api/v1/authors",
        item="author",
        list="authors",
        create=offered("createAuthor"),
        update=offered("updateAuthor"),
        delete=offered("deleteAuthor"),
        factory=factories.create_author,
        body=author_body,
        patch={"name": "Ursula K. Le Guin"},
    ),
    Case(
        type="Book",
        table="books",
        collection="/api/v1/books",
        item="book",
        list="books",
        create=offered("createBook"),
        update=offered("updateBook"),
        delete=offered("deleteBook"),
        factory=factories.create_book,
        body=book_body,
        patch={"title": "The Dispossessed"},
    ),
    Case(
        type="Loan",
        table="loans",
        collection="/api/v1/loans",
        item="loan",
        list="loans",
        create=offered("createLoan"),
        update=offered("updateLoan"),
        delete=offered("deleteLoan"),
        factory=factories.create_loan,
        body=loan_body,
        patch={},
    ),
)
CASE = {case.type: case for case in CASES}


@dataclass(frozen=True)
class Nested:
    """A relation field of a type: the rows it holds, and where REST shows them."""

    type: str  # the type it is a field of
    field: str
    kind: str  # one (the row a foreign key refers to), many (has_many) or link
    target: str  # the type of the rows it holds
    column: str  # one: the foreign key of the type's rows; many: of the target's rows
    link_path: str = ""  # link: the REST list of the linked rows ({id}: the row's id)
    junction: str = ""  # link: the junction table, its column to the row, to the target
    left: str = ""
    right: str = ""


NESTED: tuple[Nested, ...] = (
    Nested("Book", "author", "one", "Author", "author_id"),
    Nested("Loan", "book", "one", "Book", "book_id"),
)
NESTED_LIMIT = min(3, MAX_PAGE_SIZE)  # the limit the tests give a relation's list


def headers(actor: Account | None) -> dict[str, str]:
    return actor.headers if actor is not None else {}


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    actor: Account | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers(actor)
    )
    assert response.status_code in (200, 400), response.text
    body: dict[str, Any] = response.json()
    return body


def rest_outcome(response: httpx.Response) -> Outcome:
    if response.status_code >= 400:
        return str(response.json()["error"]["code"]), None
    return "OK", response.json()["data"] if response.content else None


def graphql_outcome(body: dict[str, Any], field: str) -> Outcome:
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"]), None
    return "OK", body["data"][field]


def same_row(rest: dict[str, Any], served: dict[str, Any]) -> None:
    """A GraphQL row holds what the REST row holds (a field withheld from the caller
    is absent there, null here)."""
    assert {k: v for k, v in served.items() if k != "_etag"} == {
        k: rest.get(k) for k in served if k != "_etag"
    }


async def callers(make_user: MakeUser, maker: Account) -> list[tuple[str, Account | None]]:
    """Anonymous, the rows' maker, and a stranger of each role."""
    found: list[tuple[str, Account | None]] = [("anonymous", None), ("maker", maker)]
    for role in ROLES:
        found.append((f"a stranger of role {role}", await make_user(role)))
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.type for case in CASES])
async def test_reads_answer_as_rest(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, case: Case
) -> None:
    for role in ROLES:
        maker = await make_user(role)
        row = await case.factory(db, maker)
        for who, actor in await callers(make_user, maker):
            where = f"{case.type} made by {role}, read by {who}"
            response = await client.get(f"{case.collection}/{row['id']}", headers=headers(actor))
            expected = rest_outcome(response)
            body = await graphql(
                client,
                f"query($id: ID!) {{ {case.item}(id: $id) {{ {case.fields} }} }}",
                {"id": str(row["id"])},
                actor,
            )
            served = graphql_outcome(body, case.item)
            assert served[0] == expected[0], (where, body)
            if expected[0] == "OK":
                same_row(expected[1], served[1])
                assert served[1]["_etag"] == response.headers["ETag"], where


@pytest.mark.parametrize("case", CASES, ids=[case.type for case in CASES])
async def test_lists_answer_as_rest(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, case: Case
) -> None:
    makers = [await make_user(role) for role in ROLES]
    for maker in makers:
        await case.factory(db, maker)
    for who, actor in await callers(make_user, makers[0]):
        response = await client.get(case.collection, headers=headers(actor))
        expected = rest_outcome(response)
        paging = "next_cursor" if case.keyset else "total"
        body = await graphql(
            client, f"{{ {case.list} {{ items {{ {case.fields} }} {paging} }} }}", actor=actor
        )
        served = graphql_outcome(body, case.list)
        assert served[0] == expected[0], (who, body)
        if expected[0] == "OK":
            rows = served[1]["items"]
            assert [r["id"] for r in rows] == [r["id"] for r in expected[1]], who
            for rest_row, row in zip(expected[1], rows, strict=True):
                same_row(rest_row, row)
            assert served[1][paging] == response.json()["meta"][paging], who


async def _forget(db: AsyncConnection, case: Case, row_id: Any) -> None:
    """Remove a row made by a test, so the same body can be created again."""
    table = Base.metadata.tables[case.table]
    await db.execute(delete(table).where(table.c.id == uuid.UUID(str(row_id))))
    await db.commit()


@pytest.mark.parametrize("case", CASES, ids=[case.type for case in CASES])
async def test_creates_answer_as_rest(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, case: Case
) -> None:
    if case.create is None:
        pytest.skip(f"{case.type} has no create")
    maker = await make_user(ROLES[0])
    for who, actor in await callers(make_user, maker):
        body = await case.body(db, actor or maker)
        if takes_input(case.create):
            document = (
                f"mutation($input: {case.type}Input!) {{ {case.create}(input: $input) {{ id }} }}"
            )
        else:
            document = f"mutation {{ {case.create} {{ id }} }}"
        sent = await graphql(client, document, {"input": body} if body else {}, actor)
        served = graphql_outcome(sent, case.create)
        if served[0] == "OK":
            await _forget(db, case, served[1]["id"])
        expected = rest_outcome(
            await client.post(case.collection, json=body, headers=headers(actor))
        )
        assert served[0] == expected[0], (who, sent)
        if expected[0] == "OK":
            await _forget(db, case, expected[1]["id"])  # its unique values are the next body's


@pytest.mark.parametrize("case", CASES, ids=[case.type for case in CASES])
async def test_updates_and_deletes_answer_as_rest(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, case: Case
) -> None:
    for role in ROLES:
        maker = await make_user(role)
        for who, actor in await callers(make_user, maker):
            where = f"{case.type} made by {role}, written by {who}"
            if case.update is not None:
                first, second = await case.factory(db, maker), await case.factory(db, maker)
                url = f"{case.collection}/{first['id']}"
                expected = rest_outcome(
                    await client.patch(url, json=case.patch, headers=headers(actor))
                )
                await _forget(db, case, first["id"])  # its unique values may be the patch's
                sent = await graphql(
                    client,
                    f"mutation($id: ID!, $input: {case.type}Patch!) "
                    f"{{ {case.update}(id: $id, input: $input) {{ id }} }}",
                    {"id": str(second["id"]), "input": case.patch},
                    actor,
                )
                assert graphql_outcome(sent, case.update)[0] == expected[0], (where, sent)
                await _forget(db, case, second["id"])
            if case.delete is not None:
                first, second = await case.factory(db, maker), await case.factory(db, maker)
                url = f"{case.collection}/{first['id']}"
                expected = rest_outcome(await client.delete(url, headers=headers(actor)))
                sent = await graphql(
                    client,
                    f"mutation($id: ID!) {{ {case.delete}(id: $id) }}",
                    {"id": str(second["id"])},
                    actor,
                )
                assert graphql_outcome(sent, case.delete)[0] == expected[0], (where, sent)


async def test_a_change_needs_the_current_etag_when_it_names_one(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    case = next((c for c in CASES if c.update is not None), None)
    if case is None or case.update is None:
        pytest.skip("no entity takes changes")
    update = case.update
    for role in ROLES:
        maker = await make_user(role)
        row = await case.factory(db, maker)
        read = await graphql(
            client,
            f"query($id: ID!) {{ {case.item}(id: $id) {{ _etag }} }}",
            {"id": str(row["id"])},
            maker,
        )
        if read.get("errors"):
            continue
        change = (
            f"mutation($id: ID!, $input: {case.type}Patch!, $tag: String) "
            f"{{ {update}(id: $id, input: $input, ifMatch: $tag) {{ _etag }} }}"
        )
        stale = await graphql(
            client, change, {"id": str(row["id"]), "input": case.patch, "tag": '"0"'}, maker
        )
        if graphql_outcome(stale, update)[0] in ("FORBIDDEN", "NOT_FOUND"):
            continue  # this role may not change its own rows
        assert graphql_outcome(stale, update)[0] == "PRECONDITION_FAILED", stale
        tag = read["data"][case.item]["_etag"]
        fresh = await graphql(
            client, change, {"id": str(row["id"]), "input": case.patch, "tag": tag}, maker
        )
        assert graphql_outcome(fresh, update)[0] == "OK", fresh
        return
    pytest.skip(f"no role may change its own {case.type} rows")


async def test_errors_carry_the_rest_codes_never_a_traceback(client: httpx.AsyncClient) -> None:
    case = CASES[0]
    query = f"query($id: ID!) {{ {case.item}(id: $id) {{ id }} }}"
    missing = await graphql(client, query, {"id": str(uuid.uuid4())})
    assert missing["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "AUTHENTICATION_REQUIRED")
    assert missing["errors"][0]["path"] == [case.item]
    invalid = await graphql(client, query, {"id": "not-a-uuid"})
    codes = {e["extensions"]["code"] for e in invalid["errors"]}
    assert codes <= {"VALIDATION_ERROR", "AUTHENTICATION_REQUIRED"}, invalid
    for document in ("{", "{ no_such_field }", f"{{ {case.item} {{ id }} }}"):
        response = await client.post("/graphql", json={"query": document})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "Traceback" not in response.text
    payloads: list[Any] = [[], {"query": 1}, {"query": "{ __typename }", "variables": []}]
    for payload in payloads:
        response = await client.post("/graphql", json=payload)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    response = await client.post(
        "/graphql", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_get_takes_queries_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    mutation = next((c for c in CASES if c.delete is not None), None)
    if mutation is not None:
        document = f'mutation {{ {mutation.delete}(id: "{uuid.uuid4()}") }}'
        response = await client.get("/graphql", params={"query": document})
        assert response.status_code == 405
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_queries_count_as_reads_and_mutations_as_writes() -> None:
    settings = make_settings(
        rate_limit_read="1000/minute", rate_limit_overrides={"graphql.write": "1/minute"}
    )
    async with serving(create_app(settings)) as http:
        for _ in range(3):  # queries, over POST too, spend the read budget
            response = await http.post("/graphql", json={"query": "{ __typename }"})
            assert response.status_code == 200, response.text
        mutation = next((c for c in CASES if c.delete is not None), None)
        if mutation is None:
            return
        document = f'mutation {{ {mutation.delete}(id: "{uuid.uuid4()}") }}'
        first = await http.post("/graphql", json={"query": document})
        assert first.status_code != 429
        second = await http.post("/graphql", json={"query": document})
        assert second.status_code == 429
        assert second.json()["error"]["code"] == "RATE_LIMITED"


async def test_deep_or_wide_operations_are_refused(client: httpx.AsyncClient) -> None:
    case = CASES[0]
    app = create_app(make_settings(graphql_max_depth=2, graphql_max_fields=40))
    async with serving(app) as limited:
        deep = await limited.post(
            "/graphql", json={"query": f"{{ {case.list} {{ items {{ id }} }} }}"}
        )
        assert deep.status_code == 400
        assert deep.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        # Aliases multiply the fields of one document; a fragment spread counts each time.
        many = " ".join(f"a{n}: __typename" for n in range(41))
        wide = await limited.post("/graphql", json={"query": f"{{ {many} }}"})
        assert wide.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        spread = "fragment F on Query { " + " ".join(f"b{n}: __typename" for n in range(10)) + " }"
        bomb = "{ " + " ".join("...F" for _ in range(5)) + " } " + spread
        refused = await limited.post("/graphql", json={"query": bomb})
        assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        # Each fragment spreads the one before twice: 2**30 fields once spread, measured
        # fragment by fragment (counted naively, this validation would not end).
        nested = ["fragment F0 on Query { __typename }"] + [
            f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, 31)
        ]
        doubling = await limited.post("/graphql", json={"query": "{ ...F30 } " + " ".join(nested)})
        assert doubling.status_code == 400
        error = doubling.json()["errors"][0]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "at least 1000000 fields" in error["message"]
        fine = await limited.post("/graphql", json={"query": "{ a: __typename b: __typename }"})
        assert fine.json() == {"data": {"a": "Query", "b": "Query"}}


async def test_operations_that_may_read_too_many_rows_are_refused() -> None:
    """Lists multiply: the rows an operation's lists may hold, each as long as its
    limit, are counted before it runs."""
    case = CASES[0]
    async with serving(create_app(make_settings(graphql_max_rows=100))) as limited:
        lists = 100 // MAX_PAGE_SIZE + 1  # each as long as a page may be: over 100 in all
        wide = " ".join(
            f"a{n}: {case.list}(limit: {MAX_PAGE_SIZE}) {{ items {{ id }} }}" for n in range(lists)
        )
        refused = await limited.post("/graphql", json={"query": f"{{ {wide} }}"})
        assert refused.status_code == 400
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "rows" in error["message"]
        # A variable may set any limit: it counts as the largest page.
        variable = await limited.post(
            "/graphql",
            json={
                "query": f"query($n: Int) {{ {wide.replace(f'limit: {MAX_PAGE_SIZE}', 'limit: $n')} }}",
                "variables": {"n": 1},
            },
        )
        assert variable.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        fine = await limited.post(
            "/graphql", json={"query": f"{{ {case.list}(limit: 1) {{ items {{ id }} }} }}"}
        )
        assert fine.status_code == 200, fine.text
        for nested in NESTED:
            if nested.kind == "one":
                continue
            parent = CASE[nested.type]
            # Full pages of parents, each with a full list: over 100 rows in all.
            pages = 100 // (MAX_PAGE_SIZE * (1 + MAX_PAGE_SIZE)) + 1
            one = (
                f"{parent.list}(limit: {MAX_PAGE_SIZE}) {{ items {{ "
                f"{nested.field}(limit: {MAX_PAGE_SIZE}) {{ id }} }} }}"
            )
            deep = "{ " + " ".join(f"p{n}: {one}" for n in range(pages)) + " }"
            refused = await limited.post("/graphql", json={"query": deep})
            assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", deep


@pytest.mark.parametrize(("environment", "open_"), [("test", True), ("production", False)])
async def test_introspection_follows_the_setting(environment: str, open_: bool) -> None:
    async with serving(create_app(make_settings(environment=environment))) as http:
        response = await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    body = response.json()
    if open_:
        assert {t["name"] for t in body["data"]["__schema"]["types"]} >= {c.type for c in CASES}
    else:
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_each_type_has_the_fields_of_its_rest_schema(app: FastAPI) -> None:
    document = app.openapi()
    for case in CASES:
        rest = document["components"]["schemas"][case.type]["properties"]
        assert set(scalar_fields(case.type)) == set(rest) | {"_etag"}, case.type


# -- relations: the same rows as REST, a statement per field (not per row) ---------------


def nested_of(name: str) -> list[Nested]:
    return [n for n in NESTED if n.type == name]


def selection(name: str, depth: int) -> str:
    """The value fields of the type ``name``, and its relations ``depth`` levels down."""
    parts = scalar_fields(name)
    if depth > 0:
        for n in nested_of(name):
            arguments = "" if n.kind == "one" else f"(limit: {NESTED_LIMIT})"
            parts.append(f"{n.field}{arguments} {{ {selection(n.target, depth - 1)} }}")
    return " ".join(parts)


def one_per_parent(table: str, column: str) -> bool:
    """Whether a unique constraint lets each parent have one row of ``table`` at most."""
    found = Base.metadata.tables[table]
    if found.c[column].unique:
        return True
    groups = [
        *(
            [c.name for c in u.columns]
            for u in found.constraints
            if isinstance(u, UniqueConstraint)
        ),
        *([c.name for c in i.columns] for i in found.indexes if i.unique),
    ]
    return [column] in groups


async def make_related(
    db: AsyncConnection, maker: Account, nested: Nested, parents: list[dict[str, Any]]
) -> None:
    """The rows ``nested`` holds for each of ``parents``: its children, or linked rows."""
    target = CASE[nested.target]
    if nested.kind == "many":
        count = 1 if one_per_parent(target.table, nested.column) else 2
        for parent in parents:
            for _ in range(count):
                await target.factory(db, maker, **{nested.column: parent["id"]})
    elif nested.kind == "link":
        junction = Base.metadata.tables[nested.junction]
        for parent in parents:
            for _ in range(2):
                linked = await target.factory(db, maker)
                values = {nested.left: parent["id"], nested.right: linked["id"]}
                await db.execute(insert(junction).values(values))
        await db.commit()


async def rest_related(
    client: httpx.AsyncClient, nested: Nested, row: dict[str, Any], actor: Account | None
) -> Outcome | None:
    """What REST shows of ``nested`` for ``row`` (a row as GraphQL gave it), or ``None``
    when REST cannot tell (the foreign key is withheld from the caller)."""
    target = CASE[nested.target]
    if nested.kind == "one":
        if row.get(nested.column) is None:
            return "OK", None
        response = await client.get(
            f"{target.collection}/{row[nested.column]}", headers=headers(actor)
        )
        if response.status_code == 404:
            return "OK", None
        return rest_outcome(response)
    if nested.kind == "link":
        url = nested.link_path.replace("{id}", str(row["id"]))
        response = await client.get(url, params={"limit": NESTED_LIMIT}, headers=headers(actor))
        return rest_outcome(response)
    rows: list[dict[str, Any]] = []
    async for response in pages(client, target.collection, headers(actor), limit=None):
        if response.status_code != 200:
            return rest_outcome(response)
        rows += data(response)
    if any(nested.column not in child for child in rows):
        return None
    return "OK", [child for child in rows if child[nested.column] == row["id"]][:NESTED_LIMIT]


def nested_outcome(
    body: dict[str, Any], path: list[Any], item: dict[str, Any], field: str
) -> Outcome:
    for error in body.get("errors", ()):
        if error.get("path") == [*path, field]:
            return str(error["extensions"]["code"]), None
    return "OK", item[field]


def same_related(rest: Any, served: Any) -> None:
    if isinstance(rest, list):
        assert isinstance(served, list)
        assert [row["id"] for row in served] == [row["id"] for row in rest]
        for expected, got in zip(rest, served, strict=True):
            same_row(expected, got)
    elif rest is None:
        assert served is None
    else:
        same_row(rest, served)


@pytest.mark.parametrize("nested", NESTED, ids=[f"{n.type}.{n.field}" for n in NESTED])
async def test_relation_fields_answer_as_rest(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, nested: Nested
) -> None:
    """Each relation field of each row of a list holds what REST shows for that row
    (the row referred to, the first rows of its list, its linked rows), or fails with
    REST's code, for every kind of caller."""
    case = CASE[nested.type]
    arguments = "" if nested.kind == "one" else f"(limit: {NESTED_LIMIT})"
    inner = selection(nested.target, 0)
    document = (
        f"{{ {case.list}(limit: {MAX_PAGE_SIZE}) {{ items {{ id {nested.column if nested.kind == 'one' else ''} "
        f"{nested.field}{arguments} {{ {inner} }} }} }} }}"
    )
    compared = 0
    for role in ROLES:
        maker = await make_user(role)
        rows = [await case.factory(db, maker) for _ in range(2)]
        await make_related(db, maker, nested, rows)
        for who, actor in await callers(make_user, maker):
            body = await graphql(client, document, actor=actor)
            page = (body.get("data") or {}).get(case.list)
            if page is None:  # the list itself is refused: tests above compare that
                continue
            for index, item in enumerate(page["items"]):
                expected = await rest_related(client, nested, item, actor)
                if expected is None:
                    continue
                where = (
                    f"{nested.type}.{nested.field} of {item['id']}, read by {who} ({role}'s rows)"
                )
                served = nested_outcome(body, [case.list, "items", index], item, nested.field)
                assert served[0] == expected[0], (where, body.get("errors"))
                same_related(expected[1], served[1])
                compared += 1
    assert compared > 0, "no caller saw a row of the list"


async def statements(client: httpx.AsyncClient) -> float:
    """The SQL statements /graphql has sent so far, as /metrics counts them."""
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    prefix = 'db_statements_total{route="/graphql"}'
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in response.text.splitlines()
        if line.startswith(prefix)
    )


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if nested_of(c.type)],
    ids=[c.type for c in CASES if nested_of(c.type)],
)
async def test_statements_do_not_grow_with_the_rows(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, case: Case
) -> None:
    """A list with its relations two levels down sends as many statements for a full
    page of 50 rows (or the largest page) as for a full page of 5 (or fewer), read
    from db_statements_total: none per row."""
    big = min(MAX_PAGE_SIZE, 50)
    small = min(5, big - 1)
    if small < 1:
        pytest.skip("a page holds one row at most: no page has more rows than another")
    fields = selection(case.type, 2)
    compared = 0
    for role in ROLES:
        maker = await make_user(role)
        rows = [await case.factory(db, maker) for _ in range(big)]
        for nested in nested_of(case.type):
            await make_related(db, maker, nested, rows)
        counts, sizes = [], []
        for limit in (small, big):
            await app.state.cache.clear()  # every read goes to the database
            before = await statements(client)
            query = f"{{ {case.list}(limit: {limit}) {{ items {{ {fields} }} }} }}"
            body = await graphql(client, query, actor=maker)
            counts.append(await statements(client) - before)
            page = (body.get("data") or {}).get(case.list)
            sizes.append(len(page["items"]) if page else 0)
        assert counts[0] > 0
        if sizes == [small, big]:  # both pages full: the same statements but for the rows
            assert counts[1] == counts[0], (role, sizes, counts)
            compared += 1
    assert compared > 0, "no role saw a full page of rows"


async def test_the_fields_of_one_query_share_its_connection(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """Several lists in one document read through the request's one connection, one
    after another: never a failure from two reads at once."""
    fields = " ".join(
        f"a{index}: {case.list} {{ items {{ id }} }} b{index}: {case.list} {{ items {{ id }} }}"
        for index, case in enumerate(CASES)
    )
    for actor in (None, await make_user(ROLES[0])):
        body = await graphql(client, f"{{ {fields} }}", actor=actor)
        codes = [error["extensions"]["code"] for error in body.get("errors", ())]
        assert "INTERNAL_ERROR" not in codes, body["errors"]
        assert body.get("data") is not None
