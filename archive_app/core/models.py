"""Frozen dataclasses that cross the core's boundary (to the CLI and the GUI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SortOrder = Literal["relevance", "newest", "oldest"]


@dataclass(frozen=True)
class ImageRef:
    """An image of an article: stored (sha256 set) or a reference only (url)."""

    position: int
    sha256: str | None
    url: str
    width: int | None
    height: int | None
    format: str
    caption: str
    credit: str
    alt: str
    title: str
    role: str


@dataclass(frozen=True)
class Provenance:
    sha256: str
    filename: str
    size: int
    imported_at: str
    importer: str
    app_version: str
    record: str  # where in the file, for containers of several articles ("" otherwise)


@dataclass(frozen=True)
class TopicAssignment:
    topic: str
    source: Literal["auto", "manual"]
    score: float | None


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    author: str
    source: str
    url: str
    published: str
    language: str
    text: str
    html: str
    images: tuple[ImageRef, ...]
    tags: tuple[str, ...]
    topics: tuple[TopicAssignment, ...]
    provenance: Provenance
    duplicates: tuple[str, ...]
    edited_fields: tuple[str, ...]
    warnings: tuple[str, ...]
    note: str = ""  # the person's own notes on the article: plain text, searchable


@dataclass(frozen=True)
class ImportedItem:
    id: str
    path: str
    title: str
    warnings: tuple[str, ...] = ()
    record: str = ""


@dataclass(frozen=True)
class DuplicateItem:
    id: str
    path: str
    record: str = ""


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportedItem, ...] = ()
    duplicates: tuple[DuplicateItem, ...] = ()
    failed: tuple[Problem, ...] = ()
    skipped: tuple[Problem, ...] = ()
    cancelled: bool = False


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str = ""  # ISO date, inclusive
    until: str = ""  # ISO date, inclusive
    sort: SortOrder = "relevance"
    limit: int = 20
    offset: int = 0
    snippets: bool = True


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    source: str
    published: str
    tags: tuple[str, ...]
    topics: tuple[str, ...]
    score: float
    snippet: str  # HTML-escaped text with matched terms in <mark>…</mark>
    author: str = ""
    lead_image: str | None = None  # sha256 of the first stored image, for a thumbnail
    versions: int = 0  # near-duplicates of this article in the archive ("n versions")


@dataclass(frozen=True)
class Facets:
    tags: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchPage:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: Facets
    suggestion: str | None


@dataclass(frozen=True)
class ResultIds:
    """Every hit of a search, as ids in the request's order (limit and offset ignored).

    The desktop app holds these and asks `Archive.hits` for the rows it shows.
    """

    request: SearchRequest
    total: int
    ids: tuple[str, ...]
    facets: Facets
    suggestion: str | None


@dataclass(frozen=True)
class SavedSearch:
    name: str
    request: SearchRequest  # limit and offset are not kept
    created_at: str


@dataclass(frozen=True)
class ExportReport:
    path: str
    format: str  # "csv", "json" or "html"
    count: int
    cancelled: bool = False


@dataclass(frozen=True)
class TagCount:
    name: str  # full path, "region/kherson"
    count: int  # articles tagged with it or with any tag below it
    direct: int  # articles tagged with exactly this tag


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    problems: tuple[str, ...]
    repaired: tuple[str, ...]
    unrepairable: tuple[str, ...]
    articles: int
    blobs: int


# -- comparing articles ---------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Character offsets into an article's `text` (as `show --json` prints it), end exclusive."""

    start: int
    end: int


@dataclass(frozen=True)
class SharedPassage:
    """A run of text that both articles hold, allowing small edits inside it."""

    a: Span
    b: Span
    exact: bool  # word for word identical (after case and accent folding)


@dataclass(frozen=True)
class Comparison:
    a: str  # article ids
    b: str
    similarity: float  # share of the two texts' words that lie in shared passages, 0..1
    shared: tuple[SharedPassage, ...]  # in the order they appear in `a`
    metadata_differences: dict[str, tuple[str, str]]  # field -> (value in a, value in b)
    shared_images: tuple[str, ...]  # sha256 of images both articles hold


@dataclass(frozen=True)
class RelatedArticle:
    id: str
    score: float
    title: str


@dataclass(frozen=True)
class NearDuplicate:
    id: str
    similarity: float  # estimated share of word shingles in common, 0..1
    title: str


@dataclass(frozen=True)
class Related:
    id: str
    related: tuple[RelatedArticle, ...]  # more like this, by distinctive terms
    near_duplicates: tuple[NearDuplicate, ...]  # versions of the same text


# -- bundles: the whole archive in one file ---------------------------------------------


@dataclass(frozen=True)
class BundleReport:
    """An archive written to a bundle (see core/bundle.py)."""

    path: str
    articles: int
    files: int  # members of the zip besides manifest.json: catalog tables, blobs, rule files
    size: int  # bytes of the bundle file
    cancelled: bool = False


@dataclass(frozen=True)
class RestoreReport:
    """A bundle restored into an empty archive."""

    path: str
    restored: tuple[ImportedItem, ...]  # every article, with the bundle as its path
    files: int  # members verified and restored
    cancelled: bool = False


@dataclass(frozen=True)
class LogEntry:
    """One entry of the archive's append-only audit log (see core/audit_log.py)."""

    seq: int  # 1, 2, 3 … in the order written
    at: str  # UTC, ISO 8601 to the second
    action: str  # import, edit, tag, untag, tag-rename, tag-merge, tag-delete, topic, …
    article_id: str | None  # None for changes to many articles or to the archive itself
    details: dict  # what changed: provenance of an import, field/old/new of an edit, …
    prev_hash: str  # the hash of the entry before (64 zeros for the first)
    hash: str  # SHA-256 over seq, at, action, article_id, details and prev_hash
