"""Importing from the desktop app: the controller, its progress, the summary, drag and drop."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from archive_app.core.models import ImportReport
from archive_app.gui import import_flow
from archive_app.gui import tasks as gui_tasks
from archive_app.gui.import_flow import (
    FILE_FILTERS,
    DropImportFilter,
    ImportController,
    ImportProgressWidget,
    choose_files,
    choose_folder,
    paths_from_mime,
)
from archive_app.gui.import_summary import ImportSummaryDialog, report_text, status_text

pytestmark = pytest.mark.gui


def write_articles(folder: Path, make_image) -> Path:
    """A small folder of real articles: text, markdown and a saved page with its image."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kherson.txt").write_text(
        "Children moved from Kherson\n\nA report on the transfer of children from the "
        "region during the autumn, with the names of the shelters involved.\n",
        "utf-8",
    )
    (folder / "shelters.md").write_text(
        "# Shelters in Mykolaiv\n\nVolunteers describe the conditions in the shelters "
        "where families wait for news of their relatives.\n",
        "utf-8",
    )
    make_image(folder / "hearing_files" / "court.png", seed=3)
    (folder / "hearing.html").write_text(
        "<html><head><title>Court hears evidence</title></head><body><article>"
        "<h1>Court hears evidence</h1><p>The tribunal heard testimony about the deportation "
        "of minors, with documents and witness statements presented over three days.</p>"
        "<p>Witnesses described how the children were moved by bus at night.</p>"
        '<figure><img src="hearing_files/court.png" alt="The courtroom">'
        "<figcaption>The courtroom on the first day</figcaption></figure>"
        "<p>The hearing continues next week with the evidence of the defence.</p>"
        "</article></body></html>",
        "utf-8",
    )
    return folder


def add_bad_files(folder: Path) -> None:
    (folder / "garbage.html").write_bytes(os.urandom(3000))
    (folder / "records.json").write_text('[{"title": 5, "text": 7}]', "utf-8")


def run_import(controller: ImportController, paths: list[Path]) -> ImportReport:
    reports: list[ImportReport] = []
    controller.finished.connect(reports.append)
    controller.import_paths(paths)
    controller.finished.disconnect(reports.append)
    assert len(reports) == 1
    return reports[0]


def like_a_slow_disk(archive, monkeypatch, seconds: float = 0.06) -> None:
    """Store one file every `seconds` (until cancelled), so progress has time to show."""
    store = archive.import_paths

    def paced(paths, *, progress=None, cancel=None):
        def each(done: int, total: int, current: str = "") -> None:
            progress(done, total, current)
            if 0 < done < total:
                cancel.wait(seconds)

        return store(paths, progress=each, cancel=cancel)

    monkeypatch.setattr(archive, "import_paths", paced)


# -- the controller and the summary ---------------------------------------------------------------


def test_import_then_reimport_reports_each_outcome(archive, tasks, qtbot, tmp_path, make_image):
    parent = QWidget()
    qtbot.addWidget(parent)
    folder = write_articles(tmp_path / "articles", make_image)
    controller = ImportController(archive, tasks, parent)
    busy, started = [], []
    controller.busy_changed.connect(busy.append)
    controller.started.connect(lambda: started.append(True))

    first = run_import(controller, [folder])
    assert sorted(i.title for i in first.imported) == [
        "Children moved from Kherson",
        "Court hears evidence",
        "Shelters in Mykolaiv",
    ]
    hearing = next(i for i in first.imported if i.title == "Court hears evidence")
    assert archive.get(hearing.id).images[0].caption == "The courtroom on the first day"
    assert busy == [True, False] and started == [True] and not controller.busy

    add_bad_files(folder)
    second = run_import(controller, [folder])
    assert {d.id for d in second.duplicates} == {i.id for i in first.imported}
    reasons = {Path(p.path).name: p.reason for p in second.failed}
    assert set(reasons) == {"garbage.html", "records.json"}
    assert "binary" in reasons["garbage.html"]
    assert "title" in reasons["records.json"]
    assert archive.article_count() == 3

    dialog = ImportSummaryDialog(second, parent)
    qtbot.addWidget(dialog)
    assert dialog.headline.text() == "No articles imported · 3 duplicates · 2 failed"
    assert [r.outcome for r in dialog.visible_rows()].count("duplicate") == 3
    dialog.set_filter("failed")
    failed_rows = dialog.visible_rows()
    assert {Path(r.path).name for r in failed_rows} == {"garbage.html", "records.json"}
    garbage = next(r for r in failed_rows if r.path.endswith("garbage.html"))
    assert dialog.item_for(garbage).text(2).startswith("Binary content")
    assert dialog.item_for(garbage).text(1) == "garbage.html"  # shown beside its folder

    opened: list[str] = []
    dialog.open_article_requested.connect(opened.append)
    dialog.table.itemActivated.emit(dialog.item_for(garbage), 0)  # a failed row opens nothing
    assert opened == []
    dialog.set_filter("duplicate")
    duplicate = dialog.visible_rows()[0]
    assert dialog.item_for(duplicate).text(2) == (
        f"Already in the archive as {duplicate.article_id}"
    )
    dialog.table.itemActivated.emit(dialog.item_for(duplicate), 0)
    assert opened == [duplicate.article_id]

    copied = dialog.copy_report()
    assert QApplication.clipboard().text() == copied
    assert copied.startswith("No articles imported · 3 duplicates · 2 failed\n")
    assert f"Failed\t{folder / 'garbage.html'}\tBinary content" in copied


