"""Aligning two texts: the passages they share and how much of them is in common.

Pure functions over two strings; nothing here reads the archive.

The method: both texts become lists of folded words (case and accents folded
as in `fingerprints.words`) with their character offsets. Runs of SEED_WORDS
words found in both texts seed exact matches, which are extended both ways
into maximal runs, less a word or two of a neighbouring sentence at their
ends. Runs are then chosen longest first, one-to-one (a stretch of one text
pairs with at most one stretch of the other; a run that overlaps a chosen one
keeps only its free part). Short matches a few words away from a chosen run
are added (the start of a sentence whose third word was changed), and
neighbouring runs separated by a few words on both sides (a changed word, a
name spelt differently) are joined into one passage that is not exact.
Passages of fewer than MIN_PASSAGE_WORDS words are dropped, so that stock
phrases do not count as shared text. Two 5,000-word articles take about
15 ms (bench/bench_compare.py).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from archive_app.core.models import SharedPassage, Span

SEED_WORDS = 5  # runs shorter than this are not looked for
MIN_PASSAGE_WORDS = 6  # shorter passages are stock phrases, not shared text
MAX_GAP_WORDS = 4  # at most this many differing words inside one passage, on each side
MIN_BRIDGE_WORDS = 2  # a shorter run across an edit is as likely chance as a match
FRAGMENT_WORDS = 2  # words of a neighbouring sentence dropped from a run's ends
MAX_SEED_REPEATS = 64  # a seed this frequent in one text is noise (a repeated line)

# A word is letters and digits; accents left apart (NFD text) belong to their word.
# Chinese and Japanese are written without spaces: each character counts as a word.
_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_IDEOGRAPHS}]|(?:[^\W_{_IDEOGRAPHS}]|[\u0300-\u036f])+")
_COMBINING = re.compile(r"[\u0300-\u036f]")
# Punctuation that ends a sentence (with its closing quotes and brackets) or opens one.
_STOPS = ".!?…。！？"
_SENTENCE_END = re.compile(rf"[{_STOPS}]*[\"'”’»)\]」』）]*[{_STOPS}]*")
_OPENERS = "\"'“‘«([「『（"


@dataclass(frozen=True)
class Words:
    """A text's folded words as small integers, with each word's character offsets."""

    ids: list[int]
    starts: list[int]
    ends: list[int]


@dataclass(frozen=True)
class _Run:
    a: int  # first word in a
    b: int  # first word in b
    length: int  # words


def align(text_a: str, text_b: str) -> tuple[tuple[SharedPassage, ...], float]:
    """Shared passages in `a`'s order, and the share of both texts' words they cover.

    Similarity is (words of a in passages + words of b in passages) divided by
    (words of a + words of b): 1.0 for the same text, 0.0 for texts with
    nothing in common (or when both are empty).
    """
    vocabulary: dict[str, int] = {}
    a = tokenize(text_a, vocabulary)
    b = tokenize(text_b, vocabulary)
    if a.ids and a.ids == b.ids:
        # The same words: one passage, however short the texts (no seed fits in
        # a text of fewer than SEED_WORDS words).
        whole = SharedPassage(
            _span(text_a, a, 0, len(a.ids)), _span(text_b, b, 0, len(b.ids)), True
        )
        return (whole,), 1.0
    maximal = _maximal_runs(a.ids, b.ids)
    runs = _choose_one_to_one(
        [t for r in maximal if (t := _without_fragments(r, text_a, a, text_b, b))]
    )

    def sentence_edge(i: int, j: int) -> bool:
        return _breaks_before(text_a, a, i) and _breaks_before(text_b, b, j)

    groups = _join_neighbours(_bridge_edits(runs, a.ids, b.ids, sentence_edge))
    passages: list[SharedPassage] = []
    covered = 0
    for first, last, exact in groups:
        words_a = last.a + last.length - first.a
        words_b = last.b + last.length - first.b
        if min(words_a, words_b) < MIN_PASSAGE_WORDS:
            continue
        covered += words_a + words_b
        passages.append(
            SharedPassage(
                a=_span(text_a, a, first.a, last.a + last.length),
                b=_span(text_b, b, first.b, last.b + last.length),
                exact=exact,
            )
        )
    total = len(a.ids) + len(b.ids)
    return tuple(passages), (covered / total if total else 0.0)


def tokenize(text: str, vocabulary: dict[str, int] | None = None) -> Words:
    """Folded words as ids (shared between texts through `vocabulary`), with offsets."""
    vocabulary = {} if vocabulary is None else vocabulary
    ids: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _WORD.finditer(text):
        word = match.group().casefold()
        if not word.isascii():
            word = _COMBINING.sub("", unicodedata.normalize("NFKD", word))
        ids.append(vocabulary.setdefault(word, len(vocabulary)))
        starts.append(match.start())
        ends.append(match.end())
    return Words(ids, starts, ends)


def _maximal_runs(a: list[int], b: list[int]) -> list[_Run]:
    """Every maximal run of at least SEED_WORDS words found in both, each once.

    Seeds are shared SEED_WORDS-word shingles. A seed inside a run already
    found on the same diagonal (a - b) is skipped, so each run is extended once.
    """
    k = SEED_WORDS
    if len(a) < k or len(b) < k:
        return []
    where: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(a) - k + 1):
        where.setdefault(tuple(a[i : i + k]), []).append(i)
    reached: dict[int, int] = {}  # diagonal -> end (in a) of the last run found on it
    runs: list[_Run] = []
    for j in range(len(b) - k + 1):
        positions = where.get(tuple(b[j : j + k]))
        if positions is None or len(positions) > MAX_SEED_REPEATS:
            continue
        for i in positions:
            diagonal = i - j
            if i < reached.get(diagonal, -1):
                continue
            start_a, start_b = i, j
            floor = reached.get(diagonal, 0)
            while start_a > floor and start_b > 0 and a[start_a - 1] == b[start_b - 1]:
                start_a -= 1
                start_b -= 1
            end_a, end_b = i + k, j + k
            while end_a < len(a) and end_b < len(b) and a[end_a] == b[end_b]:
                end_a += 1
                end_b += 1
            reached[diagonal] = end_a
            runs.append(_Run(start_a, start_b, end_a - start_a))
    return runs


def _breaks_before(text: str, words: Words, i: int) -> bool:
    """Whether a sentence (or a line) ends between word i - 1 and word i."""
    if i <= 0 or i >= len(words.starts):
        return True
    between = text[words.ends[i - 1] : words.starts[i]]
    return any(c in between for c in _STOPS + "\n")


def _without_fragments(run: _Run, text_a: str, a: Words, text_b: str, b: Words) -> _Run | None:
    """The run without a word or two of a neighbouring sentence at either end.

    "…the piers are built. The" shares "The" only because both next
    sentences happen to start with it; keeping it would take that word from
    the run that pairs the next sentence properly.
    """

    def both(offset: int) -> bool:
        return _breaks_before(text_a, a, run.a + offset) and _breaks_before(
            text_b, b, run.b + offset
        )

    def either(offset: int) -> bool:
        return _breaks_before(text_a, a, run.a + offset) or _breaks_before(
            text_b, b, run.b + offset
        )

    start, end = 0, run.length
    if not both(0):  # begins inside a sentence: drop a fragment before the first break
        start = next((o for o in range(1, min(FRAGMENT_WORDS + 1, run.length)) if either(o)), 0)
    if not both(run.length):  # ends inside a sentence: drop a fragment after the last break
        end = next(
            (o for o in range(run.length - 1, run.length - FRAGMENT_WORDS - 1, -1) if either(o)),
            run.length,
        )
    if end - start < SEED_WORDS:
        return None
    return _Run(run.a + start, run.b + start, end - start)


def _bridge_edits(
    runs: list[_Run], a: list[int], b: list[int], sentence_edge: Callable[[int, int], bool]
) -> list[_Run]:
    """Add the short runs (under SEED_WORDS) that lie a small edit away from a chosen run.

    "The council voted on Thursday to fund the bridge" against "…on Friday to
    fund…": "to fund the bridge" is a run, "The council voted on" too short
    to seed one; this finds it across the changed word so the passage starts
    where the sentence does. A single word counts only when it reaches the
    sentence's edge in both texts ("The" in "The regional council" against
    "The county council"); `sentence_edge(i, j)` tells whether a sentence
    ends before word i of a and word j of b.
    """
    taken_a, taken_b = _Taken(), _Taken()
    for run in runs:
        taken_a.add(run.a, run.a + run.length)
        taken_b.add(run.b, run.b + run.length)

    def free(i: int, j: int) -> bool:
        return (
            0 <= i < len(a)
            and 0 <= j < len(b)
            and a[i] == b[j]
            and not taken_a.overlapping(i, i + 1)
            and not taken_b.overlapping(j, j + 1)
        )

    found = list(runs)
    work = [(run, step) for run in runs for step in (-1, 1)]
    while work:
        run, step = work.pop()
        best: tuple[int, int, int, int] | None = None  # (matched, -gap, i, j)
        for gap_a in range(MAX_GAP_WORDS + 1):
            for gap_b in range(MAX_GAP_WORDS + 1):
                if gap_a == gap_b == 0:
                    continue
                if step > 0:
                    i, j = run.a + run.length + gap_a, run.b + run.length + gap_b
                else:
                    i, j = run.a - 1 - gap_a, run.b - 1 - gap_b
                matched = 0
                while matched < SEED_WORDS and free(i + step * matched, j + step * matched):
                    matched += 1
                if step > 0:
                    edge = sentence_edge(i + matched, j + matched)
                else:
                    edge = sentence_edge(i - matched + 1, j - matched + 1)
                enough = matched >= MIN_BRIDGE_WORDS or (matched == 1 and edge)
                candidate = (matched, -(gap_a + gap_b), i, j)
                if enough and (best is None or candidate > best):
                    best = candidate
        if best is None:
            continue
        matched, _, i, j = best
        if step < 0:
            i, j = i - matched + 1, j - matched + 1
        bridged = _Run(i, j, matched)
        taken_a.add(i, i + matched)
        taken_b.add(j, j + matched)
        found.append(bridged)
        work.append((bridged, step))
    found.sort(key=lambda r: r.a)
    return found


class _Taken:
    """Word ranges already paired in one text: sorted, non-overlapping [start, end)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        at = bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        at = max(0, bisect_left(self.starts, start) - 1)
        found = []
        while at < len(self.starts) and self.starts[at] < end:
            if self.ends[at] > start:
                found.append((self.starts[at], self.ends[at]))
            at += 1
        return found


