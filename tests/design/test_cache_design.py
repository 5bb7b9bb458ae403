"""The read cache in the blueprint: TTLs, and which cached entities each write makes stale."""

from __future__ import annotations

from backend_agent.design import design
from backend_agent.design.blueprint import Invalidation
from backend_agent.spec import load_spec_text

SPEC = """\
name: a
entities:
  Author:
    fields: {name: string}
    cache: 10m
  Book:
    fields: {title: string}
    relations:
      author: {belongs_to: Author, on_delete: cascade}
      tags: {many_to_many: Tag}
    cache: {ttl: 1m}
  Review:
    fields: {body: text}
    relations: {book: {belongs_to: Book, on_delete: cascade}}
  Quote:
    fields: {text: text}
    relations: {review: {belongs_to: Review, on_delete: cascade}}
    cache: 30s
  Note:
    fields: {text: text}
    relations: {book: {belongs_to: Book, required: false, on_delete: set_null}}
    cache: 30s
  Tag:
    fields: {name: string}
  Shelf:
    fields: {name: string}
    relations: {books: {many_to_many: Book}}
"""


def invalidation(name: str) -> Invalidation:
    return design(load_spec_text(SPEC)).entity(name).invalidation


def test_only_entities_the_spec_caches_have_a_ttl() -> None:
    blueprint = design(load_spec_text(SPEC))
    ttls = {e.name: e.cache.ttl_seconds if e.cache else None for e in blueprint.entities}
    assert ttls == {
        "Author": 600,
        "Book": 60,
        "Review": None,
        "Quote": 30,
        "Note": 30,
        "Tag": None,
        "Shelf": None,
    }


def test_a_write_makes_its_own_entity_stale_when_it_is_cached() -> None:
    assert invalidation("Book").on_write == ("books",)
    assert invalidation("Review").on_write == ()


def test_a_delete_reaches_cascaded_children_through_uncached_ones_and_nulled_ones() -> None:
    # Author -> Book (cascade) -> Review (cascade, not cached) -> Quote (cascade);
    # Book -> Note (set null): its key changes, its own children do not.
    assert invalidation("Author").on_delete == ("authors", "books", "notes", "quotes")
    assert invalidation("Review").on_delete == ("quotes",)
    assert invalidation("Quote").on_delete == ("quotes",)


def test_a_delete_makes_rows_linked_through_a_junction_stale() -> None:
    # Deleting a tag or a shelf removes junction rows listed under books.
    assert invalidation("Tag").on_delete == ("books",)
    assert invalidation("Shelf").on_delete == ("books",)


def test_a_link_makes_both_sides_stale() -> None:
    assert invalidation("Book").on_link == (("tags", ("books",)),)
    assert invalidation("Book").for_link("tags") == ("books",)
    assert invalidation("Shelf").for_link("books") == ("books",)
    assert invalidation("Author").for_link("books") == ()


def test_a_spec_without_a_cache_invalidates_nothing() -> None:
    uncached = "\n".join(line for line in SPEC.splitlines() if "cache:" not in line)
    blueprint = design(load_spec_text(uncached))
    assert all(e.invalidation == Invalidation() for e in blueprint.entities)
