"""Which documents match a query, their scores, and their order, fast.

Whoosh finds matches by stepping a tree of matchers one document at a time in
Python. Counting, faceting and filtering only need the set of matches, so
terms become cached bitmaps (a Python int with one bit per document number)
and AND/OR/NOT become integer operations, which run in C over a few kilobytes
even at 100,000 documents. Query types without a set form fall back to Whoosh
for that part of the tree only.

Scoring works the same way for queries made of words, phrases, wildcards,
date ranges and boolean operators: each word's postings are read once per
index generation into arrays with their BM25F scores (Whoosh's formula and
statistics), and a query's score is a sum of those arrays over all documents
at once (numpy), so the ranking is Whoosh's without the per-document matcher
machinery, and ordering 100,000 matches is one sort in C. Other queries are
scored by Whoosh.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
from whoosh import query
from whoosh.util.times import long_to_datetime

from archive_app.core import index_columns

MAX_CACHED_TERMS = 2048  # bitmaps: 12.5 KB each at 100,000 documents
MAX_CACHED_POSTINGS = 3_000_000  # scored postings kept, 12 bytes each
MAX_CACHED_DERIVED = 128  # sets of phrases, patterns, AND/OR/NOT parts
MAX_CACHED_MASKS = 64  # boolean arrays: 100 KB each at 100,000 documents
MAX_CACHED_POSITIONS = 8  # position lists are large; phrase results are kept instead
B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, used by the searcher

# Query types whose repr says all that decides their matches (boosts aside).
_KEPT = (
    query.Or,
    query.And,
    query.AndNot,
    query.AndMaybe,
    query.Not,
    query.Prefix,
    query.Wildcard,
    query.Phrase,
    query.NumericRange,
)


class Unscorable(Exception):
    """The query has a part only Whoosh can score."""


class DocSet:
    """A set of document numbers held as a bitmap.

    Set algebra and counting run on the int (12.5 KB at 100,000 documents); a
    boolean array (one byte per document, for numpy) is made when asked for
    and not kept, eight times the size: `DocSets.mask` keeps the few in use.
    """

    __slots__ = ("bits",)

    def __init__(self, bits: int = 0) -> None:
        self.bits = bits

    @classmethod
    def of(cls, docnums: Iterable[int]) -> DocSet:
        found = np.fromiter(docnums, dtype=np.int64)
        return cls.from_mask(_mask_of(found, int(found.max()) + 1 if len(found) else 0))

    @classmethod
    def from_mask(cls, mask: np.ndarray) -> DocSet:
        return cls(int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little"))

    def mask(self, size: int) -> np.ndarray:
        """One boolean per document number below `size`: whether it is in the set."""
        raw = self.bits.to_bytes((size + 7) // 8, "little") if self.bits else b""
        bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")
        mask = np.zeros(size, dtype=bool)
        mask[: min(size, len(bits))] = bits[:size].view(bool)
        return mask

    def members(self) -> list[int]:
        """Document numbers, ascending."""
        return np.flatnonzero(self.mask(self.bits.bit_length())).tolist()

    def __iter__(self):
        return iter(self.members())

    def __contains__(self, docnum: object) -> bool:
        return isinstance(docnum, int) and docnum >= 0 and bool(self.bits >> docnum & 1)

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        return self.bits != 0

    def __and__(self, other: DocSet) -> DocSet:
        return DocSet(self.bits & other.bits)

    def __or__(self, other: DocSet) -> DocSet:
        return DocSet(self.bits | other.bits)

    def __sub__(self, other: DocSet) -> DocSet:
        return DocSet(self.bits & ~other.bits)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DocSet):
            return self.bits == other.bits
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.bits)

    def count_in(self, other: DocSet) -> int:
        return (self.bits & other.bits).bit_count()

    def __repr__(self) -> str:
        return f"DocSet({len(self)} documents)"


EMPTY = DocSet()


def _mask_of(docnums: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return mask


class _ScoredTerm:
    """One word's live postings (document numbers, ascending) and their BM25F scores."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: np.ndarray, scores: np.ndarray) -> None:
        self.docs, self.scores = docs, scores

    def __len__(self) -> int:
        return len(self.docs)