def _choose_one_to_one(runs: list[_Run]) -> list[_Run]:
    """Runs longest first; a run overlapping chosen ones is cut to its longest free part."""
    heap = [(-r.length, r.a, r.b, n, r) for n, r in enumerate(runs)]
    heapq.heapify(heap)
    count = len(heap)
    taken_a, taken_b = _Taken(), _Taken()
    chosen: list[_Run] = []
    while heap:
        *_, run = heapq.heappop(heap)
        blocked = [
            (s - run.a, e - run.a) for s, e in taken_a.overlapping(run.a, run.a + run.length)
        ] + [(s - run.b, e - run.b) for s, e in taken_b.overlapping(run.b, run.b + run.length)]
        if not blocked:
            chosen.append(run)
            taken_a.add(run.a, run.a + run.length)
            taken_b.add(run.b, run.b + run.length)
            continue
        offset, length = _longest_free(run.length, blocked)
        if length >= SEED_WORDS:
            part = _Run(run.a + offset, run.b + offset, length)
            count += 1
            heapq.heappush(heap, (-length, part.a, part.b, count, part))
    chosen.sort(key=lambda r: r.a)
    return chosen


def _longest_free(length: int, blocked: list[tuple[int, int]]) -> tuple[int, int]:
    """The longest stretch of 0..length not inside any blocked range: (offset, length)."""
    best = (0, 0)
    position = 0
    for start, end in sorted(blocked):
        start, end = max(start, 0), min(end, length)
        if start > position and start - position > best[1]:
            best = (position, start - position)
        position = max(position, end)
    if length - position > best[1]:
        best = (position, length - position)
    return best


