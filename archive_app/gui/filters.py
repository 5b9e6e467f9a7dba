"""The sidebar's filter state: what narrows a search besides its words and order.

The sidebar owns the widgets; this value is what it hands to the main window,
which combines it with the query and the sort into a `SearchRequest`.
"""

from __future__ import annotations

import dataclasses
import re
from calendar import monthrange
from dataclasses import dataclass

from archive_app.core.models import SearchRequest

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class Filters:
    topics: tuple[str, ...] = ()  # every one must apply
    tags: tuple[str, ...] = ()  # a tag covers the tags below it
    sources: tuple[str, ...] = ()  # any of them
    since: str = ""  # ISO date, inclusive ("" for no bound)
    until: str = ""  # ISO date, inclusive

    @property
    def is_empty(self) -> bool:
        return not (self.topics or self.tags or self.sources or self.since or self.until)

    def apply(self, request: SearchRequest) -> SearchRequest:
        """The request narrowed by these filters (its own filters are replaced)."""
        return dataclasses.replace(
            request,
            topics=self.topics,
            tags=self.tags,
            sources=self.sources,
            since=self.since,
            until=self.until,
        )

    @classmethod
    def from_request(cls, request: SearchRequest) -> Filters:
        return cls(
            topics=tuple(request.topics),
            tags=tuple(request.tags),
            sources=tuple(request.sources),
            since=request.since,
            until=request.until,
        )


def complete_date(text: str, *, end: bool) -> str | None:
    """A partial date ("2023", "2023-5", "2023-05-14") as a full ISO date, or None.

    `end` picks the last day the partial date covers (for an "until" bound)
    instead of the first. An empty text is "" (no bound); nonsense is None.
    """
    text = text.strip()
    if not text:
        return ""
    found = _PARTIAL_DATE.match(text)
    if found is None:
        return None
    year = int(found[1])
    month = int(found[2]) if found[2] else (12 if end else 1)
    if not 1 <= month <= 12:
        return None
    last = monthrange(year, month)[1]
    day = int(found[3]) if found[3] else (last if end else 1)
    if not 1 <= day <= last:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
