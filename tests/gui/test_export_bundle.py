"""File → Export as an archive bundle: the whole archive, whatever is selected or searched."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from archive_app.core.archive import Archive
from archive_app.core.models import BundleReport, SearchRequest
from archive_app.gui import import_flow
from archive_app.gui.export_dialog import ExportDialog, done_text

pytestmark = pytest.mark.gui


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_bundle_is_the_whole_archive(sample_archive, tasks, parent, qtbot, tmp_path: Path):
    found = list(sample_archive.search_ids(SearchRequest(query="children")).ids)
    dialog = ExportDialog(
        sample_archive, tasks, found[:2], found, "children", parent, folder=tmp_path
    )
    qtbot.addWidget(dialog)
    assert dialog.selected_radio.isEnabled() and dialog.all_radio.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "everything.csv"))
    dialog.set_format("bundle")
    assert dialog.target() == tmp_path / "everything.zip"
    # Neither the selection nor the search applies to a bundle.
    assert not dialog.selected_radio.isEnabled() and not dialog.all_radio.isEnabled()
    reports: list = []
    dialog.exported.connect(reports.append)

    dialog.export_button.click()

    (report,) = reports
    assert isinstance(report, BundleReport) and not report.cancelled
    assert report.articles == sample_archive.article_count() > len(found)
    assert dialog.status.text() == done_text(report)
    assert "whole archive" in dialog.status.text() and str(tmp_path / "everything.zip") in (
        dialog.status.text()
    )
    with zipfile.ZipFile(tmp_path / "everything.zip") as bundle:
        assert "manifest.json" in bundle.namelist()
    # Back to a format of articles: the choice of scope returns.
    dialog.set_format("json")
    assert dialog.selected_radio.isEnabled() and dialog.all_radio.isEnabled()


def test_a_bundle_of_an_empty_archive_can_be_written(archive, tasks, parent, qtbot, tmp_path):
    dialog = ExportDialog(archive, tasks, [], [], "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText("empty")
    dialog.set_format("bundle")
    dialog.start()
    assert dialog.last_report is not None and dialog.last_report.articles == 0
    assert (tmp_path / "empty.zip").is_file()


def test_cancelling_a_bundle_writes_nothing(sample_archive, tasks, parent, qtbot, tmp_path):
    dialog = ExportDialog(sample_archive, tasks, [], [], "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText("cancelled")
    dialog.set_format("bundle")
    original = sample_archive.export_bundle

    def cancelled_at_once(target, progress=None, cancel: threading.Event | None = None):
        assert cancel is not None
        cancel.set()
        return original(target, progress=progress, cancel=cancel)

    sample_archive.export_bundle = cancelled_at_once
    dialog.start()
    assert dialog.last_report is not None and dialog.last_report.cancelled
    assert dialog.status.text() == "Export cancelled. Nothing was written."
    assert list(tmp_path.iterdir()) == [tmp_path / "sample-archive"]


def test_the_restored_bundle_opens_like_the_original(
    sample_archive: Archive, tasks, parent, qtbot, tmp_path
):
    dialog = ExportDialog(sample_archive, tasks, [], [], "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText("moved")
    dialog.set_format("bundle")
    dialog.start()
    with Archive.open(tmp_path / "elsewhere") as restored:
        report = restored.import_paths([tmp_path / "moved.zip"])
        assert len(report.imported) == sample_archive.article_count()
        assert restored.search_ids(SearchRequest(query="children")).ids == (
            sample_archive.search_ids(SearchRequest(query="children")).ids
        )


def test_the_import_dialog_lets_a_bundle_through():
    # The file dialog's first filter is the one shown; "All files" lets a .zip through.
    assert "All files (*)" in import_flow.FILE_FILTERS
