"""The Whoosh index: a derived, rebuildable cache of the catalog.

Schema, analyzers, writing, query parsing, highlighting, facets and spelling
suggestions live here; nothing here knows about SQLite.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import dataclasses
import datetime as dt
import itertools
import os
import pickle
import re
import shutil
import struct
import threading
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from whoosh import fields, index, qparser, query
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import syntax
from whoosh.qparser.common import attach

from archive_app.core import index_columns, index_files, segment_writing
from archive_app.core.analysis import (
    CYRILLIC_ANALYSED,
    DEFAULT_LATIN,
    TaggedText,
    TermMatcher,
    fold,
    is_stop,
    language_profile,
    latin_spellings,
    name_key_analyzer,
    query_forms,
    query_name_keys,
    spelling_analyzer,
    text_analyzer,
)
from archive_app.core.dates import date_sort_key, normalize_date
from archive_app.core.docsets import EMPTY, DocSet, DocSets, Unscorable, in_order

if TYPE_CHECKING:
    from archive_app.core.index_build import SegmentHelper
from archive_app.core.snippets import WORD, excerpt, find_matches
from archive_app.core.transliteration import has_cyrillic, romanizations, skeleton
from archive_app.core.variants import Variants

# Plain words search `content` (title, captions, author, source, body and the
# person's note in one field) and `title` again for its boost: two posting lists
# per word instead of one per field keeps scoring fast. `title:`, `author:`,
# `notes:` and so on still work. `translit` holds the names of Cyrillic text as
# Latin name keys (analysis.NameKeyTokenizer); it is empty in a Latin-script archive.
NAMES_FIELD = "translit"
SEARCH_FIELDS = ("content", "title", NAMES_FIELD)
# A name found only through its transliteration counts half: the article that
# has the word as written ranks first.
FIELD_BOOSTS = {"title": 2.0, NAMES_FIELD: 0.5}
TEXT_FIELDS = ("content", "title", "captions", "author", "source", "notes")
MAX_PHRASE_SPELLINGS = 8  # a quoted name in several transliterations: phrases tried, at most
VARIANT_BOOST = 0.8  # another spelling of a name counts a little less than the one typed
FACET_FIELDS = {"tags": "tags", "topics": "topics", "sources": "source_key", "years": "year"}
SNIPPET_CHARS = 220
K = TypeVar("K")
WRITER_MB = 128  # Whoosh's in-memory posting pool per writer
HELPER_BATCH_MIN = 200  # documents: a smaller batch sorts quickly where it is
TWO_CORE_BUILD_MIN = 3000  # documents: a smaller index builds before a helper has started
MORE_LIKE_TERMS = 10  # distinctive words that describe an article for "more like this"
_HAS_DIGIT = re.compile(r"\d")
DAMAGED_FILE = "damaged"  # reading failed: the next open rebuilds the index
# What reading damaged index files raises (Whoosh unpacks and unpickles raw bytes).
_UNREADABLE = (
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    UnicodeDecodeError,
    index.IndexError,
)


def build_schema() -> fields.Schema:
    analyzer = text_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=analyzer, field_boost=1.0),
        content=fields.TEXT(analyzer=analyzer),
        captions=fields.TEXT(analyzer=analyzer),
        author=fields.TEXT(analyzer=analyzer),
        source=fields.TEXT(analyzer=analyzer),
        notes=fields.TEXT(analyzer=analyzer),
        spell=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        translit=fields.TEXT(analyzer=name_key_analyzer()),
        tags=fields.KEYWORD(commas=True, lowercase=True, scorable=False),
        topics=fields.KEYWORD(commas=True, scorable=False),
        source_key=fields.ID(),
        year=fields.ID(),
        published=fields.DATETIME(),
        date_key=fields.NUMERIC(int, bits=32, sortable=True, signed=False),
        language=fields.ID(),
    )


@dataclass(frozen=True)
class IndexDocument:
    id: str
    title: str
    body: str
    captions: str
    author: str
    source: str
    published: str
    language: str
    tags: tuple[str, ...]
    topics: tuple[str, ...]
    note: str = ""

    def text_size(self) -> int:
        """Characters of text to index: what a batch's memory grows with."""
        return len(self.title) + len(self.body) + len(self.captions) + len(self.note)


@dataclass(frozen=True)
class RawHit:
    id: str
    score: float
    docnum: int


@dataclass(frozen=True)
class RawResults:
    total: int
    hits: tuple[RawHit, ...]
    facets: dict[str, dict[str, int]]
    query: query.Query


@dataclass(frozen=True)
class RawIds:
    """Every matching article id, in the requested order."""

    total: int
    ids: tuple[str, ...]
    facets: dict[str, dict[str, int]]
    query: query.Query


class IndexBuildCancelled(Exception):
    """A rebuild was cancelled; the index in use is unchanged."""


class IndexBuildFailed(Exception):
    """A helper process writing index segments failed or died; the message says how.
    The index in use is unchanged."""


class QuerySyntaxError(ValueError):
    """The query cannot be understood; the message says where."""


class IndexDamaged(Exception):
    """The index's files are missing, altered or unreadable.

    The catalog is untouched: the index is rebuilt from it, losing nothing.
    """


@dataclass(frozen=True)
class IndexHealth:
    """What a full look at the index found: its problems and every indexed id as stored."""

    problems: tuple[str, ...]
    ids: tuple[str, ...]  # in document order; an id twice means a duplicate document


