"""Whoosh against Tantivy and SQLite FTS5 on the same articles and the same queries.

    python bench/bench_engines.py --archive bench/out/archive-10000 \
        [--queries bench/out/corpus-10000-seed1/queries.json] [--repeat 5] [--json OUT]

A reference, not part of the app: the archive (built by bench_core.py) is opened
for reading only and never written. From its catalog the texts Whoosh indexed
(`Archive._index_document`: effective title, body, captions, author, source,
date, tags with their parent tags, topics, note) are copied into a temporary
folder, where a Tantivy index and an SQLite FTS5 database are built from them
(build time and size on disk of each). Every query of the set is then
translated into each engine's terms and timed, the engines interleaved within
each pass (the order rotates per query) so that other load on the machine falls
on all of them alike:

- page: the top 20 with snippets, the total and the facet counts (tags, topics,
  sources, years) over every hit. Whoosh: `Archive.search`, which also works
  out a spelling suggestion. This is the like-for-like figure the ratios use.
- Whoosh's two halves, as the desktop app calls them: `search_ids` (every id in
  order, with facets) and `hits` (rows and snippets of the 20 shown).
- top 20: Tantivy `searcher.search(q, 20)` with its count, stored documents and
  `SnippetGenerator`; FTS5 `MATCH … ORDER BY rank LIMIT 20` with `snippet()`
  and a count.
- facets: counting tags, topics, sources and years over every hit (Tantivy's
  terms aggregation over fast fields; FTS5 GROUP BY over the matching rowids).

Prints Markdown tables (per engine and query class, hit counts side by side
with the translations, build and size, the ratios) and writes everything as
JSON (default bench/out/bench_engines-<articles>.json). Needs the `bench`
extra (`pip install -e '.[bench]'`, i.e. `tantivy`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from bench_core import code_state, request_for  # noqa: E402
from whoosh.analysis.filters import STOP_WORDS  # noqa: E402

from archive_app.core.archive import CATALOG_FILE, Archive  # noqa: E402
from archive_app.core.catalog import CatalogError  # noqa: E402
from archive_app.core.dates import date_sort_key  # noqa: E402
from archive_app.core.index import SearchIndex, source_key, tag_with_ancestors  # noqa: E402
from archive_app.core.snippets import WORD  # noqa: E402
from archive_app.core.variants import Variants  # noqa: E402

TOP = 20
SNIPPET_CHARS = 220  # index.SNIPPET_CHARS: what Whoosh's excerpts hold
FTS_SNIPPET_TOKENS = 36  # about 220 characters of English
TANTIVY_HEAP = 256_000_000  # bytes for the one indexing thread
TANTIVY_THREADS = 1  # Whoosh builds on one thread too; the machine has two, shared
TANTIVY_ANALYZER = "en_whoosh"  # en_stem's chain plus Whoosh's folding and stop words
ENGINES = ("whoosh", "tantivy", "fts5")
TEXT_FIELDS = ("title", "content", "captions", "author", "source", "notes")
KEYWORD_FIELDS = ("tags", "topics")
FIELD_ALIASES = {"body": "content", "text": "content", "note": "notes", "tag": "tags"}
FIELD_ALIASES["topic"] = "topics"
FLAG_SHARE = 0.10  # hit counts further apart than this are flagged
MB = 2**20  # as bench_core.py counts sizes
# Facet name -> the field (Tantivy) or column (FTS5) counted for it.
FACET_FIELDS = {"tags": "tags", "topics": "topics", "sources": "source_key", "years": "year"}


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Word:
    field: str  # "" for the default fields (content, and title boosted)
    text: str


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    field: str
    text: str


@dataclass(frozen=True)
class DateRange:
    low: int  # yyyymmdd, inclusive
    high: int


@dataclass(frozen=True)
class Keyword:
    field: str  # tags or topics
    value: str


@dataclass(frozen=True)
class And:
    items: tuple
    negated: tuple = ()


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Everything:
    pass


class Untranslatable(ValueError):
    """A query shape this engine cannot express."""


_TOKEN = re.compile(
    r'\s*(?:(?P<paren>[()])|(?:(?P<field>[A-Za-z_]+):)?(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()"]+))'
)


def parse_query(text: str) -> Any:
    """The query syntax the query set uses, as Whoosh reads it: words ANDed by default,
    AND / OR / NOT, parentheses, "phrases", field:word, prefix*, published:[a TO b]."""
    tokens: list[tuple[str, str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read the query {text!r} at {position}")
        position = match.end()
        if match.group("paren"):
            tokens.append(("paren", "", match.group("paren")))
        else:
            tokens.append(("leaf", match.group("field") or "", match.group("value")))
    if not tokens:
        return Everything()
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.position != len(tokens):
        raise ValueError(f"unbalanced parentheses in {text!r}")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def operator(self, name: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "leaf" and not token[1] and token[2] == name:
            self.position += 1
            return True
        return False

    def parse_or(self) -> Any:
        items = [self.parse_and()]
        while self.operator("OR"):
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Any:
        items: list = []
        negated: list = []
        while True:
            token = self.peek()
            if token is None or token == ("paren", "", ")"):
                break
            if token[0] == "leaf" and not token[1] and token[2] == "OR":
                break
            if self.operator("AND"):
                continue
            if self.operator("NOT"):
                negated.append(self.parse_primary())
                continue
            items.append(self.parse_primary())
        if len(items) == 1 and not negated:
            return items[0]
        return And(tuple(items), tuple(negated))

    def parse_primary(self) -> Any:
        kind, name, value = self.tokens[self.position]
        self.position += 1
        if kind == "paren":
            if value != "(":
                raise ValueError("a closing parenthesis without its opening one")
            node = self.parse_or()
            if self.peek() != ("paren", "", ")"):
                raise ValueError("an opening parenthesis without its closing one")
            self.position += 1
            return node
        return _leaf(FIELD_ALIASES.get(name.lower(), name.lower()), value)


def _leaf(name: str, value: str) -> Any:
    if value.startswith("["):
        if name != "published":
            raise ValueError(f"a range on {name!r}: only published: ranges are translated")
        low, _, high = value.strip("[]").partition(" TO ")
        return DateRange(_day(low.strip(), "01-01"), _day(high.strip(), "12-31"))
    if value.startswith('"'):
        words = tuple(w.lower() for w in WORD.findall(value))
        return Word(name, words[0]) if len(words) == 1 else Phrase(name, words)
    if name in KEYWORD_FIELDS:
        return Keyword(name, value.lower() if name == "tags" else value)
    if name and name not in TEXT_FIELDS:
        raise ValueError(f"no field {name!r} in the reference engines")
    if value.endswith("*"):
        return Prefix(name, value.rstrip("*").lower())
    return Word(name, value)


def _day(text: str, end: str) -> int:
    """A query date as yyyymmdd; a bare year means its first or last day."""
    if not text:
        return 0 if end == "01-01" else 99991231
    if re.fullmatch(r"\d{4}", text):
        text = f"{text}-{end}"
    key = date_sort_key(text)
    if not key:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    return key


def notes_for(node: Any, variants: Variants, spec: dict[str, Any]) -> list[str]:
    """Where the reference engines do not search exactly as Whoosh does, in words."""
    notes: list[str] = []
    for leaf in _leaves(node):
        if isinstance(leaf, Word) and len(variants.spellings(leaf.text)) > 1:
            notes.append(f"variants of {leaf.text!r} ORed in as Whoosh does")
        if isinstance(leaf, Prefix):
            notes.append(
                "prefix: Tantivy on stems and whole words as Whoosh; FTS5 on porter stems only"
            )
    if isinstance(node, Everything) and spec.get("sort", "relevance") == "relevance":
        notes.append("no words: newest first, as Whoosh orders it")
    return notes


def _leaves(node: Any) -> Iterator[Any]:
    if isinstance(node, And):
        for item in (*node.items, *node.negated):
            yield from _leaves(item)
    elif isinstance(node, Or):
        for item in node.items:
            yield from _leaves(item)
    else:
        yield node


def spellings_of(word: str, variants: Variants) -> list[str]:
    return list(dict.fromkeys(s.lower() for s in variants.spellings(word)))


# --------------------------------------------------------------------------- the documents


def document_rows(archive: Archive) -> Iterator[dict[str, Any]]:
    """What Whoosh indexed for each article, in the shape both reference engines take."""
    ids = [r[0] for r in archive.catalog.query("SELECT id FROM articles ORDER BY id")]
    for article_id in ids:
        doc = archive._index_document(article_id)
        if doc is None:
            continue
        yield {
            "id": doc.id,
            "title": doc.title,
            # The same order as Whoosh's `content` field: plain words search all of it.
            "content": "\n".join(
                (doc.title, doc.captions, doc.author, doc.source, doc.body, doc.note)
            ),
            "captions": doc.captions,
            "author": doc.author,
            "source": doc.source,
            "notes": doc.note,
            "date_key": date_sort_key(doc.published),
            "year": doc.published[:4] if doc.published else "",
            "source_key": source_key(doc.source) if doc.source.strip() else "",
            "tags": sorted({a for t in doc.tags for a in tag_with_ancestors(t)}),
            "topics": list(doc.topics),
        }


def copy_documents(archive: Archive, path: Path) -> dict[str, Any]:
    """The articles' texts into an SQLite file: FTS5's content table, Tantivy's source."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE docs (rowid INTEGER PRIMARY KEY, title TEXT, content TEXT,
            captions TEXT, author TEXT, source TEXT, notes TEXT);
        CREATE TABLE meta (rowid INTEGER PRIMARY KEY, id TEXT, date_key INTEGER,
            year TEXT, source_key TEXT);
        CREATE TABLE doc_tags (doc INTEGER, tag TEXT);
        CREATE TABLE doc_topics (doc INTEGER, topic TEXT);
        """
    )
    started = time.perf_counter()
    count = 0
    with db:
        for rowid, row in enumerate(document_rows(archive), start=1):
            db.execute(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rowid, *(row[f] for f in TEXT_FIELDS)),
            )
            db.execute(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                (rowid, row["id"], row["date_key"], row["year"], row["source_key"]),
            )
            db.executemany("INSERT INTO doc_tags VALUES (?, ?)", [(rowid, t) for t in row["tags"]])
            db.executemany(
                "INSERT INTO doc_topics VALUES (?, ?)", [(rowid, t) for t in row["topics"]]
            )
            count += 1
    db.close()
    return {"documents": count, "seconds": round(time.perf_counter() - started, 2)}


def folder_mb(folder: Path, suffix: str = "") -> float:
    size = sum(p.stat().st_size for p in folder.rglob(f"*{suffix}") if p.is_file())
    return round(size / MB, 2)


# --------------------------------------------------------------------------- engines


@dataclass
class Result:
    total: int
    ids: list[str]
    snippets: list[str] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None


class WhooshEngine:
    """The archive itself: what the CLI and the desktop app call."""

    name = "whoosh"

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._shown: dict[str, list[str]] = {}

    def page(self, spec: dict[str, Any]) -> Result:
        page = self.archive.search(request_for(spec, limit=TOP))
        ids, snippets = [h.id for h in page.hits], [h.snippet for h in page.hits]
        return Result(page.total, ids, snippets, suggestion=page.suggestion)

    def ids(self, spec: dict[str, Any]) -> Result:
        found = self.archive.search_ids(request_for(spec))
        return Result(found.total, list(found.ids))

    def remember_ids(self, spec: dict[str, Any]) -> None:
        """The ids `hits` shows, from an untimed `search_ids`: only rows and snippets are timed."""
        offset = spec.get("offset", 0)
        self._shown[spec_key(spec)] = list(self.ids(spec).ids[offset : offset + TOP])

    def hits(self, spec: dict[str, Any]) -> Result:
        ids = self._shown[spec_key(spec)]
        shown = self.archive.hits(ids, spec.get("query", ""))
        return Result(len(shown), [h.id for h in shown], [h.snippet for h in shown])

    def rows(self, spec: dict[str, Any]) -> Result:
        """The same 20 rows without snippets: what reading the catalog costs on its own
        (the reference engines return ids and snippets only, no title, tags or topics)."""
        shown = self.archive.hits(self._shown[spec_key(spec)], snippets=False)
        return Result(len(shown), [h.id for h in shown])


class TantivyEngine:
    name = "tantivy"

    def __init__(self, folder: Path, variants: Variants) -> None:
        self.folder = folder
        self.variants = variants
        self.index: tantivy.Index | None = None
        self.schema: tantivy.Schema | None = None

    @staticmethod
    def _analyzer(stem: bool) -> tantivy.TextAnalyzer:
        builder = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
        )
        if stem:
            builder = builder.filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS)))
            builder = builder.filter(tantivy.Filter.stemmer("english"))
        return builder.build()

    def open(self) -> None:
        """The index an earlier run built in `folder`."""
        self.index = tantivy.Index.open(str(self.folder))
        self._register_analyzers()
        self.schema = self.index.schema
        self.index.reload()

    def _register_analyzers(self) -> None:
        assert self.index is not None
        self.index.register_tokenizer(TANTIVY_ANALYZER, self._analyzer(stem=True))
        self.index.register_tokenizer("folded", self._analyzer(stem=False))

    def build(self, docs_db: Path) -> dict[str, Any]:
        started = time.perf_counter()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in TEXT_FIELDS:
            builder.add_text_field(name, stored=name == "content", tokenizer_name=TANTIVY_ANALYZER)
        # Whole words, unstemmed, for prefixes (Whoosh's `spell` field does the same job).
        builder.add_text_field("words", tokenizer_name="folded", index_option="basic")
        for name in ("tags", "topics", "source_key", "year"):
            builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
        builder.add_unsigned_field("date_key", indexed=True, fast=True)
        self.schema = builder.build()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(self.folder))
        self._register_analyzers()
        writer = self.index.writer(heap_size=TANTIVY_HEAP, num_threads=TANTIVY_THREADS)
        db = sqlite3.connect(docs_db)
        count = 0
        rows = db.execute(
            "SELECT m.id, d.title, d.content, d.captions, d.author, d.source, d.notes,"
            " m.date_key, m.year, m.source_key,"
            " (SELECT group_concat(tag, char(31)) FROM doc_tags WHERE doc = d.rowid),"
            " (SELECT group_concat(topic, char(31)) FROM doc_topics WHERE doc = d.rowid)"
            " FROM docs d JOIN meta m ON m.rowid = d.rowid ORDER BY d.rowid"
        )
        for row in rows:
            doc = tantivy.Document()
            doc.add_text("id", row[0])
            for name, value in zip(TEXT_FIELDS, row[1:7], strict=True):
                if value:
                    doc.add_text(name, value)
            doc.add_text("words", " ".join(dict.fromkeys(WORD.findall(row[2]))))
            doc.add_unsigned("date_key", row[7])
            for name, value in (("year", row[8]), ("source_key", row[9])):
                if value:
                    doc.add_text(name, value)
            for name, joined in (("tags", row[10]), ("topics", row[11])):
                for value in (joined or "").split("\x1f"):
                    if value:
                        doc.add_text(name, value)
            writer.add_document(doc)
            count += 1
        db.close()
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        seconds = time.perf_counter() - started
        return {
            "documents": count,
            "seconds": round(seconds, 2),
            "per_s": round(count / seconds, 1),
            "size_mb": folder_mb(self.folder),
            "stored_text_mb": folder_mb(self.folder, ".store"),
            "segments": self.index.searcher().num_segments,
            "settings": f"heap {TANTIVY_HEAP // 1_000_000} MB, {TANTIVY_THREADS} thread,"
            " one commit",
        }

    # -- translating

    def query_for(self, spec: dict[str, Any]) -> tantivy.Query:
        node = parse_query(spec.get("query", ""))
        q = self._translate(node)
        filters = []
        for topic in spec.get("topics", ()):
            filters.append(self._term("topics", topic))
        for tag in spec.get("tags", ()):
            filters.append(self._term("tags", tag.lower().strip("/")))
        if spec.get("sources"):
            filters.append(_any([self._term("source_key", source_key(s)) for s in spec["sources"]]))
        if spec.get("since") or spec.get("until"):
            low, high = date_sort_key(spec.get("since", "")), date_sort_key(spec.get("until", ""))
            filters.append(self._dates(low, high or 99991231))
        if not filters:
            return q
        clauses = [(tantivy.Occur.Must, q)]
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        return tantivy.Query.boolean_query(clauses)

    def _term(self, name: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, name, value)

    def _dates(self, low: int, high: int) -> tantivy.Query:
        # Undated articles (key 0) never fall in a range, as in Whoosh.
        return tantivy.Query.range_query(
            self.schema, "date_key", tantivy.FieldType.Unsigned, max(low, 1), high
        )

    def _parsed(self, text: str, fields: list[str]) -> tantivy.Query:
        boosts = {"title": 2.0} if len(fields) > 1 else None
        return self.index.parse_query(text, fields, field_boosts=boosts)

    def _translate(self, node: Any) -> tantivy.Query:
        Q = tantivy.Query
        if isinstance(node, Everything):
            return Q.all_query()
        if isinstance(node, Word):
            fields = [node.field] if node.field else ["content", "title"]
            return _any([self._parsed(s, fields) for s in spellings_of(node.text, self.variants)])
        if isinstance(node, Phrase):
            fields = [node.field] if node.field else ["content", "title"]
            return self._parsed('"' + " ".join(node.words) + '"', fields)
        if isinstance(node, Prefix):
            fields = [node.field] if node.field else ["content", "words"]
            pattern = re.escape(node.text) + ".*"
            return _any([Q.regex_query(self.schema, f, pattern) for f in fields])
        if isinstance(node, DateRange):
            return Q.const_score_query(self._dates(node.low, node.high), 1.0)
        if isinstance(node, Keyword):
            return Q.const_score_query(self._term(node.field, node.value), 1.0)
        if isinstance(node, And):
            clauses = [(tantivy.Occur.Must, self._translate(i)) for i in node.items]
            if not clauses:
                clauses.append((tantivy.Occur.Must, Q.all_query()))
            clauses += [(tantivy.Occur.MustNot, self._translate(i)) for i in node.negated]
            return Q.boolean_query(clauses)
        if isinstance(node, Or):
            return _any([self._translate(i) for i in node.items])
        raise Untranslatable(f"no Tantivy query for {node!r}")

    # -- searching

    def top(self, spec: dict[str, Any]) -> Result:
        q = self.query_for(spec)
        searcher = self.index.searcher()
        order: dict[str, Any] = {}
        sort = spec.get("sort", "relevance")
        # Undated articles (key 0) come last newest first, as in Whoosh, but first
        # oldest first (Whoosh puts them last); the query set sorts only by newest.
        if sort != "relevance" or isinstance(parse_query(spec.get("query", "")), Everything):
            order = {
                "order_by_field": "date_key",
                "order": tantivy.Order.Asc if sort == "oldest" else tantivy.Order.Desc,
            }
        found = searcher.search(q, TOP, count=True, offset=spec.get("offset", 0), **order)
        snippets = tantivy.SnippetGenerator.create(searcher, q, self.schema, "content")
        snippets.set_max_num_chars(SNIPPET_CHARS)
        ids, marked = [], []
        for _, address in found.hits:
            doc = searcher.doc(address)
            ids.append(doc["id"][0])
            marked.append(snippets.snippet_from_doc(doc).to_html())
        return Result(found.count, ids, marked)

    def facets(self, spec: dict[str, Any]) -> Result:
        q = self.query_for(spec)
        aggregation = {
            facet: {"terms": {"field": name, "size": 100_000}}
            for facet, name in FACET_FIELDS.items()
        }
        raw = self.index.searcher().aggregate(q, aggregation)
        counts = {facet: {b["key"]: b["doc_count"] for b in raw[facet]["buckets"]} for facet in raw}
        return Result(-1, [], facets=counts)

    def page(self, spec: dict[str, Any]) -> Result:
        result = self.top(spec)
        result.facets = self.facets(spec).facets
        return result


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


class Fts5Engine:
    name = "fts5"
    TOKENIZER = "porter unicode61 remove_diacritics 2"

    def __init__(self, path: Path, variants: Variants) -> None:
        self.path = path
        self.variants = variants
        self.db: sqlite3.Connection | None = None

    def open(self) -> None:
        """The tables an earlier run built at `path`."""
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def build(self) -> dict[str, Any]:
        started = time.perf_counter()
        db = sqlite3.connect(self.path)
        columns = ", ".join(TEXT_FIELDS)
        db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE VIRTUAL TABLE fts USING fts5({columns}, content='docs',
                content_rowid='rowid', tokenize='{self.TOKENIZER}');
            INSERT INTO fts(rowid, {columns}) SELECT rowid, {columns} FROM docs;
            INSERT INTO fts(fts) VALUES ('optimize');
            -- Plain words count twice in a title, as Whoosh boosts it.
            INSERT INTO fts(fts, rank) VALUES ('rank', 'bm25(2.0, 1.0, 1.0, 1.0, 1.0, 1.0)');
            CREATE INDEX doc_tags_by_tag ON doc_tags(tag, doc);
            CREATE INDEX doc_tags_by_doc ON doc_tags(doc, tag);
            CREATE INDEX doc_topics_by_topic ON doc_topics(topic, doc);
            CREATE INDEX doc_topics_by_doc ON doc_topics(doc, topic);
            CREATE INDEX meta_by_date ON meta(date_key);
            CREATE INDEX meta_by_source ON meta(source_key);
            ANALYZE;
            """
        )
        db.commit()
        count = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        seconds = time.perf_counter() - started
        sizes = dict(
            db.execute(
                "SELECT CASE WHEN name = 'docs' THEN 'content'"
                " WHEN name LIKE 'fts%' THEN 'fts' ELSE 'filters' END, sum(pgsize)"
                " FROM dbstat GROUP BY 1"
            ).fetchall()
        )
        db.close()
        self.open()
        return {
            "documents": count,
            "seconds": round(seconds, 2),
            "per_s": round(count / seconds, 1),
            # The index and the filter tables; the texts' own table apart (Whoosh keeps
            # no text in its index either: snippets come from the catalog).
            "size_mb": round((sizes.get("fts", 0) + sizes.get("filters", 0)) / MB, 2),
            "fts_mb": round(sizes.get("fts", 0) / MB, 2),
            "filters_mb": round(sizes.get("filters", 0) / MB, 2),
            "stored_text_mb": round(sizes.get("content", 0) / MB, 2),
            "settings": f"tokenize='{self.TOKENIZER}', external content, optimize after loading",
        }

    # -- translating

    def _match(self, node: Any) -> str:
        if isinstance(node, Word):
            spellings = [_fts_string(s) for s in spellings_of(node.text, self.variants)]
            words = spellings[0] if len(spellings) == 1 else "(" + " OR ".join(spellings) + ")"
            return f"{node.field} : {words}" if node.field else words
        if isinstance(node, Phrase):
            words = _fts_string(" ".join(node.words))
            return f"{node.field} : {words}" if node.field else words
        if isinstance(node, Prefix):
            words = _fts_string(node.text) + " *"
            return f"{node.field} : {words}" if node.field else words
        if isinstance(node, And):
            if not node.items:
                raise Untranslatable("NOT without anything to subtract from")
            joined = "(" + " AND ".join(self._match(i) for i in node.items) + ")"
            if node.negated:
                joined += " NOT (" + " OR ".join(self._match(i) for i in node.negated) + ")"
            return joined
        if isinstance(node, Or):
            return "(" + " OR ".join(self._match(i) for i in node.items) + ")"
        raise Untranslatable(f"{type(node).__name__} inside a boolean expression")

    def translate(self, spec: dict[str, Any]) -> tuple[str | None, list[str], list[Any]]:
        """(MATCH expression or None, SQL conditions on `meta`, their parameters)."""
        node = parse_query(spec.get("query", ""))
        conditions: list[str] = []
        params: list[Any] = []
        text_parts: list[Any] = []
        negated: tuple = ()
        parts = node.items if isinstance(node, And) else (node,)
        if isinstance(node, And):
            negated = node.negated
        for part in parts:
            if isinstance(part, DateRange):
                conditions.append("meta.date_key BETWEEN ? AND ?")
                params += [max(part.low, 1), part.high]
            elif isinstance(part, Keyword):
                table, column = (
                    ("doc_tags", "tag") if part.field == "tags" else ("doc_topics", "topic")
                )
                conditions.append(f"meta.rowid IN (SELECT doc FROM {table} WHERE {column} = ?)")
                params.append(part.value)
            elif not isinstance(part, Everything):
                text_parts.append(part)
        for topic in spec.get("topics", ()):
            conditions.append("meta.rowid IN (SELECT doc FROM doc_topics WHERE topic = ?)")
            params.append(topic)
        for tag in spec.get("tags", ()):
            conditions.append("meta.rowid IN (SELECT doc FROM doc_tags WHERE tag = ?)")
            params.append(tag.lower().strip("/"))
        if spec.get("sources"):
            keys = [source_key(s) for s in spec["sources"]]
            conditions.append(f"meta.source_key IN ({','.join('?' * len(keys))})")
            params += keys
        if spec.get("since") or spec.get("until"):
            conditions.append("meta.date_key BETWEEN ? AND ?")
            params += [
                max(date_sort_key(spec.get("since", "")), 1),
                date_sort_key(spec.get("until", "")) or 99991231,
            ]
        match = None
        if text_parts or negated:
            match = self._match(And(tuple(text_parts), negated))
        return match, conditions, params

    def _matching(self, spec: dict[str, Any], columns: str) -> tuple[str, list[Any], bool]:
        match, conditions, params = self.translate(spec)
        if match is not None:
            sql = f"SELECT {columns} FROM fts JOIN meta ON meta.rowid = fts.rowid"
            conditions = ["fts MATCH ?", *conditions]
            params = [match, *params]
        else:
            sql = f"SELECT {columns} FROM meta"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        return sql, params, match is not None

    # -- searching

    def top(self, spec: dict[str, Any], *, count: bool = True) -> Result:
        match = self.translate(spec)[0]
        if match is not None:
            snippet = f"snippet(fts, 1, '<mark>', '</mark>', '…', {FTS_SNIPPET_TOKENS})"
        else:  # nothing to mark: the start of the text, as Whoosh shows it
            snippet = f"(SELECT substr(content, 1, {SNIPPET_CHARS}) FROM docs"
            snippet += " WHERE docs.rowid = meta.rowid)"
        sql, params, matched = self._matching(spec, f"meta.id, {snippet}")
        sort = spec.get("sort", "relevance")
        if sort == "relevance" and matched:
            sql += " ORDER BY rank, meta.id"
        elif sort == "oldest":
            sql += " ORDER BY meta.date_key = 0, meta.date_key, meta.id"
        else:  # newest; also relevance without words, as Whoosh does
            sql += " ORDER BY meta.date_key = 0, meta.date_key DESC, meta.id"
        sql += " LIMIT ? OFFSET ?"
        rows = self.db.execute(sql, [*params, TOP, spec.get("offset", 0)]).fetchall()
        total = -1
        if count:
            count_sql, count_params, _ = self._matching(spec, "count(*)")
            total = self.db.execute(count_sql, count_params).fetchone()[0]
        return Result(total, [r[0] for r in rows], [r[1] for r in rows])

    def facets(self, spec: dict[str, Any]) -> Result:
        sql, params, _ = self._matching(spec, "meta.rowid AS r")
        rows = self.db.execute(
            f"WITH m AS MATERIALIZED ({sql})"
            " SELECT 'total', '', count(*) FROM m"
            " UNION ALL SELECT 'tags', t.tag, count(*) FROM m JOIN doc_tags t ON t.doc = m.r"
            " GROUP BY t.tag"
            " UNION ALL SELECT 'topics', t.topic, count(*) FROM m"
            " JOIN doc_topics t ON t.doc = m.r GROUP BY t.topic"
            " UNION ALL SELECT 'sources', x.source_key, count(*) FROM m"
            " JOIN meta x ON x.rowid = m.r WHERE x.source_key != '' GROUP BY x.source_key"
            " UNION ALL SELECT 'years', x.year, count(*) FROM m"
            " JOIN meta x ON x.rowid = m.r WHERE x.year != '' GROUP BY x.year",
            params,
        ).fetchall()
        counts: dict[str, dict[str, int]] = {f: {} for f in FACET_FIELDS}
        total = 0
        for facet, value, n in rows:
            if facet == "total":
                total = n
            else:
                counts[facet][value] = n
        return Result(total, [], facets=counts)

    def page(self, spec: dict[str, Any]) -> Result:
        counted = self.facets(spec)
        result = self.top(spec, count=False)  # the facet pass counted the hits
        result.total, result.facets = counted.total, counted.facets
        return result


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# --------------------------------------------------------------------------- timing


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "samples": len(values),
        "median_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
    }


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = call()
    return (time.perf_counter() - started) * 1000.0, value


