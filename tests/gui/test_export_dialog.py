"""File → Export: scope, format and file chosen in the dialog, written in the background."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from archive_app.core.models import SearchRequest
from archive_app.gui import export_dialog
from archive_app.gui import tasks as gui_tasks
from archive_app.gui.export_dialog import ExportDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def search_ids(archive, query: str) -> list[str]:
    return list(archive.search_ids(SearchRequest(query=query)).ids)


def save_as(monkeypatch, path: Path) -> list[tuple]:
    asked: list[tuple] = []

    def get_save_file_name(parent, caption, start, filters):
        asked.append((start, filters))
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    return asked


class ArticleHeadings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "article":
            self.ids.append(values["id"].removeprefix("a-"))
        if tag == "img" and values.get("src", "").startswith("data:image/"):
            self.images += 1


def test_export_selected_as_csv(sample_archive, tasks, parent, qtbot, tmp_path, monkeypatch):
    everything = search_ids(sample_archive, "")
    selected = everything[:3]
    dialog = ExportDialog(sample_archive, tasks, selected, everything, "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    assert (
        dialog.selected_radio.isChecked() and dialog.selected_radio.text() == "Selected 3 articles"
    )
    assert dialog.all_radio.text() == f"All {len(everything)} results of the current search"
    assert dialog.format.key == "csv" and dialog.target().parent == tmp_path

    asked = save_as(monkeypatch, tmp_path / "picked")  # no extension typed
    dialog.choose_target()
    assert dialog.target() == tmp_path / "picked.csv"
    assert asked[0][1] == "CSV files (*.csv)"
    opened: list = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    reports = []
    dialog.exported.connect(reports.append)

    dialog.export_button.click()

    (report,) = reports
    assert (report.count, report.format, report.cancelled) == (3, "csv", False)
    with open(tmp_path / "picked.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == selected
    assert rows[0]["title"] == sample_archive.get(selected[0]).title
    assert dialog.status.text() == f"Exported 3 articles to {tmp_path / 'picked.csv'}"
    assert not dialog.open_folder_button.isHidden()
    assert opened == []  # the folder opens only when asked
    dialog.open_folder_button.click()
    assert [url.toLocalFile() for url in opened] == [str(tmp_path)]
    assert dialog.cancel_button.text() == "Close"


def test_export_whole_search_as_html_report(
    sample_archive, tasks, parent, qtbot, tmp_path, monkeypatch
):
    found = search_ids(sample_archive, "children")
    assert len(found) > 3
    provided = []

    def every_result() -> list[str]:
        provided.append(True)
        return found

    dialog = ExportDialog(
        sample_archive, tasks, found[:1], every_result, "children", parent, folder=tmp_path
    )
    qtbot.addWidget(dialog)
    assert provided == [True]
    assert dialog.all_radio.isChecked()  # one selected row is the article being read
    assert dialog.all_radio.text() == f"All {len(found)} results of “children”"
    dialog.set_format("html")
    assert dialog.target().suffix == ".html"
    save_as(monkeypatch, tmp_path / "report.html")
    dialog.choose_target()
    dialog.start()

    page = (tmp_path / "report.html").read_text("utf-8")
    parsed = ArticleHeadings()
    parsed.feed(page)
    assert parsed.ids == found
    assert parsed.images >= 1  # self-contained: images are embedded
    assert "<title>Search: children" in page and "<mark>" in page
    assert 'src="http' not in page


def test_format_choice_sets_the_extension(sample_archive, tasks, parent, qtbot, tmp_path):
    dialog = ExportDialog(sample_archive, tasks, [], [], "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    assert not dialog.selected_radio.isEnabled() and dialog.all_radio.isChecked()
    dialog.path_edit.setText(str(tmp_path / "notes.for.court.csv"))
    dialog.set_format("json")
    assert dialog.target() == tmp_path / "notes.for.court.json"
    dialog.set_format("html")
    assert dialog.target() == tmp_path / "notes.for.court.html"
    dialog.path_edit.setText("plain")  # a bare name: in the dialog's folder
    dialog.set_format("csv")
    assert dialog.target() == tmp_path / "plain.csv"
    assert dialog.start() is None  # nothing to export
    assert dialog.status.text() == "There are no articles to export."


def test_cancel_removes_what_was_written(
    sample_archive, tasks, parent, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setattr(gui_tasks, "PROGRESS_INTERVAL", 0)  # every step reaches the dialog
    everything = search_ids(sample_archive, "")
    out = tmp_path / "exports"
    out.mkdir()
    dialog = ExportDialog(sample_archive, tasks, [], everything, "", parent, folder=out)
    qtbot.addWidget(dialog)
    dialog.set_format("json")
    dialog.path_edit.setText(str(out / "all.json"))
    seen: list[str] = []

    def press_cancel(value: int) -> None:
        if value >= 2 and not seen:
            seen.append(dialog.status.text())
            dialog.cancel_button.click()
            seen.append(dialog.status.text())

    dialog.progress.valueChanged.connect(press_cancel)
    reports = []
    dialog.exported.connect(reports.append)
    dialog.start()

    assert seen == [f"Exporting 2 of {len(everything)}…", "Cancelling…"]
    assert reports[0].cancelled and reports[0].count == 0
    assert dialog.status.text() == "Export cancelled. Nothing was written."
    assert dialog.open_folder_button.isHidden()
    assert list(out.iterdir()) == []  # neither the file nor a partial one
    assert dialog.cancel_button.text() == "Close" and dialog.export_button.isEnabled()

    dialog.start()  # and again, to the end
    exported = json.loads((out / "all.json").read_text("utf-8"))
    assert [a["id"] for a in exported["articles"]] == everything


def test_an_existing_file_is_replaced_only_when_confirmed(
    sample_archive, tasks, parent, qtbot, tmp_path, monkeypatch
):
    target = tmp_path / "old.csv"
    target.write_text("keep me", "utf-8")
    ids = search_ids(sample_archive, "")[:2]
    dialog = ExportDialog(sample_archive, tasks, ids, ids, "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(target))
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a: answers.pop(0)))
    assert dialog.start() is None
    assert target.read_text("utf-8") == "keep me"
    dialog.start()
    assert target.read_text("utf-8-sig").startswith("id,title,")
    assert answers == []


def test_problems_are_shown_in_plain_words(
    sample_archive, tasks, parent, qtbot, tmp_path, monkeypatch
):
    ids = search_ids(sample_archive, "")[:2]
    dialog = ExportDialog(sample_archive, tasks, ids, ids, "", parent, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "missing" / "out.csv"))
    assert dialog.start() is None
    assert dialog.status.text() == (
        f"The folder {tmp_path / 'missing'} does not exist. Choose another place."
    )

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out.csv"))

    monkeypatch.setattr(export_dialog, "export_articles", no_space)
    dialog.path_edit.setText(str(tmp_path / "out.csv"))
    dialog.start()
    message = (
        f"There is no space left on the disk to write “{tmp_path / 'out.csv'}”. "
        "Free some space and retry."
    )
    assert dialog.status.text() == f"The export failed. {message}"
    (box,) = dialog.findChildren(QMessageBox)
    assert box.text() == message and "No space left on device" in box.detailedText()
    assert not dialog.running and dialog.export_button.isEnabled()


def test_export_in_the_background(sample_archive, threaded_tasks, parent, qtbot, tmp_path):
    everything = search_ids(sample_archive, "")
    dialog = ExportDialog(
        sample_archive, threaded_tasks, [], everything, "", parent, folder=tmp_path
    )
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "all.csv"))
    with qtbot.waitSignal(dialog.exported, timeout=30_000) as done:
        dialog.start()
        assert dialog.running and not dialog.export_button.isEnabled()
    assert done.args[0].count == len(everything)
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert dialog.export_button.isEnabled()
