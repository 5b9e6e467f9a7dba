"""Highlighted excerpts: the passages of a text where the query's words occur.

Whoosh's highlighter re-analyses every token of every text through its filter
chain, which costs several milliseconds per article. Here the text is split
with one regular expression and each distinct word is stemmed once (cached),
so a page of twenty excerpts costs about as much as one Whoosh highlight.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The same word pattern as Whoosh's default RegexTokenizer, so that a word the
# index matched is a word found here.
WORD = re.compile(r"\w+(?:\.?\w+)*")
SCAN_CHARS = 200_000  # long reports: look for matches in the first part only


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str


def find_matches(text: str, terms: set[str], normalize: Callable[[str], str]) -> list[Match]:
    """Every word of the text whose normalised form is one of the terms."""
    if not terms:
        return []
    found = []
    for m in WORD.finditer(text, 0, min(len(text), SCAN_CHARS)):
        term = normalize(m.group())
        if term in terms:
            found.append(Match(m.start(), m.end(), term))
    return found


def excerpt(
    text: str,
    matches: list[Match],
    *,
    max_chars: int = 220,
    fragments: int = 2,
    tag: str = "mark",
) -> str:
    """Up to `fragments` passages around the richest clusters of matches, as safe HTML."""
    if not matches:
        return plain_excerpt(text, max_chars)
    width = max_chars // fragments
    chosen: list[tuple[int, int]] = []
    candidates = sorted(
        ((_window_score(matches, i, width), i) for i in range(len(matches))),
        key=lambda si: (-si[0], si[1]),
    )
    for _score, i in candidates:
        start = max(0, matches[i].start - width // 4)
        end = min(len(text), start + width)
        if any(start < e and s < end for s, e in chosen):
            continue
        chosen.append((start, end))
        if len(chosen) == fragments:
            break
    chosen.sort()
    pieces = []
    for start, end in chosen:
        start, end = _snap(text, start, end)
        inside = [m for m in matches if start <= m.start and m.end <= end]
        body = mark(text[start:end], [(m.start - start, m.end - start) for m in inside], tag)
        pieces.append(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))
    return re.sub(r"(?:\s*…){2,}\s*", " … ", " ".join(pieces)).strip()


def mark(text: str, spans: Iterable[tuple[int, int]], tag: str = "mark") -> str:
    """The text HTML-escaped, with each (start, end) span wrapped in <tag>."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(html.escape(text[last:start], quote=False))
        out.append(f'<{tag} class="match">{html.escape(text[start:end], quote=False)}</{tag}>')
        last = end
    out.append(html.escape(text[last:], quote=False))
    return " ".join("".join(out).split())


def plain_excerpt(text: str, max_chars: int = 220) -> str:
    excerpt_text = text[:max_chars]
    if len(text) > max_chars:
        excerpt_text = excerpt_text.rsplit(" ", 1)[0] + " …"
    return html.escape(" ".join(excerpt_text.split()), quote=False)


def _window_score(matches: list[Match], i: int, width: int) -> float:
    """Distinct terms within the window starting at match i, then how many matches."""
    limit = matches[i].start + width
    terms, count = set(), 0
    for m in matches[i:]:
        if m.end > limit:
            break
        terms.add(m.term)
        count += 1
    return len(terms) + count / 100


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the edges out to whole words."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end