# (engine, measure): what is timed; each takes the query spec.
def measures(
    whoosh: WhooshEngine, tantivy_engine: TantivyEngine, fts: Fts5Engine
) -> dict[str, list[tuple[str, Callable[[dict[str, Any]], Any]]]]:
    return {
        "whoosh": [
            ("page", whoosh.page),
            ("ids_facets", whoosh.ids),
            ("hits", whoosh.hits),
            ("rows", whoosh.rows),
        ],
        "tantivy": [
            ("page", tantivy_engine.page),
            ("top20", tantivy_engine.top),
            ("facets", tantivy_engine.facets),
        ],
        "fts5": [("page", fts.page), ("top20", fts.top), ("facets", fts.facets)],
    }


def spec_key(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True)


def run_queries(
    engines: dict[str, list[tuple[str, Callable]]],
    queries: list[dict[str, Any]],
    repeat: int,
    whoosh: WhooshEngine,
) -> tuple[dict[str, dict[str, list[list[float]]]], list[dict[str, Any]]]:
    """Samples by engine, measure and query; and what the warm-up pass found."""
    found: list[dict[str, Any]] = []
    for spec in queries:
        whoosh.remember_ids(spec)
        row: dict[str, Any] = {"name": spec["name"], "query": spec.get("query", "")}
        row["filters"] = {k: v for k, v in spec.items() if k not in ("name", "query")}
        for engine, calls in engines.items():
            try:
                result = dict(calls)["page"](spec)
                for _, call in calls:  # warm every path once
                    call(spec)
                row[engine] = {"total": result.total, "top": result.ids, "error": ""}
                if result.suggestion:
                    row[engine]["suggestion"] = result.suggestion
            except Exception as exc:  # a query an engine cannot run is reported, not fatal
                row[engine] = {"total": None, "top": [], "error": f"{type(exc).__name__}: {exc}"}
        found.append(row)
    samples = {e: {m: [[] for _ in queries] for m, _ in calls} for e, calls in engines.items()}
    names = list(engines)
    for number in range(repeat):
        for position, spec in enumerate(queries):
            shift = (number + position) % len(names)
            for engine in names[shift:] + names[:shift]:
                if found[position][engine]["error"]:
                    continue
                for measure, call in engines[engine]:
                    ms, _ = timed(lambda call=call, spec=spec: call(spec))
                    samples[engine][measure][position].append(ms)
        print(f"  pass {number + 1}/{repeat} done", file=sys.stderr)
    return samples, found


