"""The ``q`` of a list with full-text search: the words a client searches for.

A search keeps the rows that hold every word of ``q`` (in any of the searched fields,
words reduced to their stem in the index's language), best matches first unless the
client asks for another sort. Only the words count: punctuation and operators are not
syntax, so no ``q`` can make the database's query parser fail.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = ["MAX_SEARCH_LENGTH", "RELEVANCE", "SEARCH_DESCRIPTION", "SearchText", "Words", "words"]

MAX_SEARCH_LENGTH = 200
RELEVANCE = "relevance"  # the sort of a search's best matches first
SEARCH_DESCRIPTION = (
    "Full-text search: only rows holding every word of this, best matches first unless "
    "sort is given."
)
# A word: letters and digits (of any script), as the full-text indexes split text.
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> str:
    """The words of ``text``, separated by single spaces; refused when there are none."""
    found = _WORD.findall(text)
    if not found:
        raise ValueError("must contain a word (a letter or a digit)")
    return " ".join(found)


Words = Annotated[str, Field(min_length=1, max_length=MAX_SEARCH_LENGTH), AfterValidator(words)]
# The ``q`` of a query model: ``q: SearchText = None``.
SearchText = Annotated[Words | None, Field(description=SEARCH_DESCRIPTION)]
