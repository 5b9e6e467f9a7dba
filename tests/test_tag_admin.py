"""Renaming, merging and deleting tags across the archive, and tagging many articles at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_app.core.archive import Archive, InvalidValue
from archive_app.core.models import SearchRequest

ARTICLES = {
    "a": ("region/kherson, type/news", "Grain silos were rebuilt near the river port."),
    "b": ("REGION/Kherson/city", "The city tram line reopened after the winter."),
    "c": ("region/valdoria, place/valdoria", "Valdoria's vineyards expect a large harvest."),
    "d": ("type/report", "An annual report on rural bus services was published."),
    "e": ("", "A note about nothing in particular, without tags."),
}


@pytest.fixture
def tagged(archive: Archive, tmp_path: Path) -> tuple[Archive, dict[str, str]]:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, (tags, text) in ARTICLES.items():
        header = f"Title: Article {name}\nSource: Test Wire\n" + (f"Tags: {tags}\n" if tags else "")
        (folder / f"{name}.txt").write_text(f"{header}\n{text}\n", encoding="utf-8")
    archive.import_paths([folder])
    ids = {h.title[-1]: h.id for h in archive.hits(archive.search_ids(SearchRequest()).ids)}
    return archive, ids


def _tags(archive: Archive, ids: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {name: archive.get(article_id).tags for name, article_id in ids.items()}


def _counts(archive: Archive) -> dict[str, tuple[int, int]]:
    return {t.name: (t.count, t.direct) for t in archive.tags()}


def _filtered(archive: Archive, ids: dict[str, str], *tags: str) -> set[str]:
    found = set(archive.search_ids(SearchRequest(tags=tags)).ids)
    return {name for name, article_id in ids.items() if article_id in found}


def test_rename_moves_the_tags_below_and_merges_into_an_existing_name(tagged):
    archive, ids = tagged
    assert archive.rename_tag("region", "place") == 3
    assert _tags(archive, ids) == {
        "a": ("place/kherson", "type/news"),
        "b": ("place/Kherson/city",),
        "c": ("place/valdoria",),  # had both: keeps one
        "d": ("type/report",),
        "e": (),
    }
    counts = _counts(archive)
    assert not any(name.lower().startswith("region") for name in counts)
    assert counts["place"] == (3, 0)
    assert counts["place/valdoria"] == (1, 1)
    assert counts["place/kherson"] == (2, 1)
    assert _filtered(archive, ids, "place/kherson") == {"a", "b"}
    assert _filtered(archive, ids, "region") == set()
    assert set(archive.search_ids(SearchRequest(query="tag:place")).ids) == {
        ids["a"],
        ids["b"],
        ids["c"],
    }
    names = [r[0] for r in archive.catalog.query("SELECT name FROM tags")]
    assert not any(n.lower().startswith("region") for n in names)


def test_rename_matches_without_regard_to_case(tagged):
    archive, ids = tagged
    assert archive.rename_tag("REGION/KHERSON", " area ") == 2
    assert _tags(archive, ids)["a"] == ("area", "type/news")
    assert _tags(archive, ids)["b"] == ("area/city",)
    assert _counts(archive)["area"] == (2, 1)
    assert _filtered(archive, ids, "Area") == {"a", "b"}
    assert _counts(archive)["region"] == (1, 0)  # valdoria is still there


def test_rename_can_change_capitals_only(tagged):
    archive, ids = tagged
    assert archive.rename_tag("region", "Region") == 3
    assert _tags(archive, ids)["a"] == ("Region/kherson", "type/news")
    assert _tags(archive, ids)["b"] == ("Region/Kherson/city",)
    assert "Region" in _counts(archive)


def test_rename_onto_itself_changes_nothing(tagged):
    archive, ids = tagged
    before = _tags(archive, ids)
    assert archive.rename_tag("type/news", "type/news") == 0
    assert _tags(archive, ids) == before


def test_rename_into_a_level_below_itself(tagged):
    archive, ids = tagged
    assert archive.rename_tag("type", "type/old") == 2
    assert _tags(archive, ids)["a"] == ("region/kherson", "type/old/news")
    assert _tags(archive, ids)["d"] == ("type/old/report",)


@pytest.mark.parametrize("new", ["", "   ", " / / "])
def test_rename_to_an_empty_name_is_refused(tagged, new: str):
    archive, ids = tagged
    before = _tags(archive, ids)
    with pytest.raises(InvalidValue):
        archive.rename_tag("region", new)
    assert _tags(archive, ids) == before


def test_rename_of_an_unknown_tag_is_refused_clearly(tagged):
    archive, _ids = tagged
    with pytest.raises(InvalidValue, match="no tag 'regio'"):
        archive.rename_tag("regio", "place")
    with pytest.raises(InvalidValue, match="no tag"):
        archive.rename_tag("region/kherson/city/north", "place")


def test_merge_renames_each_source_into_the_target(tagged):
    archive, ids = tagged
    assert archive.merge_tags(["region/kherson", "TYPE/REPORT"], "review") == 3
    tags = _tags(archive, ids)
    assert tags["a"] == ("review", "type/news")
    assert tags["b"] == ("review/city",)
    assert tags["d"] == ("review",)
    assert _counts(archive)["review"] == (3, 2)
    assert _filtered(archive, ids, "review") == {"a", "b", "d"}
    assert _filtered(archive, ids, "type/report") == set()


def test_merge_of_a_tag_and_one_below_it(tagged):
    archive, ids = tagged
    assert archive.merge_tags(["region", "region/kherson"], "x") == 3
    assert _tags(archive, ids)["b"] == ("x/Kherson/city",)


def test_merge_with_an_unknown_source_changes_nothing(tagged):
    archive, ids = tagged
    before = _tags(archive, ids)
    with pytest.raises(InvalidValue, match="nowhere"):
        archive.merge_tags(["region", "nowhere"], "place")
    assert _tags(archive, ids) == before
    with pytest.raises(InvalidValue):
        archive.merge_tags([], "place")


def test_delete_removes_the_tag_and_those_below(tagged):
    archive, ids = tagged
    assert archive.delete_tag("Region") == 3
    tags = _tags(archive, ids)
    assert tags["a"] == ("type/news",)
    assert tags["b"] == ()
    assert tags["c"] == ("place/valdoria",)
    counts = _counts(archive)
    assert "region" not in {n.lower() for n in counts}
    assert counts["type"] == (2, 0)
    assert _filtered(archive, ids, "region") == set()
    assert _filtered(archive, ids, "place") == {"c"}
    with pytest.raises(InvalidValue, match="no tag"):
        archive.delete_tag("region")


def test_tag_many_adds_in_one_pass(tagged, monkeypatch):
    archive, ids = tagged
    writes = []
    original = archive.index.write
    monkeypatch.setattr(
        archive.index, "write", lambda *a, **k: writes.append(1) or original(*a, **k)
    )
    chosen = [ids["a"], ids["b"], ids["e"], "0123456789ab"]  # an id no longer there is skipped
    assert archive.tag_many(chosen, ["batch/one", "Batch/One", " ", "checked"]) == 3
    assert len(writes) == 1
    assert _tags(archive, ids)["e"] == ("batch/one", "checked")
    assert _counts(archive)["batch"] == (3, 0)
    assert _filtered(archive, ids, "batch") == {"a", "b", "e"}
    assert archive.tag_many(chosen, ["checked"]) == 0  # already there
    assert archive.tag_many([ids["c"], ids["a"]], ["checked"]) == 1
    assert _counts(archive)["checked"] == (4, 4)


def test_tag_many_needs_a_tag(tagged):
    archive, ids = tagged
    with pytest.raises(InvalidValue):
        archive.tag_many([ids["a"]], ["", " / "])


def test_untag_many_removes_exactly_those_tags(tagged):
    archive, ids = tagged
    everyone = list(ids.values())
    assert archive.untag_many(everyone, ["TYPE/NEWS", "type/report", "missing"]) == 2
    assert archive.untag_many(everyone, ["region"]) == 0  # a parent level is not a tag here
    tags = _tags(archive, ids)
    assert tags["a"] == ("region/kherson",)
    assert tags["d"] == ()
    assert "type" not in _counts(archive)
    assert archive.catalog.scalar("SELECT count(*) FROM tags WHERE name LIKE 'type%'") == 0
    assert _filtered(archive, ids, "type") == set()


def test_bulk_changes_leave_nothing_queued(tagged):
    archive, ids = tagged
    archive.tag_many(list(ids.values()), ["x"])
    archive.rename_tag("x", "y")
    archive.untag_many(list(ids.values()), ["y"])
    assert archive.catalog.scalar("SELECT count(*) FROM index_queue") == 0
    assert archive.check().ok
