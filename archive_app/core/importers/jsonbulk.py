"""Bulk JSON importer: many articles in one .json, .jsonl or .ndjson file.

Accepted shapes: a JSON array of article objects, an object with an
"articles" array, a single article object, or JSON Lines (one object per
line, blank lines ignored). Each object may hold:

    title, text, html, published, source, url, author, language  (strings)
    tags    (a list of strings, or one comma-separated string)
    images  (a list of {path, url, caption, credit, alt, title, role})

A record whose fields have the wrong types is not imported; the file's other
records are. Since there is no per-file warning, the problems of the skipped
records ride on the first imported article's `warnings`. When no record can be
imported the whole file fails with the first problems listed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import lxml.etree
import lxml.html

from archive_app.core.dates import normalize_date
from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle, ParsedImage
from archive_app.core.importers.captions import derive_title, first_sentence, shorten_title
from archive_app.core.importers.decoding import decode_text
from archive_app.core.importers.fragments import figure, paragraph, sanitize_fragment
from archive_app.core.importers.tags import tag_values

__all__ = ["canonical_record", "parse", "text_from_html"]

_LINE_FORMATS = frozenset({".jsonl", ".ndjson"})
_STRING_FIELDS = ("title", "text", "html", "published", "source", "url", "author", "language")
_KNOWN_FIELDS = frozenset({*_STRING_FIELDS, "tags", "images"})
_IMAGE_FIELDS = ("path", "url", "caption", "credit", "alt", "title", "role")
_MAX_PROBLEMS_SHOWN = 5
_TYPE_NAMES = {
    bool: "boolean",
    int: "int",
    float: "float",
    str: "string",
    list: "list",
    dict: "object",
}

# Tags whose content is never article text, and tags that end a paragraph.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "main", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "li", "dl",
        "dt", "dd", "table", "tr", "figure", "figcaption", "hr", "address", "details",
    }
)  # fmt: skip
_PARAGRAPH_BREAK = "\n\n"
_SPACES = re.compile(r"\s+")


class _RecordProblem(Exception):
    """One record cannot be imported; the message names the field at fault."""


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    text, _encoding = decode_text(data)
    if path.suffix.lower() in _LINE_FORMATS:
        entries = _line_entries(text)
    else:
        entries = _document_entries(text)

    articles: list[ParsedArticle] = []
    problems: list[str] = []
    for locator, value in entries:
        try:
            articles.append(_article(value, locator, path.parent))
        except _RecordProblem as exc:
            where = f"record {locator}" if locator.startswith("[") else locator or "record"
            problems.append(f"{where}: {exc}")

    if not articles:
        if not problems:
            raise NotAnArticle("no articles in the file")
        raise ImportFailed(_summary(problems))
    if problems:
        first = articles[0]
        articles[0] = replace(first, warnings=(*first.warnings, *problems))
    return articles


def canonical_record(value: object) -> bytes:
    """The record's identity: the same object gives the same bytes whatever its layout."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # JSON may hold lone surrogates ("\\ud800"): valid JSON, not valid UTF-8, still an identity.
    return text.encode("utf-8", "surrogatepass")


