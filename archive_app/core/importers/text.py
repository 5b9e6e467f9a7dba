"""Plain text articles (.txt): paragraphs separated by blank lines.

Text saved from a news page usually starts with the lead image's title and
caption ("First Lady Melania Trump (2020)" / "…, D.C. The Trump White House
Archived/Wikimedia Commons"), sometimes a headline, then paragraphs with short
section headings. The file's layout is the only markup there is, so the rules
below are deliberately conservative: anything not clearly a caption, headline
or heading stays an ordinary paragraph, and no word of the file is dropped.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

from archive_app.core.dates import normalize_date
from archive_app.core.importers.base import NotAnArticle, ParsedArticle, ParsedImage
from archive_app.core.importers.captions import derive_title, looks_like_caption, split_credit
from archive_app.core.importers.decoding import decode_text
from archive_app.core.importers.fragments import figure, heading, paragraph
from archive_app.core.importers.tags import tag_values

# Image formats a "story.txt" + "story.jpg" pair is saved with.
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")

# An optional "Key: value" header at the very top; only these keys, so that a
# first paragraph starting "Note: …" is never mistaken for one.
_HEADER_FIELDS = {
    "title": "title",
    "author": "author",
    "by": "author",
    "source": "source",
    "url": "url",
    "date": "published",
    "published": "published",
    "tags": "tags",
}
_HEADER_LINE = re.compile(r"([A-Za-z]+):[ \t]+(\S.*)")

# Words a capitalised heading leaves in lowercase ("Advocacy for Children").
_MINOR_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "for", "in", "on", "at", "to", "by",
        "with", "from", "as", "into", "onto", "vs", "via", "per", "over", "under", "than", "up",
        "out", "off"
    }
)  # fmt: skip
_LIST_ITEM = re.compile(r"([-*•]|\d+[.)])\s")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")

Block = list[str]  # the stripped lines of one paragraph


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    raw, encoding = decode_text(data)
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    header, lines = _read_header([line.rstrip() for line in raw.split("\n")])
    blocks = _blocks(lines)
    if not blocks:
        raise NotAnArticle("empty file" if not header else "no article text after the header")

    title = header.get("title", "")
    if title and blocks[0] == [title] and len(blocks) > 1:
        blocks = blocks[1:]  # the header's title repeated as the headline
    lead: tuple[str, str, str] | None = None  # image title, caption, credit
    if not title and _is_headline(blocks):
        title, blocks = blocks[0][0], blocks[1:]
    if len(blocks) > 1 and (lead := _caption_block(blocks[0])) is not None:
        blocks = blocks[1:]
        if not title and _is_headline(blocks):
            title, blocks = blocks[0][0], blocks[1:]

    body = _body(blocks)
    images = _lead_image(path, lead)
    if not title:
        paragraphs = [text for kind, text in body if kind == "p"]
        title = derive_title(paragraphs) or (lead[0] if lead else "") or path.stem

    html_parts = []
    if images:
        image = images[0]
        html_parts.append(figure(0, image.caption, image.credit, alt=image.alt))
    html_parts += [heading(text) if kind == "h2" else _paragraph_html(text) for kind, text in body]
    return [
        ParsedArticle(
            title=title,
            text="\n\n".join(text for _, text in body),
            html="".join(html_parts),
            author=header.get("author", ""),
            source=header.get("source", ""),
            url=header.get("url", ""),
            published=header.get("published", "") or _dateline_date(body),
            tags=tag_values(header.get("tags", ""), repr),
            images=images,
            extra={"encoding": encoding},
        )
    ]


# Wire-style datelines: "KHERSON, 18 June 2019 — …" or "KYIV, June 18, 2019 (Reuters) - …".
_DATELINE = re.compile(
    r"^[A-ZÀ-ÞА-ЯІЇЄҐ][A-ZÀ-ÞА-ЯІЇЄҐ .'’-]{1,40},\s+"
    r"(?P<date>\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})"
    r"\b[^—–-]{0,30}[—–-]"
)
_DATELINE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def _dateline_date(body: list[tuple[str, str]]) -> str:
    """The date of a dateline opening the first paragraph, or ""."""
    first = next((text for kind, text in body if kind == "p"), "")
    match = _DATELINE.match(first)
    if match is None:
        return ""
    value = " ".join(match.group("date").replace(",", " ").replace(".", " ").split())
    value = value.replace("Sept ", "Sep ")  # the AP's abbreviation, unknown to strptime
    for fmt in _DATELINE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _read_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The "Key: value" lines before the first blank line, if every one of them is one."""
    fields: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            return (fields, lines[index:]) if fields else ({}, lines)
        match = _HEADER_LINE.fullmatch(line.strip())
        key = _HEADER_FIELDS.get(match.group(1).lower()) if match else None
        if match is None or key is None:
            return {}, lines
        value = match.group(2).strip()
        if key == "published":
            try:
                value = normalize_date(value)
            except ValueError:
                return {}, lines  # "Date: yesterday" is prose, not a header
        elif key == "url" and any(ch.isspace() for ch in value):
            return {}, lines
        fields[key] = value
    return {}, lines  # header lines and nothing else: treat them as text


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current: Block = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_headline(blocks: list[Block]) -> bool:
    """A short single line standing alone at the top, with more text after it."""
    if len(blocks) < 2 or len(blocks[0]) != 1:
        return False
    line = blocks[0][0]
    return (
        len(line.split()) <= 15
        and len(line) <= 150
        and not line.endswith((".", ",", ";", ":"))
        and any(ch.isalpha() for ch in line)
        and not looks_like_caption(line)
    )