# --------------------------------------------------------------------------- reporting

MEASURE_LABELS = {
    "page": "page (top 20 + snippets + total + facets)",
    "ids_facets": "search_ids (all ids in order + facets)",
    "hits": "hits (20 rows + snippets)",
    "rows": "hits without snippets (20 catalog rows)",
    "top20": "top 20 + snippets + total",
    "facets": "facets over all hits",
}


def analyse(
    samples: dict[str, dict[str, list[list[float]]]],
    found: list[dict[str, Any]],
    queries: list[dict[str, Any]],
) -> dict[str, Any]:
    per_engine: dict[str, Any] = {}
    for engine, by_measure in samples.items():
        entry: dict[str, Any] = {}
        for measure, per_query in by_measure.items():
            everything = [ms for values in per_query for ms in values]
            classes: dict[str, list[float]] = {}
            for spec, values in zip(queries, per_query, strict=True):
                classes.setdefault(spec["name"], []).extend(values)
            entry[measure] = {
                "all": summary(everything),
                "classes": {name: summary(values) for name, values in classes.items()},
                "queries": [summary(values) for values in per_query],
            }
        per_engine[engine] = entry
    ratios: dict[str, Any] = {}
    pairs = {"page": "page", "ids_facets": "facets", "hits": "top20"}
    for other in ("tantivy", "fts5"):
        ratios[other] = {}
        for mine, theirs in pairs.items():
            a, b = per_engine["whoosh"][mine]["all"], per_engine[other][theirs]["all"]
            if a and b:
                ratios[other][f"{mine}/{theirs}"] = {
                    "median": round(a["median_ms"] / max(b["median_ms"], 1e-3), 2),
                    "p95": round(a["p95_ms"] / max(b["p95_ms"], 1e-3), 2),
                }
        # Per query: how many times slower Whoosh's page is, query by query.
        per_query = []
        for i in range(len(found)):
            a = per_engine["whoosh"]["page"]["queries"][i]
            b = per_engine[other]["page"]["queries"][i]
            per_query.append(
                round(a["median_ms"] / max(b["median_ms"], 1e-3), 1) if a and b else None
            )
        ratios[other]["page_per_query"] = per_query
    for row in found:
        reference = row["whoosh"]["total"]
        row["flags"] = []
        # How many of the page's hits the other engine also shows (ranking differs in
        # detail: BM25F over Whoosh's fields against each engine's own BM25).
        row["shared_top"] = {
            other: len(set(row["whoosh"]["top"]) & set(row[other]["top"]))
            for other in ("tantivy", "fts5")
        }
        for other in ("tantivy", "fts5"):
            total = row[other]["total"]
            if reference is None or total is None:
                continue
            if abs(total - reference) > FLAG_SHARE * max(reference, 1):
                row["flags"].append(other)
    return {"engines": per_engine, "ratios": ratios}


