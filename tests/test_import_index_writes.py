"""An import adds new articles to the index without looking for older copies of them;
whatever the index may still hold under an id is replaced, never kept twice."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from whoosh import writing

import archive_app.core.archive as archive_module
from archive_app.core.archive import Archive
from archive_app.core.models import SearchRequest


@pytest.fixture
def probes(monkeypatch) -> collections.Counter:
    """Every id the index looks up to remove an older copy, with how often."""
    seen: collections.Counter = collections.Counter()
    original = writing.IndexWriter.delete_by_term

    def counting(self, fieldname, text, searcher=None):
        seen[text] += 1
        return original(self, fieldname, text, searcher)

    monkeypatch.setattr(writing.IndexWriter, "delete_by_term", counting)
    return seen


def write_reports(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = folder / f"report-{i:03d}.txt"
        path.write_text(
            f"Report {i} from Brenn\n\nVolunteers recorded statement number {i} in the "
            f"village about the evacuation of the orphanage, witness {i * 13}.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def indexed_ids(archive: Archive) -> list[str]:
    """Every stored id, one entry per indexed document (an id twice is a duplicate)."""
    health = archive.index.health()
    assert health.problems == ()
    return sorted(health.ids)


def test_new_articles_are_added_without_looking_for_older_copies(archive, tmp_path, probes):
    report = archive.import_paths(write_reports(tmp_path / "in", 5))
    ids = sorted(item.id for item in report.imported)
    assert len(ids) == 5
    assert not probes
    assert indexed_ids(archive) == ids
    assert archive.search_ids(SearchRequest("orphanage")).total == 5


def test_a_large_import_in_batches_adds_each_article_once(archive, tmp_path, monkeypatch, probes):
    # Batches of 3: the import commits to the index several times before its end.
    monkeypatch.setattr(archive_module, "IMPORT_BATCH", 3)
    write_reports(tmp_path / "in", 8)
    report = archive.import_paths([tmp_path / "in"])
    ids = sorted(item.id for item in report.imported)
    assert len(ids) == 8
    assert not probes
    assert indexed_ids(archive) == ids


def test_an_article_written_again_replaces_its_indexed_copy(archive, tmp_path, probes):
    report = archive.import_paths(write_reports(tmp_path / "in", 2))
    article_id = report.imported[0].id
    archive.edit(article_id, title="Evacuation ledger of Brenn")
    assert probes[article_id] == 1
    assert indexed_ids(archive).count(article_id) == 1
    assert archive.search_ids(SearchRequest("ledger")).ids == (article_id,)


def test_an_id_whose_removal_is_still_pending_is_replaced_not_duplicated(
    archive, tmp_path, monkeypatch, probes
):
    # Deleted, but the index never heard of it (a crash before the index commit):
    # importing the same file again gives the same id, which the index still holds.
    paths = write_reports(tmp_path / "in", 2)
    article_id = archive.import_paths(paths[:1]).imported[0].id
    with monkeypatch.context() as patched:
        patched.setattr(archive, "_drain_index_queue", lambda *a, **k: None)
        archive.delete(article_id)
    assert article_id in indexed_ids(archive)
    assert archive.catalog.query("SELECT op FROM index_queue")[0][0] == "delete"

    again = archive.import_paths(paths)
    assert article_id in {item.id for item in again.imported}
    assert probes[article_id] == 1  # looked up, and the old copy removed
    assert indexed_ids(archive).count(article_id) == 1
    assert len(indexed_ids(archive)) == 2


@pytest.fixture
def helper_batches(monkeypatch) -> None:
    """Import batches of 120, written by the segment helper: of 300 files, the first 120
    go while the import goes on, the last 180 are split between it and this process."""
    from archive_app.core import index as index_module

    monkeypatch.setattr(archive_module, "IMPORT_BATCH", 120)
    monkeypatch.setattr(index_module, "HELPER_BATCH_MIN", 50)


def test_large_batches_of_new_articles_are_indexed_in_a_helper_process(
    tmp_path: Path, monkeypatch, helper_batches
):
    """The window's process never sorts a large batch's postings: another process writes
    the segment, this one adopts it; every article is then found, once."""
    from archive_app.core import index as index_module

    adopted = []
    original = index_module.SearchIndex.adopt
    monkeypatch.setattr(
        index_module.SearchIndex,
        "adopt",
        lambda self, folder, segment: adopted.append(segment) or original(self, folder, segment),
    )
    write_reports(tmp_path / "in", 300)
    archive = Archive.open(tmp_path / "archive")
    try:
        archive.parallel_import = True
        report = archive.import_paths([tmp_path / "in"])
        assert len(report.imported) == 300 and report.failed == ()
        assert len(adopted) == 3  # one batch of 120, then 90 written there and 90 here
        assert indexed_ids(archive) == sorted(item.id for item in report.imported)
        assert archive.search(SearchRequest("witness 1313")).total >= 1
        assert archive.search(SearchRequest("orphanage")).total == 300
        assert not (archive.root / "index" / "helper").exists()
        assert archive.check().ok
    finally:
        archive.close()


def test_an_import_whose_index_helper_fails_indexes_everything_itself(
    tmp_path: Path, monkeypatch, helper_batches
):
    from archive_app.core import index_build

    def failing(self):
        self.usable = False
        raise index_build.IndexBuildFailed("the helper process exited with code 1")

    monkeypatch.setattr(index_build.SegmentHelper, "receive", failing)
    write_reports(tmp_path / "in", 300)
    archive = Archive.open(tmp_path / "archive")
    try:
        archive.parallel_import = True
        report = archive.import_paths([tmp_path / "in"])
        assert len(report.imported) == 300
        assert indexed_ids(archive) == sorted(item.id for item in report.imported)
        assert archive.check().ok
    finally:
        archive.close()


def test_the_import_goes_on_storing_while_the_helper_writes_a_segment(
    tmp_path: Path, monkeypatch, helper_batches
):
    """A batch is sent, the next articles are stored, and only then is the segment adopted."""
    from archive_app.core import index_build

    events: list[tuple[str, int]] = []
    archive = Archive.open(tmp_path / "archive")

    def stored() -> int:
        return int(archive.catalog.scalar("SELECT count(*) FROM articles"))

    send, receive = index_build.SegmentHelper.send, index_build.SegmentHelper.receive
    monkeypatch.setattr(
        index_build.SegmentHelper,
        "send",
        lambda self, docs: events.append(("send", stored())) or send(self, docs),
    )
    monkeypatch.setattr(
        index_build.SegmentHelper,
        "receive",
        lambda self: events.append(("receive", stored())) or receive(self),
    )
    write_reports(tmp_path / "in", 300)
    try:
        archive.parallel_import = True
        report = archive.import_paths([tmp_path / "in"])
        assert len(report.imported) == 300
        assert events == [("send", 120), ("receive", 300), ("send", 300), ("receive", 300)]
        assert indexed_ids(archive) == sorted(item.id for item in report.imported)
    finally:
        archive.close()


def test_the_last_work_of_an_import_is_written_on_two_cores_in_catalog_order(
    tmp_path: Path, monkeypatch, helper_batches
):
    """The remainder at the end is halved: the helper writes the older half while a second
    process writes the newer; the index then lists them in that order."""
    from archive_app.core import index_build

    events: list[tuple[str, int]] = []
    send, beside = index_build.SegmentHelper.send, index_build.SegmentHelper.write_beside
    monkeypatch.setattr(
        index_build.SegmentHelper,
        "send",
        lambda self, docs: events.append(("send", len(docs))) or send(self, docs),
    )
    monkeypatch.setattr(
        index_build.SegmentHelper,
        "write_beside",
        lambda self, docs: events.append(("beside", len(docs))) or beside(self, docs),
    )
    write_reports(tmp_path / "in", 300)
    archive = Archive.open(tmp_path / "archive")
    try:
        archive.parallel_import = True
        archive.import_paths([tmp_path / "in"])
        assert events == [("send", 120), ("send", 90), ("beside", 90)]
        in_catalog = [r[0] for r in archive.catalog.query("SELECT id FROM articles ORDER BY rowid")]
        with archive.index._ix.searcher() as searcher:
            in_index = [fields["id"] for fields in searcher.all_stored_fields()]
        assert in_index == in_catalog
        assert archive.catalog.scalar("SELECT count(*) FROM index_queue") == 0
        assert not (archive.root / "index" / "helper").exists()
        assert archive.check().ok
    finally:
        archive.close()


def test_an_import_stopped_while_a_segment_is_written_indexes_it_at_the_next_open(
    tmp_path: Path, monkeypatch, helper_batches
):
    from archive_app.core import index_build

    def stopped(self):
        raise KeyboardInterrupt  # the import ends here, its sent batch never adopted

    monkeypatch.setattr(index_build.SegmentHelper, "receive", stopped)
    write_reports(tmp_path / "in", 300)
    archive = Archive.open(tmp_path / "archive")
    archive.parallel_import = True
    with pytest.raises(KeyboardInterrupt):
        archive.import_paths([tmp_path / "in"])
    assert archive.catalog.scalar("SELECT count(*) FROM index_queue") >= 120
    stored = sorted(r["id"] for r in archive.catalog.query("SELECT id FROM articles"))
    archive.close()
    monkeypatch.undo()
    archive = Archive.open(tmp_path / "archive")
    try:
        assert indexed_ids(archive) == stored
        assert not (archive.root / "index" / "helper").exists()
        assert archive.check().ok
    finally:
        archive.close()
