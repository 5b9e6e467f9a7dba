"""MHTML importer: a page saved as a single file (.mhtml, .mht) is one article.

Browsers save a page "as a single file" in MIME multipart/related form
(RFC 2557): the HTML is one part, each image and stylesheet another, named by
the URL it came from (Content-Location) or by a Content-ID that the page
refers to as a cid: URL. The HTML part goes through the HTML importer, which
asks for the images by URL; the parts answer. An image whose part is missing
stays a reference to its URL. Nothing is ever fetched from the network.
"""

from __future__ import annotations

import base64
import email
import email.message
import re
from dataclasses import replace
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle
from archive_app.core.importers.captured import as_declared, url_key
from archive_app.core.importers.html import parse_page

__all__ = ["parse"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CID = re.compile(rb"""cid:([^\s"'<>()]+)""", re.IGNORECASE)


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    if not data.strip():
        raise NotAnArticle("empty file")
    message = email.message_from_bytes(data, policy=policy.default)
    if not _is_mime(message):
        raise ImportFailed("not an MHTML file: no MIME headers found")
    if not message.is_multipart() and message.get_content_type() not in _HTML_TYPES:
        raise ImportFailed(
            f"not an MHTML file: a single {message.get_content_type()} part, not a saved page"
        )

    html_part: email.message.Message | None = None
    by_location: dict[str, bytes] = {}
    by_cid: dict[str, tuple[str, str, bytes]] = {}  # content id -> (type, location, bytes)
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        if html_part is None and content_type in _HTML_TYPES:
            html_part = part
            continue
        payload = _payload(part)
        if not payload:
            continue
        location = (part.get("Content-Location") or "").strip()
        if location:
            by_location.setdefault(url_key(location), payload)
        if content_id := (part.get("Content-ID") or "").strip().strip("<>"):
            by_cid.setdefault(content_id.lower(), (content_type, location, payload))
    if html_part is None:
        raise ImportFailed("not a saved web page: the MHTML file has no HTML part")

    page = _payload(html_part)
    if not page or not page.strip():
        raise ImportFailed("the HTML part of the MHTML file is empty")
    page_url = (html_part.get("Content-Location") or "").strip() or (
        message.get("Snapshot-Content-Location") or ""
    ).strip()
    charset = html_part.get_content_charset() or ""

    def fetch(url: str) -> bytes | None:
        if url.lower().startswith("cid:"):
            found = by_cid.get(url[4:].strip("<>").lower())
            return found[2] if found else None
        return by_location.get(url_key(url))

    def inline_cid(match: re.Match[bytes]) -> bytes:
        """A cid: reference the HTML importer can follow: the part's own URL when it
        names one, else the part itself as a data: URI."""
        content_id = match.group(1).decode("ascii", "replace")
        found = by_cid.get(content_id.lower())
        if found is None:
            return match.group(0)
        media_type, location, payload = found
        if urlsplit(location).scheme.lower() in ("http", "https") and location.isascii():
            return location.encode("ascii")
        return f"data:{media_type};base64,".encode() + base64.b64encode(payload)

    html = as_declared(page, charset)
    if by_cid:
        html = _CID.sub(inline_cid, html)
    article = parse_page(html, page_url=page_url, fetch=fetch)
    subject = str(message.get("Subject") or "").strip()
    if subject and not article.title:
        return [replace(article, title=subject)]
    return [article]


def _is_mime(message: email.message.Message) -> bool:
    """Whether the file starts with MIME headers at all (any text parses as a message)."""
    if message.defects and not message.keys():
        return False
    return bool(message.get("MIME-Version")) or message.get_content_maintype() == "multipart"


def _payload(part: email.message.Message) -> bytes | None:
    """The part's bytes with its transfer encoding (quoted-printable, base64) undone."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken part is treated as missing
        return None
    return payload if isinstance(payload, bytes) else None