def markdown(report: dict[str, Any]) -> str:
    lines: list[str] = []
    build = report["builds"]
    whoosh_row = (
        f"| Whoosh | {report['whoosh_build']} | | {build['whoosh']['size_mb']} MB |"
        " the archive's index (no stored text: snippets read the catalog) |"
    )
    if "whoosh_rebuilt" in build:
        again = build["whoosh_rebuilt"]
        whoosh_row = (
            f"| Whoosh | {again['seconds']} s | {again['per_s']} | {again['size_mb']} MB |"
            " `SearchIndex.build` as `rebuild_index`, in this run, reading the catalog"
            " included (no stored text: snippets read the catalog) |"
        )
    lines += [
        f"{report['articles']} articles, {len(report['queries'])} queries × {report['repeat']}"
        f" passes after a warm-up, engines interleaved; load average"
        f" {report['machine']['load_average_at_start']} at the start,"
        f" {report['machine']['load_average_at_end']} at the end.",
        "",
        "| engine | build | docs/s | index on disk | notes |",
        "|---|---|---|---|---|",
        whoosh_row,
        f"| Tantivy {report['versions']['tantivy']} | {build['tantivy']['seconds']} s |"
        f" {build['tantivy']['per_s']} | {build['tantivy']['size_mb']} MB"
        f" ({build['tantivy']['stored_text_mb']} MB of it stored text) |"
        f" {build['tantivy']['settings']} |",
        f"| SQLite {report['versions']['sqlite']} FTS5 | {build['fts5']['seconds']} s |"
        f" {build['fts5']['per_s']} | {build['fts5']['size_mb']} MB"
        f" (+ {build['fts5']['stored_text_mb']} MB content table) | {build['fts5']['settings']} |",
        "",
        f"Articles by language: {report['languages']} (the reference engines stem"
        " English only; Whoosh stems each article in its own language).",
        "",
        f"Copying the texts out of the catalog ({build['copy']['documents']} articles through"
        f" `_index_document`): {build['copy']['seconds']} s, not counted in either build.",
        "",
        "Whole query set (ms):",
        "",
        "| engine | measure | median | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for engine, entry in report["analysis"]["engines"].items():
        for measure, values in entry.items():
            a = values["all"]
            if a:
                lines.append(
                    f"| {engine} | {MEASURE_LABELS[measure]} | {a['median_ms']} | {a['p95_ms']}"
                    f" | {a['max_ms']} |"
                )
    lines += ["", "Ratios, Whoosh ÷ the other (of medians, of p95s):", ""]
    lines += ["| Whoosh ÷ | Tantivy median | Tantivy p95 | FTS5 median | FTS5 p95 |"]
    lines += ["|---|---|---|---|---|"]
    ratios = report["analysis"]["ratios"]
    for pair in ("page/page", "ids_facets/facets", "hits/top20"):
        t, f = ratios["tantivy"].get(pair, {}), ratios["fts5"].get(pair, {})
        lines.append(
            f"| {pair} | {t.get('median', '')} | {t.get('p95', '')} | {f.get('median', '')}"
            f" | {f.get('p95', '')} |"
        )
    lines += ["", "Page time by query class (median / p95 ms):", ""]
    lines += ["| class | Whoosh | Tantivy | FTS5 |", "|---|---|---|---|"]
    classes = report["analysis"]["engines"]["whoosh"]["page"]["classes"]
    for name in classes:
        cells = []
        for engine in ENGINES:
            c = report["analysis"]["engines"][engine]["page"]["classes"].get(name) or {}
            cells.append(f"{c.get('median_ms', '–')} / {c.get('p95_ms', '–')}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Hit counts side by side (⚑: more than 10% from Whoosh's):", ""]
    lines += [
        "| query | Whoosh | Tantivy | FTS5 | page shown by both (T, F) | W÷T page | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, row in enumerate(report["found"]):
        shown = row["query"] or "(none)"
        if row["filters"]:
            shown += " " + json.dumps(row["filters"], ensure_ascii=False)
        cells = []
        for engine in ENGINES:
            r = row[engine]
            value = "error" if r["error"] else str(r["total"])
            cells.append(value + (" ⚑" if engine in row["flags"] else ""))
        notes = "; ".join(row["notes"] + [row[e]["error"] for e in ENGINES if row[e]["error"]])
        ratio = ratios["tantivy"]["page_per_query"][i]
        page = len(row["whoosh"]["top"])
        shared = f"{row['shared_top']['tantivy']}, {row['shared_top']['fts5']} of {page}"
        lines.append(
            f"| `{shown.replace('|', '/')}` | "
            + " | ".join(cells)
            + f" | {shared} | {ratio} | {notes} |"
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--queries", type=Path, help="default: the matching corpus's set")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    parser.add_argument("--work", type=Path, help="build the reference indexes here (kept)")
    parser.add_argument(
        "--whoosh-build",
        action="store_true",
        help="also build a Whoosh index of the same articles in the work folder, timed",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --work: search the reference indexes an earlier run built there "
        "(same archive) instead of building them again",
    )
    args = parser.parse_args(argv)
    load_start = list(os.getloadavg())
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-engines-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        archive, copied = open_without_writing(args.archive, work)
        try:
            articles = archive.article_count()
            queries_path = args.queries or OUT / f"corpus-{articles}-seed1" / "queries.json"
            queries = json.loads(queries_path.read_text("utf-8"))
            report = run(
                archive,
                articles,
                queries,
                args.repeat,
                work,
                whoosh_build=args.whoosh_build,
                reuse=args.reuse,
            )
            report["archive_copied"] = copied
        finally:
            archive.close()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_average_at_start"] = [round(x, 2) for x in load_start]
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["archive"] = str(args.archive.resolve())
    report["queries_file"] = str(queries_path.resolve())
    text = markdown(report)
    print(text)
    out = args.json or OUT / f"bench_engines-{articles}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if args.markdown:
        args.markdown.write_text(text, "utf-8")
    print(f"Wrote {out}", file=sys.stderr)
    return 0


def open_without_writing(root: Path, work: Path) -> tuple[Archive, bool]:
    """The archive opened for reading; or, when its catalog needs an upgrade (which reading
    cannot do), a copy of its catalog and index in `work`, upgraded there. Never a write
    to `root`. The copy leaves the blobs out: nothing here reads an original or an image."""
    try:
        return Archive.open(root, mode="read"), False
    except CatalogError as exc:
        print(f"{exc}: searching a copy of it instead", file=sys.stderr)
    copy = work / "archive"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    (copy / "blobs").mkdir()
    for path in root.iterdir():
        if path.name == "index":
            shutil.copytree(path, copy / "index")
        elif path.is_file() and path.suffix in (".json", ".toml"):
            shutil.copy2(path, copy / path.name)
    source = sqlite3.connect(f"file:{root / CATALOG_FILE}?mode=ro", uri=True)
    target = sqlite3.connect(copy / CATALOG_FILE)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return Archive.open(copy, create=False, mode="write", backup_now=False), True


def build_whoosh(archive: Archive, folder: Path) -> dict[str, Any]:
    """A Whoosh index of the same articles built the way `rebuild_index` builds one, timed
    the same way as the others (reading each article from the catalog included)."""
    shutil.rmtree(folder, ignore_errors=True)
    ids = [r[0] for r in archive.catalog.query("SELECT id FROM articles ORDER BY id")]
    started = time.perf_counter()
    docs = (d for d in map(archive._index_document, ids) if d is not None)
    count = SearchIndex.build(folder, docs, total=len(ids))
    seconds = time.perf_counter() - started
    return {
        "documents": count,
        "seconds": round(seconds, 2),
        "per_s": round(count / seconds, 1),
        "size_mb": folder_mb(folder),
    }


def run(
    archive: Archive,
    articles: int,
    queries: list[dict[str, Any]],
    repeat: int,
    work: Path,
    *,
    whoosh_build: bool = False,
    reuse: bool = False,
) -> dict[str, Any]:
    variants = archive.variants()
    docs_db = work / "fts5.sqlite3"
    tantivy_engine = TantivyEngine(work / "tantivy", variants)
    fts = Fts5Engine(docs_db, variants)
    kept = work / "builds.json"
    if reuse and kept.exists() and docs_db.exists() and tantivy_engine.folder.exists():
        print(f"Reusing the reference indexes in {work}", file=sys.stderr)
        builds: dict[str, Any] = json.loads(kept.read_text("utf-8"))
        builds["reused"] = True
        tantivy_engine.open()
        fts.open()
    else:
        docs_db.unlink(missing_ok=True)
        print(f"Copying {articles} articles' texts ...", file=sys.stderr)
        builds = {"copy": copy_documents(archive, docs_db)}
        print("Building the Tantivy index ...", file=sys.stderr)
        shutil.rmtree(tantivy_engine.folder, ignore_errors=True)
        builds["tantivy"] = tantivy_engine.build(docs_db)
        print("Building the FTS5 index ...", file=sys.stderr)
        builds["fts5"] = fts.build()
        kept.write_text(json.dumps(builds), "utf-8")
    builds["whoosh"] = {"size_mb": folder_mb(archive.root / "index")}
    if whoosh_build:
        print("Building a Whoosh index as rebuild_index does ...", file=sys.stderr)
        builds["whoosh_rebuilt"] = build_whoosh(archive, work / "whoosh")
    whoosh = WhooshEngine(archive)
    engines = measures(whoosh, tantivy_engine, fts)
    print(f"Timing {len(queries)} queries × {repeat} ...", file=sys.stderr)
    samples, found = run_queries(engines, queries, repeat, whoosh)
    for row, spec in zip(found, queries, strict=True):
        row["notes"] = notes_for(parse_query(spec.get("query", "")), variants, spec)
        if row["whoosh"].get("suggestion"):
            suggestion = row["whoosh"]["suggestion"]
            row["notes"].append(f"Whoosh also suggests {suggestion!r}; the others suggest nothing")
    languages = dict(
        archive.catalog.query("SELECT language, count(*) FROM articles GROUP BY language")
    )
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "code": code_state(),
        "versions": {
            "tantivy": _tantivy_version(),
            "sqlite": sqlite3.sqlite_version,
        },
        "articles": articles,
        # Whoosh stems each article in its language; the reference engines stem English.
        "languages": languages,
        "repeat": repeat,
        "queries": queries,
        "builds": builds,
        "whoosh_build": _whoosh_rebuild(articles),
        "found": found,
        "analysis": analyse(samples, found, queries),
        "samples_ms": samples,
    }


def _tantivy_version() -> str:
    from importlib.metadata import version

    return version("tantivy")


def _whoosh_rebuild(articles: int) -> str:
    """Whoosh's rebuild time as bench_core measured it on this archive, when it did."""
    path = OUT / ("bench_core.json" if articles == 10_000 else f"bench_core-{articles}.json")
    if not path.exists():
        return "see bench_core"
    data = json.loads(path.read_text("utf-8"))
    rebuild = data.get("rebuild") or {}
    if data.get("import", {}).get("imported") != articles or not rebuild:
        return "see bench_core"
    return f"{rebuild['seconds']} s ({rebuild['per_s']}/s, bench_core rebuild_index)"


if __name__ == "__main__":
    raise SystemExit(main())