def test_summary_opens_imported_articles_and_filters(archive, tasks, qtbot, tmp_path, make_image):
    parent = QWidget()
    qtbot.addWidget(parent)
    folder = write_articles(tmp_path / "articles", make_image)
    make_image(folder / "loose.png", seed=9)  # no article shows it: skipped
    report = run_import(ImportController(archive, tasks, parent), [folder])
    assert status_text(report) == "Imported 3 articles · 1 skipped"
    assert ImportSummaryDialog.status_text(report) == status_text(report)

    dialog = ImportSummaryDialog(report, parent)
    qtbot.addWidget(dialog)
    assert not dialog.filter_buttons["failed"].isEnabled()
    assert dialog.filter_buttons["imported"].text() == "Imported  3"
    dialog.filter_buttons["skipped"].click()
    (skipped,) = dialog.visible_rows()
    assert skipped.path.endswith("loose.png") and "not referenced" in skipped.detail

    dialog.filter_buttons[None].click()
    assert len(dialog.visible_rows()) == 4
    opened: list[str] = []
    dialog.open_article_requested.connect(opened.append)
    kherson = next(r for r in dialog.rows if r.detail == "Children moved from Kherson")
    dialog.table.setCurrentItem(dialog.item_for(kherson))
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert opened == [kherson.article_id] == [archive.get(kherson.article_id).id]
    dialog.table.setCurrentItem(dialog.item_for(skipped))
    assert not dialog.open_button.isEnabled()


def test_status_line_words():
    from archive_app.core.models import DuplicateItem, ImportedItem, Problem

    one = ImportedItem("a" * 12, "/x/a.txt", "A")
    assert status_text(ImportReport(imported=(one,))) == "Imported 1 article"
    assert status_text(ImportReport()) == "No articles imported"
    report = ImportReport(
        imported=(one,),
        duplicates=(DuplicateItem("b" * 12, "/x/b.txt"),),
        failed=(Problem("/x/c.pdf", "encrypted PDF"),),
        cancelled=True,
    )
    assert status_text(report) == "Import cancelled · Imported 1 article · 1 duplicate · 1 failed"
    assert report_text(report).splitlines()[2:] == [
        "Failed\t/x/c.pdf\tEncrypted PDF",
        f"Imported\t/x/a.txt\tA [{'a' * 12}]",
        f"Duplicate\t/x/b.txt\tAlready in the archive as {'b' * 12}",
    ]


def test_an_import_that_cannot_run_reports_a_plain_message(archive, tasks, qtbot, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)

    def refuse(paths, *, progress=None, cancel=None):
        raise PermissionError(13, "Permission denied", "/media/usb/articles")

    monkeypatch.setattr(archive, "import_paths", refuse)
    controller = ImportController(archive, tasks, parent)
    messages: list[str] = []
    controller.failed.connect(messages.append)
    controller.import_paths([Path("/media/usb/articles")])
    assert messages == [
        "archive-app is not allowed to use “/media/usb/articles”. Check the file's permissions."
    ]
    assert "PermissionError" in controller.last_error_details
    assert not controller.busy


