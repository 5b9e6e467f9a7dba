"""A person's notes on articles: kept in the catalog, shown by `get`, found by search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive_app.core import index as index_module
from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.catalog import SCHEMA_VERSION
from archive_app.core.models import SearchRequest

ARTICLES = {
    "ferry.txt": "Title: Ferry timetable changes\nSource: Coast Wire\nDate: 2022-05-01\n\n"
    "The harbour ferry will sail every hour from June, the port authority said.\n",
    "library.txt": "Title: Library reopens\nSource: County Herald\nDate: 2021-03-04\n\n"
    "The county library reopened its reading room after repairs to the roof.\n",
}


@pytest.fixture
def news(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _ids(archive: Archive, query: str) -> set[str]:
    return set(archive.search_ids(SearchRequest(query=query)).ids)


def _by_title(archive: Archive) -> dict[str, str]:
    return {h.title: h.id for h in archive.hits(archive.search_ids(SearchRequest()).ids)}


@pytest.fixture
def filled(archive: Archive, news: Path) -> Archive:
    archive.import_paths([news])
    return archive


def test_a_note_round_trips(filled: Archive):
    ferry = _by_title(filled)["Ferry timetable changes"]
    assert filled.get(ferry).note == ""
    filled.set_note(ferry, "  Ask the port authority for the winter timetable.\nSecond line.\n")
    assert (
        filled.get(ferry).note == "Ask the port authority for the winter timetable.\nSecond line."
    )
    filled.set_note(ferry[:8], "Replaced.")
    assert filled.get(ferry).note == "Replaced."


@pytest.mark.parametrize("empty", ["", "  \n "])
def test_an_empty_note_removes_it(filled: Archive, empty: str):
    ferry = _by_title(filled)["Ferry timetable changes"]
    filled.set_note(ferry, "quayside interview")
    filled.set_note(ferry, empty)
    assert filled.get(ferry).note == ""
    assert filled.catalog.scalar("SELECT count(*) FROM article_notes") == 0
    assert _ids(filled, "quayside") == set()


def test_a_note_on_an_unknown_article_is_an_error(filled: Archive):
    with pytest.raises(ArticleNotFound):
        filled.set_note("0123456789ab", "text")


@pytest.mark.parametrize(
    "query", ["quayside", "Quaysides", "notes:quayside", "note:quayside", "quaysid*"]
)
def test_note_words_are_found_by_plain_and_field_queries(filled: Archive, query: str):
    ferry = _by_title(filled)["Ferry timetable changes"]
    assert _ids(filled, query) == set()
    filled.set_note(ferry, "Quayside interview with the ferry captain, 3 May.")
    assert _ids(filled, query) == {ferry}


def test_notes_field_query_matches_only_notes(filled: Archive):
    ids = _by_title(filled)
    filled.set_note(ids["Library reopens"], "Compare with the ferry story.")
    assert _ids(filled, "notes:ferry") == {ids["Library reopens"]}
    assert _ids(filled, "ferry") == set(ids.values())


def test_a_note_match_gives_a_snippet_from_the_note(filled: Archive):
    library = _by_title(filled)["Library reopens"]
    filled.set_note(library, "Archivist mentioned the parish registers.")
    hit = filled.search(SearchRequest(query="parish")).hits[0]
    assert hit.id == library
    assert '<mark class="match">parish</mark>' in hit.snippet
    (row,) = filled.hits([library], "parish")
    assert row.snippet == hit.snippet
    (plain,) = filled.hits([library], "roof")
    assert "parish" not in plain.snippet and "<mark" in plain.snippet


def test_notes_survive_rebuilding_the_index_and_reopening(filled: Archive, archive_dir: Path):
    ferry = _by_title(filled)["Ferry timetable changes"]
    filled.set_note(ferry, "quayside interview")
    filled.rebuild_index()
    assert _ids(filled, "notes:quayside") == {ferry}
    filled.close()
    with Archive.open(archive_dir) as again:
        assert again.get(ferry).note == "quayside interview"
        assert _ids(again, "quayside") == {ferry}


def test_deleting_an_article_removes_its_note(filled: Archive):
    ferry = _by_title(filled)["Ferry timetable changes"]
    filled.set_note(ferry, "quayside interview")
    filled.delete(ferry)
    assert filled.catalog.scalar("SELECT count(*) FROM article_notes") == 0
    assert _ids(filled, "quayside") == set()


def test_an_index_from_before_notes_is_rebuilt_on_open(
    archive_dir: Path, news: Path, monkeypatch: pytest.MonkeyPatch
):
    """An archive written by the version without notes: v1 catalog, index without `notes`."""
    real_schema, real_fields = index_module.build_schema, index_module._fields_of

    def old_schema():
        schema = real_schema()
        schema.remove("notes")
        return schema

    with monkeypatch.context() as patch:
        patch.setattr(index_module, "build_schema", old_schema)
        patch.setattr(
            index_module,
            "_fields_of",
            lambda doc: {k: v for k, v in real_fields(doc).items() if k != "notes"},
        )
        with Archive.open(archive_dir) as old:
            old.import_paths([news])
            ids = _by_title(old)
            assert "notes" not in old.index._ix.schema.names()
    with sqlite3.connect(archive_dir / "catalog.sqlite3") as conn:
        conn.execute("DROP TABLE article_notes")
        conn.execute("DROP TABLE saved_searches")
        conn.execute("PRAGMA user_version = 1")

    with Archive.open(archive_dir) as upgraded:
        assert upgraded.catalog.version == SCHEMA_VERSION
        assert list((archive_dir / "backups").glob(f"catalog-*-before-v{SCHEMA_VERSION}.sqlite3"))
        assert upgraded.index.schema_is_current()
        assert _by_title(upgraded) == ids  # nothing lost
        assert _ids(upgraded, "harbour") == {ids["Ferry timetable changes"]}
        upgraded.set_note(ids["Library reopens"], "quayside interview")
        assert _ids(upgraded, "notes:quayside") == {ids["Library reopens"]}
        assert _ids(upgraded, "quayside") == {ids["Library reopens"]}


def test_a_current_index_is_not_rebuilt_on_open(filled: Archive, archive_dir: Path):
    assert filled.index.schema_is_current()
    filled.close()
    before = sorted(p.name for p in (archive_dir / "index").iterdir())
    with Archive.open(archive_dir) as again:
        assert again.index.schema_is_current()
    assert sorted(p.name for p in (archive_dir / "index").iterdir()) == before
