"""One pane of a comparison as a document, and what to mark in it.

The pane shows `Article.text`, the text the comparison's offsets index, split
into paragraphs at blank lines: one block per paragraph, so that every
character of the text has exactly one place in the document. `PaneDocument`
keeps that map both ways (`position`, `offset`); a passage found in the text is
marked at the same characters in the document.

Two details keep the map exact. Qt counts positions in UTF-16 code units
(an emoji takes two), Python in code points: paragraphs holding characters
outside the Basic Multilingual Plane are counted in code units. And HTML
collapses white space: paragraphs are written `white-space: pre-wrap`, a line
break inside a paragraph becomes U+2028 (a line break in the same block) and
control characters become spaces, so no character is dropped or added.

Nothing from the text is ever markup: it is escaped, so an article holding
`<script>` or `<img src=…>` shows those words and loads nothing.

Nothing here imports Qt.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from archive_app.core.models import Comparison, Span

# Soft accents, one per passage (cycled): drawn see-through over the page, so each
# reads as a tint on a light page and on a dark one; the text keeps its palette colour.
PASSAGE_COLOURS: tuple[tuple[int, int, int], ...] = (
    (240, 176, 32),  # amber
    (64, 150, 245),  # sky
    (70, 180, 90),  # green
    (160, 110, 235),  # violet
    (245, 110, 90),  # coral
    (30, 175, 170),  # teal
    (235, 95, 165),  # pink
    (150, 185, 40),  # lime
)

_BREAK = re.compile(r"\n[^\S\n]*\n\s*")  # a blank line (or several) between paragraphs
_WORDLIKE = re.compile(r"\w")
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Paragraph:
    start: int  # offsets into the article's text, end exclusive
    end: int
    position: int  # document position of its first character
    length: int  # its length in the document (UTF-16 code units)
    heading: bool
    astral: bool  # holds characters that take two code units


@dataclass(frozen=True)
class PaneDocument:
    """The HTML of a pane's text and the exact map between text offsets and positions."""

    text: str
    html: str
    paragraphs: tuple[Paragraph, ...]
    _starts: list[int] = field(init=False, repr=False, compare=False)
    _positions: list[int] = field(init=False, repr=False, compare=False)

    @property
    def end_position(self) -> int:
        if not self.paragraphs:
            return 0
        last = self.paragraphs[-1]
        return last.position + last.length

    def position(self, offset: int) -> int:
        """The document position of a text offset (between paragraphs: the nearest edge)."""
        if not self.paragraphs:
            return 0
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return self.paragraphs[0].position
        paragraph = self.paragraphs[index]
        if offset >= paragraph.end:
            return paragraph.position + paragraph.length
        if not paragraph.astral:
            return paragraph.position + offset - paragraph.start
        return paragraph.position + _utf16_length(self.text[paragraph.start : offset])

    def offset(self, position: int) -> int:
        """The text offset at a document position (a paragraph's break: its end)."""
        if not self.paragraphs:
            return 0
        index = bisect_right(self._positions, position) - 1
        if index < 0:
            return self.paragraphs[0].start
        paragraph = self.paragraphs[index]
        inside = min(position - paragraph.position, paragraph.length)
        if not paragraph.astral:
            return paragraph.start + inside
        units = 0
        for at in range(paragraph.start, paragraph.end):
            if units >= inside:
                return at
            units += 2 if ord(self.text[at]) > 0xFFFF else 1
        return paragraph.end

    def ranges(self, span: Span) -> list[tuple[int, int]]:
        """The document ranges (start, end) of a text span, one per paragraph it touches."""
        found = []
        first = max(0, bisect_right(self._starts, span.start) - 1)
        for paragraph in self.paragraphs[first:]:
            if paragraph.start >= span.end:
                break
            start, end = max(span.start, paragraph.start), min(span.end, paragraph.end)
            if start < end:
                found.append((self.position(start), self.position(end)))
        return found

    def __post_init__(self) -> None:
        # Looked up by bisection on every mapping: kept beside the paragraphs.
        object.__setattr__(self, "_starts", [p.start for p in self.paragraphs])
        object.__setattr__(self, "_positions", [p.position for p in self.paragraphs])


def build_document(text: str, body_html: str = "") -> PaneDocument:
    """The pane's document for an article's text; `body_html` only tells which lines are headings.

    About a millisecond per thousand words: a 5,000-word article is built
    well within a frame.
    """
    headings = _headings(body_html) if body_html else set()
    paragraphs: list[Paragraph] = []
    parts: list[str] = []
    position = 0
    for start, end in _paragraph_ranges(text):
        piece = text[start:end]
        astral = not piece.isascii() and any(ord(c) > 0xFFFF for c in piece)
        length = _utf16_length(piece) if astral else len(piece)
        heading = bool(headings) and " ".join(piece.split()) in headings
        paragraphs.append(Paragraph(start, end, position, length, heading, astral))
        tag = "h3" if heading else "p"
        parts.append(f'<{tag} style="white-space:pre-wrap;">{_displayed(piece)}</{tag}>')
        position += length + 1  # the block's own separator
    return PaneDocument(text=text, html="\n".join(parts), paragraphs=tuple(paragraphs))


def _paragraph_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    at = 0
    for found in _BREAK.finditer(text):
        ranges.append((at, found.start()))
        at = found.end()
    ranges.append((at, len(text)))
    trimmed = []
    for start, end in ranges:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append((start, end))
    return trimmed


