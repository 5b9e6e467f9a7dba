"""Saved searches: kept by name in the catalog, listed by name, renamed and deleted."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_app.core import saved_searches
from archive_app.core.archive import Archive, InvalidValue
from archive_app.core.models import SavedSearch, SearchRequest

FULL = SearchRequest(
    query='deport* AND "children"',
    topics=("child-welfare", "war-crimes"),
    tags=("region/eastmarch",),
    sources=("Coast Wire", "County Herald"),
    since="2020-01-01",
    until="2024-12-31",
    sort="newest",
    limit=7,
    offset=14,
    snippets=False,
)


def _names(archive: Archive) -> list[str]:
    return [s.name for s in archive.saved_searches()]


def test_an_archive_starts_without_saved_searches(archive: Archive):
    assert archive.saved_searches() == []


def test_a_saved_search_keeps_the_request_without_paging(archive: Archive, archive_dir: Path):
    kept = archive.save_search("  Deportations   since 2020 ", FULL)
    assert isinstance(kept, SavedSearch)
    assert kept.name == "Deportations since 2020"
    expected = SearchRequest(
        query=FULL.query,
        topics=FULL.topics,
        tags=FULL.tags,
        sources=FULL.sources,
        since=FULL.since,
        until=FULL.until,
        sort="newest",
    )
    assert kept.request == expected
    assert kept.created_at
    archive.close()
    with Archive.open(archive_dir) as again:
        assert again.saved_searches() == [kept]


def test_saved_searches_are_listed_by_name_without_regard_to_case(archive: Archive):
    for name in ("beta", "Alpha", "gamma", "Delta"):
        archive.save_search(name, SearchRequest(query=name))
    assert _names(archive) == ["Alpha", "beta", "Delta", "gamma"]


def test_saving_under_the_same_name_replaces(archive: Archive):
    archive.save_search("Kherson", SearchRequest(query="kherson"))
    archive.save_search("KHERSON", SearchRequest(query="kherson children", sort="oldest"))
    (kept,) = archive.saved_searches()
    assert kept.name == "KHERSON"
    assert kept.request == SearchRequest(query="kherson children", sort="oldest")


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_saved_search_needs_a_name(archive: Archive, name: str):
    with pytest.raises(InvalidValue, match="needs a name"):
        archive.save_search(name, SearchRequest())
    assert archive.saved_searches() == []


def test_rename(archive: Archive):
    archive.save_search("first", SearchRequest(query="one"))
    archive.save_search("second", SearchRequest(query="two"))
    archive.rename_saved_search("FIRST", "renamed")
    assert _names(archive) == ["renamed", "second"]
    assert archive.saved_searches()[0].request.query == "one"
    archive.rename_saved_search("renamed", "Renamed")  # capitals only
    assert _names(archive) == ["Renamed", "second"]


def test_rename_errors_change_nothing(archive: Archive):
    archive.save_search("first", SearchRequest(query="one"))
    archive.save_search("second", SearchRequest(query="two"))
    before = archive.saved_searches()
    with pytest.raises(InvalidValue, match="exists already"):
        archive.rename_saved_search("first", "SECOND")
    with pytest.raises(InvalidValue, match="no saved search named 'third'"):
        archive.rename_saved_search("third", "fourth")
    with pytest.raises(InvalidValue, match="needs a name"):
        archive.rename_saved_search("first", "  ")
    assert archive.saved_searches() == before


def test_delete(archive: Archive):
    archive.save_search("first", SearchRequest(query="one"))
    archive.save_search("second", SearchRequest(query="two"))
    archive.delete_saved_search("First")
    assert _names(archive) == ["second"]
    with pytest.raises(InvalidValue, match="no saved search"):
        archive.delete_saved_search("first")
    with pytest.raises(InvalidValue):
        archive.delete_saved_search("")


def test_running_a_saved_search_finds_what_the_search_found(sample_archive: Archive):
    request = SearchRequest(query="children", tags=("region",), sort="oldest")
    sample_archive.save_search("children by region", request)
    (kept,) = sample_archive.saved_searches()
    assert sample_archive.search_ids(kept.request).ids == sample_archive.search_ids(request).ids


def test_a_damaged_request_falls_back_to_defaults():
    assert saved_searches.decode("not json") == SearchRequest()
    assert saved_searches.decode('{"query": 3, "tags": "x", "sort": "sideways"}') == (
        SearchRequest()
    )
    assert saved_searches.decode('{"query": "q", "tags": ["a"], "future": 1}') == SearchRequest(
        query="q", tags=("a",)
    )
