"""Bytes to text: detect the encoding instead of mangling it."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from archive_app.core.importers.base import ImportFailed, NotAnArticle

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding.

    Raises NotAnArticle for an empty file and ImportFailed for bytes that are
    not text in any encoding (a binary file with a text extension).
    """
    if not data.strip():
        raise NotAnArticle("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ImportFailed(f"not valid {encoding} text: {exc.reason}") from None
    if b"\x00" in data[:8192]:
        raise ImportFailed("binary content, not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        mostly = _mostly_utf8(data)
        if mostly is not None:
            return mostly, "utf-8 (some bytes replaced)"
        raise ImportFailed("binary content, not a text file (no text encoding fits)")
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise ImportFailed("binary content, not a text file")
    return text, best.encoding


# A file joined from pieces in different encodings (UTF-8 with a cp1251 or latin-1
# paragraph) fits no single encoding; it is still text when few bytes are wrong.
_MOST_REPLACED = 0.1


def _mostly_utf8(data: bytes) -> str | None:
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") > _MOST_REPLACED * len(text) or _control_ratio(text) > 0.05:
        return None
    return text


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad / len(sample)
