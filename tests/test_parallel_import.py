"""Large imports parse files in a helper process; the result must not depend on it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive_app.core.archive import Archive
from archive_app.core.importing import PARALLEL_MIN_FILES, prepare_all

COUNT = PARALLEL_MIN_FILES + 5


def make_folder(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(COUNT):
        path = folder / f"{i:03d}.txt"
        path.write_text(
            f"Report number {i}\n\nVolunteers recorded {i} statements in the village "
            f"of Brenn about the night of the shelling, witness {i * 7}.\n",
            encoding="utf-8",
        )
        paths.append(path)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02")
    return sorted(folder.iterdir())


def test_helper_process_gives_the_same_outcomes_in_order(tmp_path: Path):
    paths = make_folder(tmp_path / "in")
    here = [(p, type(o).__name__, getattr(o, "sha256", str(o))) for p, o in prepare_all(paths)]
    there = [
        (p, type(o).__name__, getattr(o, "sha256", str(o)))
        for p, o in prepare_all(paths, workers=1)
    ]
    assert there == here
    assert [p for p, _, _ in there] == paths
    kinds = {name for _, name, _ in there}
    assert kinds == {"PreparedFile", "NotAnArticle", "ImportFailed"}


def test_a_large_import_through_the_archive(tmp_path: Path):
    make_folder(tmp_path / "in")
    with Archive.open(tmp_path / "a") as archive:
        report = archive.import_paths([tmp_path / "in"])
        assert len(report.imported) == COUNT
        assert [Path(p.path).name for p in report.failed] == ["binary.txt"]
        assert [Path(p.path).name for p in report.skipped] == ["empty.txt"]
        assert archive.check().ok


def test_stopping_early_leaves_no_helper_behind(tmp_path: Path):
    import multiprocessing

    paths = make_folder(tmp_path / "in")
    outcomes = prepare_all(paths, workers=1)
    next(outcomes)
    outcomes.close()
    for child in multiprocessing.active_children():
        child.join(timeout=10)
    assert not [c for c in multiprocessing.active_children() if c.is_alive()]


def committed_originals(catalog_path: Path) -> set[str]:
    """The originals another process sees catalogued: committed rows only."""
    with sqlite3.connect(catalog_path) as other:
        return {row[0] for row in other.execute("SELECT original_sha256 FROM articles")}


def test_the_helpers_blobs_are_on_disk_before_any_row_refers_to_them(tmp_path: Path, monkeypatch):
    make_folder(tmp_path / "in")
    with Archive.open(tmp_path / "a") as archive:
        flush = archive.blobs.make_durable
        flushed: set[str] = set()
        unflushed_when_committed: set[str] = set()

        def make_durable(digests) -> None:
            digests = list(digests)
            # What is committed now was committed by an earlier flush's commit.
            unflushed_when_committed.update(committed_originals(archive.catalog.path) - flushed)
            flush(digests)
            flushed.update(digests)

        monkeypatch.setattr(archive.blobs, "make_durable", make_durable)
        report = archive.import_paths([tmp_path / "in"])
        assert len(report.imported) == COUNT
        committed = committed_originals(archive.catalog.path)
        assert len(committed) == COUNT
        assert committed <= flushed
        assert not unflushed_when_committed
        assert archive.check().ok