class DocSets:
    """Matching sets and scores for one searcher generation (never reused after a commit)."""

    def __init__(self, searcher, date_keys: np.ndarray | None = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()  # document numbers run below this
        # By document number: the day (yyyymmdd), 0 when undated or deleted.
        self.date_keys = date_keys if date_keys is not None else np.zeros(self.size, np.int32)
        self._terms: OrderedDict[tuple[str, str], DocSet] = OrderedDict()
        self._derived: OrderedDict[object, DocSet] = OrderedDict()
        self._masks: OrderedDict[int, tuple[DocSet, np.ndarray]] = OrderedDict()
        self._expansions: OrderedDict[object, list[tuple[str, str]]] = OrderedDict()
        self._all: DocSet | None = None
        self._scored: OrderedDict[tuple[str, str], _ScoredTerm] = OrderedDict()
        self._scored_postings = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._position_lists: OrderedDict[tuple[str, str], dict[int, tuple[int, ...]]] = (
            OrderedDict()
        )

    def all_docs(self) -> DocSet:
        if self._all is None:
            self._all = DocSet.of(self.reader.all_doc_ids())
        return self._all

    def mask(self, docs: DocSet) -> np.ndarray:
        """`docs` as a boolean array; the last few asked for are kept (scoring asks
        for each part's again)."""
        kept = self._masks.get(id(docs))
        if kept is not None and kept[0] is docs:
            self._masks.move_to_end(id(docs))
            return kept[1]
        mask = docs.mask(self.size)
        self._masks[id(docs)] = (docs, mask)
        if len(self._masks) > MAX_CACHED_MASKS:
            self._masks.popitem(last=False)
        return mask

    def term(self, field: str, text: str | bytes) -> DocSet:
        key = (field, text.decode("utf-8") if isinstance(text, bytes) else text)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached
        found = EMPTY
        if key in self.reader:
            docs = np.fromiter(self.reader.postings(*key).all_ids(), dtype=np.int64)
            found = DocSet.from_mask(_mask_of(docs, self.size) & self.mask(self.all_docs()))
        self._terms[key] = found
        if len(self._terms) > MAX_CACHED_TERMS:
            self._terms.popitem(last=False)
        return found

    def matching(self, q: query.Query) -> DocSet:
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text)
        if not isinstance(q, _KEPT):
            return self._matching(q)
        # Scoring asks again for each part's matches, and typing asks again for
        # the same query; a part's set also keeps its mask.
        key = (type(q), repr(q), getattr(q, "minmatch", 0))  # repr leaves minmatch out
        cached = self._derived.get(key)
        if cached is not None:
            self._derived.move_to_end(key)
            return cached
        found = self._matching(q)
        self._derived[key] = found
        if len(self._derived) > MAX_CACHED_DERIVED:
            self._derived.popitem(last=False)
        return found

    def _matching(self, q: query.Query) -> DocSet:
        if q is query.NullQuery:
            return EMPTY
        if isinstance(q, query.Every):
            return self.all_docs()
        if isinstance(q, query.AndNot):
            return self.matching(q.a) - self.matching(q.b)
        if isinstance(q, query.AndMaybe):
            return self.matching(q.a)
        if isinstance(q, query.Not):
            return self.all_docs() - self.matching(q.query)
        if isinstance(q, query.Or) and not q.minmatch:
            bits = 0
            for sub in q.subqueries:
                bits |= self.matching(sub).bits
            return DocSet(bits)
        if isinstance(q, query.And) and not isinstance(q, query.Ordered):
            if not q.subqueries:
                return EMPTY
            bits = -1
            for sub in q.subqueries:
                bits &= self.matching(sub).bits
                if not bits:
                    break
            return DocSet(bits)
        if isinstance(q, (query.Prefix, query.Wildcard)):
            bits = 0
            for field, text in self.expanded(q):
                bits |= self.term(field, text).bits
            return DocSet(bits)
        if isinstance(q, query.Phrase) and q.words:
            return self._phrase(q)
        if _published_range(q):
            return self._published_between(q)
        return DocSet.of(self.searcher.docs_for_query(q))

    def expanded(self, q: query.Query) -> list[tuple[str, str]]:
        """The (field, word) pairs a pattern covers; walking the lexicon of every
        segment costs more than matching, and snippets ask for them again."""
        key = (type(q), repr(q))
        cached = self._expansions.get(key)
        if cached is None:
            cached = [
                (field, text.decode("utf-8") if isinstance(text, bytes) else text)
                for field, text in q.expanded_terms(self.reader)
            ]
            self._expansions[key] = cached
            if len(self._expansions) > MAX_CACHED_DERIVED:
                self._expansions.popitem(last=False)
        else:
            self._expansions.move_to_end(key)
        return cached

    def days_between(self, low: int, high: int) -> DocSet:
        """Documents dated from day `low` to day `high` (yyyymmdd), both included."""
        keys = self.date_keys
        return DocSet.from_mask((keys >= max(low, 1)) & (keys <= high))

    def _published_between(self, q: query.NumericRange) -> DocSet:
        """A date range from the cached day of each article, not Whoosh's range terms."""
        low = _day(q.start) if q.start is not None else 0
        high = _day(q.end) if q.end is not None else 99_999_999
        if q.startexcl:
            low += 1
        if q.endexcl:
            high -= 1
        return self.days_between(low, high)

    def _phrase(self, q: query.Phrase) -> DocSet:
        """Documents with the words in order, each within `slop` positions of the last."""
        field, words = q.fieldname, list(q.words)
        bits = -1
        for word in words:
            bits &= self.term(field, word).bits
        docs = DocSet(bits)
        if len(words) == 1 or not docs:
            return docs
        candidates = docs.members()
        positions = [self._positions(field, w, candidates) for w in words]
        steps = range(1, max(1, q.slop) + 1)

        def chained(docnum: int) -> bool:
            starts = positions[0][docnum]
            for following in positions[1:]:
                later = set(following[docnum])
                starts = [p + d for p in starts for d in steps if p + d in later]
                if not starts:
                    return False
            return True

        return DocSet.of(d for d in candidates if chained(d))

    def _positions(self, field: str, text: str, docs: list[int]) -> dict[int, tuple[int, ...]]:
        """Positions of a word in the given documents (all of which hold it).

        Kept as tuples: the garbage collector stops visiting a tuple of numbers
        after one pass, while each list of them would lengthen every full pass
        (hundreds of thousands of them after a few phrase searches).
        """
        key = (field, text)
        cached = self._position_lists.get(key)
        if cached is not None and all(d in cached for d in docs):
            self._position_lists.move_to_end(key)
            return cached
        postings = self.reader.postings(field, text)
        found: dict[int, tuple[int, ...]] = {}
        if len(docs) * 8 < self.reader.doc_frequency(field, text):
            for docnum in docs:  # a few documents in a long list: skip to each
                if not postings.is_active():
                    break
                if postings.id() < docnum:
                    postings.skip_to(docnum)
                if postings.is_active() and postings.id() == docnum:
                    found[docnum] = tuple(postings.value_as("positions"))
        else:
            found = {d: tuple(at) for d, at in postings.items_as("positions")}
        self._position_lists[key] = found
        if len(self._position_lists) > MAX_CACHED_POSITIONS:
            self._position_lists.popitem(last=False)
        return found

    # -- scoring -------------------------------------------------------------

    def scores(self, q: query.Query, docs: Iterable[int]) -> dict[int, float]:
        """Whoosh's BM25F score of each of `docs` (all of which match `q`).

        Raises Unscorable for queries with parts this cannot score.
        """
        docs = docs if isinstance(docs, DocSet) else DocSet.of(docs)
        where = self.mask(docs)
        vector = self.vector(q, where)
        found = np.flatnonzero(where)
        return dict(zip(found.tolist(), vector[found].tolist(), strict=True))

    def vector(self, q: query.Query, where: np.ndarray) -> np.ndarray:
        """Scores of `q` by document number, for the documents `where` is true
        (all of which match `q`); 0 elsewhere."""
        if isinstance(q, query.Term):
            return self._term_vector(q.fieldname, q.text, float(q.boost), where)
        if isinstance(q, query.Phrase) and q.words:
            # A phrase scores as its words do (Whoosh scores the words' postings too).
            boost = float(q.boost)
            return self._summed([self._term_vector(q.fieldname, w, boost, where) for w in q.words])
        if isinstance(q, (query.Prefix, query.Wildcard)) or _published_range(q):
            # Constant score, as Whoosh documents for these: every word a pattern
            # matches counts the same, so "ch*" does not rank by chance spellings.
            return (where & self.mask(self.matching(q))) * float(q.boost)
        if isinstance(q, (query.AndNot, query.Require)):
            return self.vector(q.a, where)
        if isinstance(q, query.Not):
            return np.zeros(self.size)  # Whoosh adds the same constant to every match
        if isinstance(q, query.AndMaybe):
            optional = where & self.mask(self.matching(q.b))
            return self._summed([self.vector(q.a, where), self.vector(q.b, optional)])
        if isinstance(q, query.Or) and not q.minmatch:
            return self._summed(
                [self.vector(sub, where & self.mask(self.matching(sub))) for sub in q.subqueries]
            )
        if isinstance(q, query.And) and not isinstance(q, query.Ordered):
            return self._summed([self.vector(sub, where) for sub in q.subqueries])
        raise Unscorable(type(q).__name__)

    def _summed(self, parts: Sequence[np.ndarray]) -> np.ndarray:
        total = parts[0].copy() if parts else np.zeros(self.size)
        for part in parts[1:]:
            total += part
        return total

    def _term_vector(
        self, field: str, text: str | bytes, boost: float, where: np.ndarray
    ) -> np.ndarray:
        scored = self._scored_term(field, text.decode("utf-8") if isinstance(text, bytes) else text)
        vector = np.zeros(self.size)
        vector[scored.docs] = scored.scores * boost if boost != 1.0 else scored.scores
        vector[~where] = 0.0
        return vector

    def _scored_term(self, field: str, text: str) -> _ScoredTerm:
        key = (field, text)
        cached = self._scored.get(key)
        if cached is not None:
            self._scored.move_to_end(key)
            return cached
        docs, weights = np.zeros(0, np.int64), np.zeros(0)
        reader = self.reader
        if key in reader:
            pairs = reader.postings(field, text).items_as("weight")
            flat = np.fromiter(itertools.chain.from_iterable(pairs), dtype=np.float64)
            docs, weights = flat[0::2].astype(np.int64), flat[1::2]
            if reader.has_deletions():
                live = self.mask(self.all_docs())[docs]
                docs, weights = docs[live], weights[live]
        scored = _ScoredTerm(docs, self._bm25(field, text, docs, weights))
        self._scored[key] = scored
        self._scored_postings += len(scored)
        while self._scored_postings > MAX_CACHED_POSTINGS and len(self._scored) > 1:
            _, dropped = self._scored.popitem(last=False)
            self._scored_postings -= len(dropped)
        return scored

    def _bm25(self, field: str, text: str, docs: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """whoosh.scoring.bm25 over arrays, its operations in its order (same floats)."""
        if not len(docs):
            return np.zeros(0)
        idf = self.searcher.idf(field, text)
        avgfl = self.searcher.avg_field_length(field) or 1
        fl = self._field_lengths(field)[docs]
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))

    def _field_lengths(self, field: str) -> np.ndarray:
        lengths = self._lengths.get(field)
        if lengths is None:
            lengths = self._lengths[field] = index_columns.field_lengths(self.reader, field)
        return lengths

    # -- ordering ------------------------------------------------------------

    def ranked(
        self, q: query.Query, matched: DocSet, id_rank: np.ndarray, top: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Matched document numbers best first, equal scores by article id
        (`id_rank`), and their scores; only the first `top` when given.

        Raises Unscorable for queries with parts this cannot score.
        """
        where = self.mask(matched)
        vector = self.vector(q, where)
        docs = np.flatnonzero(where)
        scores = vector[docs]
        if top is not None and top < len(docs):
            # What scores above the top-th best, and of those scoring the same as
            # it, the first by id (a pattern scores every match the same).
            boundary = np.partition(scores, len(scores) - top)[len(scores) - top]
            above, tied = docs[scores > boundary], docs[scores == boundary]
            wanted = top - len(above)
            if len(tied) > wanted:
                tied = tied[np.argpartition(id_rank[tied], wanted - 1)[:wanted]]
            docs = np.concatenate((above, tied))
            scores = np.concatenate((scores[scores > boundary], np.full(len(tied), boundary)))
        order = np.lexsort((id_rank[docs], -scores))[:top]
        return docs[order], scores[order]


def in_order(order: np.ndarray, matched: DocSet, size: int, top: int | None = None) -> np.ndarray:
    """The document numbers of `order` that are in `matched`, in that order."""
    picked = order[matched.mask(size)[order]]
    return picked if top is None else picked[:top]


def _published_range(q: query.Query) -> bool:
    return isinstance(q, query.NumericRange) and q.fieldname == "published"


def _day(ticks: int) -> int:
    moment = long_to_datetime(ticks)
    return moment.year * 10000 + moment.month * 100 + moment.day
