"""Markdown articles (.md), with optional YAML front matter.

Front matter (between `---` lines at the top) gives title, author, source,
url, published/date, tags and language/lang. Without a title there, the first
`# H1` is the title, else one is derived from the lead paragraph. Raw HTML in
the Markdown is not interpreted (it is escaped), and the rendered fragment is
sanitised like every other importer's.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from archive_app.core.dates import normalize_date
from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle, ParsedImage
from archive_app.core.importers.captions import derive_title, split_credit
from archive_app.core.importers.decoding import decode_text
from archive_app.core.importers.fragments import sanitize_fragment
from archive_app.core.importers.tags import tag_values

# "html": False escapes raw HTML instead of passing it through to the reader.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    raw, encoding = decode_text(data)
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    meta, body = _front_matter(raw)
    tokens = _MARKDOWN.parse(body)

    title = _text_field(meta, "title")
    h1 = _title_heading(tokens)
    if h1 is not None:
        heading = _inline_text(tokens[h1 + 1])
        if not title or _same_text(heading, title):
            title = title or heading
            del tokens[h1 : h1 + 3]  # heading_open, inline, heading_close

    published, date_warning = _date_field(meta, "published", "date")
    images, warnings = _collect_images(tokens, path)
    warnings[:0] = [date_warning] if date_warning else []
    blocks, paragraphs = _plain_text(tokens)
    if not blocks and not images:
        raise NotAnArticle("empty file" if not title else "no article text")
    title = title or derive_title(paragraphs) or derive_title(blocks) or path.stem

    html = sanitize_fragment(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))
    return [
        ParsedArticle(
            title=title,
            text="\n\n".join(blocks),
            html=html,
            author=_text_field(meta, "author"),
            source=_text_field(meta, "source"),
            url=_text_field(meta, "url"),
            published=published,
            language=_text_field(meta, "language", "lang"),
            tags=_tags_field(meta),
            images=tuple(images),
            warnings=tuple(warnings),
            extra={"encoding": encoding},
        )
    ]


# Front matter


def _front_matter(raw: str) -> tuple[dict[object, object], str]:
    match = _FRONT_MATTER.match(raw)
    if match is None:
        return {}, raw
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ImportFailed(f"front matter is not valid YAML: {_yaml_problem(exc)}") from None
    except (ValueError, RecursionError) as exc:  # e.g. a date like 2024-13-45
        raise ImportFailed(f"front matter is not valid YAML: {exc}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        # "---" can also be a Markdown rule over a setext heading: only a mapping
        # of keys is front matter, anything else is the document itself.
        return {}, raw
    return meta, raw[match.end() :]


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    if not problem:
        return str(exc)
    parts = [_at(getattr(exc, "context", None), getattr(exc, "context_mark", None))]
    parts.append(_at(problem, getattr(exc, "problem_mark", None)))
    return ": ".join(part for part in parts if part)


def _at(message: str | None, mark: yaml.Mark | None) -> str:
    if not message or mark is None:
        return message or ""
    # The YAML starts on the file's second line, after the opening "---".
    return f"{message} (line {mark.line + 2}, column {mark.column + 1})"


def _text_field(meta: dict[object, object], *keys: str) -> str:
    for key in keys:
        if key not in meta:
            continue
        value = meta[key]
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ImportFailed(
                f"front matter: '{key}' should be text, not {_describe(value)}"
                + (" (put the value in quotes)" if isinstance(value, bool) else "")
            )
        return str(value).strip()
    return ""


def _date_field(meta: dict[object, object], *keys: str) -> tuple[str, str]:
    """(ISO date or "", warning): a date written in an unreadable way is only a warning."""
    for key in keys:
        if key not in meta:
            continue
        value = meta[key]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # "published: 2024" is a year
        if value is not None and not isinstance(value, str | dt.date):
            raise ImportFailed(f"front matter: '{key}' should be a date, not {_describe(value)}")
        try:
            return normalize_date(value), ""
        except ValueError:
            return "", f"front matter: '{key}' is not a date this archive can read: {value!r}"
    return "", ""


def _tags_field(meta: dict[object, object]) -> tuple[str, ...]:
    try:
        return tag_values(meta.get("tags"), _describe, allow_numbers=True)
    except ValueError as exc:
        raise ImportFailed(f"front matter: {exc}") from None


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    names = {dict: "a mapping", list: "a list"}
    return names.get(type(value), f"a {type(value).__name__}")


# Body


def _title_heading(tokens: list[Token]) -> int | None:
    """Index of the first H1, if no text comes before it (then it is the title)."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return index
        if token.type in ("inline", "fence", "code_block") and _has_text(token):
            return None
    return None


