"""File → Check Archive…: the report, the offer to repair, and the repair itself."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from archive_app.gui.check_flow import CheckFlow

pytestmark = pytest.mark.gui


@pytest.fixture
def flow(sample_archive, tasks, qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    return CheckFlow(sample_archive, tasks, window)


def _buttons(box: QMessageBox) -> list[str]:
    return [b.text().replace("&", "") for b in box.buttons()]


def test_a_sound_archive_is_reported_consistent(flow, sample_archive, qtbot):
    shown: list[str] = []
    flow.progress.connect(shown.append)
    with qtbot.waitSignal(flow.finished) as done:
        flow.start()

    assert done.args[0].ok
    assert "The archive is consistent" in flow.box.text()
    assert f"{sample_archive.article_count():,} articles" in flow.box.text()
    assert "Repair" not in _buttons(flow.box)
    assert shown[0] == "Checking the archive…" and shown[-1] == ""


def test_what_can_be_repaired_is_offered_and_repaired(flow, sample_archive, qtbot):
    stray = sample_archive.blobs.put(b"a file the catalog does not list")
    flow.start()
    assert "1 problem(s) found" in flow.box.text() and "1 can be repaired now" in flow.box.text()
    assert stray in flow.box.detailedText()

    (repair,) = [b for b in flow.box.buttons() if b.text() == "Repair"]
    with qtbot.waitSignal(flow.finished) as done:
        repair.click()

    assert done.args[0].repaired and not sample_archive.blobs.exists(stray)
    assert "Every problem found was repaired" in flow.box.text()


def test_what_cannot_be_repaired_says_what_restores_it(flow, sample_archive, qtbot):
    article = sample_archive.get(sample_archive.catalog.query("SELECT id FROM articles")[0][0])
    sample_archive.original_path(article.id).write_bytes(b"altered")
    flow.start()

    assert "cannot be repaired here" in flow.box.text()
    assert "Repair" not in _buttons(flow.box)
    assert article.id in flow.box.detailedText()
    assert flow.box.icon() == QMessageBox.Icon.Warning
