"""A damaged index folder is rebuilt from the catalog on the next open, losing nothing."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import crash_harness as harness  # tests/ is on the path, as for conftest
import pytest

from archive_app.core import index_files
from archive_app.core.archive import Archive
from archive_app.core.index import DAMAGED_FILE, IndexDamaged, SearchIndex
from archive_app.core.models import SearchRequest

ARTICLES = 24


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> tuple[Path, list[harness.CorpusFile]]:
    base = tmp_path_factory.mktemp("damage")
    files = harness.make_corpus(base / "corpus", ARTICLES, seed=3)
    root = base / "archive"
    with Archive.open(root, mode="write") as archive:
        archive.import_paths([base / "corpus" / f.name for f in files])
        archive.tag(archive.search(SearchRequest(query=files[0].marker)).hits[0].id, ["kept"])
    return root, files


@pytest.fixture
def damaged(_template, tmp_path: Path) -> tuple[Path, list[harness.CorpusFile]]:
    root, files = _template
    copy = tmp_path / "archive"
    shutil.copytree(root, copy)
    return copy, files


def _segment(root: Path) -> Path:
    return next((root / "index").glob("*.seg"))


def _toc(root: Path) -> Path:
    return next((root / "index").glob("_MAIN_*.toc"))


def _scramble(path: Path, *, keep_time: bool = False) -> None:
    """Overwrite a run of bytes in the middle with noise, in place: same size, other content."""
    info = path.stat()
    noise = random.Random(5).randbytes(min(400, info.st_size // 3))
    with path.open("r+b") as handle:
        handle.seek(info.st_size // 3)
        handle.write(noise)
    if keep_time:
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


DAMAGE = {
    "index folder deleted": lambda root: shutil.rmtree(root / "index"),
    "segment deleted": lambda root: _segment(root).unlink(),
    "segment truncated": lambda root: _truncate(_segment(root)),
    "segment scrambled": lambda root: _scramble(_segment(root)),
    "segment emptied": lambda root: _segment(root).write_bytes(b""),
    "table of contents deleted": lambda root: _toc(root).unlink(),
    "table of contents truncated": lambda root: _truncate(_toc(root)),
    "table of contents scrambled": lambda root: _scramble(_toc(root)),
}


def _answers(archive: Archive, files: list[harness.CorpusFile]) -> list[list[str]]:
    return [[h.id for h in archive.search(SearchRequest(query=f.marker)).hits] for f in files] + [
        [h.id for h in archive.search(SearchRequest(tags=("kept",))).hits]
    ]


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damage_is_rebuilt_on_open_with_progress(damaged, damage: str):
    root, files = damaged
    with Archive.open(root, mode="write") as archive:
        before = _answers(archive, files)
    DAMAGE[damage](root)
    calls: list[tuple[int, int]] = []

    with Archive.open(root, mode="write", progress=lambda d, t: calls.append((d, t))) as archive:
        assert calls and calls[-1] == (ARTICLES, ARTICLES)
        assert _answers(archive, files) == before
        assert all(len(ids) == 1 for ids in before)
        report = archive.check()
        assert report.ok and report.problems == ()


def test_a_healthy_index_opens_without_hashing_or_rebuilding(damaged, monkeypatch):
    root, _ = damaged
    hashed: list[Path] = []
    real = index_files.sha256_of
    monkeypatch.setattr(index_files, "sha256_of", lambda p: hashed.append(p) or real(p))
    calls: list[tuple[int, int]] = []

    with Archive.open(root, mode="write", progress=lambda d, t: calls.append((d, t))) as archive:
        assert archive.article_count() == ARTICLES

    assert hashed == [] and calls == []


def test_an_index_without_checksums_gets_them_once(damaged, monkeypatch):
    root, _ = damaged
    (root / "index" / index_files.CHECKSUMS_FILE).unlink()
    calls: list[tuple[int, int]] = []

    with Archive.open(root, mode="write", progress=lambda d, t: calls.append((d, t))):
        pass

    assert calls == []  # trusted and recorded, not rebuilt
    assert (root / "index" / index_files.CHECKSUMS_FILE).is_file()
    _scramble(_segment(root))
    with Archive.open(root, mode="write", progress=lambda d, t: calls.append((d, t))):
        assert calls[-1] == (ARTICLES, ARTICLES)


def test_scrambling_that_keeps_the_file_time_is_found_by_check(damaged):
    root, files = damaged
    with Archive.open(root, mode="write") as archive:
        # Altered under an open archive, its time put back: only hashing every byte sees it.
        _scramble(_segment(root), keep_time=True)
        report = archive.check()
        assert not report.ok
        assert any("has changed since it was written" in p for p in report.problems)

        repaired = archive.check(repair=True)
        assert repaired.ok, repaired.unrepairable
        assert any("rebuilt" in line for line in repaired.repaired)
        assert archive.check().problems == ()
        assert len(archive.search(SearchRequest(query=files[5].marker)).hits) == 1


def test_damage_met_while_searching_is_marked_and_rebuilt_on_the_next_open(damaged):
    root, files = damaged
    _truncate(_segment(root))
    index = SearchIndex(root / "index")  # opened without the check on open

    with pytest.raises(IndexDamaged, match="damaged"):
        index.search(files[0].marker)
    index.discard()

    assert (root / "index" / DAMAGED_FILE).is_file()
    calls: list[tuple[int, int]] = []
    with Archive.open(root, mode="write", progress=lambda d, t: calls.append((d, t))) as archive:
        assert calls[-1] == (ARTICLES, ARTICLES)
        assert not (root / "index" / DAMAGED_FILE).exists()
        assert len(archive.search(SearchRequest(query=files[0].marker)).hits) == 1


def test_commits_record_checksums_of_what_they_wrote(archive: Archive, tmp_path: Path):
    files = harness.make_corpus(tmp_path / "corpus", 3, seed=9)
    for entry in files:
        archive.import_paths([tmp_path / "corpus" / entry.name])
        health = archive.index.health()
        assert health.problems == ()
    assert sorted(archive.index.health().ids) == sorted(archive.index.all_ids())
    record = (archive.root / "index" / index_files.CHECKSUMS_FILE).read_text()
    for name in os.listdir(archive.root / "index"):
        if name.endswith((".seg", ".toc")):
            assert name in record


def test_the_command_line_rebuilds_an_index_found_damaged_while_searching(
    cli, archive_dir: Path, monkeypatch
):
    with Archive.open(archive_dir) as archive:
        archive.import_paths(_pages_for_cli(archive_dir.parent))
    real = SearchIndex.search
    failures = []

    def damaged_once(self, *args, **kwargs):
        if not failures:
            failures.append(self)
            raise IndexDamaged("a segment of the index cannot be read")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", damaged_once)
    code, out, err = cli("--archive", archive_dir, "search", "lighthouse")

    assert code == 0
    assert "the search index is damaged" in err and "rebuilding" in err
    assert "Lighthouse keepers" in out


def _pages_for_cli(folder: Path) -> list[Path]:
    page = folder / "lighthouse.txt"
    page.write_text("Lighthouse keepers\n\nThe lighthouse keepers met in the harbour.", "utf-8")
    return [page]
