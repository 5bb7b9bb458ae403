"""With ``graphql: true``, every entity's GraphQL names are its own: a clash with the
schema's own names or with another entity's is refused where the entity is declared."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text
from backend_agent.spec.graphql import graphql_names

BASE = "name: x\ngraphql: {on}\nentities:\n"


def _spec(entities: str, *, on: bool = True) -> str:
    return BASE.format(on="true" if on else "false") + entities


@pytest.mark.parametrize(
    ("entities", "clash", "line"),
    [
        ("  Query: {fields: {a: string}}\n", "Query", 4),
        ("  Date: {fields: {a: string}}\n", "Date", 4),
        ("  Post: {fields: {a: string}}\n  PostPage: {fields: {b: string}}\n", "PostPage", 5),
        # Both plural to "sheep": the second's item query is the first's list query.
        (
            "  Sheep: {fields: {a: string}, plural: sheep_list}\n"
            "  SheepList: {fields: {b: string}}\n",
            "sheepList",
            5,
        ),
    ],
)
def test_a_name_taken_twice_is_refused_where_declared(entities: str, clash: str, line: int) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text(_spec(entities), "s.yaml")
    problems = [p for p in caught.value.problems if "graphql" in p.message]
    assert len(problems) == 1, caught.value.problems
    assert f"'{clash}'" in problems[0].message
    assert (problems[0].file, problems[0].line, problems[0].column) == ("s.yaml", line, 3)


def test_without_graphql_the_names_are_free() -> None:
    load_spec_text(_spec("  Query: {fields: {a: string}}\n", on=False), "s.yaml")


def test_a_plural_that_is_its_singular_lists_under_another_name() -> None:
    names = graphql_names("News", "news", "news")
    assert (names.item, names.list) == ("news", "newsList")
    names = graphql_names("BlogPost", "blog_post", "blog_posts")
    assert (names.item, names.list, names.create) == ("blogPost", "blogPosts", "createBlogPost")
    load_spec_text(_spec("  News: {fields: {a: string}}\n"), "s.yaml")


def test_with_realtime_a_change_type_is_taken_too() -> None:
    entities = "  Post: {fields: {a: string}}\n  PostChange: {fields: {b: string}}\n"
    load_spec_text(_spec(entities), "s.yaml")  # without realtime there is no PostChange type
    with pytest.raises(SpecError) as caught:
        load_spec_text(_spec(entities) + "realtime: true\n", "s.yaml")
    assert any("'PostChange'" in p.message for p in caught.value.problems)
    names = graphql_names("Post", "post", "posts")
    assert (names.change, names.changed) == ("PostChange", "postChanged")
