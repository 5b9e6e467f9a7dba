"""`check`: blobs by SHA-256, references to blobs, the index against the catalog; `--repair`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import crash_harness as harness  # tests/ is on the path, as for conftest
import pytest

from archive_app.core.archive import BLOB_WRITES_MARKER, Archive
from archive_app.core.index import IndexDocument, _fields_of
from archive_app.core.models import SearchRequest


@pytest.fixture
def pages(archive: Archive, tmp_path: Path) -> dict[str, str]:
    """Six imported articles (two of them pages with images): file name -> id."""
    files = harness.make_corpus(tmp_path / "corpus", 6, seed=4)
    report = archive.import_paths([tmp_path / "corpus" / f.name for f in files])
    return {Path(i.path).name: i.id for i in report.imported}


def test_a_sound_archive_has_nothing_to_report(sample_archive: Archive):
    report = sample_archive.check()
    assert report.ok and report.problems == () and report.unrepairable == ()
    assert report.articles == sample_archive.article_count() and report.blobs > report.articles


def test_a_missing_image_names_its_article_and_the_file_to_import_again(
    archive: Archive, pages: dict[str, str]
):
    article_id = pages["page0005.html"]
    image = archive.get(article_id).images[1].sha256
    archive.image_path(image).unlink()

    report = archive.check(repair=True)

    assert not report.ok
    (line,) = report.unrepairable
    assert f"image blob {image} is missing" in line
    assert article_id in line and "page0005.html" in line and "again" in line


def test_an_altered_original_cannot_be_repaired(archive: Archive, pages: dict[str, str]):
    article_id = pages["text0001.txt"]
    path = archive.original_path(article_id)
    path.write_bytes(b"x" * path.stat().st_size)

    report = archive.check(repair=True)

    assert not report.ok
    assert any("corrupt" in p and article_id in p for p in report.problems)
    assert any("text0001.txt" in line for line in report.unrepairable)


def test_image_rows_naming_a_blob_the_catalog_lacks_are_reported(
    archive: Archive, pages: dict[str, str]
):
    article_id = pages["page0002.html"]
    image = archive.get(article_id).images[0].sha256
    # As a damaged or hand-edited catalog would be: the rows behind the image are gone.
    raw = sqlite3.connect(archive.root / "catalog.sqlite3")
    raw.execute("DELETE FROM images WHERE sha256 = ?", (image,))
    raw.execute("DELETE FROM blobs WHERE sha256 = ?", (image,))
    raw.commit()
    raw.close()

    report = archive.check()

    assert not report.ok
    assert any(
        f"article {article_id}: image 0 refers to blob {image}" in p for p in report.problems
    )


def test_repair_writes_missing_stale_and_doubled_index_documents(
    archive: Archive, pages: dict[str, str]
):
    dropped, doubled = pages["text0000.txt"], pages["text0003.txt"]
    index = archive.index
    ghost = IndexDocument("feedfacecafe", "Ghost", "no such article", "", "", "", "", "en", (), ())
    index.write([ghost], [dropped])
    writer = index._ix.writer()  # a second copy of one document, as no normal write makes
    writer.add_document(**_fields_of(archive._index_document(doubled)))
    writer.commit(merge=False)
    index._invalidate()

    report = archive.check()
    assert not report.ok
    assert f"article {dropped} is not in the search index" in report.problems
    assert "search index holds feedfacecafe, which is not in the catalog" in report.problems
    assert f"search index holds {doubled} more than once" in report.problems

    repaired = archive.check(repair=True)
    assert repaired.ok and repaired.unrepairable == ()
    assert archive.check().problems == ()
    assert sorted(archive.index.health().ids) == sorted(pages.values())
    assert archive.search(SearchRequest(query="ghost")).total == 0


def test_unfinished_writes_and_orphans_are_removed_by_repair(
    archive: Archive, pages: dict[str, str]
):
    leftover = archive.root / "blobs" / "ab" / ".tmp-cut"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half a fi")

    report = archive.check()
    assert not report.ok and "unfinished write .tmp-cut" in report.problems

    assert archive.check(repair=True).ok
    assert not leftover.exists()
    assert archive.check().problems == ()


def test_leftovers_of_a_crash_are_removed_when_the_archive_opens(archive_dir: Path, tmp_path: Path):
    files = harness.make_corpus(tmp_path / "corpus", 2, seed=4)
    with Archive.open(archive_dir) as archive:
        archive.import_paths([tmp_path / "corpus" / files[0].name])
        orphan = archive.blobs.put(b"written before a crash, never catalogued")
    (archive_dir / "blobs" / orphan[:2] / ".tmp-x").write_bytes(b"cut")
    # What an import cut short leaves behind besides its blobs.
    (archive_dir / BLOB_WRITES_MARKER).write_text("pid 1\n")

    with Archive.open(archive_dir) as archive:
        assert not archive.blobs.exists(orphan)
        assert archive.blobs.scan().leftovers == ()
        assert archive.check().problems == ()
    assert not (archive_dir / BLOB_WRITES_MARKER).exists()


def test_a_stray_blob_found_at_another_time_is_reported_not_removed(archive_dir: Path):
    # Say a catalog was put back by hand: the newer files are kept until a person decides.
    with Archive.open(archive_dir) as archive:
        stray = archive.blobs.put(b"not listed in this catalog")
    assert not (archive_dir / BLOB_WRITES_MARKER).exists()

    with Archive.open(archive_dir) as archive:
        assert archive.blobs.exists(stray)
        assert f"orphan blob {stray} (no catalog entry)" in archive.check().problems


def test_put_replaces_a_damaged_copy(archive: Archive):
    data = b"an image's bytes"
    sha = archive.blobs.put(data)
    archive.blobs.path_for(sha).write_bytes(b"X" * len(data))

    archive.blobs.put(data)

    assert archive.blobs.verify(sha)


def test_check_reports_progress_to_the_end(archive: Archive, pages: dict[str, str]):
    calls: list[tuple[int, int]] = []
    report = archive.check(progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, report.blobs) and calls[-1] == (report.blobs, report.blobs)