def test_cancel_works_with_the_inline_runner(archive, tasks, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(gui_tasks, "PROGRESS_INTERVAL", 0)  # every file reports
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(6):
        (folder / f"note-{i}.txt").write_text(f"Note {i}\n\nShelter visit {i}.\n", "utf-8")
    controller = ImportController(archive, tasks, None)
    controller.progress.connect(lambda done, total, _t: done == 2 and controller.cancel())
    report = run_import(controller, [folder])
    # "Importing 3 of 6": the file in hand is stored whole, the ones after it are not.
    assert report.cancelled and len(report.imported) == 3
    assert archive.article_count() == 3 and not controller.busy


def test_nothing_chosen_starts_nothing(archive, tasks, qtbot):
    controller = ImportController(archive, tasks, None)
    busy: list[bool] = []
    controller.busy_changed.connect(busy.append)
    controller.import_paths([])
    assert busy == [] and not controller.busy


# -- progress, waiting and cancelling, with real threads ----------------------------------------


def test_progress_reaches_the_status_bar(
    archive, threaded_tasks, qtbot, tmp_path, make_image, monkeypatch
):
    like_a_slow_disk(archive, monkeypatch)
    folder = write_articles(tmp_path / "articles", make_image)
    for i in range(5):
        (folder / f"note-{i}.txt").write_text(f"Note {i}\n\nShelter visit number {i}.\n", "utf-8")
    widget = ImportProgressWidget()
    qtbot.addWidget(widget)
    controller = ImportController(archive, threaded_tasks, widget)
    widget.attach(controller)
    shown: list[str] = []
    progress: list[tuple[int, int, str]] = []

    def seen(done: int, total: int, text: str) -> None:
        progress.append((done, total, text))
        shown.append(widget.text)

    controller.progress.connect(seen)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        controller.import_paths([folder])
        assert widget.isVisible() and widget.text == "Waiting for the archive…"
    assert len(finished.args[0].imported) == 8
    assert progress[0] == (0, 0, "Looking for files…")
    assert all(total == 8 for _done, total, _text in progress[1:])
    assert progress[-1][:2] == (8, 8)
    assert any(re.match(r"Importing \d+ of 8… \S+\.(txt|md|html)$", text) for text in shown), shown
    qtbot.waitUntil(lambda: not controller.busy, timeout=5000)
    assert widget.isHidden()


def test_a_second_import_waits_for_the_first(archive, threaded_tasks, qtbot, tmp_path, make_image):
    folder = write_articles(tmp_path / "articles", make_image)
    widget = ImportProgressWidget()
    qtbot.addWidget(widget)
    controller = ImportController(archive, threaded_tasks, widget)
    widget.attach(controller)
    reports: list[ImportReport] = []
    texts: list[str] = []
    controller.finished.connect(reports.append)
    controller.progress.connect(lambda *_a: texts.append(widget.text))
    controller.import_paths([folder])
    controller.import_paths([folder])
    assert controller.waiting == 2
    qtbot.waitUntil(lambda: len(reports) == 2 and not controller.busy, timeout=30_000)
    # One after the other: the second saw everything the first stored.
    assert len(reports[0].imported) == 3 and reports[0].duplicates == ()
    assert len(reports[1].duplicates) == 3 and reports[1].imported == ()
    assert any(t.endswith("· 1 more import waiting") for t in texts)


def test_cancel_keeps_what_was_stored_and_nothing_half(
    archive, threaded_tasks, qtbot, tmp_path, monkeypatch
):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(60):
        (folder / f"note-{i:02d}.txt").write_text(
            f"Field note {i}\n\n" + f"Visit {i} to the shelter in district {i}. " * 20, "utf-8"
        )
    like_a_slow_disk(archive, monkeypatch)
    widget = ImportProgressWidget()
    qtbot.addWidget(widget)
    controller = ImportController(archive, threaded_tasks, widget)
    widget.attach(controller)
    shown: list[str] = []

    def cancel_once_going(done: int, total: int, _text: str) -> None:
        if total and done >= 1 and not controller.is_cancelling:
            shown.append(widget.text)
            widget.cancel_button.click()
            shown.append(widget.text)

    controller.progress.connect(cancel_once_going)
    with qtbot.waitSignal(controller.finished, timeout=60_000) as finished:
        controller.import_paths([folder])
    report = finished.args[0]
    assert report.cancelled
    assert 0 < len(report.imported) < 60
    assert re.match(r"Importing \d+ of 60… \S+", shown[0]), shown
    assert shown[1] == "Cancelling…" and not widget.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not controller.busy, timeout=5000)
    assert archive.article_count() == len(report.imported)
    # Helper processes write originals ahead of the writer; a cancel removes those it
    # never stored, so nothing is left over and nothing is half there.
    check = archive.check()
    assert check.ok, check.problems
    assert check.articles == len(report.imported)
    for item in report.imported:
        number = item.title.split()[-1]
        assert f"Visit {number} to the shelter in district {number}." in archive.get(item.id).text


