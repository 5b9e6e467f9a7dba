"""Web archive importer: every captured HTML page of a WARC is one article.

A WARC (ISO 28500, plain or gzip-compressed record by record) holds the HTTP
responses of a crawl. Each HTML page that answered 200 goes through the HTML
importer; the images it shows are looked up among the other responses of the
same file, so an article keeps the pictures as they were captured. Nothing
is ever fetched from the network.

The file is read once: pages and images are indexed by URL as they come.
Redirects (3xx with a Location) lead to the response they point at, and
`revisit` records (a capture that did not change since an earlier one) lead
to the payload of the original response.

Pages that are not articles (error pages, redirects, navigation without
body text) are skipped with a reason; only a web archive without any article
fails. A file damaged part-way (a truncated download) keeps the records
before the damage.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle
from archive_app.core.importers.captured import as_declared, url_key
from archive_app.core.importers.html import parse_page

__all__ = ["parse"]

MAX_PAYLOAD = 20 * 1024 * 1024  # a larger single payload is not kept (nor imported)
MAX_IMAGE_TOTAL = 256 * 1024 * 1024  # image payloads kept in memory for one file
_MAX_REDIRECTS = 10
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_IMAGE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".bmp",
    ".tif",
    ".tiff",
    ".svg",
    ".ico",
)
_LISTED_REASONS = 5  # reasons quoted in the error of a web archive without articles


class _QuietIterator(ArchiveIterator):
    """warcio writes a warning per damaged record to stderr; damage is told in the import's
    warnings instead, so the command line and the desktop app stay quiet."""

    INC_RECORD = ""


@dataclass
class _Capture:
    """What one response or revisit record says about its URL."""

    kind: str  # "response" or "revisit"
    status: int
    location: str  # absolute redirect target, "" when none
    payload: bytes | None  # kept for images only
    digest: str  # WARC-Payload-Digest
    refers_to: str  # revisit: WARC-Refers-To-Target-URI


@dataclass
class _Page:
    url: str
    date: str
    record_id: str
    status: int
    location: str
    charset: str
    payload: bytes | None
    too_large: bool


class _Index:
    """The captures of one web archive by normalised URL, and payloads by digest."""

    def __init__(self) -> None:
        self.by_url: dict[str, _Capture] = {}
        self.by_digest: dict[str, bytes] = {}
        self.kept = 0

    def add(self, url: str, capture: _Capture) -> None:
        key = url_key(url)
        existing = self.by_url.get(key)
        # The first usable capture of a URL wins; a later one only replaces a capture
        # that has nothing to give (an error, an empty payload).
        if existing is None or (existing.payload is None and not existing.location):
            self.by_url[key] = capture
        if capture.payload is not None and capture.digest:
            self.by_digest.setdefault(capture.digest, capture.payload)

    def keep(self, size: int) -> bool:
        """Whether a payload of this size still fits in memory."""
        if size > MAX_PAYLOAD or self.kept + size > MAX_IMAGE_TOTAL:
            return False
        self.kept += size
        return True

    def fetch(self, url: str) -> bytes | None:
        """The captured bytes at this URL, following redirects and revisits."""
        seen: set[str] = set()
        key = url_key(url)
        for _ in range(_MAX_REDIRECTS + 1):
            if key in seen:
                return None
            seen.add(key)
            capture = self.by_url.get(key)
            if capture is None:
                return None
            if 300 <= capture.status < 400 and capture.location:
                key = url_key(capture.location)
                continue
            if capture.status not in (0, 200):
                return None
            if capture.payload is not None:
                return capture.payload
            if capture.kind == "revisit":
                if capture.digest in self.by_digest:
                    return self.by_digest[capture.digest]
                if capture.refers_to:
                    key = url_key(capture.refers_to)
                    continue
            return None
        return None


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    _check_signature(data)
    index = _Index()
    pages: list[_Page] = []
    records = 0
    damage = ""
    compressed = data.startswith(b"\x1f\x8b")
    gzip_damage = _gzip_damage(data) if compressed else None
    iterator = _QuietIterator(io.BytesIO(data), check_digests=False)
    try:
        for record in iterator:
            page, capture = _read_record(record, index)
            # The offset is known once the record has been read to its end.
            offset = iterator.get_record_offset()
            if gzip_damage is not None and offset >= gzip_damage[0]:
                damage = gzip_damage[1]
                break
            if not compressed and not _complete(data, offset, record):
                damage = "the file ends in the middle of a record"
                break
            if page is not None:
                pages.append(page)
            if capture is not None:
                index.add(*capture)
            records += 1
        else:
            if gzip_damage is not None:
                damage = gzip_damage[1]
    except Exception as exc:  # warcio, gzip and zlib each raise their own kind
        damage = _describe(exc)
    if records == 0:
        if damage:
            raise ImportFailed(f"not a readable web archive: {damage}")
        raise NotAnArticle("empty web archive")

    articles: list[ParsedArticle] = []
    skipped: list[str] = []
    for page in pages:
        try:
            articles.append(_article(page, index))
        except (ImportFailed, NotAnArticle) as exc:
            skipped.append(f"skipped {page.url}: {exc}")

    warnings: list[str] = []
    if damage:
        warnings.append(f"the web archive is damaged after record {records}: {damage}")
    if not articles:
        reasons = "; ".join(skipped[:_LISTED_REASONS])
        if len(skipped) > _LISTED_REASONS:
            reasons += f"; and {len(skipped) - _LISTED_REASONS} more"
        detail = f"{len(pages)} HTML pages" + (f": {reasons}" if reasons else "")
        if damage:
            detail += f"; {warnings[0]}"
        raise ImportFailed(f"no article pages in this web archive ({detail})")
    first = articles[0]
    articles[0] = replace(first, warnings=(*first.warnings, *warnings, *skipped))
    return articles


_CHUNK = 1 << 20


def _gzip_damage(data: bytes) -> tuple[int, str] | None:
    """Where the first damaged gzip member starts and what is wrong, None when intact.

    warcio reads a truncated member as a short record without complaint, so the
    members are checked here first (the output is thrown away)."""
    size = len(data)
    pos = 0
    while pos < size:
        start = pos
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while not inflater.eof and pos < size:
                chunk = data[pos : pos + _CHUNK]
                inflater.decompress(chunk, _CHUNK)
                while inflater.unconsumed_tail and not inflater.eof:
                    inflater.decompress(inflater.unconsumed_tail, _CHUNK)
                pos += len(chunk)
        except zlib.error as exc:
            return start, f"broken gzip data ({exc})"
        if not inflater.eof:
            return start, "the compressed data ends in the middle of a record"
        pos -= len(inflater.unused_data) + len(inflater.unconsumed_tail)
    return None


def _complete(data: bytes, offset: int, record: ArcWarcRecord) -> bool:
    """Whether an uncompressed record's whole block is in the file."""
    try:
        length = int(record.rec_headers.get_header("Content-Length") or 0)
    except ValueError:
        return False
    header_end = data.find(b"\r\n\r\n", offset)
    return header_end >= 0 and header_end + 4 + length <= len(data)


