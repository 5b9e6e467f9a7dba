"""The audit log: every change recorded with its details, chained by hashes, append-only."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from archive_app.core import audit_log
from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.catalog import SCHEMA_VERSION
from archive_app.core.models import SearchRequest

ARTICLES = {
    "ferry.txt": "Title: Ferry timetable changes\nSource: Coast Wire\nDate: 2022-05-01\n\n"
    "The harbour ferry will sail every hour from June, the port authority said.\n",
    "library.txt": "Title: Library reopens\nSource: County Herald\nDate: 2021-03-04\n\n"
    "The county library reopened its reading room after repairs to the roof.\n",
    "bridge.txt": "Title: Bridge closed for repairs\nSource: Coast Wire\nDate: 2023-01-09\n\n"
    "The old bridge over the river closes for three weeks while engineers replace cables.\n",
}


@pytest.fixture
def news(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def filled(archive: Archive, news: Path) -> Archive:
    archive.import_paths([news])
    return archive


def _ids(archive: Archive) -> dict[str, str]:
    return {h.title: h.id for h in archive.hits(archive.search_ids(SearchRequest()).ids)}


def _newest(archive: Archive):
    return archive.log(limit=1)[0]


def _raw(archive_dir: Path) -> sqlite3.Connection:
    """The catalog file opened directly, as someone tampering with it would."""
    return sqlite3.connect(archive_dir / "catalog.sqlite3", isolation_level=None)


# -- what each change writes ------------------------------------------------------------


def test_an_import_records_the_provenance_in_the_same_moment(filled: Archive, news: Path):
    ferry = _ids(filled)["Ferry timetable changes"]
    (entry,) = filled.log(ferry)
    article = filled.get(ferry)
    assert entry.action == "import"
    assert entry.article_id == ferry
    assert entry.at == article.provenance.imported_at
    assert entry.details == {
        "sha256": article.provenance.sha256,
        "filename": "ferry.txt",
        "size": (news / "ferry.txt").stat().st_size,
        "record": "",
        "importer": article.provenance.importer,
        "app_version": article.provenance.app_version,
        "url": "",
        "title": "Ferry timetable changes",
        "tags": [],
    }
    assert [e.action for e in filled.log()] == ["import"] * 3
    assert filled.verify_log() == []


def test_a_new_archive_starts_an_empty_chain(archive: Archive, news: Path):
    assert archive.log() == ()
    assert archive.verify_log() == []
    archive.import_paths([news])
    first = archive.log()[-1]
    assert (first.seq, first.prev_hash) == (1, audit_log.GENESIS_HASH)


def test_each_change_writes_its_entry(filled: Archive):
    ids = _ids(filled)
    ferry, library = ids["Ferry timetable changes"], ids["Library reopens"]

    def newest_after(action) -> tuple:
        before = _newest(filled).seq
        action()
        return tuple(reversed([e for e in filled.log() if e.seq > before]))  # in order

    (e,) = newest_after(lambda: filled.tag(ferry, ["Region/Kherson", "ferries"]))
    assert (e.action, e.article_id, e.details) == (
        "tag",
        ferry,
        {"tags": ["Region/Kherson", "ferries"]},
    )
    (e,) = newest_after(lambda: filled.untag(ferry, ["ferries", "not-there"]))
    assert (e.action, e.details) == ("untag", {"tags": ["ferries"]})
    assert newest_after(lambda: filled.tag(ferry, ["region/kherson"])) == ()  # had it already

    (e,) = newest_after(lambda: filled.set_note(ferry, "Ask the port."))
    assert (e.action, e.details) == ("note", {"old": "", "new": "Ask the port."})
    (e,) = newest_after(lambda: filled.set_note(ferry, ""))
    assert e.details == {"old": "Ask the port.", "new": ""}

    edits = newest_after(lambda: filled.edit(ferry, title="Ferry times", author="", url="x"))
    assert [(e.action, e.details) for e in edits] == [
        ("edit", {"field": "title", "old": "Ferry timetable changes", "new": "Ferry times"}),
        ("edit", {"field": "url", "old": "", "new": "x"}),
    ]  # the author was empty before and after: no entry
    (e,) = newest_after(lambda: filled.edit(ferry, title=None))
    assert e.details == {"field": "title", "old": "Ferry times", "new": "Ferry timetable changes"}

    (e,) = newest_after(lambda: filled.set_language(ferry, "de"))
    assert (e.action, e.details) == ("language", {"old": "en", "new": "de"})

    (e,) = newest_after(lambda: filled.set_topic(ferry, "war-crimes", True))
    assert (e.action, e.details) == ("topic", {"topic": "war-crimes", "assigned": True})
    (e,) = newest_after(lambda: filled.set_topic(ferry, "war-crimes", None))
    assert e.details == {"topic": "war-crimes", "assigned": None}

    entries = newest_after(lambda: filled.tag_many([ferry, library], ["bulk", "region/kherson"]))
    assert [(e.action, e.article_id, e.details) for e in entries] == sorted(
        [
            ("tag", ferry, {"tags": ["bulk"]}),
            ("tag", library, {"tags": ["bulk", "region/kherson"]}),
        ],
        key=lambda t: t[1],
    )
    entries = newest_after(lambda: filled.untag_many([ferry, library], ["bulk"]))
    assert {(e.action, e.article_id) for e in entries} == {("untag", ferry), ("untag", library)}

    (e,) = newest_after(lambda: filled.rename_tag("region", "place"))
    assert (e.action, e.article_id) == ("tag-rename", None)
    assert e.details == {"from": ["region"], "to": "place", "articles": sorted([ferry, library])}
    filled.tag(library, ["other"])
    (e,) = newest_after(lambda: filled.merge_tags(["other", "place"], "merged"))
    assert e.action == "tag-merge"
    assert e.details == {
        "from": ["other", "place"],
        "to": "merged",
        "articles": sorted([ferry, library]),
    }
    (e,) = newest_after(lambda: filled.delete_tag("merged"))
    assert e.details == {"tag": "merged", "articles": sorted([ferry, library])}

    (e,) = newest_after(lambda: filled.save_search("Ferries", SearchRequest(query="ferry")))
    assert (e.action, e.details["name"], e.details["request"]["query"]) == (
        "saved-search-save",
        "Ferries",
        "ferry",
    )
    (e,) = newest_after(lambda: filled.rename_saved_search("ferries", "Boats"))
    assert (e.action, e.details) == ("saved-search-rename", {"old": "Ferries", "new": "Boats"})
    (e,) = newest_after(lambda: filled.delete_saved_search("boats"))
    assert (e.action, e.details) == ("saved-search-delete", {"name": "Boats"})

    (e,) = newest_after(lambda: filled.reclassify())
    assert (e.action, e.details["articles"], e.details["cancelled"]) == ("reclassify", 3, False)
    assert e.details["changed"] >= 0

    assert filled.verify_log() == []


def test_one_articles_history_includes_changes_to_many(filled: Archive):
    ids = _ids(filled)
    ferry, bridge = ids["Ferry timetable changes"], ids["Bridge closed for repairs"]
    filled.tag(ferry, ["region/kherson"])
    filled.tag(bridge, ["elsewhere"])
    filled.rename_tag("region", "place")
    assert [e.action for e in filled.log(ferry)] == ["tag-rename", "tag", "import"]
    assert [e.action for e in filled.log(bridge)] == ["tag", "import"]
    assert [e.action for e in filled.log(ferry, limit=1)] == ["tag-rename"]


def test_a_delete_keeps_the_import_and_adds_what_it_removed(filled: Archive):
    ferry = _ids(filled)["Ferry timetable changes"]
    sha = filled.get(ferry).provenance.sha256
    filled.edit(ferry, title="Ferry times")
    filled.delete(ferry)
    deleted, edited, imported = filled.log(ferry[:8])  # a prefix of a deleted article's id
    assert deleted.action == "delete"
    assert deleted.details["title"] == "Ferry times"
    assert deleted.details["sha256"] == sha
    assert deleted.details["filename"] == "ferry.txt"
    assert (edited.action, imported.action) == ("edit", "import")
    assert filled.verify_log() == []
    with pytest.raises(ArticleNotFound):
        filled.log("ffffffffffff")


def test_a_failed_change_leaves_no_entry(filled: Archive):
    ferry = _ids(filled)["Ferry timetable changes"]
    before = _newest(filled)
    with pytest.raises(Exception, match="published"):
        filled.edit(ferry, title="Changed", published="not a date")
    assert _newest(filled) == before
    assert filled.get(ferry).title == "Ferry timetable changes"


def test_the_log_survives_closing_and_reopening(filled: Archive, archive_dir: Path):
    ferry = _ids(filled)["Ferry timetable changes"]
    filled.tag(ferry, ["kept"])
    entries = filled.log()
    filled.close()
    with Archive.open(archive_dir, create=False) as again:
        assert again.log() == entries
        assert again.verify_log() == []
        again.untag(ferry, ["kept"])
        assert _newest(again).prev_hash == entries[0].hash


# -- the catalog refuses changes; verify detects what gets past it ------------------------


def test_the_catalog_refuses_to_change_or_remove_entries(filled: Archive, archive_dir: Path):
    filled.close()
    conn = _raw(archive_dir)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET details = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):  # replacing an entry
        conn.execute(
            "INSERT OR REPLACE INTO audit_log(seq, at, action, details, prev_hash, hash)"
            " VALUES (2, 'now', 'import', '{}', '', '')"
        )
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 3
    conn.close()


def _tamper(archive_dir: Path, *statements: str) -> None:
    conn = _raw(archive_dir)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.close()


@pytest.fixture
def tampered(filled: Archive, archive_dir: Path):
    """Close the archive, let the test change its file, then reopen it."""
    ids = _ids(filled)
    filled.tag(ids["Library reopens"], ["one"])
    filled.tag(ids["Library reopens"], ["two"])  # entries: 3 imports, tag 4, tag 5
    filled.close()

    def reopen(*statements: str) -> Archive:
        _tamper(archive_dir, *statements)
        return Archive.open(archive_dir, create=False)

    return reopen


def test_an_edited_entry_is_named(tampered):
    with tampered('UPDATE audit_log SET details = \'{"tags":["three"]}\' WHERE seq = 4') as a:
        problems = a.verify_log()
    assert len(problems) == 1
    assert problems[0].startswith("entry 4 (tag, ")
    assert "content does not match its hash" in problems[0]


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_next_link(tampered, archive_dir):
    conn = _raw(archive_dir)
    row = conn.execute("SELECT seq, at, action, article_id, prev_hash FROM audit_log WHERE seq = 4")
    seq, at, action, article_id, prev = row.fetchone()
    conn.close()
    forged = audit_log.entry_hash(seq, at, action, article_id, '{"tags":["three"]}', prev)
    with tampered(
        f"UPDATE audit_log SET details = '{{\"tags\":[\"three\"]}}', hash = '{forged}'"
        " WHERE seq = 4"
    ) as a:
        problems = a.verify_log()
    assert len(problems) == 1  # entry 4 matches its new hash; entry 5 no longer follows
    assert problems[0].startswith("entry 5 (tag, ")
    assert "prev_hash" in problems[0]


def test_a_removed_middle_entry_is_detected(tampered):
    with tampered("DELETE FROM audit_log WHERE seq = 4") as a:
        problems = a.verify_log()
    assert problems[0] == "entry 4 missing: the log goes from 3 to 5"
    assert problems[1].startswith("entry 5 (tag, ") and "prev_hash" in problems[1]


def test_a_truncated_tail_is_detected_by_the_recorded_head(tampered):
    with tampered("DELETE FROM audit_log WHERE seq >= 4") as a:
        assert a.verify_log() == [
            "entry 4–5 missing from the end of the log: it ends at entry 3,"
            " but the catalog recorded entry 5 as its newest"
        ]


def test_a_truncated_import_is_detected_even_with_the_head_rewritten(tampered, archive_dir):
    conn = _raw(archive_dir)
    seq, digest = conn.execute("SELECT seq, hash FROM audit_log WHERE seq = 2").fetchone()
    (missing,) = conn.execute("SELECT article_id FROM audit_log WHERE seq = 3").fetchone()
    conn.close()
    head = json.dumps({"seq": seq, "hash": digest})
    with tampered(
        "DELETE FROM audit_log WHERE seq >= 3",
        f"UPDATE meta SET value = '{head}' WHERE key = 'audit_log_head'",
    ) as a:
        assert a.verify_log() == [f"article {missing} has no import entry in the log"]


def test_changed_provenance_is_named_field_by_field(tampered):
    with tampered("UPDATE articles SET original_filename = 'other.txt' WHERE seq = 2") as a:
        (problem,) = a.verify_log()
    assert problem.startswith("entry 2 (import of ")
    assert re.search(r"filename is '\w+\.txt' in the log but 'other\.txt' in the article$", problem)


# -- archives from before the log, and bundles ---------------------------------------------


def _as_version_3(archive_dir: Path) -> None:
    """The catalog as schema 3 left it: no log, no triggers, no recorded head."""
    conn = _raw(archive_dir)
    conn.execute("DROP TABLE audit_log")
    conn.execute("DELETE FROM meta WHERE key = ?", (audit_log.HEAD_KEY,))
    conn.execute("PRAGMA user_version = 3")
    conn.close()


def test_an_archive_from_before_the_log_starts_a_valid_chain(
    filled: Archive, archive_dir: Path, news: Path
):
    ferry = _ids(filled)["Ferry timetable changes"]
    filled.close()
    _as_version_3(archive_dir)
    with Archive.open(archive_dir, create=False) as upgraded:
        assert upgraded.catalog.version == SCHEMA_VERSION
        (started,) = upgraded.log()
        assert started.action == "log-started"
        assert started.details == {"articles": 3, "last_article_seq": 3}
        assert started.prev_hash == audit_log.GENESIS_HASH
        assert len(started.hash) == 64
        assert upgraded.verify_log() == []
        upgraded.tag(ferry, ["after"])
        (news / "new.txt").write_text("Title: New\n\nA new article after the upgrade.\n", "utf-8")
        upgraded.import_paths([news / "new.txt"])
        assert upgraded.log()[-2].prev_hash == started.hash
    with Archive.open(archive_dir, create=False) as again:
        assert again.verify_log() == []
        assert [e.action for e in again.log()] == ["import", "tag", "log-started"]


def test_a_changed_start_entry_is_detected_once_sealed(filled: Archive, archive_dir: Path):
    ferry = _ids(filled)["Ferry timetable changes"]
    filled.close()
    _as_version_3(archive_dir)
    with Archive.open(archive_dir, create=False) as upgraded:
        upgraded.tag(ferry, ["after"])
    with _reopened_after(
        archive_dir, "UPDATE audit_log SET details = '{\"articles\":0}' WHERE seq = 1"
    ) as a:
        problems = a.verify_log()
    assert problems[0].startswith("entry 2 (tag, ") and "prev_hash" in problems[0]


def _reopened_after(archive_dir: Path, *statements: str) -> Archive:
    _tamper(archive_dir, *statements)
    return Archive.open(archive_dir, create=False)


def test_the_log_copied_verbatim_into_an_empty_archive_verifies(
    filled: Archive, archive_dir: Path, tmp_path: Path
):
    """What a bundle does: every catalog table's rows, as they are, into a new archive."""
    filled.tag(_ids(filled)["Library reopens"], ["kept"])
    entries = filled.log()
    filled.close()
    target_dir = tmp_path / "restored"
    Archive.open(target_dir).close()
    conn = _raw(target_dir)
    conn.execute("ATTACH DATABASE ? AS source", (str(archive_dir / "catalog.sqlite3"),))
    conn.execute("BEGIN")
    for table in ("blobs", "articles", "audit_log"):
        conn.execute(f"INSERT INTO {table} SELECT * FROM source.{table} ORDER BY rowid")
    conn.execute(
        "INSERT OR REPLACE INTO meta SELECT * FROM source.meta WHERE key = ?",
        (audit_log.HEAD_KEY,),
    )
    conn.execute("COMMIT")
    conn.close()
    with Archive.open(target_dir, create=False) as restored:
        assert restored.log() == entries
        assert restored.verify_log() == []


