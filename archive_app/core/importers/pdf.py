"""PDF reports (.pdf): one article per file, text by page, embedded images.

PDF text comes out of pypdf as lines, not paragraphs: words are hyphenated
across line breaks, every line ends in a break, and running headers, footers
and page numbers repeat on each page. The cleaning below undoes that
conservatively: lines are joined into paragraphs when the next one clearly
continues the sentence, and only short lines at the top or bottom of a page
that repeat on most pages are dropped.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import statistics
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from archive_app.core.dates import normalize_date
from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle, ParsedImage
from archive_app.core.importers.captions import derive_title, shorten_title
from archive_app.core.importers.fragments import figure, paragraph

MAX_IMAGES = 200
MIN_IMAGE_SIDE = 32

ENCRYPTED = "the PDF is encrypted: open it and save an unprotected copy"
NO_TEXT = "no text in the PDF (a scanned document? OCR it first)"

# How many non-blank lines at each end of a page may be running headers or footers.
_EDGE_LINES = 3
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|página|pagina)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?"
    r"(?:\s*(?:of|/|von|de|sur)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_HYPHENATED = re.compile(r"[^\W\d_][-\u00ad]$")
_FILE_NAME = re.compile(
    r"(?:^(?:microsoft\s+\w+|word|powerpoint|excel)\s+-\s+)|"
    r"\.(?:docx?|pdf|rtf|odt|ods|odp|pages|tex|indd|pptx?|xlsx?|txt|html?|qxd|ps|eps)$",
    re.IGNORECASE,
)
_PLACEHOLDER_TITLES = frozenset(
    {"untitled", "untitled document", "title", "document", "no title", "none", "unknown"}
)
_PLACEHOLDER_AUTHORS = frozenset(
    {
        "user", "admin", "administrator", "owner", "author", "unknown", "none", "default",
        "microsoft office user", "windows user", "valued customer", "preferred customer",
    }
)  # fmt: skip
_SOURCE_KEYS = ("/Company", "/Publisher", "/Organization", "/Organisation")


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    if not data.strip():
        raise NotAnArticle("empty file")
    try:
        with _quiet():
            return [_parse(path, data)]
    except (ImportFailed, NotAnArticle):
        raise
    except Exception as exc:  # pypdf fails in many ways on damaged files
        raise ImportFailed(f"the PDF cannot be read: {_reason(exc)}") from exc


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pypdf logs and warns about every oddity it repairs; imports stay quiet."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] if text else type(exc).__name__


def _parse(path: Path, data: bytes) -> ParsedArticle:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except PdfReadError as exc:
        raise ImportFailed(f"the PDF cannot be read: {_reason(exc)}") from exc
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception:
            opened = 0
        if not opened:
            raise ImportFailed(ENCRYPTED)

    pages = list(reader.pages)
    if not pages:
        raise ImportFailed("the PDF has no pages")
    page_lines = [_page_lines(page) for page in pages]
    page_lines = _drop_running_lines(page_lines)
    page_paragraphs = _join_across_pages([_paragraphs(lines) for lines in page_lines])

    warnings_: list[str] = []
    images, page_images = _images(pages, warnings_)

    info = _metadata(reader)
    title = _metadata_title(info.get("/Title"), path)
    paragraphs = [p for page in page_paragraphs for p in page]
    if not title and page_paragraphs and page_paragraphs[0]:
        title = _prominent_line(page_paragraphs[0])
        if title and page_paragraphs[0][0] == title and len(paragraphs) > 1:
            page_paragraphs[0] = page_paragraphs[0][1:]
            paragraphs = paragraphs[1:]
    if not title:
        title = derive_title(paragraphs)

    if not paragraphs:
        if not images:
            raise ImportFailed(NO_TEXT)
        warnings_.append(NO_TEXT)
        if not title:
            title = _title_from_file_name(path)

    html_pages: list[str] = []
    for number, paras in enumerate(page_paragraphs, start=1):
        parts = [paragraph(p) for p in paras]
        parts += [figure(index, caption=f"Page {number}") for index in page_images.get(number, [])]
        if parts:
            html_pages.append("".join(parts))

    return ParsedArticle(
        title=title,
        text="\n\n".join(paragraphs),
        html="<hr>".join(html_pages),
        author=_author(info.get("/Author")),
        source=next((s for key in _SOURCE_KEYS if (s := _clean(info.get(key)))), ""),
        published=_published(reader),
        language=_language(reader),
        images=tuple(images),
        warnings=tuple(warnings_),
        extra={"pages": str(len(pages))},
    )


# -- text -----------------------------------------------------------------------


def _page_lines(page: object) -> list[str]:
    try:
        text = page.extract_text() or ""  # type: ignore[attr-defined]
    except Exception:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return [" ".join(line.split()) for line in text.split("\n")]


def _line_key(line: str) -> str:
    """Running headers differ only in their page number: "Report 2023 · 4"."""
    return re.sub(r"\d+", "#", line.casefold())


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Without lines repeating at the top or bottom of most pages, and page numbers."""
    if len(pages) < 2:
        return pages
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_line_key(lines[i]) for i in _edge_indexes(lines)})
    threshold = max(2, len(pages) // 2 + 1)
    cleaned = []
    for lines in pages:
        drop = {
            i
            for i in _edge_indexes(lines)
            if seen[_line_key(lines[i])] >= threshold or _PAGE_NUMBER.match(lines[i])
        }
        cleaned.append([line for i, line in enumerate(lines) if i not in drop])
    return cleaned


def _continues(previous: str, line: str) -> bool:
    return line[:1].islower() or (not _SENTENCE_END.search(previous) and line[:1] in "([,;")


def _join(previous: str, line: str) -> str:
    if _HYPHENATED.search(previous) and line[:1].islower():
        return previous[:-1] + line
    return previous + " " + line


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs: blank lines and short lines end a paragraph."""
    filled = [line for line in lines if line]
    if not filled:
        return []
    lengths = sorted(len(line) for line in filled)
    typical = lengths[int(len(lengths) * 0.75)] if len(lengths) > 2 else max(lengths)
    typical = max(typical, statistics.median(lengths))
    paragraphs: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = previous = ""
            continue
        if not current:
            current = line
        elif _continues(previous, line) or (
            len(previous) >= 0.7 * typical and not _SENTENCE_END.search(previous)
        ):
            current = _join(current, line)
        else:
            paragraphs.append(current)
            current = line
        previous = line
    if current:
        paragraphs.append(current)
    return paragraphs


def _join_across_pages(pages: list[list[str]]) -> list[list[str]]:
    """A sentence broken by a page break goes back together, on the earlier page."""
    pages = [list(p) for p in pages]
    last = None
    for number, paras in enumerate(pages):
        if not paras:
            continue
        if last is not None:
            tail = pages[last][-1]
            if paras[0][:1].islower() and not _SENTENCE_END.search(tail):
                pages[last][-1] = _join(tail, paras[0])
                del paras[0]
        if paras:
            last = number
    return pages


def _prominent_line(paragraphs: list[str]) -> str:
    """The first short line near the top that is not a sentence: the report's title."""
    for text in paragraphs[:4]:
        words = text.split()
        if (
            2 <= len(text) <= 120
            and len(words) <= 16
            and not _SENTENCE_END.search(text)
            and any(c.isalpha() for c in text)
            and not _PAGE_NUMBER.match(text)
        ):
            return text
    return ""


# -- metadata -------------------------------------------------------------------


def _metadata(reader: object) -> dict[str, object]:
    try:
        info = reader.metadata  # type: ignore[attr-defined]
        return {str(k): v for k, v in info.items()} if info else {}
    except Exception:
        return {}


def _clean(value: object) -> str:
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        return ""
    text = " ".join(text.replace("\x00", "").split())
    return text if any(c.isalnum() for c in text) else ""


def _metadata_title(value: object, path: Path) -> str:
    title = _clean(value)
    if not title or len(title) > 300 or _FILE_NAME.search(title):
        return ""
    folded = title.casefold()
    if folded in _PLACEHOLDER_TITLES or folded == path.stem.casefold():
        return ""
    if not any(c.isalpha() for c in title):
        return ""
    return title


def _author(value: object) -> str:
    author = _clean(value)
    if len(author) > 200 or author.casefold() in _PLACEHOLDER_AUTHORS:
        return ""
    return author if any(c.isalpha() for c in author) else ""


def _published(reader: object) -> str:
    try:
        created = reader.metadata.creation_date  # type: ignore[attr-defined]
        return normalize_date(created)
    except Exception:
        return ""


def _language(reader: object) -> str:
    try:
        lang = reader.trailer["/Root"].get("/Lang")  # type: ignore[attr-defined]
    except Exception:
        return ""
    text = _clean(lang)
    return text if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", text) else ""


def _title_from_file_name(path: Path) -> str:
    name = " ".join(re.sub(r"[_]+", " ", path.stem).split())
    return shorten_title(name) if name else "Untitled PDF"


# -- images ---------------------------------------------------------------------


def _image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def _images(
    pages: list[object], problems: list[str]
) -> tuple[list[ParsedImage], dict[int, list[int]]]:
    """The page images worth keeping, and which page shows which (1-based)."""
    images: list[ParsedImage] = []
    by_page: dict[int, list[int]] = {}
    unreadable = 0
    capped = False
    for number, page in enumerate(pages, start=1):
        if capped:
            break
        try:
            found = page.images  # type: ignore[attr-defined]
            keys = list(found.keys())
        except Exception:
            continue
        for key in keys:
            if len(images) >= MAX_IMAGES:
                capped = True
                break
            try:
                image = found[key]
                data = image.data
                name = str(image.name or "")
            except Exception:
                unreadable += 1
                continue
            size = _image_size(data) if data else None
            if size is None:
                unreadable += 1
                continue
            if min(size) < MIN_IMAGE_SIDE:
                continue
            by_page.setdefault(number, []).append(len(images))
            images.append(
                ParsedImage(data=data, caption=f"Page {number}", role="inline", title=name)
            )
    if unreadable:
        problems.append(f"{unreadable} image(s) in the PDF could not be read and were left out")
    if capped:
        problems.append(f"only the first {MAX_IMAGES} images of the PDF were kept")
    return images, by_page