def _join_neighbours(runs: list[_Run]) -> list[tuple[_Run, _Run, bool]]:
    """Groups of runs in `a`'s order as (first run, last run, exact).

    A run joins the previous one when it follows it in both texts within
    MAX_GAP_WORDS words on each side; a group with any gap is not exact.
    """
    groups: list[tuple[_Run, _Run, bool]] = []
    for run in runs:
        if groups:
            first, last, exact = groups[-1]
            gap_a = run.a - (last.a + last.length)
            gap_b = run.b - (last.b + last.length)
            if 0 <= gap_a <= MAX_GAP_WORDS and 0 <= gap_b <= MAX_GAP_WORDS:
                groups[-1] = (first, run, exact and gap_a == gap_b == 0)
                continue
        groups.append((run, run, True))
    return groups


def _span(text: str, words: Words, first: int, end: int) -> Span:
    """Characters from word `first` to word `end - 1`, with a sentence's own punctuation.

    An opening quote or bracket just before the first word and the closing
    punctuation just after the last one (". ” )") belong to the passage, so a
    shared sentence is covered whole.
    """
    start = words.starts[first]
    opened = start
    while opened > 0 and text[opened - 1] in _OPENERS:
        opened -= 1
    if opened == 0 or text[opened - 1].isspace():
        start = opened
    stop = words.ends[end - 1]
    closed = _SENTENCE_END.match(text, stop).end()
    # Only whole punctuation: the apostrophe of "children's" stays with its word.
    if closed == len(text) or text[closed].isspace():
        stop = closed
    return Span(start, stop)