def text_from_html(markup: str) -> str:
    """Plain text of an HTML fragment or page: paragraphs separated by blank lines."""
    root = _parse_html(markup)
    if root is None:
        return ""
    body = root.find("body")
    parts: list[str] = []
    skipping = 0
    # iterwalk instead of recursion: nesting depth is the input's to choose.
    for event, element in lxml.etree.iterwalk(body if body is not None else root, ("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        ignored = tag is None or tag in _SKIPPED_TAGS  # comments and processing instructions too
        if event == "start":
            if ignored or skipping:
                skipping += ignored
                continue
            if tag in _BLOCK_TAGS:
                parts.append(_PARAGRAPH_BREAK)
            elif tag == "br":
                parts.append("\n")
            parts.append(_spaces(element.text))
        else:
            if ignored:
                skipping -= 1
            elif skipping:
                continue
            elif tag in _BLOCK_TAGS:
                parts.append(_PARAGRAPH_BREAK)
            if not skipping:
                parts.append(_spaces(element.tail))
    return _paragraphs("".join(parts))


def _line_entries(text: str) -> list[tuple[str, object]]:
    # Split on "\n" only: str.splitlines() would also split at U+2028, which
    # JSON allows unescaped inside strings.
    entries: list[tuple[str, object]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value: object = json.loads(line)
        except json.JSONDecodeError as exc:
            value = _RecordProblem(f"invalid JSON at column {exc.colno}: {exc.msg}")
        except RecursionError:
            value = _RecordProblem("JSON nested too deeply")
        entries.append((f"line {number}", value))
    return entries


def _document_entries(text: str) -> list[tuple[str, object]]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ImportFailed("invalid JSON: nested too deeply") from None
    if isinstance(value, list):
        return [(f"[{i}]", item) for i, item in enumerate(value)]
    if isinstance(value, dict):
        # An "articles" key only makes a container when the object is not an
        # article itself; otherwise it is just one of the article's fields.
        if "articles" in value and not (value.keys() & {"title", "text", "html"}):
            items = value["articles"]
            if not isinstance(items, list):
                raise ImportFailed(f"'articles' must be an array, got {_type_name(items)}")
            return [(f"[{i}]", item) for i, item in enumerate(items)]
        return [("", value)]
    raise ImportFailed(
        "expected an article object, an array of them or an object with an 'articles' array;"
        f" got {_type_name(value)}"
    )


def _article(value: object, locator: str, folder: Path) -> ParsedArticle:
    if isinstance(value, _RecordProblem):
        raise value
    if not isinstance(value, dict):
        raise _RecordProblem(f"must be an object, got {_type_name(value)}")
    fields = {name: _string_field(value, name) for name in _STRING_FIELDS}
    tags = _tags(value.get("tags"))
    images = tuple(_images(value.get("images"), folder))

    markup = fields["html"]
    text = _paragraphs(fields["text"]) if fields["text"].strip() else ""
    if not text and markup.strip():
        text = text_from_html(markup)
    if not text:
        raise _RecordProblem(
            "needs 'text' or 'html'" if not markup.strip() else "'html' has no text"
        )

    warnings: list[str] = []
    try:
        published = normalize_date(fields["published"])
    except ValueError as exc:
        # A badly written date is not worth losing the article for.
        published = ""
        warnings.append(f"'published' ignored: {exc}")

    try:
        record = canonical_record(value)
    except (RecursionError, ValueError):
        raise _RecordProblem("record nested too deeply to store") from None
    return ParsedArticle(
        title=_spaces(fields["title"]).strip() or _derived_title(text),
        text=text,
        html=_body_html(markup, text, images, folder),
        author=fields["author"].strip(),
        source=fields["source"].strip(),
        url=fields["url"].strip(),
        published=published,
        language=fields["language"].strip(),
        tags=tags,
        images=images,
        record=record,
        record_locator=locator,
        warnings=tuple(warnings),
        extra={k: _json_text(v) for k, v in value.items() if k not in _KNOWN_FIELDS},
    )


def _derived_title(text: str) -> str:
    paragraphs = text.split("\n\n")
    # derive_title passes over caption-like paragraphs; a record of captions only
    # still gets its first sentence.
    return derive_title(paragraphs) or shorten_title(first_sentence(paragraphs[0]))


def _string_field(record: dict[str, object], name: str) -> str:
    value = record.get(name)
    if value is None:  # absent and null both mean "not given"
        return ""
    if not isinstance(value, str):
        raise _RecordProblem(f"'{name}' must be a string, got {_type_name(value)}")
    return value


def _tags(value: object) -> tuple[str, ...]:
    try:
        return tag_values(value, _type_name)
    except ValueError as exc:
        raise _RecordProblem(str(exc)) from None


def _images(value: object, folder: Path) -> Iterator[ParsedImage]:
    if value is None:
        return
    if not isinstance(value, list):
        raise _RecordProblem(f"'images' must be a list, got {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _RecordProblem(f"'images'[{i}] must be an object, got {_type_name(item)}")
        fields: dict[str, str] = {}
        for name in _IMAGE_FIELDS:
            field_value = item.get(name)
            if field_value is not None and not isinstance(field_value, str):
                raise _RecordProblem(
                    f"'images'[{i}].{name} must be a string, got {_type_name(field_value)}"
                )
            fields[name] = (field_value or "").strip()
        if not fields["path"] and not fields["url"]:
            raise _RecordProblem(f"'images'[{i}] needs a 'path' or a 'url'")
        yield ParsedImage(
            # Relative paths are relative to the JSON file, not to the current directory.
            path=(folder / fields["path"]).resolve() if fields["path"] else None,
            url=fields["url"] or None,
            alt=fields["alt"],
            title=fields["title"],
            caption=fields["caption"],
            credit=fields["credit"],
            role="lead" if fields["role"] == "lead" else "inline",
        )


def _body_html(markup: str, text: str, images: tuple[ParsedImage, ...], folder: Path) -> str:
    if markup.strip():
        return sanitize_fragment(_link_images(markup, images, folder))
    figures = [figure(i, im.caption, im.credit, im.alt) for i, im in enumerate(images)]
    leads = [f for f, im in zip(figures, images, strict=True) if im.role == "lead"]
    others = [f for f, im in zip(figures, images, strict=True) if im.role != "lead"]
    return "".join([*leads, *(paragraph(p) for p in text.split("\n\n")), *others])


def _link_images(markup: str, images: tuple[ParsedImage, ...], folder: Path) -> str:
    """Point <img> tags that show one of the record's images at it (image:N)."""
    if not images or "<img" not in markup.lower():
        return markup
    root = _parse_html(markup)
    if root is None:
        return markup
    by_url = {image.url: i for i, image in reversed(list(enumerate(images))) if image.url}
    by_path = {image.path: i for i, image in reversed(list(enumerate(images))) if image.path}
    for img in list(root.iter("img")):
        src = (img.get("src") or "").strip()
        index = by_url.get(src)
        if index is None and src and ":" not in src:
            index = by_path.get((folder / src).resolve())
        if index is None:
            img.drop_tree()  # the fragment never references files outside the archive
        else:
            img.set("src", f"image:{index}")
    body = root.find("body")
    container = body if body is not None else root
    inner = [lxml.html.tostring(child, encoding="unicode") for child in container]
    return (container.text or "") + "".join(inner)


def _parse_html(markup: str) -> lxml.html.HtmlElement | None:
    # Parse bytes with an explicit encoding: lxml refuses str input that carries
    # an XML encoding declaration, and a <meta charset> must not override ours.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def _paragraphs(text: str) -> str:
    """Normalise line ends and spacing; paragraphs separated by exactly one blank line."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = []
    for block in blocks:
        lines = [" ".join(line.split()) for line in block.split("\n")]
        if joined := "\n".join(line for line in lines if line):
            cleaned.append(joined)
    return "\n\n".join(cleaned)


def _spaces(value: str | None) -> str:
    return _SPACES.sub(" ", value) if value else ""


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_PROBLEMS_SHOWN])
    more = len(problems) - _MAX_PROBLEMS_SHOWN
    suffix = f"; and {more} more" if more > 0 else ""
    return f"no record could be imported: {shown}{suffix}"


def _json_text(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (RecursionError, ValueError):
        return repr(value)


def _type_name(value: object) -> str:
    # Plain names for what the person wrote in the file, not Python's ("NoneType").
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), type(value).__name__)