def _check_signature(data: bytes) -> None:
    """Fail early on a file that does not start with a WARC record."""
    if not data.strip():
        raise NotAnArticle("empty file")
    head = data[:65536]
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error as exc:
            raise ImportFailed(f"not a readable web archive: broken gzip data ({exc})") from None
    if not head.lstrip(b"\r\n").startswith(b"WARC/"):
        raise ImportFailed("not a readable web archive: the file does not start with a WARC record")


def _read_record(
    record: ArcWarcRecord, index: _Index
) -> tuple[_Page | None, tuple[str, _Capture] | None]:
    """What one record adds: an HTML page (kept in full) and a capture for the URL
    index (images kept up to the memory cap)."""
    kind = record.rec_type
    if kind not in ("response", "revisit"):
        return None, None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not url:
        return None, None
    http = record.http_headers
    status = 0
    location = ""
    content_type = ""
    if http is not None:
        try:
            status = int(http.get_statuscode() or 0)
        except ValueError:
            status = 0
        if raw_location := (http.get_header("Location") or "").strip():
            location = urljoin(url, raw_location)
        content_type = http.get_header("Content-Type") or ""
    mime, charset = _content_type(content_type)
    digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
    refers_to = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or ""

    if kind == "response" and mime in _HTML_TYPES:
        payload = _read_payload(record) if status == 200 else None
        page = _Page(
            url=url,
            date=record.rec_headers.get_header("WARC-Date") or "",
            record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
            status=status,
            location=location,
            charset=charset,
            payload=payload,
            too_large=status == 200 and payload is None,
        )
        return page, (url, _Capture(kind, status, location, None, digest, refers_to))

    payload = None
    if kind == "response" and status in (0, 200) and _looks_like_image(url, mime):
        payload = _read_payload(record)
        if payload is not None and not index.keep(len(payload)):
            payload = None
    return None, (url, _Capture(kind, status, location, payload or None, digest, refers_to))


def _read_payload(record: ArcWarcRecord) -> bytes | None:
    """The record's HTTP body (chunking and content encoding undone), None when too large."""
    stream = record.content_stream()
    payload = stream.read(MAX_PAYLOAD + 1)
    if len(payload) > MAX_PAYLOAD:
        return None
    return payload


def _article(page: _Page, index: _Index) -> ParsedArticle:
    if 300 <= page.status < 400:
        target = f" to {page.location}" if page.location else ""
        raise NotAnArticle(f"a redirect (HTTP {page.status}){target}")
    if page.status != 200:
        raise NotAnArticle(f"an error page (HTTP {page.status})")
    if page.too_large:
        raise NotAnArticle(f"the page is larger than {MAX_PAYLOAD // (1024 * 1024)} MB")
    assert page.payload is not None
    if not page.payload.strip():
        raise NotAnArticle("an empty page")
    parsed = parse_page(
        as_declared(page.payload, page.charset), page_url=page.url, fetch=index.fetch
    )
    extra = dict(parsed.extra)
    extra["capture_url"] = page.url
    if page.date:
        extra["captured_at"] = _iso_date(page.date)
    if page.record_id:
        extra["warc_record_id"] = page.record_id.strip("<>")
    return replace(
        parsed,
        url=parsed.url or page.url,
        record=page.payload,
        record_locator=f"{page.url} @ {page.date}",
        extra=extra,
    )


def _iso_date(value: str) -> str:
    """WARC-Date as ISO 8601 (early WARC versions wrote 14 digits, as in ARC files)."""
    value = value.strip()
    if len(value) == 14 and value.isdigit():
        v = value
        return f"{v[:4]}-{v[4:6]}-{v[6:8]}T{v[8:10]}:{v[10:12]}:{v[12:]}Z"
    return value


def _content_type(value: str) -> tuple[str, str]:
    """The media type (lower case) and the charset parameter of a Content-Type header."""
    mime, _, params = value.partition(";")
    charset = ""
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'")
    return mime.strip().lower(), charset


def _looks_like_image(url: str, mime: str) -> bool:
    if mime.startswith("image/"):
        return True
    if mime and mime not in ("application/octet-stream", "binary/octet-stream"):
        return False
    return urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES)


def _describe(exc: Exception) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message.splitlines()[0][:200]
