"""Which documents match a query, and their scores, fast.

Whoosh finds matches by stepping a tree of matchers one document at a time in
Python. For counting and faceting we only need the set of matches, so terms
become cached sets of document numbers and AND/OR/NOT become set operations,
which run in C. Query types without a set form (phrases, ranges) fall back to
Whoosh for that part of the tree only.

Scoring works the same way for queries made of words, wildcards and boolean
operators: each word's BM25F score is computed from cached postings with
Whoosh's own formula and statistics, so the ranking is Whoosh's, only without
the per-document matcher machinery. Other queries are scored by Whoosh.
"""

from __future__ import annotations

from collections import OrderedDict

from whoosh import query
from whoosh.scoring import bm25
from whoosh.util.times import long_to_datetime

MAX_CACHED_TERMS = 512
MAX_CACHED_WEIGHTS = 64  # postings with frequencies are larger than bare sets
B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, used by the searcher


class Unscorable(Exception):
    """The query has a part only Whoosh can score."""


class DocSets:
    """Matching document sets for one searcher generation (never reused after a commit)."""

    def __init__(self, searcher, date_keys: dict[int, int] | None = None) -> None:
        self.searcher = searcher
        self.date_keys = date_keys or {}  # docnum -> yyyymmdd, for published ranges
        self.reader = searcher.reader()
        self._terms: OrderedDict[tuple[str, str], frozenset[int]] = OrderedDict()
        self._all: frozenset[int] | None = None
        self._weights: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._lengths: dict[str, list[int]] = {}
        self._position_lists: OrderedDict[tuple[str, str], dict[int, list[int]]] = OrderedDict()

    def all_docs(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(self.reader.all_doc_ids())
        return self._all

    def term(self, field: str, text: str | bytes) -> frozenset[int]:
        key = (field, text.decode("utf-8") if isinstance(text, bytes) else text)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached
        reader = self.reader
        if key in reader:
            docs = reader.postings(*key).all_ids()
            if reader.has_deletions():
                docs = (d for d in docs if not reader.is_deleted(d))
            found = frozenset(docs)
        else:
            found = frozenset()
        self._terms[key] = found
        if len(self._terms) > MAX_CACHED_TERMS:
            self._terms.popitem(last=False)
        return found

    def matching(self, q: query.Query) -> set[int] | frozenset[int]:
        if q is query.NullQuery:
            return frozenset()
        if isinstance(q, query.Every):
            return self.all_docs()
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, query.AndNot):
            return self.matching(q.a) - self.matching(q.b)
        if isinstance(q, query.AndMaybe):
            return self.matching(q.a)
        if isinstance(q, query.Not):
            return self.all_docs() - self.matching(q.query)
        if isinstance(q, query.Or) and not q.minmatch:
            return frozenset().union(*(self.matching(sub) for sub in q.subqueries))
        if isinstance(q, query.And) and not isinstance(q, query.Ordered):
            parts = sorted((self.matching(sub) for sub in q.subqueries), key=len)
            return parts[0].intersection(*parts[1:]) if parts else frozenset()
        if isinstance(q, (query.Prefix, query.Wildcard)):
            return frozenset().union(
                *(self.term(field, text) for field, text in q.expanded_terms(self.reader))
            )
        if isinstance(q, query.Phrase) and q.words:
            return self._phrase(q)
        if isinstance(q, query.NumericRange) and q.fieldname == "published" and self.date_keys:
            return self._published_between(q)
        return frozenset(self.searcher.docs_for_query(q))

    def _published_between(self, q: query.NumericRange) -> frozenset[int]:
        """A date range from the cached day of each article, not Whoosh's range terms."""
        low = _day(q.start) if q.start is not None else 0
        high = _day(q.end) if q.end is not None else 99_999_999
        if q.startexcl:
            low += 1
        if q.endexcl:
            high -= 1
        return frozenset(d for d, day in self.date_keys.items() if day and low <= day <= high)

    def _phrase(self, q: query.Phrase) -> frozenset[int]:
        """Documents with the words in order, each within `slop` positions of the last."""
        field, words = q.fieldname, list(q.words)
        candidates = sorted((self.term(field, w) for w in words), key=len)
        docs = candidates[0].intersection(*candidates[1:])
        if len(words) == 1 or not docs:
            return frozenset(docs)
        positions = [self._positions(field, w) for w in words]
        steps = range(1, max(1, q.slop) + 1)

        def chained(docnum: int) -> bool:
            starts = positions[0][docnum]
            for following in positions[1:]:
                later = set(following[docnum])
                starts = [p + d for p in starts for d in steps if p + d in later]
                if not starts:
                    return False
            return True

        return frozenset(d for d in docs if chained(d))

    def _positions(self, field: str, text: str) -> dict[int, list[int]]:
        key = (field, text)
        cached = self._position_lists.get(key)
        if cached is not None:
            self._position_lists.move_to_end(key)
            return cached
        found: dict[int, list[int]] = {}
        if key in self.reader:
            found = dict(self.reader.postings(field, text).items_as("positions"))
        self._position_lists[key] = found
        if len(self._position_lists) > MAX_CACHED_WEIGHTS:
            self._position_lists.popitem(last=False)
        return found

    def scores(self, q: query.Query, docs: set[int]) -> dict[int, float]:
        """Whoosh's BM25F score of each of `docs` (all of which match `q`).

        Raises Unscorable for queries with parts this cannot score.
        """
        if isinstance(q, query.Term):
            return self._term_scores(q, docs)
        if isinstance(q, query.Phrase) and q.words:
            # A phrase scores as its words do (Whoosh scores the words' postings too).
            words = [query.Term(q.fieldname, w, boost=q.boost) for w in q.words]
            return _summed([self._term_scores(w, docs) for w in words])
        if isinstance(q, query.NumericRange) and q.fieldname == "published":
            return dict.fromkeys(docs & self.matching(q), float(q.boost))  # constant, as Whoosh
        if isinstance(q, (query.Prefix, query.Wildcard)):
            # Constant score, as Whoosh documents for these: every word a pattern
            # matches counts the same, so "ch*" does not rank by chance spellings.
            return dict.fromkeys(docs & self.matching(q), float(q.boost))
        if isinstance(q, (query.AndNot, query.Require)):
            return self.scores(q.a, docs)
        if isinstance(q, query.Not):
            return {}  # Whoosh adds the same constant to every match: no change in order
        if isinstance(q, query.AndMaybe):
            return _summed([self.scores(q.a, docs), self.scores(q.b, docs & self.matching(q.b))])
        if isinstance(q, query.Or) and not q.minmatch:
            return _summed([self.scores(sub, docs & self.matching(sub)) for sub in q.subqueries])
        if isinstance(q, query.And) and not isinstance(q, query.Ordered):
            return _summed([self.scores(sub, docs) for sub in q.subqueries])
        raise Unscorable(type(q).__name__)

    def _term_scores(self, q: query.Term, docs: set[int]) -> dict[int, float]:
        field = q.fieldname
        text = q.text.decode("utf-8") if isinstance(q.text, bytes) else q.text
        weights = self._term_weights(field, text)
        if not weights:
            return {}
        searcher = self.searcher
        idf = searcher.idf(field, text)
        avgfl = searcher.avg_field_length(field) or 1
        lengths = self._field_lengths(field)
        boost = float(q.boost)
        found = docs.intersection(weights) if len(docs) < len(weights) else docs & weights.keys()
        return {d: boost * bm25(idf, weights[d], lengths[d], avgfl, B, K1) for d in found}

    def _term_weights(self, field: str, text: str) -> dict[int, float]:
        key = (field, text)
        cached = self._weights.get(key)
        if cached is not None:
            self._weights.move_to_end(key)
            return cached
        weights: dict[int, float] = {}
        if key in self.reader:
            weights = dict(self.reader.postings(field, text).items_as("weight"))
        self._weights[key] = weights
        if len(self._weights) > MAX_CACHED_WEIGHTS:
            self._weights.popitem(last=False)
        return weights

    def _field_lengths(self, field: str) -> list[int]:
        lengths = self._lengths.get(field)
        if lengths is None:
            length = self.reader.doc_field_length
            lengths = [length(d, field, 1) for d in range(self.reader.doc_count_all())]
            self._lengths[field] = lengths
        return lengths


def _day(ticks: int) -> int:
    moment = long_to_datetime(ticks)
    return moment.year * 10000 + moment.month * 100 + moment.day


def _summed(parts: list[dict[int, float]]) -> dict[int, float]:
    total: dict[int, float] = {}
    for part in parts:
        for docnum, score in part.items():
            total[docnum] = total.get(docnum, 0.0) + score
    return total