def tag_with_ancestors(tag: str) -> list[str]:
    """`region/kherson/city` → region, region/kherson, region/kherson/city."""
    parts = [p for p in tag.lower().split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def source_key(source: str) -> str:
    return " ".join(source.lower().split())


class SearchIndex:
    """Owns the index folder. Writes go through `writer()`; reads reuse one searcher.

    `variants` gives the spelling variants in force when a query is parsed
    (the archive reloads its list when the person edits it).
    """

    def __init__(self, folder: Path, variants: Callable[[], Variants] | None = None) -> None:
        self.folder = folder
        self._variants = variants or Variants
        self._latin: tuple[object, tuple[str, ...]] | None = None  # (searcher, languages)
        self._lock = threading.RLock()
        self._searcher = None
        self._cache: _FacetCache | None = None
        if not index.exists_in(str(folder)):
            folder.mkdir(parents=True, exist_ok=True)
        # Without memory maps: Whoosh copies each mapped compound segment into a
        # BytesIO, which held the whole index in memory (2 GB at 100,000
        # articles); read from the file, a searcher costs a few megabytes.
        storage = FileStorage(str(folder), supports_mmap=False)
        if index.exists_in(str(folder)):
            self._ix = storage.open_index()
        else:
            self._ix = storage.create_index(build_schema())
        self._parser = self._make_parser()

    @staticmethod
    def exists(folder: Path) -> bool:
        return index.exists_in(str(folder))

    def schema_is_current(self) -> bool:
        """Whether the index was written with this version's fields and analyzers.

        Whoosh keeps the schema it was created with; an index from before a
        field was added (or an analyzer changed) must be rebuilt, because its
        documents lack the field and writing the field would fail.
        """
        stored, wanted = self._ix.schema, build_schema()
        if sorted(stored.names()) != sorted(wanted.names()):
            return False
        return all(
            _field_signature(stored[n]) == _field_signature(wanted[n]) for n in wanted.names()
        )

    @staticmethod
    def destroy(folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix.close()

    def discard(self) -> None:
        """Close an index about to be rebuilt: its damaged files may fail even to close."""
        with contextlib.suppress(Exception):
            self.close()

    # -- soundness ----------------------------------------------------------

    def ensure_sound(self) -> None:
        """A quick look at open; raises IndexDamaged when the index must be rebuilt.

        No file is hashed unless its size or time differs from what the last
        commit recorded, so a healthy index costs a stat per file and a read of
        a little of every segment.
        """
        if (self.folder / DAMAGED_FILE).exists():
            raise IndexDamaged(f"the search index in {self.folder} was found damaged earlier")
        problems = index_files.file_problems(self._ix, self.folder, full=False)
        if problems:
            raise IndexDamaged(f"the search index in {self.folder} is damaged: {problems[0]}")
        try:
            with self._lock:
                reader = self._current_searcher().reader()
                for segment, _ in reader.leaf_readers():
                    index_files.sample(segment)
        except Exception as exc:  # any failure to read means a rebuild; the catalog is intact
            raise IndexDamaged(f"the search index in {self.folder} cannot be read: {exc}") from exc

    def health(self) -> IndexHealth:
        """Every file hashed against its record, every stored id and term dictionary read.

        For `check`: slower than `ensure_sound`, it finds an altered byte anywhere.
        """
        problems = []
        if (self.folder / DAMAGED_FILE).exists():
            problems.append("the search index was found damaged while searching")
        problems += index_files.file_problems(self._ix, self.folder, full=True)
        ids: list[str] = []
        try:
            with self._lock:
                reader = self._current_searcher().reader()
                for segment, _ in reader.leaf_readers():
                    for docnum in range(segment.doc_count_all()):
                        if not segment.is_deleted(docnum):
                            ids.append(segment.stored_fields(docnum)["id"])
                    for field in segment.indexed_field_names():
                        # Reading every term is the test: a damaged dictionary fails here.
                        collections.deque(segment.lexicon(field), maxlen=0)
        except Exception as exc:  # whatever a damaged file raises, it is reported, not raised
            problems.append(f"the search index cannot be read to the end: {exc!r}")
        return IndexHealth(tuple(problems), tuple(ids))

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """What damaged files raise while searching, as IndexDamaged (marked for the next open)."""
        try:
            yield
        except (OSError, *_UNREADABLE) as exc:
            raise self._damaged(f"reading failed: {exc!r}") from exc

    def _damaged(self, reason: str) -> IndexDamaged:
        with contextlib.suppress(OSError):  # a read-only folder: the next check finds it again
            (self.folder / DAMAGED_FILE).write_text(reason + "\n", "utf-8")
        return IndexDamaged(f"the search index in {self.folder} is damaged ({reason})")

    # -- writing ----------------------------------------------------------

    def write(
        self,
        upserts: Iterable[IndexDocument],
        deletes: Iterable[str] = (),
        *,
        merge: bool = True,
        new_ids: Collection[str] = frozenset(),
    ) -> int:
        """Apply one batch; returns how many documents were written.

        merge=True: one commit, and small segments are merged (see _merge_small).
        merge=False (a bulk import, which merges once at its end): the batch is
        cut by size (segment_writing.batches), each part one new segment.
        `new_ids` are ids the caller knows the index does not hold (just
        imported): they are added without first looking for a copy to remove.
        (An import's large batches of those are written in a helper process
        instead: see `send`.)
        """
        upserts = list(upserts)
        deletes = list(deletes)
        if merge:
            return self._commit(upserts, deletes, new_ids, merge=True)
        count = 0
        for batch in segment_writing.batches(upserts, IndexDocument.text_size):
            count += self._commit(batch, deletes, new_ids, merge=False)
            deletes = []
        if deletes:
            self._commit([], deletes, new_ids, merge=False)
        return count

    def _commit(
        self,
        upserts: list[IndexDocument],
        deletes: list[str],
        new_ids: Collection[str],
        *,
        merge: bool,
    ) -> int:
        """One commit of these: by Whoosh's writer when merging, else as one new segment."""
        count = 0
        with self._lock:
            writer = (
                self._ix.writer(limitmb=WRITER_MB)
                if merge
                else segment_writing.BatchWriter(self._ix)
            )
            try:
                for article_id in deletes:
                    writer.delete_by_term("id", article_id)
                for doc in upserts:
                    # Every copy goes (update_document removes only the first it finds),
                    # so writing an article again also mends one indexed twice.
                    if doc.id not in new_ids:
                        writer.delete_by_term("id", doc.id)
                    writer.add_document(**_fields_of(doc))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            try:
                if merge:
                    writer.commit(mergetype=_merge_small)
                else:
                    writer.commit(merge=False)
            except _UNREADABLE as exc:  # merging read a damaged segment
                self._invalidate()
                raise self._damaged(f"merging segments failed: {exc}") from exc
            self._invalidate()
            index_files.record_checksums(self._ix, self.folder)
        return count

    def send(
        self, helper: SegmentHelper | None, upserts: list[IndexDocument], new_ids: Collection[str]
    ) -> bool:
        """Hand a batch to `helper` to write as a segment while the caller goes on;
        `receive` adopts it. Only one batch of new articles (`new_ids`: nothing to
        replace), large enough to repay the trip and small enough to be one
        segment, goes; False (nothing sent) for any other."""
        if helper is None or not helper.usable or not worth_a_helper(upserts):
            return False
        if not all(doc.id in new_ids for doc in upserts):
            return False
        helper.send(upserts)
        return True

    def receive(self, helper: SegmentHelper) -> bool:
        """Adopt the segment `helper` wrote for the batch last sent; False if it failed
        (it is not asked again, and the caller writes that batch itself)."""
        try:
            folder, segment_id = helper.receive()
        except IndexBuildFailed:
            return False
        self.adopt(folder, segment_id)
        return True

    def adopt(self, folder: Path, segment_id: str) -> None:
        """Add a segment written elsewhere (index_build.SegmentHelper) to this index.

        Its files move into the index folder, then one commit lists it after
        the others; until that commit the index is as it was (stray files are
        removed by Whoosh at a later commit).
        """
        with self._lock:
            written = index.open_dir(str(folder))
            try:
                segment = next(s for s in written._segments() if s.segment_id() == segment_id)
            finally:
                written.close()
            for name in os.listdir(folder):
                if name.startswith(f"{segment_id}."):
                    os.replace(folder / name, self.folder / name)
            commit_listing(self._ix, lambda current: [*current, segment])
            shutil.rmtree(folder, ignore_errors=True)
            self._invalidate()
            index_files.record_checksums(self._ix, self.folder)

    @staticmethod
    def build(
        folder: Path,
        docs: Iterable[IndexDocument],
        *,
        total: int,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        batch: int = 1000,
        two_cores: bool | None = None,
    ) -> int:
        """Write a new index in `folder`, one segment per `batch` documents.

        Each batch is held in memory until its segment is written (and cut
        short by its size of text, see segment_writing.batches), and no segment
        is merged afterwards, so memory stays bounded at any archive size.
        With two cores (None: when the machine has them and the index is large
        enough to repay starting a helper process) a helper writes about half
        of the segments (index_build.py).
        """
        if two_cores is None:
            two_cores = (os.cpu_count() or 1) > 1 and total >= TWO_CORE_BUILD_MIN
        if two_cores:
            from archive_app.core import index_build  # it builds on this module

            return index_build.build_on_two_cores(
                folder, docs, total=total, progress=progress, cancel=cancel, batch=batch
            )
        folder.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(folder), build_schema())
        count = 0
        try:
            for documents in build_batches(docs, batch, cancel):
                write_segment(ix, documents)
                count += len(documents)
                if progress is not None:
                    progress(count, total)
            index_files.record_checksums(ix, folder)
        finally:
            ix.close()
        if progress is not None:
            progress(count, total)
        return count

    def _invalidate(self) -> None:
        # A fresh searcher, not refresh(): a refreshed searcher was seen keeping
        # documents deleted by the commit it followed.
        self._cache = None
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    # -- reading ----------------------------------------------------------

    def _current_searcher(self):
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        elif not self._searcher.up_to_date():  # another process committed
            self._searcher.close()
            self._searcher = self._ix.searcher()
            self._cache = None
        return self._searcher

    def doc_count(self) -> int:
        with self._lock, self._reading():
            return self._current_searcher().doc_count()

    def all_ids(self) -> set[str]:
        with self._lock, self._reading():
            searcher = self._current_searcher()
            return {stored["id"] for stored in searcher.all_stored_fields()}

    def parse(self, text: str) -> query.Query:
        """The query for the text; empty text matches everything.

        Raises QuerySyntaxError for what Whoosh would silently drop, such as a
        date that is not a date, so that a typo never widens a search.
        """
        if not text.strip():
            return query.Every()
        _check_dates(text)
        parser = copy.copy(self._parser)  # this query's own expansion, safe across threads
        parser.expansion = self.expansion()
        try:
            parsed = parser.parse(text)
        except Exception as exc:  # Whoosh raises assorted errors for malformed input
            raise QuerySyntaxError(f"cannot parse query {text!r}: {exc}") from exc
        return parsed.accept(_match_unstemmed_patterns)

    def expansion(self) -> Expansion:
        """What widens query words now: the archive's Latin-script languages, the variants."""
        return Expansion(self._latin_languages(), self._variants())

    def _latin_languages(self) -> tuple[str, ...]:
        """The stemmers a Latin-script query word is tried with: those of the archive's articles.

        English always (articles of unknown or Cyrillic language use it), so a
        Latin-script archive in English parses exactly as it did before languages.
        """
        with self._lock, self._reading():
            searcher = self._current_searcher()
            if self._latin is not None and self._latin[0] is searcher:
                return self._latin[1]
            reader = searcher.reader()
            found = {DEFAULT_LATIN}
            if "language" in reader.indexed_field_names():
                for raw in reader.lexicon("language"):
                    code = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    found.add(language_profile(code)[0])
            languages = tuple(sorted(found, key=lambda code: (code != DEFAULT_LATIN, code)))
            self._latin = (searcher, languages)
            return languages

    def explain(self, text: str) -> str:
        """How a query is understood: its structure, each word's spellings and indexed forms.

        Raises QuerySyntaxError as `search` would.
        """
        self.parse(text)
        if not text.strip():
            return "Everything: an empty query matches every article."
        expansion = self.expansion()
        with self._lock, self._reading():
            reader = self._current_searcher().reader()
            return _Explainer(expansion, reader).explain(self._syntax_parser.process(text), text)

    def search(
        self,
        text: str,
        *,
        topics: Iterable[str] = (),
        tags: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: str = "",
        until: str = "",
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> RawResults:
        q = self.parse(text)
        with self._lock, self._reading():
            searcher = self._current_searcher()
            cache = self._facet_cache(searcher)
            matched = self._matching(cache, q, (topics, tags, sources, since, until))
            hits: list[RawHit] = []
            if matched and limit > 0:
                hits = self._top_hits(searcher, q, matched, sort, offset + limit)[offset:]
            return RawResults(
                total=len(matched), hits=tuple(hits), facets=cache.count(matched), query=q
            )

    def search_ids(
        self,
        text: str,
        *,
        topics: Iterable[str] = (),
        tags: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: str = "",
        until: str = "",
        sort: str = "relevance",
    ) -> RawIds:
        """Every match's id in the order `search` pages through them, without stored fields.

        Ids come from the cached docnum → id list; date orders of the whole
        index are cached per generation, so a date-sorted list is one pass
        over them; relevance sorts the matches by (score, id).
        """
        q = self.parse(text)
        with self._lock, self._reading():
            searcher = self._current_searcher()
            cache = self._facet_cache(searcher)
            matched = self._matching(cache, q, (topics, tags, sources, since, until))
            ids = cache.doc_ids
            order = self._ordered(searcher, q, matched, sort, None)[0]
            return RawIds(
                total=len(matched),
                ids=tuple(ids[d] for d in order.tolist()),
                facets=cache.count(matched),
                query=q,
            )

    @staticmethod
    def _matching(cache: _FacetCache, q: query.Query, filters: tuple) -> DocSet:
        """The documents the query matches within the filters (topics, tags, sources, dates)."""
        allowed = cache.allowed(*filters)
        found = cache.docsets.matching(q)
        return found & allowed if allowed is not None else found

    def _top_hits(
        self, searcher, q: query.Query, matched: DocSet, sort: str, top: int
    ) -> list[RawHit]:
        """The first `top` hits in a total order: ties are broken by article id.

        Whoosh breaks ties by document number, which changes when documents are
        updated or the index is rebuilt; ordering ties by id keeps results the
        same across rebuilds.
        """
        ids = self._facet_cache(searcher).doc_ids
        docs, scores = self._ordered(searcher, q, matched, sort, top)
        return [RawHit(ids[d], s, d) for d, s in zip(docs.tolist(), scores, strict=True)]

    def _ordered(
        self, searcher, q: query.Query, matched: DocSet, sort: str, top: int | None
    ) -> tuple[np.ndarray, list[float]]:
        """Matched document numbers in the request's order (the first `top`, if
        given), with their scores."""
        cache = self._facet_cache(searcher)
        if isinstance(q, query.Every) and sort == "relevance":
            sort = "newest"
        if sort != "relevance":
            docs = cache.by_date(matched, sort, top)
            scores = self._scores(searcher, q, docs.tolist()) if top is not None else {}
            return docs, [scores.get(d, 0.0) for d in docs.tolist()]
        try:
            docs, found = cache.docsets.ranked(q, matched, cache.id_rank, top)
            return docs, found.tolist()
        except Unscorable:
            results = searcher.search(q, limit=None, filter=set(matched)).top_n
            scores = _with_unscored({d: float(v or 0.0) for v, d in results}, matched)
            rank = cache.id_rank
            best = sorted(scores.items(), key=lambda item: (-item[1], rank[item[0]]))[:top]
            return np.array([d for d, _ in best], dtype=np.int64), [v for _, v in best]

    def _scores(self, searcher, q: query.Query, docnums: list[int]) -> dict[int, float]:
        """Scores of a few documents (a page in date order shows them too)."""
        if isinstance(q, query.Every) or not docnums:
            return {}
        try:
            return self._facet_cache(searcher).docsets.scores(q, docnums)
        except Unscorable:
            results = searcher.search(q, limit=len(docnums), filter=set(docnums))
            return {docnum: float(score or 0.0) for score, docnum in results.top_n}

    def more_like(
        self, article_id: str, text: str, *, top: int = 10, terms: int = MORE_LIKE_TERMS
    ) -> list[tuple[str, float]]:
        """Articles most like this one by its distinctive words: (id, score), best first.

        The words are the `terms` of `text` that best tell this article apart
        from the rest of the index (Whoosh's Bo1 expansion model over the
        `content` field), numbers left out; the others are ranked by an OR of
        them, weighted, scored as a search would be (BM25F from cached postings).
        The article itself is left out; an article not in the index gets nothing.
        """
        if top <= 0:
            return []
        with self._lock, self._reading():
            searcher = self._current_searcher()
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return []
            # Numbers (a count, a year) are often among the most "distinctive"
            # words of a text and say little about what it is about.
            candidates = searcher.key_terms_from_text("content", text, numterms=terms * 2)
            key_terms = [(w, weight) for w, weight in candidates if not _HAS_DIGIT.search(w)]
            key_terms = key_terms[:terms]
            if not key_terms:
                return []
            q = query.Or([query.Term("content", word, boost=weight) for word, weight in key_terms])
            cache = self._facet_cache(searcher)
            matched = cache.docsets.matching(q) - DocSet.of([docnum])
            docs, scores = cache.docsets.ranked(q, matched, cache.id_rank, top)
            ids = cache.doc_ids
            return [(ids[d], s) for d, s in zip(docs.tolist(), scores.tolist(), strict=True)]

    def matcher(self, q: query.Query) -> TermMatcher:
        """The words a parsed query matches, for snippets and for marking an article.

        From the query's terms that the index holds (wildcards expanded): the
        spelling variant or transliteration an article uses is marked as written.
        Query.existing_terms() is not used: its `fieldname` argument is shadowed
        by its loop variable, so it drops terms of every field after the first.
        """
        forms: set[str] = set()
        names: set[str] = set()
        words: set[str] = set()
        with self._lock, self._reading():
            searcher = self._current_searcher()
            reader = searcher.reader()
            docsets = self._facet_cache(searcher).docsets
            for leaf in q.leaves():
                if isinstance(leaf, (query.Prefix, query.Wildcard)):
                    expanded = docsets.expanded(leaf)
                else:
                    expanded = leaf.expanded_terms(reader, phrases=True)
                for field, text in expanded:
                    if field not in (*TEXT_FIELDS, "spell", NAMES_FIELD):
                        continue
                    word = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
                    if (field, word) not in reader:
                        continue
                    if field == "spell":  # a whole word a wildcard matched
                        words.add(word)
                    elif field == NAMES_FIELD:
                        names.add(word)
                    else:
                        forms.add(word)
        return TermMatcher(
            frozenset(forms), frozenset(names), frozenset(words), self._latin_languages()
        )

    def snippets(
        self, q: query.Query, texts: dict[K, str], notes: dict[K, str] | None = None
    ) -> dict[K, str]:
        """Highlighted excerpts of the given texts, keyed like them.

        Only the rows being shown get excerpts: marking a body costs far more
        than finding it. When the query's words are only in a person's note
        (`notes`, keyed like `texts`), the excerpt comes from the note.
        """
        matcher = self.matcher(q)
        terms = matcher.forms | matcher.names | matcher.words  # what matcher.term returns
        notes = notes or {}
        out: dict[K, str] = {}
        for key, text in texts.items():
            matches = find_matches(text, terms, matcher.term)
            note = notes.get(key, "")
            if not matches and note:
                in_note = find_matches(note, terms, matcher.term)
                if in_note:
                    text, matches = note, in_note
            out[key] = excerpt(text, matches, max_chars=SNIPPET_CHARS)
        return out

    def suggest(self, text: str) -> str | None:
        """The query with misspelt words replaced, or None when every word is known."""
        words = list(_plain_words(text))
        if not words:
            return None
        with self._lock, self._reading():
            reader = self._current_searcher().reader()
            corrector = reader.corrector("spell")
            replacements: dict[str, str] = {}
            for word in words:
                folded = _fold(word)
                if reader.doc_frequency("spell", folded) > 0:
                    continue
                if self._found_otherwise(word):
                    continue  # another spelling or script of it is in the archive
                candidates = corrector.suggest(folded, limit=8, maxdist=2, prefix=1)
                if candidates:
                    best = max(
                        candidates,
                        key=lambda c: (-_distance(folded, c), reader.doc_frequency("spell", c)),
                    )
                    replacements[word] = _same_case(word, best)
        if not replacements:
            return None
        return re.sub(
            r"[^\W\d_]+",
            lambda m: replacements.get(m.group(0), m.group(0)),
            text,
        )

    def _found_otherwise(self, word: str) -> bool:
        """Whether a word absent as written finds articles as another spelling or script.

        Its own stems do not count: "bridg" finds "bridge", and is still worth correcting.
        """
        expansion = self.expansion()
        plain = Expansion(expansion.latin)
        parts = [_names_query(word, query.Term, 1.0, expansion)]
        parts += [
            _words_query("content", s, 1.0, plain) for s in expansion.variants.spellings(word)[1:]
        ]
        q = _one_of([p for p in parts if p is not None])
        if q is None:
            return False
        with self._lock, self._reading():
            return bool(self._facet_cache(self._current_searcher()).docsets.matching(q))

    def _facet_cache(self, searcher) -> _FacetCache:
        if self._cache is None:
            self._cache = _FacetCache.build(searcher)
        return self._cache

    @property
    def _syntax_parser(self) -> qparser.QueryParser:
        """A parser without expansion, for the structure of a query as written."""
        parser = qparser.QueryParser("content", self._ix.schema)
        _add_query_plugins(parser)
        return parser

    def _make_parser(self) -> qparser.QueryParser:
        parser = _ExpandingParser(None, self._ix.schema)
        parser.add_plugin(qparser.MultifieldPlugin(list(SEARCH_FIELDS), fieldboosts=FIELD_BOOSTS))
        parser.remove_plugin_class(qparser.PhrasePlugin)
        parser.add_plugin(_PhrasePlugin())
        _add_query_plugins(parser)
        return parser


def _add_query_plugins(parser: qparser.QueryParser) -> None:
    """Field aliases (`tag:`, `body:`, `note:` …) and comparisons (`published:>2020`)."""
    aliases = {"tags": ["tag"], "topics": ["topic"], "content": ["body", "text"], "notes": ["note"]}
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    parser.add_plugin(qparser.GtLtPlugin())


def build_batches(
    docs: Iterable[IndexDocument], size: int, cancel: threading.Event | None
) -> Iterator[list[IndexDocument]]:
    """`docs` in batches of one segment each; IndexBuildCancelled once `cancel` is set."""

    def until_cancelled() -> Iterator[IndexDocument]:
        for doc in docs:
            if cancel is not None and cancel.is_set():
                raise IndexBuildCancelled("index rebuild cancelled")
            yield doc

    return segment_writing.batches(until_cancelled(), IndexDocument.text_size, size)


def worth_a_helper(documents: list[IndexDocument]) -> bool:
    """Whether a batch is large enough to repay writing it in another process, and small
    enough to be one segment."""
    if not HELPER_BATCH_MIN <= len(documents) <= segment_writing.BATCH_DOCUMENTS:
        return False
    return sum(doc.text_size() for doc in documents) <= segment_writing.BATCH_CHARACTERS


def write_segment(ix, documents: list[IndexDocument]) -> str:
    """One batch, one new segment, one commit (nothing merged); its segment id."""
    writer = segment_writing.BatchWriter(ix)
    try:
        for doc in documents:
            writer.add_document(**_fields_of(doc))
    except BaseException:
        writer.cancel()
        raise
    segment_id = writer.get_segment().segment_id()
    writer.commit(merge=False)
    return segment_id


def commit_listing(ix, listing: Callable[[list], list]) -> None:
    """A commit that writes no segment and lists `listing(the current segments)`:
    segments written elsewhere join the index this way, as Whoosh's own
    multiprocess writer ends."""
    writer = ix.writer()
    try:
        writer._close_segment()
        writer._commit_toc(listing(writer.segments))
    finally:
        writer._finish()


SMALL_SEGMENT_DOCS = 1000
MOSTLY_DELETED = 0.3


def _merge_small(writer, segments):
    """Merge small segments, and segments that are mostly deleted documents.

    Whoosh's default policy now and then merges everything into one segment,
    which re-reads every posting in Python and stalls a commit for a minute
    at 10,000 articles. Large segments are left alone here; a rebuild writes
    one segment.
    """
    from whoosh.reading import SegmentReader

    def chosen(segment) -> bool:
        total = segment.doc_count_all()
        deleted = segment.deleted_count() if segment.has_deletions() else 0
        return total < SMALL_SEGMENT_DOCS or deleted > total * MOSTLY_DELETED

    to_merge = [s for s in segments if chosen(s)]
    if len(to_merge) < 2 and not any(s.has_deletions() for s in to_merge):
        return segments
    for segment in to_merge:
        writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
    return [s for s in segments if s not in to_merge]


class _FacetCache:
    """Doc-number bitmaps per facet value and per-document arrays, built once per
    index generation.

    Filters become bitmap intersections and facet counts the bits left by
    intersecting with the matched set, without touching stored fields.
    """

    def __init__(
        self,
        sets: dict[str, dict[str, DocSet]],
        docsets: DocSets,
        reader,
    ) -> None:
        self.sets = sets
        self.docsets = docsets
        self._reader = reader
        self._doc_ids: list[str] | None = None
        self._id_rank: np.ndarray | None = None
        self._date_orders: dict[str, np.ndarray] = {}

    @property
    def doc_ids(self) -> list[str]:
        """Article id by document number (deleted numbers keep their old id)."""
        if self._doc_ids is None:
            self._doc_ids = list(self._reader.column_reader("id"))
        return self._doc_ids

    @property
    def id_rank(self) -> np.ndarray:
        """Each document number's place in article id order: ties are broken by it."""
        if self._id_rank is None:
            ids = self.doc_ids
            # numpy's sort lets other threads run; sorted() would hold the
            # interpreter (and the window's thread) for the whole sort.
            by_id = np.argsort(np.array(ids, dtype=str), kind="stable")
            rank = np.zeros(len(ids), dtype=np.int64)
            rank[by_id] = np.arange(len(ids))
            self._id_rank = rank
        return self._id_rank

    def date_order(self, sort: str) -> np.ndarray:
        """Every live document in `newest` or `oldest` order (undated last), ties by id."""
        order = self._date_orders.get(sort)
        if order is None:
            days = self.docsets.date_keys.astype(np.int64)
            key = np.where(days == 0, 99_999_999, -days if sort == "newest" else days)
            live = np.asarray(self.docsets.all_docs().members(), dtype=np.int64)
            order = live[np.lexsort((self.id_rank[live], key[live]))]
            self._date_orders[sort] = order
        return order

    def by_date(self, matched: DocSet, sort: str, top: int | None = None) -> np.ndarray:
        """Matched document numbers in `newest` or `oldest` order; the first `top` if given."""
        return in_order(self.date_order(sort), matched, self.docsets.size, top)

    @classmethod
    def build(cls, searcher) -> _FacetCache:
        reader = searcher.reader()
        docsets = DocSets(searcher, _date_keys(reader))
        sets: dict[str, dict[str, DocSet]] = {}
        for facet, field in FACET_FIELDS.items():
            values: dict[str, DocSet] = {}
            if field in reader.indexed_field_names():
                for raw in reader.lexicon(field):
                    term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    if docs := docsets.term(field, term):
                        values[term] = docs
            sets[facet] = values
        return cls(sets, docsets, reader)

    def allowed(
        self,
        topics: Iterable[str],
        tags: Iterable[str],
        sources: Iterable[str],
        since: str,
        until: str,
    ) -> DocSet | None:
        result: DocSet | None = None

        def narrow(docs: DocSet) -> None:
            nonlocal result
            result = docs if result is None else result & docs

        for topic in topics:
            narrow(self.sets["topics"].get(topic, EMPTY))
        for tag in tags:
            narrow(self.sets["tags"].get(tag.lower().strip("/"), EMPTY))
        wanted_sources = [source_key(s) for s in sources]
        if wanted_sources:
            union = EMPTY
            for key in wanted_sources:
                union = union | self.sets["sources"].get(key, EMPTY)
            narrow(union)
        if since or until:
            low = date_sort_key(since) if since else 0
            high = date_sort_key(until) if until else 99991231
            narrow(self.docsets.days_between(low, high))
        return result

    def count(self, matched: DocSet) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for facet, values in self.sets.items():
            found = {}
            for value, docs in values.items():
                if n := docs.count_in(matched):
                    found[value] = n
            counts[facet] = dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
        return counts


def _date_keys(reader) -> np.ndarray:
    """The day (yyyymmdd) of every document by number; 0 when undated or deleted."""
    keys = index_columns.numeric_column(reader, "date_key", np.int32)
    if reader.has_deletions():
        live = np.zeros(len(keys), dtype=bool)
        live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        keys[~live] = 0
    return keys


def _field_signature(field: fields.FieldType) -> tuple:
    """What decides how a field is written and read (Whoosh's own == ignores analyzers)."""
    column = getattr(field, "column_type", None)
    return (
        type(field).__name__,
        getattr(field, "analyzer", None),
        type(getattr(field, "format", None)).__name__,
        field.stored,
        field.unique,
        field.scorable,
        type(column).__name__ if column is not None else None,
        getattr(field, "numtype", None),
        getattr(field, "bits", None),
        getattr(field, "signed", None),
    )


def _fields_of(doc: IndexDocument) -> dict[str, object]:
    # Each text carries its article's language to the analyzer (analysis.TaggedText).
    language = doc.language
    content = "\n".join((doc.title, doc.captions, doc.author, doc.source, doc.body, doc.note))
    values: dict[str, object] = {
        "id": doc.id,
        "title": TaggedText(doc.title, language),
        "content": TaggedText(content, language),
        "captions": TaggedText(doc.captions, language),
        "author": TaggedText(doc.author, language),
        "source": TaggedText(doc.source, language),
        "notes": TaggedText(doc.note, language),
        NAMES_FIELD: TaggedText(content, language),
        # Spelling needs each word once, not its every occurrence.
        "spell": " ".join(
            dict.fromkeys(WORD.findall(f"{doc.title} {doc.captions} {doc.body} {doc.note}"))
        ),
        "tags": ",".join(sorted({a for t in doc.tags for a in tag_with_ancestors(t)})),
        "topics": ",".join(doc.topics),
        "date_key": date_sort_key(doc.published),
    }
    # Empty values would become an empty facet term: leave the field out instead.
    if doc.source.strip():
        values["source_key"] = source_key(doc.source)
    if doc.language:
        values["language"] = doc.language
    if doc.published:
        values["year"] = doc.published[:4]
        with contextlib.suppress(ValueError):
            values["published"] = dt.datetime.fromisoformat(doc.published).replace(tzinfo=None)
    return values


_DATE_TERM = re.compile(r"\bpublished:(\[[^\]]*\]|\{[^}]*\}|\"[^\"]*\"|\S+)")


def _check_dates(text: str) -> None:
    for match in _DATE_TERM.finditer(text):
        value = match.group(1).strip('[]{}"<>=')
        for part in filter(None, (p.strip() for p in re.split(r"\s*\bTO\b\s*", value))):
            if not _is_query_date(part):
                raise QuerySyntaxError(f"published: {part!r} is not a date (YYYY-MM-DD)")


def _is_query_date(text: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD, naming a real day."""
    if not re.fullmatch(r"\d{4}(-\d{1,2}(-\d{1,2})?)?", text):
        return False
    try:
        normalize_date(text)
    except ValueError:
        return False
    return True


def _match_unstemmed_patterns(node: query.Query) -> query.Query:
    """Wildcards also match whole words, not only stems.

    The text fields hold stems (`orphanages` is indexed as `orphanag`), so a
    pattern a person writes against whole words (`orphan?ge*`) would miss;
    the unstemmed spelling field holds the words themselves.
    """
    if isinstance(node, (query.Wildcard, query.Prefix)) and node.fieldname == "content":
        twin = type(node)("spell", node.text.lower(), boost=node.boost)
        return query.Or([node, twin])
    return node


# -- query expansion: languages, transliteration, spelling variants ------------------


@dataclass(frozen=True)
class Expansion:
    """What widens a query word: the archive's Latin-script languages and the variants list."""

    latin: tuple[str, ...] = (DEFAULT_LATIN,)
    variants: Variants = dataclasses.field(default_factory=Variants)


class _ExpandingParser(qparser.QueryParser):
    """Whoosh's parser, with each word looked up in every form and spelling it may take.

    A word in a text field becomes an OR of its indexed forms (each language's
    stem or lemma; a capitalised Cyrillic word also as Latin-script texts write
    it) and those of its listed variants; in `translit` it becomes its name
    keys, so a Latin word finds the same name in Cyrillic text. Every other
    query shape (wildcards, ranges, fields that are not text) is Whoosh's.
    The result is made of Term, Phrase, And and Or only, which the fast
    matcher (docsets.py) scores like Whoosh does.
    """

    expansion = Expansion()

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if fieldname == NAMES_FIELD:
            return _names_query(text, termclass, boost, self.expansion)
        if fieldname in TEXT_FIELDS and termclass is query.Term and tokenize:
            return _words_query(fieldname, text, boost, self.expansion)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)

    def phrase_query(self, fieldname: str, text: str, slop: int, boost: float):
        if fieldname == NAMES_FIELD:
            return _names_phrase(text, slop, boost)
        return _words_phrase(fieldname, text, slop, boost, self.expansion)


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A quoted phrase, handed to the parser with its words as written (not yet analysed)."""

    def query(self, parser):
        fieldname = self.fieldname or parser.fieldname
        if isinstance(parser, _ExpandingParser) and fieldname in (*TEXT_FIELDS, NAMES_FIELD):
            return attach(parser.phrase_query(fieldname, self.text, self.slop, self.boost), self)
        return super().query(parser)


class _PhrasePlugin(qparser.PhrasePlugin):
    class PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
        def create(self, parser, match):
            node = super().create(parser, match)
            phrase = _PhraseNode(node.text, node.textstartchar, node.slop)
            phrase.degrade = node.degrade
            return phrase


def _words_query(field: str, text: str, boost: float, expansion: Expansion):
    """A query word in a text field: its forms, and those of its other spellings."""
    spellings = [
        [forms for word in WORD.findall(spelling) if (forms := _word_forms(word, expansion.latin))]
        for spelling in expansion.variants.spellings(text)
    ]
    return _any_spelling(field, spellings, boost)


def _spelling_boosts(count: int, boost: float) -> list[float]:
    """The typed spelling first at full weight, the variants after it a little lower."""
    return [boost] + [boost * VARIANT_BOOST] * (count - 1)


def _word_forms(word: str, latin: tuple[str, ...]) -> frozenset[str]:
    forms = query_forms(word, latin)
    if forms and word[:1].isupper() and has_cyrillic(word):
        # A capitalised Cyrillic word is taken for a name: also as Latin-script texts write it.
        forms = forms.union(*(query_forms(s, latin) for s in latin_spellings(word)))
    return forms


def _name_keys(word: str) -> frozenset[str]:
    """A query word's name keys: any Latin word, a Cyrillic one when written with a capital.

    A Latin word may be a name typed in lower case ("kharkiv"); a lower-case
    Cyrillic word is a word of the text, which the text fields match as it is.
    """
    if is_stop(fold(word)) or (has_cyrillic(word) and not word[:1].isupper()):
        return frozenset()
    return query_name_keys(word)


def _names_query(text: str, termclass, boost: float, expansion: Expansion):
    """A query word in the shadow field: the name keys of it and of its other spellings."""
    if termclass is query.Prefix:  # "Khark*": the skeleton of what is written, not cut
        written = fold(text)
        latin = romanizations(written) if has_cyrillic(written) else (written,)
        prefixes = sorted({skeleton(s) for s in latin if len(skeleton(s)) >= 2})
        return _one_of([query.Prefix(NAMES_FIELD, p, boost=boost) for p in prefixes])
    if termclass is not query.Term:
        return None  # other patterns have no sense on name keys
    spellings = [
        [keys for word in WORD.findall(spelling) if (keys := _name_keys(word))]
        for spelling in expansion.variants.spellings(text)
    ]
    return _any_spelling(NAMES_FIELD, spellings, boost)


def _any_spelling(field: str, spellings: list[list[frozenset[str]]], boost: float):
    """OR over spellings (the typed one first); one of several words needs all of them.

    A form shared by several spellings counts once, at the highest weight. The
    boost goes on each term, not on the groups: the fast scorer reads it there.
    """
    single: dict[str, float] = {}
    groups: list[query.Query] = []
    seen: set[tuple[tuple[str, ...], ...]] = set()
    for words, weight in zip(spellings, _spelling_boosts(len(spellings), boost), strict=True):
        if len(words) == 1:
            for form in sorted(words[0]):
                single[form] = max(weight, single.get(form, 0.0))
        elif words:
            key = tuple(tuple(sorted(forms)) for forms in words)
            if key not in seen:
                seen.add(key)
                groups.append(query.And([_any_term(field, dict.fromkeys(f, weight)) for f in key]))
    if single:
        groups.insert(0, _any_term(field, single))
    return _one_of(groups)


def _any_term(field: str, weighted: dict[str, float]) -> query.Query:
    return _one_of([query.Term(field, t, boost=b) for t, b in weighted.items()])


def _one_of(queries: list[query.Query]):
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else query.Or(queries)


_PHRASE_ANALYZER = text_analyzer()


def _words_phrase(field: str, text: str, slop: int, boost: float, expansion: Expansion):
    """A phrase as each language of the archive would have indexed it (OR of the distinct ones).

    Stop words are not indexed but keep their positions ("war on drugs": "war"
    and "drugs" stand two apart), so a phrase with stop words allows their gap.
    """
    written = WORD.findall(text)
    cyrillic = CYRILLIC_ANALYSED if has_cyrillic(text) else ("ru",)
    # Capitalised Cyrillic words are names: the phrase as Latin-script texts write them too.
    as_names = [
        latin_spellings(w) if w[:1].isupper() and has_cyrillic(w) else (w,) for w in written
    ]
    spellings = [written]
    if any(len(s) > 1 or s[0] != w for s, w in zip(as_names, written, strict=True)):
        spellings += itertools.islice(itertools.product(*as_names), MAX_PHRASE_SPELLINGS)
    phrases: dict[tuple[str, ...], int] = {}
    for spelling, profile in itertools.product(
        spellings, itertools.product(expansion.latin, cyrillic)
    ):
        normalize = _PHRASE_ANALYZER.normalizer(profile)
        forms = [normalize(w) for w in spelling]
        words = tuple(f for f in forms if f)
        if words:
            phrases.setdefault(words, len(forms) - len(words))
    return _one_of(
        [_phrase(field, words, slop, stopped, boost) for words, stopped in phrases.items()]
    )


def _names_phrase(text: str, slop: int, boost: float):
    """A phrase in the shadow field: its words' name keys in order, in each spelling."""
    keys = [sorted(_name_keys(word)) for word in WORD.findall(text)]
    present = [k for k in keys if k]
    if not present:
        return None
    stopped = len(keys) - len(present)
    combos = itertools.islice(itertools.product(*present), MAX_PHRASE_SPELLINGS)
    return _one_of([_phrase(NAMES_FIELD, c, slop, stopped, boost) for c in combos])


def _phrase(field: str, words: tuple[str, ...], slop: int, stopped: int, boost: float):
    return query.Phrase(
        field, list(words), slop=max(slop, 1 + stopped) if stopped else slop, boost=boost
    )


class _Explainer:
    """A query as written, with what each word was widened to, in words a person reads."""

    def __init__(self, expansion: Expansion, reader) -> None:
        self.expansion = expansion
        self.reader = reader
        self.details: dict[str, str] = {}

    def explain(self, tree, text: str) -> str:
        self.text = text
        shown = self._render(tree, top=True)
        lines = [f"Searched for: {shown}"]
        lines.extend(self.details.values())
        latin = ", ".join(self.expansion.latin)
        lines.append(
            f"Latin-script words are matched as the archive's languages write them ({latin});"
            " Cyrillic words as Ukrainian and Russian; capitalised words also as names"
            " in the other script."
        )
        return "\n".join(lines)

    def _render(self, node, top: bool = False) -> str:
        if isinstance(node, syntax.GroupNode):
            parts = [self._render(child) for child in node.nodes]
            if isinstance(node, syntax.NotGroup):
                return "NOT " + " ".join(parts)
            joiner = {
                syntax.OrGroup: " OR ",
                syntax.AndNotGroup: " ANDNOT ",
                syntax.AndMaybeGroup: " ANDMAYBE ",
            }.get(type(node), " AND ")
            joined = joiner.join(p for p in parts if p)
            if len(node.nodes) == 1 and top and isinstance(node.nodes[0], syntax.GroupNode):
                return self._render(node.nodes[0], top=True)
            return joined if top or len(parts) < 2 else f"({joined})"
        fieldname = getattr(node, "fieldname", None)
        prefix = f"{fieldname}:" if fieldname else ""
        if isinstance(node, qparser.FuzzyTermPlugin.FuzzyTermNode):
            return f"{prefix}{node.text}~{node.maxdist}"
        if isinstance(node, syntax.WordNode) and (fieldname or "content") in TEXT_FIELDS:
            return prefix + self._word(node.text)
        if isinstance(node, qparser.PhrasePlugin.PhraseNode):
            self._phrase(node.text)
            return f'{prefix}"{node.text}"'
        if isinstance(node, qparser.PrefixPlugin.PrefixNode):
            return f"{prefix}{node.text}*"
        if isinstance(node, qparser.WildcardPlugin.WildcardNode):
            return f"{prefix}{node.text}"
        if isinstance(node, syntax.RangeNode):
            start, end = node.start or "", node.end or ""
            return f"{prefix}[{start} TO {end}]"
        return prefix + str(getattr(node, "text", "") or "")

    def _word(self, word: str) -> str:
        spellings = self.expansion.variants.spellings(word)
        if word not in self.details:
            forms = self._present(_words_query("content", word, 1.0, self.expansion), "content")
            names = self._present(_names_query(word, query.Term, 1.0, self.expansion), NAMES_FIELD)
            parts = []
            if len(spellings) > 1:
                parts.append("spellings " + ", ".join(spellings))
            if not _words_query("content", word, 1.0, self.expansion):
                parts.append("left out (too common a word to search for)")
            else:
                parts.append("words " + (", ".join(forms) if forms else "(not in the archive)"))
            if names:
                parts.append("names in Cyrillic text " + ", ".join(names))
            self.details[word] = f"  {word}: " + "; ".join(parts)
        if len(spellings) > 1:
            return "(" + " OR ".join(spellings) + ")"
        return word

    def _phrase(self, text: str) -> None:
        found = _words_phrase("content", text, 1, 1.0, self.expansion)
        phrases = (
            [] if found is None else [q for q in found.leaves() if isinstance(q, query.Phrase)]
        )
        forms = dict.fromkeys(" ".join(p.words) for p in phrases)
        self.details[f'"{text}"'] = f'  "{text}": the words in this order, as {" | ".join(forms)}'

    def _present(self, found, field: str) -> list[str]:
        """The terms of a word's query that the index holds, in order."""
        if found is None:
            return []
        terms = [
            t.text for t in found.leaves() if isinstance(t, query.Term) and t.fieldname == field
        ]
        return [t for t in dict.fromkeys(terms) if (field, t) in self.reader]


def _with_unscored(scores: dict[int, float], matched) -> dict[int, float]:
    """Scores for every match: `NOT x` scores nothing, yet everything else matches it."""
    if len(scores) < len(matched):
        return dict.fromkeys(matched, 0.0) | scores
    return scores


index_form = text_analyzer().normalize  # a word as the index holds it ("" for a stop word)


_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def _plain_words(text: str) -> Iterator[str]:
    """Words a person typed as words: not operators, not field names, not patterns."""
    for token in re.findall(r"[\w:*?\[\]\"'-]+", text):
        if token in _OPERATORS or ":" in token or any(c in token for c in "*?[]"):
            continue
        yield from re.findall(r"[^\W\d_]{3,}", token)


def _same_case(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_fold = spelling_analyzer().normalize


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
