"""What the importers of captured pages (web archives, MHTML) share."""

from __future__ import annotations

import codecs
from urllib.parse import urlsplit, urlunsplit


def url_key(url: str) -> str:
    """A URL as a lookup key: no fragment, http and https alike, no trailing slash,
    lower-case host, no default port (`cid:` URLs only lower-cased)."""
    url = url.strip()
    if url.lower().startswith("cid:"):
        return url.lower()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme == "https":
        scheme = "http"
    host = (parts.hostname or "").lower()
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path.rstrip("/"), parts.query, ""))


def as_declared(data: bytes, charset: str) -> bytes:
    """The page as UTF-8 with a byte order mark when its headers declare a charset
    the bytes are not already UTF-8 in (the HTML importer trusts a BOM first)."""
    if not charset:
        return data
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        return data
    if codec in ("utf-8", "ascii"):
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        return codecs.BOM_UTF8 + data.decode(codec).encode("utf-8")
    except (UnicodeDecodeError, LookupError):
        return data
