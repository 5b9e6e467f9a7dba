"""Exporting articles to CSV, JSON or a self-contained HTML report.

The file is written beside the target under a temporary name and renamed at
the end, so an interrupted or cancelled export never leaves half a file and
never touches a file already at the target.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from PIL import Image, ImageOps

from archive_app.core.models import Article, ExportReport, Hit

if TYPE_CHECKING:
    from archive_app.core.archive import Archive

FORMATS = ("csv", "json", "html")
CSV_FIELDS = (
    "id",
    "title",
    "author",
    "source",
    "published",
    "url",
    "topics",
    "tags",
    "snippet",
    "original_filename",
    "original_sha256",
    "note",
)
LIST_SEPARATOR = ";"
READ_BATCH = 50  # articles whose rows and snippets are read together
MAX_IMAGE_SIDE = 1200  # long side of an image embedded in the HTML report
JPEG_QUALITY = 85
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int, int], None]


class UnknownFormat(ValueError):
    """The export format is not one of FORMATS."""


@dataclass(frozen=True)
class ExportedImage:
    sha256: str | None
    caption: str
    credit: str
    url: str


@dataclass(frozen=True)
class ExportedArticle:
    """One article as every format writes it."""

    id: str
    title: str
    author: str
    source: str
    published: str
    url: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    snippet_html: str  # escaped text with <mark> around the query's words
    original_filename: str
    original_sha256: str
    note: str
    images: tuple[ExportedImage, ...]

    @property
    def snippet(self) -> str:
        return plain_text(self.snippet_html)


def export_articles(
    archive: Archive,
    ids: Sequence[str],
    target: Path,
    fmt: str,
    *,
    query: str = "",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write the articles (ids no longer in the archive are left out) to `target`.

    Snippets show the best passage for `query`, or the text's start.
    Progress is reported per article; cancelling removes what was written.
    """
    fmt = fmt.lower().strip()
    if fmt not in FORMATS:
        raise UnknownFormat(f"cannot export as {fmt!r} (choose {', '.join(FORMATS)})")
    target = Path(target)
    present = [h.id for h in archive.hits(ids, snippets=False)]
    exported_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    writer = _WRITERS[fmt](query=query, exported_at=exported_at, count=len(present))
    # Beside the target, so the final rename stays on one file system.
    temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.partial"
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"  # the BOM tells spreadsheets
    try:
        with open(temporary, "x", encoding=encoding, newline="") as out:
            writer.begin(out)
            done = 0
            if progress is not None:
                progress(0, len(present))
            for article in _articles(archive, present, query):
                if cancel is not None and cancel.is_set():
                    raise _Cancelled
                writer.write(out, article, archive)
                done += 1
                if progress is not None:
                    progress(done, len(present))
            writer.end(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except _Cancelled:
        temporary.unlink(missing_ok=True)
        return ExportReport(path=str(target), format=fmt, count=0, cancelled=True)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return ExportReport(path=str(target), format=fmt, count=done)


class _Cancelled(Exception):
    pass


def _articles(archive: Archive, ids: list[str], query: str) -> Iterator[ExportedArticle]:
    for start in range(0, len(ids), READ_BATCH):
        for hit in archive.hits(ids[start : start + READ_BATCH], query):
            yield _exported(hit, archive.get(hit.id))


def _exported(hit: Hit, article: Article) -> ExportedArticle:
    return ExportedArticle(
        id=article.id,
        title=article.title,
        author=article.author,
        source=article.source,
        published=article.published,
        url=article.url,
        topics=hit.topics,
        tags=article.tags,
        snippet_html=hit.snippet,
        original_filename=article.provenance.filename,
        original_sha256=article.provenance.sha256,
        note=article.note,
        images=tuple(
            ExportedImage(i.sha256, i.caption, i.credit, i.url)
            for i in sorted(article.images, key=lambda i: i.position)
        ),
    )


_MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_text(snippet_html: str) -> str:
    """The snippet without marks or entities."""
    return html.unescape(_TAG.sub("", snippet_html))


def _marked_html(snippet_html: str) -> str:
    """The snippet rebuilt from its text, so nothing but <mark> can reach the report."""
    out, last = [], 0
    for match in _MARK.finditer(snippet_html):
        out.append(html.escape(plain_text(snippet_html[last : match.start()]), quote=False))
        out.append(f"<mark>{html.escape(plain_text(match.group(1)), quote=False)}</mark>")
        last = match.end()
    out.append(html.escape(plain_text(snippet_html[last:]), quote=False))
    return "".join(out)


# -- CSV ----------------------------------------------------------------------


class _CsvWriter:
    def __init__(self, *, query: str, exported_at: str, count: int) -> None:
        self._csv: Any = None

    def begin(self, out: TextIO) -> None:
        self._csv = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        self._csv.writerow(CSV_FIELDS)

    def write(self, out: TextIO, article: ExportedArticle, archive: Archive) -> None:
        values = _fields(article)
        self._csv.writerow(
            [
                _cell(LIST_SEPARATOR.join(values[k]) if isinstance(values[k], list) else values[k])
                for k in CSV_FIELDS
            ]
        )

    def end(self, out: TextIO) -> None:
        pass


def _cell(value: object) -> str:
    """The value as text; text a spreadsheet would run as a formula gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _fields(article: ExportedArticle) -> dict[str, object]:
    return {
        "id": article.id,
        "title": article.title,
        "author": article.author,
        "source": article.source,
        "published": article.published or None,
        "url": article.url,
        "topics": list(article.topics),
        "tags": list(article.tags),
        "snippet": article.snippet,
        "original_filename": article.original_filename,
        "original_sha256": article.original_sha256,
        "note": article.note,
    }


# -- JSON ---------------------------------------------------------------------


class _JsonWriter:
    """Streams the articles, so memory does not grow with the export."""

    def __init__(self, *, query: str, exported_at: str, count: int) -> None:
        self._head = {"exported_at": exported_at, "query": query, "count": count}
        self._first = True

    def begin(self, out: TextIO) -> None:
        head = json.dumps(self._head, ensure_ascii=False, indent=2)
        out.write(head[: head.rindex("}")].rstrip() + ',\n  "articles": [')

    def write(self, out: TextIO, article: ExportedArticle, archive: Archive) -> None:
        record = _fields(article) | {
            "images": [
                {"sha256": i.sha256, "caption": i.caption, "credit": i.credit, "url": i.url or None}
                for i in article.images
            ]
        }
        text = json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        out.write(("\n    " if self._first else ",\n    ") + text)
        self._first = False

    def end(self, out: TextIO) -> None:
        out.write("]\n}\n" if self._first else "\n  ]\n}\n")


# -- HTML ---------------------------------------------------------------------

_STYLE = """
:root { color-scheme: light dark; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 52rem; padding: 2rem 1.5rem; }
header { border-bottom: 2px solid rgba(128, 128, 128, .27); margin-bottom: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.meta, .provenance, figcaption { color: #777; font-size: .9rem; }
article { border-bottom: 1px solid rgba(128, 128, 128, .2); padding: 1rem 0 1.5rem;
          break-inside: avoid-page; }
article h2 { font-size: 1.25rem; margin: 0 0 .35rem; }
.chips { margin: .4rem 0; }
.chip { display: inline-block; border-radius: .8rem; padding: 0 .6rem; margin: 0 .3rem .3rem 0;
        font-size: .85rem; background: rgba(128, 128, 128, .14); }
.chip.topic { background: rgba(42, 122, 176, .2); }
.snippet { margin: .6rem 0; }
mark { background: #ffd54f; color: #000; padding: 0 .1em; border-radius: .15em; }
.note { border-left: 3px solid #c9a227; padding: .2rem .8rem; margin: .6rem 0; }
.url, .sha { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .8rem;
             overflow-wrap: anywhere; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; display: block; border-radius: .25rem; }
"""


class _HtmlWriter:
    def __init__(self, *, query: str, exported_at: str, count: int) -> None:
        self._query = query
        self._exported_at = exported_at
        self._count = count

    def begin(self, out: TextIO) -> None:
        what = f"Search: {self._query}" if self._query.strip() else "Selected articles"
        day = self._exported_at[:10]
        out.write(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(what)} — archive-app export</title>\n<style>{_STYLE}</style>\n"
            "</head>\n<body>\n<header>\n"
            f"<h1>{_e(what)}</h1>\n"
            f'<p class="meta">{self._count} article{"s" if self._count != 1 else ""}'
            f" · exported {_e(day)} from archive-app</p>\n</header>\n"
        )

    def write(self, out: TextIO, article: ExportedArticle, archive: Archive) -> None:
        meta = " · ".join(_e(v) for v in (article.author, article.source, article.published) if v)
        parts = [f'<article id="a-{_e(article.id)}">', f"<h2>{_e(article.title)}</h2>"]
        if meta:
            parts.append(f'<p class="meta">{meta}</p>')
        if article.url:
            parts.append(f'<p class="url">{_e(article.url)}</p>')
        chips = [f'<span class="chip topic">{_e(t)}</span>' for t in article.topics]
        chips += [f'<span class="chip">#{_e(t)}</span>' for t in article.tags]
        if chips:
            parts.append(f'<p class="chips">{" ".join(chips)}</p>')
        if article.snippet_html:
            parts.append(f'<p class="snippet">{_marked_html(article.snippet_html)}</p>')
        if article.note:
            lines = "<br>\n".join(_e(line) for line in article.note.splitlines())
            parts.append(f'<div class="note"><strong>Note:</strong> {lines}</div>')
        out.write("\n".join(parts) + "\n")
        for image in article.images:
            out.write(_figure(image, archive) + "\n")
        out.write(
            f'<p class="provenance">Original: {_e(article.original_filename)}<br>'
            f'SHA-256: <span class="sha">{_e(article.original_sha256)}</span>'
            f"<br>Id: {_e(article.id)}</p>\n</article>\n"
        )

    def end(self, out: TextIO) -> None:
        out.write("</body>\n</html>\n")


def _figure(image: ExportedImage, archive: Archive) -> str:
    words = " — ".join(_e(v) for v in (image.caption, image.credit) if v)
    caption = f"<figcaption>{words}</figcaption>" if words else ""
    if image.sha256 is None:
        return f"<figure><figcaption>Image not stored in the archive. {words}</figcaption></figure>"
    try:
        mime, data = embeddable_image(archive.image_path(image.sha256).read_bytes())
    except (OSError, ValueError, Image.DecompressionBombError):
        return f"<figure><figcaption>Image could not be read. {words}</figcaption></figure>"
    source = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return f'<figure><img src="{source}" alt="{_e(image.caption)}">{caption}</figure>'


def embeddable_image(data: bytes, max_side: int = MAX_IMAGE_SIDE) -> tuple[str, bytes]:
    """The image at most `max_side` on its long side: PNG when it has transparency
    or was a PNG/GIF (drawings, charts), JPEG otherwise. Returns (MIME type, bytes)."""
    with Image.open(io.BytesIO(data)) as opened:
        source_format = opened.format or ""
        opened.draft("RGB", (max_side, max_side))  # JPEG: decode at a fraction of the size
        image = ImageOps.exif_transpose(opened)  # the first frame of an animation
        image.thumbnail((max_side, max_side))
        has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        as_png = has_alpha or source_format in ("PNG", "GIF")
        image = image.convert("RGBA" if has_alpha else "RGB")
        out = io.BytesIO()
        if as_png:
            image.save(out, format="PNG", optimize=True)
        else:
            image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ("image/png" if as_png else "image/jpeg"), out.getvalue()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_WRITERS = {"csv": _CsvWriter, "json": _JsonWriter, "html": _HtmlWriter}
