"""Topic rules and the classifier that explains itself.

The rules are data (``resources/topics.toml``; each archive keeps its own copy):
per topic, weighted words and phrases, pairs of word lists that count when they
occur together, context words that cancel a false friend, and a threshold. The
file's header documents the format.

Scoring, per topic:

- every rule term found ``n`` times scores ``weight × (1 + ln n)``, so repeating one
  word cannot carry a topic; a term in the title counts ``title_weight`` times;
- a longer term claims its words before a shorter one ("child protection" is one
  match, not also "child" and "protection");
- a ``together`` rule scores the same way, with ``n`` the number of words of one
  list that have a word of the other list in the same sentence or within
  ``window`` words (whichever list gives more); a pair inside one already matched
  term does not count again;
- an occurrence of a ``cancel`` rule's term with one of its context words nearby
  counts for nothing (a "child process", a "price war");
- the topic is assigned when the score reaches the threshold and at least
  ``min_terms`` different terms or rules contributed. Longer texts offer more
  chances for stray matches, so for a text of more than ``reference_words``
  words the threshold is multiplied by ``1 + ln(words / reference_words)``.

Matching works on normalised words (see :mod:`archive_app.core.textnorm`): rule
terms and text are casefolded, accent-folded (Latin script only) and stemmed the
same way; a trailing ``*`` matches any word that begins with the folded prefix,
and a leading ``=`` matches the folded word itself, without stemming.
"""

from __future__ import annotations

import math
import re
import tomllib
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive_app.core.textnorm import WORD_RE, sentence_spans, split_word, stem

__all__ = [
    "Cancellation",
    "Contribution",
    "TopicDefinition",
    "TopicRules",
    "TopicRulesError",
    "TopicScore",
    "default_rules_path",
]

MAX_SENTENCES = 3  # sentences kept per contribution or cancellation
SNIPPET_CHARS = 200
MIN_PREFIX = 3  # shortest prefix a "word*" term may have
DEFAULT_WINDOW = 10  # words, for together rules
DEFAULT_TITLE_WEIGHT = 2.0
DEFAULT_REFERENCE_WORDS = 300

_TOP_KEYS = ("topic", "lists", "title_weight", "reference_words")
_TOPIC_KEYS = (
    "id",
    "label",
    "description",
    "threshold",
    "min_terms",
    "terms",
    "together",
    "cancel",
)
_TOGETHER_KEYS = ("name", "weight", "terms", "near", "window", "same_sentence")
_CANCEL_KEYS = ("terms", "context", "window")
_ID_RE = re.compile(r"^[^\W_][\w-]*$")


