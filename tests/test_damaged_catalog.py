"""A catalog SQLite cannot read is reported, never written to, and restorable in one command."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive_app.core import backups
from archive_app.core.archive import Archive
from archive_app.core.catalog import CatalogDamaged
from archive_app.core.models import SearchRequest

PROJECT = Path(__file__).resolve().parents[1]


def _article(folder: Path, name: str, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{title} and the children's shelter.", "utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An archive with two articles and no backup yet."""
    root = tmp_path / "archive"
    with Archive.open(root) as archive:
        archive.import_paths([_article(tmp_path / "in", "a.txt", "Shelter opens")])
        archive.import_paths([_article(tmp_path / "in", "b.txt", "Refuge closes")])
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _overwrite_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"this is not what SQLite wrote!!!" * 4)


def _damage_an_index_page(path: Path) -> None:
    """Overwrite one index b-tree page: the file opens, every-page checks fail."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'articles_text_sha'"
    ).fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\x0d" + b"\xff" * (page_size - 1))


def test_a_garbled_catalog_is_reported_with_the_restore_command(root: Path):
    catalog = root / "catalog.sqlite3"
    _overwrite_header(catalog)
    before = {p.name: _digest(p) for p in root.iterdir() if p.is_file()}

    with pytest.raises(CatalogDamaged) as damaged:
        Archive.open(root)

    message = str(damaged.value)
    assert str(catalog) in message
    assert "file is not a database" in message  # what SQLite said
    assert f"archive-app --archive {root} backups restore" in message
    assert {p.name: _digest(p) for p in root.iterdir() if p.is_file()} == before
    with pytest.raises(CatalogDamaged):  # the same in read-only mode
        Archive.open(root, mode="read")


def test_a_crashed_writers_journal_is_not_replayed_into_a_damaged_catalog(root: Path):
    # A writer killed after a commit leaves that commit in the -wal file.
    crash = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from archive_app.core.archive import Archive

        archive = Archive.open(Path(sys.argv[1]))
        archive.set_note(archive.search_ids(archive_request()).ids[0], "kept in the journal")
        """
    ).replace(
        "archive_request()", "__import__('archive_app.core.models').core.models.SearchRequest()"
    )
    crash += "os.kill(os.getpid(), 9)\n"
    subprocess.run([sys.executable, "-c", crash, str(root)], cwd=PROJECT, check=False)
    catalog, wal = root / "catalog.sqlite3", root / "catalog.sqlite3-wal"
    assert wal.exists() and wal.stat().st_size > 0
    # (Page 1 is in the journal, which SQLite would read instead of a garbled header.)
    _damage_an_index_page(catalog)
    # The writer made the day's copy; without it the next open reads every page first.
    shutil.rmtree(root / "backups")
    before = (_digest(catalog), _digest(wal), _digest(root / "archive.json"))

    with pytest.raises(CatalogDamaged):
        Archive.open(root)

    assert (_digest(catalog), _digest(wal), _digest(root / "archive.json")) == before


def test_a_damaged_page_is_found_before_the_daily_copy(root: Path):
    _damage_an_index_page(root / "catalog.sqlite3")
    with pytest.raises(CatalogDamaged, match="backups restore"):
        Archive.open(root)  # no copy yet today: every page is read first
    assert backups.list_backups(root / "backups") == []  # and no damaged copy was kept


def test_a_missing_catalog_is_damage_not_a_new_archive(root: Path):
    (root / "catalog.sqlite3").unlink()
    with pytest.raises(CatalogDamaged, match="missing"):
        Archive.open(root)
    assert not (root / "catalog.sqlite3").exists()


def test_one_command_restores_the_last_good_catalog(root: Path, tmp_path: Path, cli):
    Archive.open(root).close()  # the day's copy
    _overwrite_header(root / "catalog.sqlite3")

    code, _, err = cli("--archive", root, "search", "shelter")
    assert code == 1
    assert "damaged" in err and "backups restore" in err

    code, out, err = cli("--archive", root, "backups", "restore")
    assert code == 0, err
    assert "Restored catalog-" in out

    code, out, err = cli("--archive", root, "search", "shelter")
    assert code == 0, err
    assert "Shelter opens" in out and "Refuge closes" in out
    assert "Rebuilding the search index… 2/2" in err  # the index went with the old catalog
    with Archive.open(root) as archive:
        assert archive.search(SearchRequest(query="refuge")).total == 1
