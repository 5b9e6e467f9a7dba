"""The window over an archive another program is changing, a damaged one, and a rebuilt index."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from archive_app.core import backups
from archive_app.core.index import IndexDamaged
from archive_app.gui.main_window import ArchiveChoice, MainWindow, Places
from archive_app.gui.settings import Settings

pytestmark = pytest.mark.gui

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE = PROJECT / "resources" / "sample"
HOLD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from archive_app.core.locking import WriteLock

    lock = WriteLock(Path(sys.argv[1]) / "write.lock")
    lock.acquire()
    print("holding", flush=True)
    sys.stdin.read()
    """
)


@pytest.fixture
def sample_copy(_sample_archive_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "sample-copy"
    shutil.copytree(_sample_archive_template, root, ignore=shutil.ignore_patterns("write.lock"))
    return root


@pytest.fixture
def window(qtbot, tasks, tmp_path: Path):
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    places = Places(tmp_path / "default-archive", tmp_path / "demo-archive", SAMPLE)
    made = MainWindow(settings, tasks, places)
    qtbot.addWidget(made)
    made.show()
    yield made
    made._close_archive()


@pytest.fixture
def other_program(sample_copy: Path):
    """Another process holding the archive open for changes."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(sample_copy)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )
    assert process.stdout.readline().strip() == "holding"
    yield process
    process.stdin.close()
    process.wait(timeout=30)


def test_an_archive_open_elsewhere_is_searchable_and_says_why_it_cannot_change(
    window: MainWindow, sample_copy: Path, other_program, tmp_path: Path
):
    window.open_archive(ArchiveChoice(sample_copy))

    assert window.pages.currentWidget() is window.library
    assert window.result_ids.total == window.archive.article_count() > 0
    pid = f"pid {other_program.pid} "
    assert window.banner.isVisible()
    assert "Read-only" in window.banner.text() and pid in window.banner.text()
    assert "(read-only)" in window.windowTitle()
    for action in window.write_actions:
        assert not action.isEnabled()
        assert pid in action.statusTip()
    assert window.export_action.isEnabled() and window.compare_action.isEnabled()

    dropped = tmp_path / "dropped.txt"
    dropped.write_text("Dropped\n\nA file dropped on the window.", "utf-8")
    window.import_paths([dropped])  # as a drop would
    (box,) = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert pid in box.text() and "Nothing was changed" in box.text()


def test_once_the_other_program_closes_the_archive_opens_for_changes(
    window: MainWindow, sample_copy: Path, other_program
):
    window.open_archive(ArchiveChoice(sample_copy))
    assert window.archive.read_only
    other_program.stdin.close()
    other_program.wait(timeout=30)

    window._banner_link("reopen")

    assert window.archive.read_only is None
    assert not window.banner.isVisible()
    assert all(action.isEnabled() for action in window.write_actions)


def test_a_damaged_catalog_offers_its_last_good_backup(
    window: MainWindow, sample_copy: Path, monkeypatch
):
    backups.create_backup(sample_copy / "catalog.sqlite3", sample_copy / "backups", "daily")
    with (sample_copy / "catalog.sqlite3").open("r+b") as handle:
        handle.write(b"not a catalog any more" * 8)

    window.open_archive(ArchiveChoice(sample_copy))

    assert window.pages.currentWidget() is window.problem
    assert "damaged" in window.problem.message.text()
    assert window.restore_button.isVisible()

    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args, **kwargs: asked.append(args) or QMessageBox.StandardButton.Yes,
    )
    window.restore_button.click()

    assert len(asked) == 1  # confirmed first
    assert window.pages.currentWidget() is window.library
    assert window.archive.article_count() > 0
    assert "Restored the catalog backup" in window.statusBar().currentMessage()
    assert list(sample_copy.glob("catalog.sqlite3.replaced-*"))
    assert not window.restore_button.isVisible()


def test_a_rebuilt_index_shows_its_progress_while_opening(
    window: MainWindow, sample_copy: Path, monkeypatch
):
    shutil.rmtree(sample_copy / "index")
    shown = []
    original = window.busy.show_progress
    monkeypatch.setattr(
        window.busy,
        "show_progress",
        lambda title, done=0, total=0, detail="": (
            shown.append((title, done, total)) or original(title, done, total, detail)
        ),
    )

    window.open_archive(ArchiveChoice(sample_copy))

    rebuilding = [s for s in shown if s[0] == "Rebuilding the search index…"]
    assert rebuilding and rebuilding[-1][1] == rebuilding[-1][2] == window.archive.article_count()
    assert window.pages.currentWidget() is window.library


def test_damage_found_while_searching_rebuilds_the_index_and_searches_again(
    window: MainWindow, sample_copy: Path, monkeypatch
):
    window.open_archive(ArchiveChoice(sample_copy))
    total = window.result_ids.total
    damaged = window.archive.index

    def unreadable(*_args, **_kwargs):
        raise IndexDamaged("a segment of the index cannot be read")

    monkeypatch.setattr(damaged, "search_ids", unreadable)
    window.search()

    assert window.archive.index is not damaged  # built again from the catalog
    assert window.pages.currentWidget() is window.library
    assert window.result_ids.total == total
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_import_limits_open_from_the_edit_menu(window: MainWindow, sample_copy: Path):
    window.open_archive(ArchiveChoice(sample_copy))
    assert window.limits_action.isEnabled()

    dialog = window.show_limits()

    assert dialog.isVisible()
    assert dialog.values()["max_file_mb"] == window.archive.limits.max_file_mb
    dialog.reject()


def test_the_daily_catalog_backup_is_made_after_the_window_opens(
    window: MainWindow, sample_copy: Path
):
    shutil.rmtree(sample_copy / "backups", ignore_errors=True)
    window.open_archive(ArchiveChoice(sample_copy))

    assert window.pages.currentWidget() is window.library
    assert not window.archive.daily_backup_due
    (made,) = backups.list_backups(sample_copy / "backups")
    assert made.reason == "daily"
