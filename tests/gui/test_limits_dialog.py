"""The import limits dialog: shows the archive's limits, saves changes, refuses bad values."""

from __future__ import annotations

import json

import pytest

from archive_app.core.limits import DEFAULT_LIMITS, Limits
from archive_app.gui.limits_dialog import LimitsDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(archive, tasks, qtbot):
    shown = LimitsDialog(archive, tasks)
    qtbot.addWidget(shown)
    return shown


def test_the_current_limits_are_shown(archive, tasks, qtbot) -> None:
    archive.set_limits(max_file_mb=64)
    dialog = LimitsDialog(archive, tasks)
    qtbot.addWidget(dialog)
    assert dialog.values() == {
        "max_file_mb": 64,
        "max_image_megapixels": 80,
        "max_text_chars": 5_000_000,
    }
    assert dialog.changes() == {}
    assert not dialog.warning_label.isVisibleTo(dialog)


def test_changes_are_saved_in_the_archive(dialog, archive, qtbot) -> None:
    dialog.fields["max_image_megapixels"].setValue(120)
    dialog.fields["max_text_chars"].setValue(20_000)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert saved.args == [Limits(max_image_megapixels=120, max_text_chars=20_000)]
    assert archive.limits == saved.args[0]
    stored = json.loads((archive.root / "archive.json").read_text("utf-8"))["limits"]
    assert stored["max_image_megapixels"] == 120


def test_values_outside_the_range_cannot_be_entered(dialog) -> None:
    box = dialog.fields["max_image_megapixels"]
    box.setValue(10_000)
    assert box.value() == 178
    box.setValue(0)
    assert box.value() == 1


def test_defaults_are_restored(dialog, archive) -> None:
    archive.set_limits(max_file_mb=2)
    dialog.fields["max_file_mb"].setValue(2)
    dialog.restore_defaults()
    assert dialog.values() == DEFAULT_LIMITS.as_dict()
    assert dialog.changes() == {"max_file_mb": 512}


def test_ignored_stored_values_are_shown(archive_dir, tasks, qtbot) -> None:
    from archive_app.core.archive import Archive

    Archive.open(archive_dir).close()
    marker = archive_dir / "archive.json"
    info = json.loads(marker.read_text("utf-8"))
    info["limits"] = {"max_file_mb": "lots"}
    marker.write_text(json.dumps(info), "utf-8")
    with Archive.open(archive_dir) as archive:
        dialog = LimitsDialog(archive, tasks)
        qtbot.addWidget(dialog)
        assert dialog.warning_label.isVisibleTo(dialog)
        assert "largest file" in dialog.warning_label.text()
        assert dialog.values()["max_file_mb"] == 512