def _collect_images(tokens: list[Token], path: Path) -> tuple[list[ParsedImage], list[str]]:
    """ParsedImages in document order; their srcs become `image:N` in place."""
    images: list[ParsedImage] = []
    warnings: list[str] = []
    base = path.parent
    seen_paragraph = False
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        in_paragraph = index > 0 and tokens[index - 1].type == "paragraph_open"
        has_text = _has_text(token)
        for child in token.children or ():
            if child.type != "image":
                continue
            src = str(child.attrs.get("src", ""))
            caption, credit = split_credit(str(child.attrs.get("title", "") or ""))
            lead = not images and not seen_paragraph and not (in_paragraph and has_text)
            found = _locate(src, base)
            if isinstance(found, str):
                warnings.append(found)
                child.attrs["src"] = ""
                continue
            child.attrs["src"] = f"image:{len(images)}"
            images.append(
                ParsedImage(
                    path=found.get("path"),
                    data=found.get("data"),
                    url=found.get("url"),
                    alt=" ".join(child.content.split()),
                    caption=caption,
                    credit=credit,
                    role="lead" if lead else "inline",
                )
            )
        if in_paragraph and has_text:
            seen_paragraph = True
    return images, warnings


def _locate(src: str, base: Path) -> dict[str, object] | str:
    """Where the image is: {"path"|"data"|"url": …}, or a warning saying why it is skipped."""
    src = src.strip()
    if not src:
        return "image without a source skipped"
    if src.startswith("//"):
        return {"url": "https:" + src}
    scheme = urlsplit(src).scheme.lower() if ":" in src else ""
    if scheme in ("http", "https"):
        return {"url": src}
    if scheme == "data":
        return _data_uri(src)
    if len(scheme) > 1:  # one letter is a Windows drive, "C:/pictures/a.jpg"
        return f"image with unsupported address skipped: {src[:80]}"
    # Markdown percent-encodes destinations ("my%20photo.jpg"); Windows authors
    # write backslashes. Neither is part of the file name on disk.
    relative = unquote(src.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    try:
        return {"path": (base / relative).resolve()}
    except (OSError, ValueError, RuntimeError):
        return f"image with unusable path skipped: {src[:80]}"


def _data_uri(src: str) -> dict[str, object] | str:
    header, comma, payload = src[len("data:") :].partition(",")
    if not comma:
        return "malformed data: image skipped"
    if header.lower().endswith(";base64"):
        try:
            data = base64.b64decode("".join(unquote(payload).split()), validate=True)
        except (binascii.Error, ValueError):
            return "data: image with invalid base64 skipped"
    else:
        data = unquote_to_bytes(payload)
    return {"data": data} if data else "empty data: image skipped"


def _plain_text(tokens: list[Token]) -> tuple[list[str], list[str]]:
    """(every block's plain text, the paragraphs' texts): no Markdown syntax, no images."""
    blocks: list[str] = []
    paragraphs: list[str] = []
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            if any(row):
                blocks.append(" | ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline":
            text = _inline_text(token)
            if row is not None:
                row.append(text)
            elif text:
                blocks.append(text)
                if index > 0 and tokens[index - 1].type == "paragraph_open":
                    paragraphs.append(text)
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(token.content.strip("\n"))
    return blocks, paragraphs


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    lines = ("".join(parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _has_text(token: Token) -> bool:
    if token.type != "inline":
        return bool(token.content.strip())
    return bool(_inline_text(token))


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
