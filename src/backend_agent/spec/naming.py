"""Names derived from entity names: snake_case and English plurals."""

from __future__ import annotations

import re

__all__ = ["plural", "snake", "title"]

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "datum": "data",
    "criterion": "criteria",
    "analysis": "analyses",
}
_UNCHANGED = frozenset({"series", "species", "news", "equipment", "information", "media"})


def snake(name: str) -> str:
    """``BlogPost`` -> ``blog_post``."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return text.lower()


def plural(word: str) -> str:
    """The English plural of the last word of a snake_case name."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _UNCHANGED:
        return word
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    return prefix + last + "s"


def title(name: str) -> str:
    """``blog_post`` or ``BlogPost`` -> ``Blog post``."""
    words = snake(name).replace("_", " ")
    return words[:1].upper() + words[1:]
