"""Paging parameters shared by every list endpoint: numbered pages, or cursors."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


class QueryParams(BaseModel):
    """Query parameters: unknown ones are refused (422) rather than ignored, so a misspelt
    filter never silently returns everything."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL: refused here (422), not by the database (500).
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("may not contain a NUL character")
        return value


class PageParams(QueryParams):
    """``page`` and ``limit`` of a list; subclasses add ``sort`` and filters.

    Unknown query parameters are refused (422) rather than ignored, so a misspelt
    filter never silently returns everything.
    """

    EMPTY: ClassVar[int] = 0  # the total of a list without rows

    # Bounded so that page x limit stays a number every database accepts as an OFFSET.
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    def filters(self) -> dict[str, Any]:
        """The filters the client set: every parameter but paging and sort."""
        return self.model_dump(exclude={"page", "limit", "sort"}, exclude_none=True, by_alias=True)

    def paging(self, after: Any = None) -> dict[str, Any]:
        """Where the page starts, as the repositories take it: its number."""
        return {"page": self.page}
