"""The set and array machinery behind searching: bitmaps, scores, orders, date orders."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive_app.core.docsets import DocSet
from archive_app.core.index import IndexDocument, SearchIndex

docnums = st.sets(st.integers(min_value=0, max_value=3000), max_size=200)


@given(docnums, docnums)
def test_docset_algebra_is_set_algebra(a: set[int], b: set[int]) -> None:
    x, y = DocSet.of(a), DocSet.of(b)
    assert set(x & y) == a & b
    assert set(x | y) == a | b
    assert set(x - y) == a - b
    assert len(x) == len(a) and bool(x) == bool(a)
    assert x.count_in(y) == len(a & b)
    assert x.members() == sorted(a)
    assert all(d in x for d in a) and not any(d in x for d in b - a)
    mask = x.mask(3001)
    assert {int(d) for d in mask.nonzero()[0]} == a


WORDS = ["war", "child", "court", "camp", "winter", "bus", "school", "river", "shelter", "letter"]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    """300 short articles from ten words, so that many score the same; some deleted."""
    rng = random.Random(7)
    docs = [
        IndexDocument(
            id=f"{rng.getrandbits(48):012x}",
            title=" ".join(rng.choices(WORDS, k=2)),
            body=" ".join(rng.choices(WORDS, k=rng.randint(3, 12))),
            captions="",
            author="",
            source="",
            published=f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            if rng.random() < 0.8
            else "",
            language="en",
            tags=(),
            topics=(),
        )
        for _ in range(300)
    ]
    folder = Path(tmp_path_factory.mktemp("docsets"))
    index = SearchIndex(folder / "index")
    # Two segments, the first with deleted documents: what a long-lived index looks like.
    index.write(docs[:150], merge=False)
    index.write(docs[150:], deletes=[d.id for d in docs[:40:3]], merge=False)
    yield index
    index.close()


QUERIES = [
    "war",
    "war child",
    "war OR child OR court",
    "school NOT river",
    '"winter camp"',
    "sh*",
    "title:letter OR bus",
    "(camp OR shelter) AND NOT (war OR court)",
]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("top", [1, 3, 20, None])
def test_ranked_pages_are_the_full_order_cut(index: SearchIndex, text: str, top: int | None):
    """The top-N shortcut gives the first N of the full (score, article id) order."""
    q = index.parse(text)
    with index._lock:
        searcher = index._current_searcher()
        cache = index._facet_cache(searcher)
        matched = cache.docsets.matching(q)
        scores = cache.docsets.scores(q, matched)
        ids = cache.doc_ids
        expected = sorted(matched, key=lambda d: (-scores[d], ids[d]))[:top]
        docs, found = index._ordered(searcher, q, matched, "relevance", top)
    assert docs.tolist() == expected
    assert found == [scores[d] for d in expected]
    assert len(set(scores.values())) < len(scores)  # ties are what this is about


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_orders_put_undated_last_and_break_ties_by_id(index: SearchIndex, sort: str):
    q = index.parse("war OR child")
    with index._lock:
        searcher = index._current_searcher()
        cache = index._facet_cache(searcher)
        matched = cache.docsets.matching(q)
        days, ids = cache.docsets.date_keys, cache.doc_ids

        def key(d: int) -> tuple[int, str]:
            day = int(days[d])
            return (99_999_999 if not day else (-day if sort == "newest" else day), ids[d])

        expected = sorted(matched, key=key)
        assert cache.by_date(matched, sort).tolist() == expected
        assert cache.by_date(matched, sort, 7).tolist() == expected[:7]
        assert any(days[d] == 0 for d in expected) and days[expected[-1]] == 0


def test_search_ids_and_pages_agree(index: SearchIndex):
    for text in QUERIES:
        every = index.search_ids(text).ids
        for offset in (0, 5):
            page = index.search(text, limit=5, offset=offset)
            assert [h.id for h in page.hits] == list(every[offset : offset + 5])
            assert page.total == len(every)


def test_columns_read_whole_match_whoosh_value_by_value(index: SearchIndex):
    from archive_app.core import index_columns

    with index._lock:
        reader = index._current_searcher().reader()
        assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
        for field in ("content", "title", "author"):
            expected = [reader.doc_field_length(d, field, 0) or 0 for d in range(300)]
            assert index_columns.field_lengths(reader, field).tolist() == expected
        column = reader.column_reader("date_key")
        expected = [column[d] for d in range(300)]
        assert index_columns.numeric_column(reader, "date_key").tolist() == expected
        # The one-read path, not the value-by-value one, is what ran.
        segment = reader.leaf_readers()[0][0]
        assert index_columns._length_column(segment, "content") is not None
        assert hasattr(segment.column_reader("date_key", translate=False), "_basepos")


def test_cached_phrase_positions_leave_the_garbage_collectors_view(index: SearchIndex):
    import gc

    assert index.search('"winter camp"').total > 0
    gc.collect()
    with index._lock:
        docsets = index._facet_cache(index._current_searcher()).docsets
        kept = [at for found in docsets._position_lists.values() for at in found.values()]
    assert kept
    assert not any(gc.is_tracked(at) for at in kept)
