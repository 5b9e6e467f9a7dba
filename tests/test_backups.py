"""Catalog backups: made daily and before upgrades, verified, pruned, listed, restored."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive_app.core import backups, catalog
from archive_app.core.archive import Archive
from archive_app.core.locking import ArchiveLocked, WriteLock
from archive_app.core.models import SearchRequest


def _article(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{body}", "utf-8")
    return path


def _clock(when: datetime):
    return lambda: when


def _archive_with(root: Path, tmp_path: Path, *titles: str) -> None:
    with Archive.open(root) as archive:
        for n, title in enumerate(titles):
            path = _article(tmp_path / "in", f"{n}-{title}.txt", title, f"{title} body text.")
            assert len(archive.import_paths([path]).imported) == 1


def test_opening_keeps_one_verified_copy_a_day(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")  # a new, empty archive gets no copy
    assert backups.list_backups(root / "backups") == []

    Archive.open(root).close()
    (first,) = backups.list_backups(root / "backups")
    assert first.reason == "daily" and first.articles == 1
    assert backups.integrity_problems(first.path) == []
    assert not Path(f"{first.path}-wal").exists()  # a self-contained file

    Archive.open(root).close()  # the same day: nothing new
    assert backups.list_backups(root / "backups") == [first]

    # A day later (the copy's name carries its time) the next open makes another.
    older = first.path.with_name(first.name.replace(first.name[8:24], "20200101T000000Z"))
    first.path.rename(older)
    Archive.open(root).close()
    assert [b.reason for b in backups.list_backups(root / "backups")] == ["daily", "daily"]


def test_the_daily_copy_can_be_left_for_after_opening(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")

    with Archive.open(root, backup_now=False) as archive:
        assert archive.daily_backup_due
        assert backups.list_backups(root / "backups") == []
        assert archive.make_daily_backup() == ""
        assert not archive.daily_backup_due
    (made,) = backups.list_backups(root / "backups")
    assert made.reason == "daily" and made.articles == 1

    with Archive.open(root, backup_now=False) as archive:  # the same day: not due
        assert not archive.daily_backup_due


def test_pruning_keeps_seven_daily_recent_upgrade_and_manual_copies(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")
    folder = root / "backups"
    source = root / "catalog.sqlite3"
    now = datetime(2025, 6, 30, 12, tzinfo=UTC)
    for day in range(10):
        backups.create_backup(source, folder, "daily", now=_clock(now - timedelta(days=day)))
    old = backups.create_backup(source, folder, "before-v3", now=_clock(now - timedelta(days=91)))
    recent = backups.create_backup(source, folder, "before-v4", now=_clock(now - timedelta(days=5)))
    manual = backups.create_backup(source, folder, "manual", now=_clock(now - timedelta(days=400)))

    removed = backups.prune(folder, now=_clock(now))

    kept = backups.list_backups(folder)
    daily = [b for b in kept if b.reason == "daily"]
    assert len(daily) == 7 and daily[0].created_at == now
    assert old.path in removed and not old.path.exists()
    assert recent in kept and manual in kept
    assert len(removed) == 4


def test_two_copies_in_one_second_get_two_names(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")
    when = _clock(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    a = backups.create_backup(root / "catalog.sqlite3", root / "backups", "manual", now=when)
    b = backups.create_backup(root / "catalog.sqlite3", root / "backups", "manual", now=when)
    assert a.path != b.path and b.reason == "manual" and b.created_at == a.created_at


def test_a_copy_that_fails_its_check_is_deleted_and_reported(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter", "Refuge")
    source = root / "catalog.sqlite3"
    _damage_an_index_page(source)
    with pytest.raises(backups.BackupError, match="failed its integrity check and was deleted"):
        backups.create_backup(source, root / "backups", "manual")
    assert list((root / "backups").iterdir()) == []


def test_an_upgrade_is_preceded_by_a_verified_copy(tmp_path: Path, monkeypatch):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")
    upgraded = catalog.SCHEMA_VERSION + 1
    monkeypatch.setattr(catalog, "MIGRATIONS", (*catalog.MIGRATIONS, "CREATE TABLE later (x);"))
    monkeypatch.setattr(catalog, "SCHEMA_VERSION", upgraded)

    Archive.open(root).close()

    copies = backups.list_backups(root / "backups")
    assert [b.reason for b in copies] == [f"before-v{upgraded}"]
    with sqlite3.connect(copies[0].path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == upgraded - 1
    with sqlite3.connect(root / "catalog.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == upgraded


def test_restore_puts_back_the_copy_and_keeps_later_files_for_import(tmp_path: Path, cli):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")
    code, out, _ = cli("--archive", root, "backups", "create")
    assert code == 0 and "verified" in out
    later = _article(tmp_path / "later", "report-kherson.txt", "Later report", "Imported later.")
    with Archive.open(root) as archive:
        archive.import_paths([later])
        assert archive.article_count() == 2

    code, out, err = cli("--archive", root, "backups", "restore")
    assert code == 0, err
    assert "kept as" in out and "report-kherson.txt" in out
    replaced = [p for p in root.glob("catalog.sqlite3.replaced-*") if p.suffix != ".sqlite3"]
    replaced = [p for p in replaced if not p.name.endswith(("-wal", "-shm"))]
    assert len(replaced) == 1  # the catalog in use was moved aside, not deleted
    with sqlite3.connect(f"file:{replaced[0]}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    recovered = next((root / "recovered").glob("*/report-kherson.txt"))
    assert recovered.read_bytes() == later.read_bytes()
    assert f"import {recovered.parent}" in (root / "recovered" / "README.txt").read_text()
    assert not (root / "index").exists()

    with Archive.open(root) as archive:  # the index is rebuilt from the restored catalog
        assert archive.article_count() == 1
        assert archive.search(SearchRequest(query="shelter")).total == 1
        assert archive.check(repair=True).ok  # nothing left for a repair to delete
        assert len(archive.import_paths([recovered.parent]).imported) == 1
        assert archive.search(SearchRequest(query="later")).total == 1


def test_listing_and_choosing_copies(tmp_path: Path, cli):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")
    code, out, _ = cli("--archive", root, "backups")
    assert code == 0 and "No catalog backups yet" in out
    cli("--archive", root, "backups", "create")
    code, out, _ = cli("--archive", root, "backups", "list", "--json")
    (listed,) = json.loads(out)["backups"]
    assert listed["reason"] == "manual" and listed["articles"] == 1 and listed["size"] > 0
    code, _, err = cli("--archive", root, "backups", "restore", "catalog-19990101")
    assert code == 1 and "no backup" in err
    code, out, _ = cli("--archive", root, "backups", "restore", listed["name"])
    assert code == 0 and listed["name"] in out


def test_restore_is_refused_while_the_archive_is_open_for_changes(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter")
    backups.create_backup(root / "catalog.sqlite3", root / "backups", "manual")
    lock = WriteLock(root / "write.lock")
    lock.acquire()
    try:
        with pytest.raises(ArchiveLocked):
            backups.restore(root)
    finally:
        lock.release()
    assert not list(root.glob("catalog.sqlite3.replaced-*"))


def test_restore_skips_a_damaged_copy_for_the_newest_good_one(tmp_path: Path):
    root = tmp_path / "archive"
    _archive_with(root, tmp_path, "Shelter", "Refuge")
    folder = root / "backups"
    day = datetime(2025, 3, 1, tzinfo=UTC)
    good = backups.create_backup(root / "catalog.sqlite3", folder, "daily", now=_clock(day))
    bad = backups.create_backup(
        root / "catalog.sqlite3", folder, "daily", now=_clock(day + timedelta(days=1))
    )
    _damage_an_index_page(bad.path)
    assert backups.choose_backup(folder, None) == good
    with pytest.raises(backups.BackupError, match="damaged too"):
        backups.choose_backup(folder, bad.name)


def _damage_an_index_page(path: Path) -> None:
    """Overwrite the pages of one index b-tree: the file opens, integrity_check fails."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root_page = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'articles_text_sha'"
        ).fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root_page - 1) * page_size)
        handle.write(b"\x0d" + b"\xff" * (page_size - 1))
