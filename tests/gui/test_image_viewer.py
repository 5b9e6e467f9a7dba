"""The image viewer: large, zoomable, stepping through images, saving the stored bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from archive_app.core.models import ImageRef, SearchRequest
from archive_app.gui import image_viewer
from archive_app.gui.image_viewer import ImageViewer, suggested_filename

pytestmark = pytest.mark.gui


def stored_images(archive) -> list[ImageRef]:
    refs = []
    for hit in archive.search(SearchRequest(limit=200, snippets=False, sort="oldest")).hits:
        refs.extend(ref for ref in archive.get(hit.id).images if ref.sha256)
    assert len(refs) >= 3
    return refs


@pytest.fixture
def viewer(sample_archive, tasks, qtbot):
    widget = ImageViewer(sample_archive, tasks, stored_images(sample_archive), 1)
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    widget.show()
    qtbot.waitExposed(widget)
    widget.fit_to_window()
    return widget


def test_opens_at_the_start_index_and_steps_through(viewer, sample_archive):
    refs = stored_images(sample_archive)
    assert viewer.index == 1 and viewer.current == refs[1]
    assert viewer.caption.text() == (refs[1].caption or refs[1].alt or refs[1].title)
    assert f"{refs[1].width} × {refs[1].height} pixels" in viewer.details.text()
    assert refs[1].format.upper() in viewer.details.text()
    viewer.next_image()
    assert viewer.current == refs[2]
    viewer.previous_image()
    viewer.previous_image()
    assert viewer.index == 0 and not viewer.previous_button.isEnabled()
    viewer.previous_image()
    assert viewer.index == 0
    assert "of" in viewer.windowTitle()


def test_arrow_keys_step_and_escape_closes(viewer, qtbot):
    viewer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is viewer)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.index == 2
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.index == 1
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible()


def test_zoom_changes_the_scale_and_zero_fits_again(viewer, qtbot):
    fit = viewer.scale()
    assert viewer.zoom is None and 0 < fit <= 1
    size = viewer.canvas.image_size
    viewer.zoom_in()
    assert viewer.scale() == pytest.approx(fit * 1.25)
    assert viewer.canvas.width() == round(size.width() * viewer.scale())
    viewer.actual_size()
    assert viewer.scale() == 1.0
    viewer.zoom_in()
    viewer.zoom_in()
    assert viewer.canvas.width() > viewer.area.viewport().width()  # now it pans
    viewer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is viewer)
    qtbot.keyClick(viewer, Qt.Key.Key_0)
    assert viewer.zoom is None and viewer.scale() == pytest.approx(fit)
    qtbot.keyClick(viewer, Qt.Key.Key_1)
    assert viewer.scale() == 1.0


def test_ctrl_wheel_zooms(viewer):
    before = viewer.scale()
    centre = QPointF(viewer.area.viewport().rect().center())
    event = QWheelEvent(
        centre,
        viewer.area.viewport().mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewer.area.viewport(), event)
    assert viewer.scale() == pytest.approx(before * 1.25)


def test_save_as_writes_the_stored_bytes(viewer, sample_archive, monkeypatch, tmp_path):
    asked: list[str] = []
    target = tmp_path / "kept"

    def choose(parent, caption, suggested, filters):
        asked.append(suggested)
        return str(target), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    ref = viewer.current
    saved = viewer.save_as()
    expected = ".jpg" if ref.format.upper() == "JPEG" else f".{ref.format.lower()}"
    assert Path(asked[0]).suffix == expected
    assert saved == target.with_suffix(expected)
    assert saved.read_bytes() == sample_archive.image_path(ref.sha256).read_bytes()


def test_save_as_cancelled_is_not_an_error(viewer, monkeypatch):
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: asked.append(a) or ("", ""))
    assert viewer.save_as() is None
    assert len(asked) == 1


def test_a_large_image_is_decoded_in_a_task(sample_archive, threaded_tasks, qtbot, monkeypatch):
    monkeypatch.setattr(image_viewer, "LARGE_PIXELS", 0)
    widget = ImageViewer(sample_archive, threaded_tasks, stored_images(sample_archive), 0)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.message.text() == "Loading…"
    qtbot.waitUntil(lambda: widget.canvas.image_size.width() > 0, timeout=5000)
    assert widget.message.isHidden()


def test_a_missing_blob_is_reported_in_the_window(sample_archive, tasks, qtbot):
    refs = stored_images(sample_archive)
    sample_archive.image_path(refs[0].sha256).unlink()
    widget = ImageViewer(sample_archive, tasks, refs, 0)
    qtbot.addWidget(widget)
    widget.show()
    assert "could not be shown" in widget.message.text()
    widget.next_image()
    assert widget.message.isHidden()


def test_suggested_file_names():
    ref = ImageRef(0, "ab" * 32, "", 10, 10, "JPEG", "Stalls in the square", "", "", "", "lead")
    assert suggested_filename(ref) == "stalls-in-the-square.jpg"
    linked = ImageRef(
        2, "ab" * 32, "https://x.org/img/market%20day.png", 1, 1, "PNG", "", "", "", "", ""
    )
    assert suggested_filename(linked) == "market day.png"
    bare = ImageRef(2, "ab" * 32, "", 1, 1, "GIF", "", "", "", "", "")
    assert suggested_filename(bare, "") == "image-3.gif"
    assert suggested_filename(bare, "Trial opens") == "trial-opens.gif"
