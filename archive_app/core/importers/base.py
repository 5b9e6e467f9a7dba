"""What every importer produces, and the errors it may raise.

An importer reads one file and returns one or more `ParsedArticle`s. It never
touches the archive: storing blobs, the catalog and the index is the
`Archive`'s job, so an importer can be tested on its own and can never leave
the archive half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ImportFailed(Exception):
    """The file cannot be imported; the message says why, for a person to read."""


class NotAnArticle(Exception):
    """The file is not something to import (empty, unsupported); reported as skipped."""


@dataclass(frozen=True)
class ParsedImage:
    """An image an article shows.

    `path` is a local file to store (resolved, absolute) or None; `data` holds
    bytes already in hand (a data: URI, a part of an archive). When both are
    None the image is a reference only: `url` says where it was, nothing is
    fetched.
    """

    path: Path | None = None
    data: bytes | None = None
    url: str | None = None
    alt: str = ""
    title: str = ""
    caption: str = ""
    credit: str = ""
    role: str = "inline"  # "lead" for the article's lead image


@dataclass(frozen=True)
class ParsedArticle:
    """One article extracted from a file.

    `text` is the plain body text, paragraphs separated by blank lines; it is
    what gets indexed and compared. `html` is a body fragment for the reader:
    only structural tags (p, h2-h4, blockquote, ul/ol/li, figure, figcaption,
    em/strong, a) and `<img src="image:N">` where N indexes `images`.

    `record` identifies the article inside a container holding several
    (a JSON array, a web archive): its canonical bytes decide the article's
    identity; None means the whole file is the article.
    """

    title: str
    text: str
    html: str = ""
    author: str = ""
    source: str = ""
    url: str = ""
    published: str = ""  # ISO 8601 date or date-time, "" when unknown
    language: str = ""
    tags: tuple[str, ...] = ()
    images: tuple[ParsedImage, ...] = ()
    record: bytes | None = None
    record_locator: str = ""  # "line 3", "[2]", a URL: where in the file
    warnings: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