class TopicRulesError(Exception):
    """A topic rules file that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class Contribution:
    term: str  # the rule term as written, or a together rule's name
    weight: float
    count: int  # occurrences; for a together rule, words with a partner (see module doc)
    points: float
    sentences: tuple[str, ...]  # up to 3, trimmed to about 200 characters


@dataclass(frozen=True)
class Cancellation:
    term: str  # the cancel rule's term as written
    context: str  # the context word or phrase that cancelled it
    count: int
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class TopicScore:
    topic: str
    label: str
    score: float
    threshold: float  # as applied to this text (adjusted for its length)
    assigned: bool
    contributions: tuple[Contribution, ...]  # highest points first
    cancellations: tuple[Cancellation, ...]


@dataclass(frozen=True)
class TopicDefinition:
    id: str
    label: str
    description: str
    threshold: float


def default_rules_path() -> Path:
    """The rules shipped with the application (``resources/topics.toml``)."""
    return Path(__file__).resolve().parents[2] / "resources" / "topics.toml"


# -- compiled rules ---------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    text: str  # as written in the rules
    atoms: tuple[int, ...]  # one atom id per word


class _Patterns:
    """Patterns indexed by their first atom, so a text is checked only against
    the patterns whose first word it contains."""

    def __init__(self, patterns: Iterable[_Pattern]) -> None:
        self.patterns = tuple(patterns)
        index: dict[int, list[tuple[int, _Pattern]]] = {}
        for order, p in enumerate(self.patterns):
            index.setdefault(p.atoms[0], []).append((order, p))
        self.index = index

    def present(self, doc: _Doc) -> list[_Pattern]:
        """The patterns whose first atom occurs in ``doc``, in their own order."""
        atoms = self.index.keys() & doc.positions.keys()
        if not atoms:
            return []
        if len(atoms) == 1:
            return [p for _, p in self.index[atoms.pop()]]
        found = [item for atom in atoms for item in self.index[atom]]
        found.sort(key=lambda item: item[0])
        return [p for _, p in found]


@dataclass(frozen=True)
class _Term:
    pattern: _Pattern
    weight: float


@dataclass(frozen=True)
class _Together:
    name: str
    weight: float
    first: _Patterns
    near: _Patterns
    window: int
    same_sentence: bool


@dataclass(frozen=True)
class _Cancel:
    terms: _Patterns
    context: _Patterns
    window: int | None  # None: anywhere in the same sentence


@dataclass(frozen=True)
class _Topic:
    definition: TopicDefinition
    min_terms: int
    terms: tuple[_Term, ...]  # longest first, then file order
    together: tuple[_Together, ...]
    cancels: tuple[_Cancel, ...]


# The atoms of a regex match that is one word hitting no atom: shared, so that the
# many such words are told apart by identity.
_NO_ATOMS: tuple[tuple[int, ...], ...] = ((),)


class _Atoms:
    """The distinct word matchers of a rule set, and which ones each word hits.

    An atom is a stem (the word's stem must equal it), a prefix (the folded
    word must start with it) or a word (the folded word must equal it).
    """

    _CACHE_LIMIT = 100_000

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}
        self._stems: dict[str, int] = {}
        self._words: dict[str, int] = {}
        self._prefix: dict[str, int] = {}
        self._prefix_lengths: tuple[int, ...] = ()
        self._cache: dict[str, tuple[int, ...]] = {}
        self._raw_cache: dict[str, tuple[tuple[int, ...], ...]] = {}

    def add(self, kind: str, value: str) -> int:
        key = (kind, value)
        atom = self._ids.get(key)
        if atom is None:
            atom = self._ids[key] = len(self._ids)
            if kind == "*":
                self._prefix[value] = atom
                self._prefix_lengths = tuple(sorted({len(p) for p in self._prefix}))
            elif kind == "=":
                self._words[value] = atom
            else:
                self._stems[value] = atom
        return atom

    def of(self, folded: str) -> tuple[int, ...]:
        hit = self._cache.get(folded)
        if hit is not None:
            return hit
        found: list[int] = []
        atom = self._stems.get(stem(folded))
        if atom is not None:
            found.append(atom)
        atom = self._words.get(folded)
        if atom is not None:
            found.append(atom)
        size = len(folded)
        for length in self._prefix_lengths:
            if length > size:
                break
            atom = self._prefix.get(folded[:length])
            if atom is not None:
                found.append(atom)
        hit = tuple(found)
        if len(self._cache) >= self._CACHE_LIMIT:
            self._cache.clear()
        self._cache[folded] = hit
        return hit

    def __getstate__(self) -> dict[str, Any]:
        # Sent to each import helper process: the caches would only add to the
        # pickle, and `_NO_ATOMS` is recognised by identity, which pickling loses.
        state = self.__dict__.copy()
        state["_cache"] = {}
        state["_raw_cache"] = {}
        return state

    @property
    def raw_cache(self) -> dict[str, tuple[tuple[int, ...], ...]]:
        """What `of_raw` has found so far, by regex match."""
        return self._raw_cache

    def of_raw(self, raw: str) -> tuple[tuple[int, ...], ...]:
        """The atoms of each word in one regex match of the text, as written
        (`_NO_ATOMS` itself for one word that hits none)."""
        hits = self._raw_cache.get(raw)
        if hits is None:
            hits = tuple(self.of(word) for word in split_word(raw))
            if hits == _NO_ATOMS:
                hits = _NO_ATOMS
            if len(self._raw_cache) >= self._CACHE_LIMIT:
                self._raw_cache.clear()
            self._raw_cache[raw] = hits
        return hits


class _Doc:
    """An article as a sequence of words, with sentences and weights.

    Only words that match some atom are stored (by position); the others just
    take up a position, which keeps building a document cheap.
    """

    def __init__(self, parts: Sequence[tuple[str, float]], atoms: _Atoms) -> None:
        self.parts = [text for text, _ in parts]
        self.toks: dict[int, tuple[int, ...]] = {}  # atoms of each matching word
        self.sent: dict[int, int] = {}  # sentence of each matching word
        self.char: dict[int, int] = {}  # start offset of each matching word in its part
        self.sentences: list[tuple[int, int, int]] = []  # (part, start, end)
        self.sentence_words: list[tuple[int, int]] = []  # word range of each sentence
        # Word positions of each atom found; read with `in` and .get only, so that
        # looking an atom up never adds it.
        self.positions: defaultdict[int, list[int]] = defaultdict(list)
        self._part_words: list[tuple[int, float]] = []  # (first word, weight) of each part
        self._memo: dict[tuple[int, ...], list[int]] = {}
        toks, sent, char, positions = self.toks, self.sent, self.char, self.positions
        of_raw = atoms.of_raw
        known = atoms.raw_cache
        first_word: list[int] = []  # first word position of each sentence
        pos = 0
        for part, (text, weight) in enumerate(parts):
            self._part_words.append((pos, weight))
            if not text:
                continue
            spans = sentence_spans(text)
            base = len(self.sentences) - 1  # sentence ids count from the one before
            self.sentences.extend((part, s, e) for s, e in spans)
            first_word.extend([-1] * len(spans))
            # Sentence ends, after one before the text: the first word moves into its
            # sentence like any word that passes an end, and notes it as its first.
            ends = [-1, *(e for _, e in spans)]
            i = 0
            last = len(spans)
            sid = base
            for m in WORD_RE.finditer(text):
                start = m.start()
                if start >= ends[i] and i < last:
                    while i < last and start >= ends[i]:
                        i += 1
                    sid = base + i
                    first_word[sid] = pos
                raw = m[0]
                found = known.get(raw) or of_raw(raw)
                if found is _NO_ATOMS:  # most words: one word, no atom
                    pos += 1
                    continue
                for hits in found:
                    if hits:
                        toks[pos] = hits
                        sent[pos] = sid
                        char[pos] = start
                        for atom in hits:
                            positions[atom].append(pos)
                    pos += 1
        self.size = pos
        # A sentence runs to the first word of the next sentence that has words.
        nxt = pos
        ranges = [(0, 0)] * len(first_word)
        for s in range(len(first_word) - 1, -1, -1):
            f = first_word[s]
            if f < 0:
                ranges[s] = (nxt, nxt)
            else:
                ranges[s] = (f, nxt)
                nxt = f
        self.sentence_words = ranges

    def weight(self, pos: int) -> float:
        """How much the word at ``pos`` counts (title words more)."""
        weight = 1.0
        for first, w in self._part_words:
            if pos < first:
                break
            weight = w
        return weight

    def find(self, atoms: tuple[int, ...]) -> list[int]:
        """Start positions of a word sequence, within one sentence."""
        found = self._memo.get(atoms)
        if found is not None:
            return found
        starts = self.positions.get(atoms[0], [])
        size = len(atoms)
        if size == 1 or not starts:
            found = starts
        elif size == 2:  # most phrases: two words, checked without a loop per word
            toks, sent = self.toks, self.sent
            second = atoms[1]
            found = [p for p in starts if second in toks.get(p + 1, ()) and sent[p + 1] == sent[p]]
        else:
            toks, sent = self.toks, self.sent
            found = [
                p
                for p in starts
                if all(atoms[k] in toks.get(p + k, ()) for k in range(1, size))
                and sent[p + size - 1] == sent[p]
            ]
        self._memo[atoms] = found
        return found

    def snippet(self, pos: int) -> str:
        part, start, end = self.sentences[self.sent[pos]]
        text = self.parts[part]
        if end - start > SNIPPET_CHARS:
            at = self.char[pos]
            lo = max(start, at - SNIPPET_CHARS * 2 // 5)
            hi = min(end, lo + SNIPPET_CHARS)
            lo = max(start, hi - SNIPPET_CHARS)
            if lo > start:
                cut = text.find(" ", lo, at)
                lo = cut + 1 if cut >= 0 else lo
            if hi < end:
                cut = text.rfind(" ", at, hi)
                hi = cut if cut > at else hi
            prefix = "…" if lo > start else ""
            suffix = "…" if hi < end else ""
            return prefix + " ".join(text[lo:hi].split()) + suffix
        return " ".join(text[start:end].split())

    def snippets(self, positions: Iterable[int]) -> tuple[str, ...]:
        seen: list[int] = []
        out: list[str] = []
        for pos in positions:
            s = self.sent[pos]
            if s in seen:
                continue
            seen.append(s)
            out.append(self.snippet(pos))
            if len(out) == MAX_SENTENCES:
                break
        return tuple(out)


# -- the public rule set ----------------------------------------------------------


class TopicRules:
    """A parsed, compiled topic rule set. Immutable; safe to share between threads."""

    def __init__(
        self,
        topics: Sequence[_Topic],
        atoms: _Atoms,
        title_weight: float,
        reference_words: float,
        source: str,
    ) -> None:
        self._topics = tuple(topics)
        self._atoms = atoms
        self._title_weight = title_weight
        self._reference_words = reference_words
        self.source = source

    def __repr__(self) -> str:
        ids = ", ".join(t.definition.id for t in self._topics)
        return f"TopicRules({self.source!r}: {ids})"

    @classmethod
    def load(cls, path: Path) -> TopicRules:
        """Read and compile a rules file; TopicRulesError when it is unusable."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise TopicRulesError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e
        except OSError as e:
            raise TopicRulesError(f"{path}: cannot read: {e.strerror or e}") from e
        return cls.parse(text, source=str(path))

    @classmethod
    def parse(cls, text: str, source: str = "topics.toml") -> TopicRules:
        """Compile rules from TOML text; ``source`` names it in error messages."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise TopicRulesError(f"{source}: {e}") from e
        return _Parser(text, source).build(data)

    @property
    def topics(self) -> tuple[TopicDefinition, ...]:
        return tuple(t.definition for t in self._topics)

    def classify(self, title: str, text: str, captions: str = "") -> tuple[TopicScore, ...]:
        """Score every topic, in file order, with the evidence for each score."""
        doc = _Doc(
            [(title or "", self._title_weight), (text or "", 1.0), (captions or "", 1.0)],
            self._atoms,
        )
        words = doc.size
        factor = 1.0
        if self._reference_words and words > self._reference_words:
            factor = 1.0 + math.log(words / self._reference_words)
        return tuple(_score(topic, doc, factor) for topic in self._topics)


def _points(weight: float, effective_count: float) -> float:
    return weight * (1.0 + math.log(effective_count))


def _score(topic: _Topic, doc: _Doc, length_factor: float) -> TopicScore:
    size = doc.size
    masked = bytearray(size)
    cancellations = _apply_cancels(topic, doc, masked)

    claimed = [-1] * size  # which term match each word belongs to
    contributions: list[Contribution] = []
    match_id = 0
    positions = doc.positions
    for term in topic.terms:
        atoms = term.pattern.atoms
        if atoms[0] not in positions:
            continue
        starts = doc.find(atoms)
        if not starts:
            continue
        n = len(atoms)
        used: list[int] = []
        effective = 0.0
        for s in starts:
            if n == 1:  # most terms are one word
                if masked[s] or claimed[s] >= 0:
                    continue
                claimed[s] = match_id
            else:
                e = s + n
                if any(masked[s:e]) or any(claimed[k] >= 0 for k in range(s, e)):
                    continue
                for k in range(s, e):
                    claimed[k] = match_id
            match_id += 1
            used.append(s)
            effective += doc.weight(s)
        if used:
            contributions.append(
                Contribution(
                    term.pattern.text,
                    term.weight,
                    len(used),
                    round(_points(term.weight, effective), 4),
                    doc.snippets(used),
                )
            )

    for rule in topic.together:
        found = _together(rule, doc, masked, claimed)
        if found is not None:
            contributions.append(found)

    contributions.sort(key=lambda c: (-c.points, c.term))
    score = round(max(0.0, sum(c.points for c in contributions)), 4)
    distinct = sum(1 for c in contributions if c.points > 0)
    d = topic.definition
    threshold = round(d.threshold * length_factor, 4)
    return TopicScore(
        topic=d.id,
        label=d.label,
        score=score,
        threshold=threshold,
        assigned=score > 0 and score >= threshold and distinct >= topic.min_terms,
        contributions=tuple(contributions),
        cancellations=tuple(cancellations),
    )


def _occurrences(patterns: _Patterns, doc: _Doc, masked: bytearray) -> list[tuple[int, int, str]]:
    """(start, end, pattern text) of unmasked matches, leaving out any match that
    lies inside a longer one ("children" inside "school children")."""
    present = patterns.present(doc)
    if not present:
        return []
    any_masked = 1 in masked
    if len(present) == 1 and len(present[0].atoms) == 1:
        # One word pattern: its matches are sorted, one word each, none inside another.
        text = present[0].text
        return [
            (s, s + 1, text) for s in doc.find(present[0].atoms) if not (any_masked and masked[s])
        ]
    best: dict[int, tuple[int, int, str]] = {}
    for p in present:
        n = len(p.atoms)
        text = p.text
        for s in doc.find(p.atoms):
            e = s + n
            if any_masked and any(masked[s:e]):
                continue
            old = best.get(s)
            if old is None or old[1] < e:
                best[s] = (s, e, text)
    found: list[tuple[int, int, str]] = []
    reach = -1
    for item in sorted(best.values()):
        if item[1] <= reach:
            continue
        found.append(item)
        reach = item[1]
    return found


def _apply_cancels(topic: _Topic, doc: _Doc, masked: bytearray) -> list[Cancellation]:
    found: dict[tuple[str, str], list[int]] = {}
    for rule in topic.cancels:
        present = rule.terms.present(doc)
        if not present:
            continue
        contexts = sorted(
            (s, s + len(p.atoms), p.text)
            for p in rule.context.present(doc)
            for s in doc.find(p.atoms)
        )
        if not contexts:
            continue
        starts = [c[0] for c in contexts]
        longest = max(ce - cs for cs, ce, _ in contexts)
        window = rule.window
        for p in present:
            n = len(p.atoms)
            for s in doc.find(p.atoms):
                e = s + n
                if window is None:
                    lo, hi = doc.sentence_words[doc.sent[s]]
                else:
                    lo, hi = s - window - longest, e + window
                for cs, ce, context in contexts[bisect_left(starts, lo) : bisect_right(starts, hi)]:
                    if (cs, ce) == (s, e):
                        continue
                    if window is None:
                        if doc.sent[cs] != doc.sent[s]:
                            continue
                    else:
                        gap = s - ce + 1 if ce <= s else (cs - e + 1 if e <= cs else 0)
                        if gap > window:
                            continue
                    masked[s:e] = b"\x01" * n
                    found.setdefault((p.text, context), []).append(s)
                    break
    return [
        Cancellation(term, context, len(starts), doc.snippets(starts))
        for (term, context), starts in found.items()
    ]


def _together(
    rule: _Together, doc: _Doc, masked: bytearray, claimed: list[int]
) -> Contribution | None:
    """Score a together rule: its count is the larger of the number of words of
    either list that have a partner from the other list."""
    first = _occurrences(rule.first, doc, masked)
    if not first:
        return None
    near = _without_overlaps(_occurrences(rule.near, doc, masked), first)
    if not near:
        return None
    first_hits = _partnered(first, near, rule, doc, claimed)
    if not first_hits:
        return None
    near_hits = _partnered(near, first, rule, doc, claimed)
    hits = first_hits if len(first_hits) >= len(near_hits) else near_hits
    if rule.name:
        name = rule.name
    else:
        a = Counter(text for _, text in first_hits).most_common(1)[0][0]
        b = Counter(text for _, text in near_hits).most_common(1)[0][0]
        name = f"{a} + {b}"
    effective = sum(doc.weight(s) for s, _ in hits)
    return Contribution(
        name,
        rule.weight,
        len(hits),
        round(_points(rule.weight, effective), 4),
        doc.snippets(s for s, _ in hits),
    )


def _without_overlaps(
    items: list[tuple[int, int, str]], others: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """``items`` minus those sharing a word with one of ``others`` (both sorted):
    the "school" of "school children" is not also a word about schools."""
    out: list[tuple[int, int, str]] = []
    j, count = 0, len(others)
    for item in items:
        s, e, _ = item
        while j < count and others[j][1] <= s:
            j += 1
        if j < count and others[j][0] < e:
            continue
        out.append(item)
    return out


def _partnered(
    words: list[tuple[int, int, str]],
    partners: list[tuple[int, int, str]],
    rule: _Together,
    doc: _Doc,
    claimed: list[int],
) -> list[tuple[int, str]]:
    """(start, text) of each of ``words`` with a partner close enough."""
    starts = [s for s, _, _ in partners]
    longest = max(e - s for s, e, _ in partners)
    window = rule.window
    found: list[tuple[int, str]] = []
    for s, e, text in words:
        sentence = doc.sent[s]
        lo, hi = s - window - longest, e + window
        if rule.same_sentence:
            fs, fe = doc.sentence_words[sentence]
            lo, hi = min(lo, fs), max(hi, fe)
        for ps, pe, _ in partners[bisect_left(starts, lo) : bisect_right(starts, hi)]:
            if ps < e and s < pe:  # the same words
                continue
            if claimed[s] >= 0 and claimed[s] == claimed[ps]:  # inside one term match
                continue
            gap = ps - e + 1 if e <= ps else s - pe + 1
            if gap <= window or (rule.same_sentence and doc.sent[ps] == sentence):
                found.append((s, text))
                break
    return found


# -- parsing ----------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.lines = text.splitlines()
        self.atoms = _Atoms()
        self.lists: dict[str, list[str]] = {}
        self._topic_lines = [
            i for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*topic\s*\]\]", line)
        ]

    # errors, with the line found by searching the source text
    def fail(
        self,
        problem: str,
        *,
        topic: int | None = None,
        topic_id: str | None = None,
        key: str | None = None,
        table: tuple[str, int] | None = None,
        needle: str | None = None,
    ) -> TopicRulesError:
        line = self._find_line(topic, key, table, needle)
        where = f"{self.source}, line {line}" if line else self.source
        what = []
        if topic_id:
            what.append(f"topic {topic_id!r}")
        elif topic is not None:
            what.append(f"topic #{topic + 1}")
        if key:
            what.append(f"key {key!r}")
        label = ", ".join(what)
        return TopicRulesError(f"{where}: {label + ': ' if label else ''}{problem}")

    def _find_line(
        self,
        topic: int | None,
        key: str | None,
        table: tuple[str, int] | None,
        needle: str | None,
    ) -> int | None:
        lo, hi = 0, len(self.lines)
        if topic is not None and topic < len(self._topic_lines):
            lo = self._topic_lines[topic]
            if topic + 1 < len(self._topic_lines):
                hi = self._topic_lines[topic + 1]
        elif topic is None and key in _TOP_KEYS and self._topic_lines:
            hi = self._topic_lines[0]
        fallback = lo + 1 if topic is not None else None
        if table is not None:
            name, index = table
            header = re.compile(rf"\s*\[\[?\s*topic\.{re.escape(name)}\s*\]\]?")
            seen = -1
            for i in range(lo, hi):
                if header.match(self.lines[i]):
                    seen += 1
                    if seen == index:
                        lo = i
                        fallback = i + 1
                        nxt = next(
                            (j for j in range(i + 1, hi) if self.lines[j].lstrip().startswith("[")),
                            hi,
                        )
                        hi = nxt
                        break
        patterns = []
        if needle is not None:
            patterns.append(re.compile(re.escape(f'"{needle}"') + "|" + re.escape(f"'{needle}'")))
        if key is not None:
            k = re.escape(key)
            patterns.append(re.compile(rf"^\s*(?:\"{k}\"|'{k}'|{k})\s*="))
            patterns.append(re.compile(rf"^\s*\[\[?\s*(?:topic\.)?{k}\s*\]\]?"))
        for pattern in patterns:
            for i in range(lo, hi):
                if pattern.search(self.lines[i]):
                    return i + 1
        return fallback

    def build(self, data: dict[str, Any]) -> TopicRules:
        for key in data:
            if key not in _TOP_KEYS:
                raise self.fail(f"unknown key (expected one of: {', '.join(_TOP_KEYS)})", key=key)
        title_weight = data.get("title_weight", DEFAULT_TITLE_WEIGHT)
        if not _is_number(title_weight) or title_weight < 1:
            raise self.fail(
                f"must be a number of at least 1, not {title_weight!r}", key="title_weight"
            )
        reference_words = data.get("reference_words", DEFAULT_REFERENCE_WORDS)
        if not _is_number(reference_words) or reference_words < 0:
            raise self.fail(
                f"must be a number of words (0: no length adjustment), not {reference_words!r}",
                key="reference_words",
            )
        lists = data.get("lists", {})
        if not isinstance(lists, dict):
            raise self.fail("must be a table of word lists", key="lists")
        for name, value in lists.items():
            if not _is_str_list(value):
                raise self.fail(f"list {name!r} must be a list of strings", key=name)
            for member in value:
                try:
                    _term_atoms(member)
                except ValueError as e:
                    raise self.fail(f"word list {name!r}: {member!r} {e}", needle=member) from None
            self.lists[name] = value
        raw_topics = data.get("topic", [])
        if not isinstance(raw_topics, list) or not all(isinstance(t, dict) for t in raw_topics):
            raise self.fail("must be written as [[topic]] tables", key="topic")
        topics: list[_Topic] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_topics):
            topic = self.topic(index, raw)
            tid = topic.definition.id
            if tid in seen:
                raise self.fail(
                    f"duplicate topic id (topic #{seen[tid] + 1} already uses it)",
                    topic=index,
                    topic_id=tid,
                    key="id",
                )
            seen[tid] = index
            topics.append(topic)
        return TopicRules(
            topics, self.atoms, float(title_weight), float(reference_words), self.source
        )

    def topic(self, index: int, raw: dict[str, Any]) -> _Topic:
        tid = raw.get("id")
        if tid is None:
            raise self.fail("missing 'id'", topic=index, key="id")
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise self.fail(
                f"id must be a word without spaces (letters, digits, '-'), not {tid!r}",
                topic=index,
                key="id",
            )
        ctx: dict[str, Any] = {"topic": index, "topic_id": tid}
        for key in raw:
            if key not in _TOPIC_KEYS:
                raise self.fail(
                    f"unknown key (expected one of: {', '.join(_TOPIC_KEYS)})", key=key, **ctx
                )
        label = raw.get("label", tid)
        description = raw.get("description", "")
        for key, value in (("label", label), ("description", description)):
            if not isinstance(value, str):
                raise self.fail(f"must be a string, not {value!r}", key=key, **ctx)
        if "threshold" not in raw:
            raise self.fail("missing 'threshold'", key="threshold", **ctx)
        threshold = raw["threshold"]
        if not _is_number(threshold) or threshold <= 0:
            raise self.fail(
                f"must be a number greater than 0, not {threshold!r}", key="threshold", **ctx
            )
        min_terms = raw.get("min_terms", 1)
        if not isinstance(min_terms, int) or isinstance(min_terms, bool) or min_terms < 1:
            raise self.fail(
                f"must be a whole number of at least 1, not {min_terms!r}", key="min_terms", **ctx
            )

        terms = self.terms(raw.get("terms", {}), ctx)
        together = self.together(raw.get("together", []), ctx)
        cancels = self.cancels(raw.get("cancel", []), ctx)
        if not terms and not together:
            raise self.fail("has no [topic.terms] and no [[topic.together]] rules", **ctx)
        definition = TopicDefinition(tid, label or tid, description.strip(), float(threshold))
        return _Topic(definition, min_terms, terms, together, cancels)

    def terms(self, raw: Any, ctx: dict[str, Any]) -> tuple[_Term, ...]:
        if not isinstance(raw, dict):
            raise self.fail('must be a table of "term" = weight', key="terms", **ctx)
        out: list[_Term] = []
        seen: dict[tuple[int, ...], str] = {}
        for written, weight in raw.items():
            if not _is_number(weight):
                raise self.fail(
                    f"weight of {written!r} must be a number, not {weight!r}",
                    key=written,
                    needle=written,
                    **ctx,
                )
        # Terms written out first: two of them that normalise alike are a mistake.
        # Then word lists ("@name" = weight), whose words yield to a term written out.
        for from_list in (False, True):
            for written, weight in raw.items():
                if written.startswith("@") != from_list:
                    continue
                for text in self.expand(written, ctx, key="terms", needle=written):
                    pattern = self.pattern(text, ctx, key="terms", needle=written)
                    if pattern.atoms in seen:
                        if from_list:
                            continue
                        raise self.fail(
                            f"{text!r} is the same term as {seen[pattern.atoms]!r}",
                            key=written,
                            needle=written,
                            **ctx,
                        )
                    seen[pattern.atoms] = text
                    out.append(_Term(pattern, float(weight)))
        order = {id(t): i for i, t in enumerate(out)}
        out.sort(key=lambda t: (-len(t.pattern.atoms), order[id(t)]))
        return tuple(out)

    def together(self, raw: Any, ctx: dict[str, Any]) -> tuple[_Together, ...]:
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise self.fail("must be written as [[topic.together]] tables", key="together", **ctx)
        out = []
        for i, rule in enumerate(raw):
            where = {"table": ("together", i), **ctx}
            for key in rule:
                if key not in _TOGETHER_KEYS:
                    raise self.fail(
                        f"unknown key in [[topic.together]] #{i + 1} "
                        f"(expected one of: {', '.join(_TOGETHER_KEYS)})",
                        key=key,
                        **where,
                    )
            for key in ("weight", "terms", "near"):
                if key not in rule:
                    raise self.fail(f"[[topic.together]] #{i + 1} needs {key!r}", key=key, **where)
            weight = rule["weight"]
            if not _is_number(weight):
                raise self.fail(f"must be a number, not {weight!r}", key="weight", **where)
            name = rule.get("name", "")
            if not isinstance(name, str):
                raise self.fail(f"must be a string, not {name!r}", key="name", **where)
            window = rule.get("window", DEFAULT_WINDOW)
            if not isinstance(window, int) or isinstance(window, bool) or window < 1:
                raise self.fail(
                    f"must be a whole number of words, at least 1, not {window!r}",
                    key="window",
                    **where,
                )
            same_sentence = rule.get("same_sentence", True)
            if not isinstance(same_sentence, bool):
                raise self.fail(
                    f"must be true or false, not {same_sentence!r}", key="same_sentence", **where
                )
            first = self.pattern_list(rule["terms"], "terms", where)
            near = self.pattern_list(rule["near"], "near", where)
            out.append(
                _Together(
                    name, float(weight), _Patterns(first), _Patterns(near), window, same_sentence
                )
            )
        return tuple(out)

    def cancels(self, raw: Any, ctx: dict[str, Any]) -> tuple[_Cancel, ...]:
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise self.fail("must be written as [[topic.cancel]] tables", key="cancel", **ctx)
        out = []
        for i, rule in enumerate(raw):
            where = {"table": ("cancel", i), **ctx}
            for key in rule:
                if key not in _CANCEL_KEYS:
                    raise self.fail(
                        f"unknown key in [[topic.cancel]] #{i + 1} "
                        f"(expected one of: {', '.join(_CANCEL_KEYS)})",
                        key=key,
                        **where,
                    )
            for key in ("terms", "context"):
                if key not in rule:
                    raise self.fail(f"[[topic.cancel]] #{i + 1} needs {key!r}", key=key, **where)
            window = rule.get("window")
            if window is not None and (
                not isinstance(window, int) or isinstance(window, bool) or window < 1
            ):
                raise self.fail(
                    f"must be a whole number of words, at least 1, not {window!r}",
                    key="window",
                    **where,
                )
            terms = self.pattern_list(rule["terms"], "terms", where)
            context = self.pattern_list(rule["context"], "context", where)
            out.append(_Cancel(_Patterns(terms), _Patterns(context), window))
        return tuple(out)

    def pattern_list(self, raw: Any, key: str, where: dict[str, Any]) -> tuple[_Pattern, ...]:
        if isinstance(raw, str):
            raw = [raw]
        if not _is_str_list(raw) or not raw:
            raise self.fail("must be a non-empty list of strings", key=key, **where)
        out: list[_Pattern] = []
        seen: set[tuple[int, ...]] = set()
        for written in raw:
            for text in self.expand(written, where, key=key, needle=written):
                pattern = self.pattern(text, where, key=key, needle=written)
                if pattern.atoms not in seen:  # the same word twice: the first one wins
                    seen.add(pattern.atoms)
                    out.append(pattern)
        return tuple(out)

    def expand(self, written: str, where: dict[str, Any], *, key: str, needle: str) -> list[str]:
        """A term, or the members of a word list named "@name"."""
        if not written.startswith("@"):
            return [written]
        name = written[1:]
        if name not in self.lists:
            known = ", ".join(f"@{n}" for n in self.lists) or "none defined"
            raise self.fail(
                f"no word list {written!r} in [lists] (known: {known})",
                key=key,
                needle=needle,
                **where,
            )
        return self.lists[name]

    def pattern(self, text: str, where: dict[str, Any], *, key: str, needle: str) -> _Pattern:
        try:
            atoms = tuple(self.atoms.add(kind, value) for kind, value in _term_atoms(text))
        except ValueError as e:
            raise self.fail(f"{text!r} {e}", key=key, needle=needle, **where) from None
        return _Pattern(text, atoms)


def _term_atoms(term: str) -> list[tuple[str, str]]:
    """The word matchers of one rule term: ("~", stem), ("*", folded prefix) or
    ("=", folded word)."""
    for m in re.finditer(r"\*", term):
        before = term[m.start() - 1 : m.start()]
        after = term[m.end() : m.end() + 1]
        if not before or not WORD_RE.match(before) or (after and WORD_RE.match(after)):
            raise ValueError("has a '*' that is not at the end of a word")
    for m in re.finditer(r"=", term):
        after = term[m.end() : m.end() + 1]
        before = term[m.start() - 1 : m.start()]
        if not after or not WORD_RE.match(after) or (before and WORD_RE.match(before)):
            raise ValueError("has a '=' that is not at the start of a word")
    out: list[tuple[str, str]] = []
    for m in WORD_RE.finditer(term):
        star = term[m.end() : m.end() + 1] == "*"
        exact = term[m.start() - 1 : m.start()] == "="
        if star and exact:
            raise ValueError("has a word with both '=' and '*'")
        parts = split_word(m.group())
        for i, word in enumerate(parts):
            if star and i == len(parts) - 1:
                if len(word) < MIN_PREFIX:
                    raise ValueError(f"has a prefix shorter than {MIN_PREFIX} letters before '*'")
                out.append(("*", word))
            elif exact:
                out.append(("=", word))
            else:
                out.append(("~", stem(word)))
    if not out:
        raise ValueError("has no words")
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