# -- choosing files, and dropping them ----------------------------------------------------------


def test_file_dialogs_start_in_the_last_folder(monkeypatch, tmp_path, qtbot):
    asked = {}

    def open_names(parent, caption, folder, filters):
        asked.update(folder=folder, filters=filters)
        return [str(tmp_path / "in" / "a.txt"), str(tmp_path / "in" / "b.pdf")], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(open_names))
    paths, last = choose_files(None, str(tmp_path))
    assert paths == [tmp_path / "in" / "a.txt", tmp_path / "in" / "b.pdf"]
    assert last == str(tmp_path / "in") and asked["folder"] == str(tmp_path)
    assert asked["filters"] == FILE_FILTERS
    assert "*.warc.gz" in FILE_FILTERS and FILE_FILTERS.endswith("All files (*)")

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a: ([], "")))
    assert choose_files(None, "/somewhere") == ([], "/somewhere")

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a: ""))
    assert choose_folder(None, str(tmp_path)) is None
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda p, c, start: start + "/sub")
    )
    assert choose_folder(None, str(tmp_path)) == tmp_path / "sub"


def mime_with(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def test_paths_from_mime_takes_local_files_and_folders_only(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("A\n\nB\n", "utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    mime = mime_with(
        QUrl.fromLocalFile(str(article)),
        QUrl("https://example.org/article.html"),
        QUrl.fromLocalFile(str(folder)),
        QUrl.fromLocalFile(str(article)),
        QUrl.fromLocalFile(str(tmp_path / "gone.txt")),
    )
    assert paths_from_mime(mime) == [article, folder]
    assert paths_from_mime(mime_with(QUrl("https://example.org/a.html"))) == []
    text_only = QMimeData()
    text_only.setText("just words")
    assert paths_from_mime(text_only) == []
    assert paths_from_mime(None) == []


def _drag(kind, mime: QMimeData):
    if kind is QDragEnterEvent:
        return QDragEnterEvent(
            QPoint(20, 20),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    return QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )


def test_dropping_files_calls_back_with_their_paths(qtbot, tmp_path):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    window.show()
    dropped: list[list[Path]] = []
    drop_filter = DropImportFilter(window, dropped.append)
    assert window.acceptDrops()
    article = tmp_path / "a.txt"
    article.write_text("A\n\nB\n", "utf-8")
    files = mime_with(QUrl.fromLocalFile(str(article)), QUrl.fromLocalFile(str(tmp_path)))

    web = mime_with(QUrl("https://example.org/a.html"))  # the event does not own its data
    remote = _drag(QDragEnterEvent, web)
    QApplication.sendEvent(window, remote)
    assert not remote.isAccepted() and not drop_filter.overlay.isVisible()

    enter = _drag(QDragEnterEvent, files)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction
    assert drop_filter.overlay.isVisible()
    assert drop_filter.overlay.geometry() == window.rect()
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not drop_filter.overlay.isVisible()

    QApplication.sendEvent(window, _drag(QDragEnterEvent, files))
    drop = _drag(QDropEvent, files)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted() and not drop_filter.overlay.isVisible()
    qtbot.waitUntil(lambda: bool(dropped), timeout=2000)
    assert dropped == [[article, tmp_path]]


def test_progress_text_counts_from_one():
    assert import_flow.progress_text(0, 0) == "Looking for files…"
    assert import_flow.progress_text(0, 340) == "Importing 1 of 340…"
    assert import_flow.progress_text(11, 1340) == "Importing 12 of 1,340…"
    assert import_flow.progress_text(3, 9, "/a/b/report.html") == "Importing 4 of 9… report.html"
    assert import_flow.progress_text(9, 9) == "Finishing the import…"