def _caption_block(block: Block) -> tuple[str, str, str] | None:
    """(image title, caption, credit) when the block is an image's title and credited caption."""
    if len(block) == 1:
        if _DATELINE.match(block[0]):  # "KYIV, June 18 (Reuters) - …" opens a story
            return None
        caption, credit = split_credit(block[0])
        return ("", caption, credit) if looks_like_caption(block[0]) else None
    if len(block) != 2:
        return None
    image_title, line = block
    caption, credit = split_credit(line)
    if (
        not credit
        or len(image_title.split()) > 15
        or len(image_title) > 120
        or image_title.endswith((".", ",", ";", ":", "-"))
        or line[0].islower()  # a wrapped sentence running on, not a caption
    ):
        return None
    return image_title, caption, credit


def _body(blocks: list[Block]) -> list[tuple[str, str]]:
    """("p" or "h2", text) for each block; headings only between paragraphs."""
    body: list[tuple[str, str]] = []
    for index, block in enumerate(blocks):
        between = bool(body) and index + 1 < len(blocks)
        if between and len(block) == 1 and _is_heading(block[0], body[-1], blocks[index + 1][0]):
            body.append(("h2", block[0]))
        else:
            body.append(("p", _paragraph_text(block)))
    return body


def _is_heading(line: str, previous: tuple[str, str], following: str) -> bool:
    words = line.split()
    if not words or len(words) > 10 or len(line) > 100 or line.endswith((".", "!", ",", ";", ":")):
        return False
    if not (line[0].isupper() or line[0].isdigit()) or looks_like_caption(line):
        return False
    major = [w for w in words if w.lower() not in _MINOR_WORDS]
    capitalised = [w for w in major if w[0].isupper() or w[0].isdigit()]
    if len(capitalised) >= 0.75 * len(major):
        return True  # "War Crimes Oversight Crisis"
    # Sentence-case headings ("Chain of custody") are as common. Such a line counts
    # only between a paragraph that ends a sentence and one that starts one, so that
    # a paragraph broken by stray blank lines, or a one-line question, stays text.
    kind, text = previous
    return (
        kind == "p"
        and not line.endswith("?")
        and bool(_SENTENCE_END.search(text))
        and not following[0].islower()
    )


def _paragraph_text(block: Block) -> str:
    if len(block) == 1:
        return block[0]
    return " ".join(block) if _is_hard_wrapped(block) else "\n".join(block)


def _is_hard_wrapped(block: Block) -> bool:
    """Prose wrapped at a fixed width: every line but the last nearly fills it.

    Lists, verse and addresses have ragged, short lines and keep their breaks.
    """
    if any(_LIST_ITEM.match(line) for line in block):
        return False
    width = max(len(line) for line in block)
    return width >= 50 and all(len(line) >= 0.6 * width for line in block[:-1])


def _paragraph_html(text: str) -> str:
    if "\n" not in text:
        return paragraph(text)
    return (
        "<p>" + "<br>".join(htmllib.escape(line, quote=False) for line in text.split("\n")) + "</p>"
    )


def _lead_image(path: Path, lead: tuple[str, str, str] | None) -> tuple[ParsedImage, ...]:
    """The caption block's image, with the same-stem picture saved beside the file if any."""
    picture = _image_beside(path)
    if lead is None:
        return (ParsedImage(path=picture, role="lead"),) if picture else ()
    image_title, caption, credit = lead
    return (
        ParsedImage(
            path=picture,
            title=image_title,
            alt=image_title or caption,
            caption=caption,
            credit=credit,
            role="lead",
        ),
    )


def _image_beside(path: Path) -> Path | None:
    # Probe the few possible names instead of listing the folder: a folder of
    # ten thousand articles would otherwise be listed ten thousand times.
    for suffix in _IMAGE_SUFFIXES:
        for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate.resolve()
    return None