# -- the command line ------------------------------------------------------------------------


def test_cli_log_lists_newest_first(cli, filled: Archive, archive_dir: Path):
    ferry = _ids(filled)["Ferry timetable changes"]
    filled.tag(ferry, ["harbour"])
    filled.close()
    code, out, _ = cli("--archive", archive_dir, "log")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].split()[0] == "4"
    assert lines[0].split()[2:] == ["tag", ferry, "harbour"]
    assert lines[-1].split()[0] == "1" and lines[-1].split()[2] == "import"

    code, out, _ = cli("--archive", archive_dir, "log", ferry[:8], "--limit", "1", "--json")
    assert code == 0
    (entry,) = json.loads(out)["entries"]
    assert entry["action"] == "tag"
    assert entry["article_id"] == ferry
    assert entry["details"] == {"tags": ["harbour"]}
    assert set(entry) == {"seq", "at", "action", "article_id", "details", "prev_hash", "hash"}

    code, _, err = cli("--archive", archive_dir, "log", "nosuchid")
    assert code == 2 and "nosuchid" in err


def test_cli_log_verify(cli, tampered, archive_dir: Path):
    tampered().close()  # triggers gone, nothing changed yet
    code, out, _ = cli("--archive", archive_dir, "log", "--verify")
    assert code == 0
    assert out.startswith("The log is intact: 5 entries, the newest ")
    code, out, _ = cli("--archive", archive_dir, "log", "--verify", "--json")
    report = json.loads(out)
    assert (code, report["ok"], report["entries"], report["problems"]) == (0, True, 5, [])

    conn = _raw(archive_dir)
    conn.execute("UPDATE audit_log SET at = '2000-01-01T00:00:00+00:00' WHERE seq = 2")
    conn.close()
    code, out, _ = cli("--archive", archive_dir, "log", "--verify")
    assert code == 1
    first, bad = out.splitlines()[:2]
    assert first.startswith("The log is NOT intact")
    assert bad.strip().startswith("entry 2 (import, 2000-01-01T00:00:00+00:00)")
    code, out, _ = cli("--archive", archive_dir, "log", "--verify", "--json")
    assert code == 1 and json.loads(out)["ok"] is False
