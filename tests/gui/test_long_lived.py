"""While an archive is open, full garbage collections leave the objects that live with it alone."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from archive_app.gui.main_window import ArchiveChoice, MainWindow, Places
from archive_app.gui.settings import Settings

pytestmark = pytest.mark.gui

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample"


class _Cycle:
    """Garbage only the cyclic collector can free: it refers to itself."""

    def __init__(self) -> None:
        self.itself = self


@pytest.fixture
def window(qtbot, tasks, tmp_path: Path, _sample_archive_template: Path):
    root = tmp_path / "sample-copy"
    shutil.copytree(_sample_archive_template, root, ignore=shutil.ignore_patterns("write.lock"))
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    places = Places(tmp_path / "default-archive", tmp_path / "demo-archive", SAMPLE)
    made = MainWindow(settings, tasks, places)
    qtbot.addWidget(made)
    made.show()

    def open_archive() -> MainWindow:
        made.open_initial_archive(ArchiveChoice(root))  # inline tasks: open on return
        return made

    yield open_archive
    made._close_archive()
    gc.unfreeze()  # whatever the test did, later tests get an ordinary collector


def test_objects_alive_when_the_archive_opened_are_left_out_of_collections(window):
    earlier = _Cycle()
    gone = weakref.ref(earlier)
    opened = window()
    assert opened.archive is not None
    assert gc.get_freeze_count() > 0
    del earlier
    gc.collect()
    assert gone() is not None  # not visited: a full collection skips it


def test_closing_the_archive_hands_its_objects_back_to_the_collector(window):
    earlier = _Cycle()
    gone = weakref.ref(earlier)
    opened = window()
    del earlier
    opened._close_archive()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None


def test_objects_made_after_opening_are_collected_as_before(window):
    window()
    later = _Cycle()
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None
