"""A whole index written on two cores holds what one process writes, in the same order."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from archive_app.core import index as index_module
from archive_app.core.index import IndexBuildCancelled, IndexDocument, SearchIndex
from archive_app.core.index_build import HELPER_FOLDER
from archive_app.core.models import SearchRequest

PLACES = ("Brenn", "Kherson", "Mariupol", "Lviv", "Odesa")
QUERIES = ("orphanage", "Kherson", '"foster family"', "witness OR ledger", "deportation -Lviv", "")


def documents(count: int) -> list[IndexDocument]:
    return [
        IndexDocument(
            id=f"doc{i:04d}",
            title=f"Report {i} from {PLACES[i % len(PLACES)]}",
            body=(
                f"Volunteers recorded statement {i} about the orphanage in "
                f"{PLACES[(i * 3) % len(PLACES)]}. "
                + ("A foster family took the children in. " * (i % 3))
                + ("The deportation was documented by a witness. " * (i % 4))
            ),
            captions="",
            author=f"Author {i % 7}",
            source=f"Source {i % 4}",
            published=f"20{10 + i % 15:02d}-0{1 + i % 9}-1{i % 10}",
            language="en",
            tags=(f"region/{PLACES[i % len(PLACES)].lower()}",),
            topics=("child-welfare",) if i % 2 else (),
        )
        for i in range(count)
    ]


def hits(folder: Path) -> dict[str, list[tuple[str, float]]]:
    found = {}
    index = SearchIndex(folder)
    try:
        for text in QUERIES:
            raw = index.search(text, limit=500)
            found[text] = [(hit.id, round(hit.score, 6)) for hit in raw.hits]
    finally:
        index.close()
    return found


def stored_ids(folder: Path) -> tuple[str, ...]:
    index = SearchIndex(folder)
    try:
        health = index.health()
    finally:
        index.close()
    assert health.problems == ()
    return health.ids


def test_two_cores_build_the_same_index_as_one(tmp_path: Path):
    docs = documents(90)
    one, two = tmp_path / "one", tmp_path / "two"
    assert SearchIndex.build(one, iter(docs), total=90, batch=8, two_cores=False) == 90
    assert SearchIndex.build(two, iter(docs), total=90, batch=8, two_cores=True) == 90
    # Document numbers follow the given order in both, so equal scores tie the same way.
    assert stored_ids(two) == stored_ids(one) == tuple(d.id for d in docs)
    assert hits(two) == hits(one)
    assert not (two / HELPER_FOLDER).exists()
    assert multiprocessing.active_children() == []


def test_cancelling_a_two_core_build_stops_the_helper(tmp_path: Path):
    cancel = threading.Event()

    def cancelled_midway():
        for number, doc in enumerate(documents(40)):
            if number == 25:
                cancel.set()
            yield doc

    with pytest.raises(IndexBuildCancelled):
        SearchIndex.build(
            tmp_path / "new", cancelled_midway(), total=40, batch=5, cancel=cancel, two_cores=True
        )
    assert multiprocessing.active_children() == []


def test_rebuilding_an_archive_on_two_cores_finds_the_same_articles(sample_archive, monkeypatch):
    requests = [SearchRequest(q) for q in ("children", "deportation", "Kherson", "")]
    before = [sample_archive.search_ids(r).ids for r in requests]
    monkeypatch.setattr(index_module, "TWO_CORE_BUILD_MIN", 0)
    count = sample_archive.rebuild_index()
    assert count == sample_archive.catalog.scalar("SELECT count(*) FROM articles")
    assert [sample_archive.search_ids(r).ids for r in requests] == before
    assert sample_archive.index.health().problems == ()


def test_a_rebuild_whose_helper_fails_is_done_in_one_process(sample_archive, monkeypatch):
    from archive_app.core import index_build

    requests = [SearchRequest(q) for q in ("children", "deportation", "")]
    before = [sample_archive.search_ids(r).ids for r in requests]
    calls = []

    def failing(folder, docs, **_options):
        calls.append(next(iter(docs)))  # half-way through the documents
        raise index_build.IndexBuildFailed("the helper process exited with code 1")

    monkeypatch.setattr(index_module, "TWO_CORE_BUILD_MIN", 0)
    monkeypatch.setattr(index_build, "build_on_two_cores", failing)
    sample_archive.rebuild_index()
    assert len(calls) == 1
    assert [sample_archive.search_ids(r).ids for r in requests] == before
    assert sample_archive.index.health().problems == ()