def _displayed(piece: str) -> str:
    """The paragraph as HTML with exactly one document character per text character."""
    if piece.isprintable():
        return html.escape(piece, quote=False)
    chars = []
    for char in piece:
        if char in "\n\u2029":
            chars.append("\u2028")  # a line break inside the block, not a new block
        elif char != "\t" and unicodedata.category(char) == "Cc":
            chars.append(" ")
        else:
            chars.append(char)
    return html.escape("".join(chars), quote=False)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _HeadingReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: set[str] = set()
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HEADING_TAGS:
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _HEADING_TAGS and self._open is not None:
            words = " ".join("".join(self._open).split())
            if words:
                self.headings.add(words)
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def _headings(body_html: str) -> set[str]:
    reader = _HeadingReader()
    reader.feed(body_html)
    reader.close()
    return reader.headings


# -- what to mark: passages shared with the reference, and text found only here ------------


@dataclass(frozen=True)
class SharedMark:
    """A passage of one pane that another pane holds too.

    `group` numbers the stretch of the reference article (the first pane) the
    passage corresponds to; it picks the colour, so a passage and its twins
    have the same colour in every pane. `reference` is the twin's span in the
    reference article.
    """

    span: Span
    group: int
    reference: Span
    exact: bool

    @property
    def colour(self) -> tuple[int, int, int]:
        return PASSAGE_COLOURS[self.group % len(PASSAGE_COLOURS)]


def shared_marks(comparisons: Sequence[Comparison]) -> list[list[SharedMark]]:
    """Marks for every pane: the reference first, then one list per comparison.

    Each comparison is the reference against one other pane. The reference's
    spans from all comparisons are merged where they overlap into groups, so
    that text the reference shares with two panes gets one colour in all three.
    """
    regions = _merged(p.a for c in comparisons for p in c.shared)
    starts = [r.start for r in regions]
    exact: dict[int, bool] = {}
    others: list[list[SharedMark]] = []
    for comparison in comparisons:
        marks = []
        for passage in comparison.shared:
            group = max(0, bisect_right(starts, passage.a.start) - 1)
            exact[group] = exact.get(group, True) and passage.exact
            marks.append(SharedMark(passage.b, group, passage.a, passage.exact))
        marks.sort(key=lambda m: m.span.start)
        others.append(marks)
    reference = [
        SharedMark(region, group, region, exact.get(group, True))
        for group, region in enumerate(regions)
    ]
    return [reference, *others]


def only_here(document: PaneDocument, shared: Sequence[Span]) -> list[Span]:
    """The stretches of each paragraph outside every shared span that hold a word."""
    covered = _merged(shared)
    text = document.text
    found: list[Span] = []
    first = 0
    for paragraph in document.paragraphs:
        while first < len(covered) and covered[first].end <= paragraph.start:
            first += 1
        cursor = paragraph.start
        index = first
        while index < len(covered) and covered[index].start < paragraph.end:
            gap = _trimmed(text, cursor, min(paragraph.end, covered[index].start))
            if gap is not None:
                found.append(gap)
            cursor = max(cursor, covered[index].end)
            index += 1
        gap = _trimmed(text, cursor, paragraph.end)
        if gap is not None:
            found.append(gap)
    return found


def mark_at(marks: Sequence[SharedMark], offset: int) -> SharedMark | None:
    """The mark holding a text offset, if any."""
    for mark in marks:
        if mark.span.start <= offset < mark.span.end:
            return mark
    return None


def twin_in(marks: Sequence[SharedMark], reference_offset: int, group: int) -> SharedMark | None:
    """The mark of a pane whose reference span holds this offset; else the group's first."""
    for mark in marks:
        if mark.reference.start <= reference_offset < mark.reference.end:
            return mark
    return next((m for m in marks if m.group == group), None)


def to_reference(mark: SharedMark, offset: int) -> int:
    """An offset inside a mark carried to its reference span, in proportion."""
    return _carry(offset, mark.span, mark.reference)


def from_reference(mark: SharedMark, reference_offset: int) -> int:
    return _carry(reference_offset, mark.reference, mark.span)


def _carry(offset: int, source: Span, target: Span) -> int:
    width = max(1, source.end - source.start)
    share = min(1.0, max(0.0, (offset - source.start) / width))
    return target.start + round(share * (target.end - target.start))


def _merged(spans) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end and _WORDLIKE.search(text, start, end):
        return Span(start, end)
    return None


# -- scrolling one pane with another -------------------------------------------------------


def interpolate(anchors: Sequence[tuple[float, float]], y: float) -> float:
    """A position in one pane for `y` in another, from (y here, y there) anchor pairs.

    Anchors are sorted by their first value: the two ends of every shared
    passage, and the two documents' tops and bottoms. Inside a passage the
    twin moves in proportion to it; between passages, in proportion to the gap.
    """
    if not anchors:
        return y
    firsts = [a for a, _b in anchors]
    index = bisect_right(firsts, y) - 1
    if index < 0:
        return anchors[0][1] - (anchors[0][0] - y)
    if index >= len(anchors) - 1:
        return anchors[-1][1] + (y - anchors[-1][0])
    (y0, t0), (y1, t1) = anchors[index], anchors[index + 1]
    if y1 <= y0:
        return t1
    return t0 + (y - y0) * (t1 - t0) / (y1 - y0)
