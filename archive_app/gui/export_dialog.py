"""File → Export: the selected results or the whole search, as CSV, JSON or an HTML report,
or the whole archive as a bundle (one .zip) to restore elsewhere through File → Import.

The export runs as a background (read) task with progress and Cancel. The
core writes under a temporary name and renames at the end, so a cancelled or
failed export leaves no half-written file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.exporting import export_articles
from archive_app.core.models import BundleReport, ExportReport
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import Job, TaskHandle, TaskRunner
from archive_app.gui.wording import count_noun

BUNDLE = "bundle"


@dataclass(frozen=True)
class ExportFormat:
    key: str  # as export_articles takes it
    label: str
    suffix: str
    description: str
    file_filter: str


FORMATS = (
    ExportFormat(
        "csv",
        "CSV table",
        ".csv",
        "One row per article (title, source, date, topics, tags, snippet), for spreadsheets.",
        "CSV files (*.csv)",
    ),
    ExportFormat(
        "json",
        "JSON",
        ".json",
        "Every field of each article with its images' details, for scripts and other tools.",
        "JSON files (*.json)",
    ),
    ExportFormat(
        "html",
        "HTML report",
        ".html",
        "One self-contained page with the articles, snippets and images, to read or print.",
        "HTML reports (*.html *.htm)",
    ),
    ExportFormat(
        BUNDLE,
        "Archive bundle (.zip)",
        ".zip",
        "The whole archive, not a selection: every article with its original file, images,"
        " tags, notes and topics, to restore into a new archive (File → Import Files…).",
        "Archive bundles (*.zip)",
    ),
)
_SUFFIXES = {f.suffix for f in FORMATS} | {".htm"}


def done_text(report: ExportReport | BundleReport) -> str:
    """What the dialog says when the export ends."""
    if report.cancelled:
        return "Export cancelled. Nothing was written."
    if isinstance(report, BundleReport):
        return (
            f"Exported the whole archive ({count_noun(report.articles, 'article', 'articles')},"
            f" {report.size / 1e6:.1f} MB) to {report.path}"
        )
    return f"Exported {count_noun(report.count, 'article', 'articles')} to {report.path}"


class ExportDialog(QDialog):
    """Choose what to export, the format and the file; then export in the background."""

    exported = Signal(object)  # ExportReport, when an export ends (also a cancelled one)

    def __init__(
        self,
        archive: Archive,
        tasks: TaskRunner,
        selected_ids: Sequence[str],
        all_ids: Sequence[str] | Callable[[], Sequence[str]],
        query: str = "",
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._query = query
        self.selected_ids = list(selected_ids)
        self.all_ids = list(all_ids() if callable(all_ids) else all_ids)
        self._job: Job | None = None  # the running export's job: its cancel event
        self._running = False
        self._close_when_done = False
        self._confirmed: Path | None = None  # a target whose overwrite the person accepted
        self.last_report: ExportReport | BundleReport | None = None
        self.setWindowTitle("Export articles")
        self.setMinimumWidth(560)

        # What: the selection or the whole search.
        self.selected_radio = QRadioButton(
            f"Selected {count_noun(len(self.selected_ids), 'article', 'articles')}"
        )
        search = f"“{query}”" if query.strip() else "the current search"
        self.all_radio = QRadioButton(
            f"All {count_noun(len(self.all_ids), 'result', 'results')} of {search}"
        )
        self._scope = QButtonGroup(self)
        self._scope.addButton(self.selected_radio)
        self._scope.addButton(self.all_radio)
        self.selected_radio.setEnabled(bool(self.selected_ids))
        # One selected row is usually just the article being read: offer the search then.
        (self.selected_radio if len(self.selected_ids) > 1 else self.all_radio).setChecked(True)
        scope = QVBoxLayout()
        scope.setSpacing(4)
        scope.addWidget(self.selected_radio)
        scope.addWidget(self.all_radio)

        # How: the format, each with what it is for.
        self.format_radios: dict[str, QRadioButton] = {}
        self._formats = QButtonGroup(self)
        formats = QVBoxLayout()
        formats.setSpacing(2)
        for fmt in FORMATS:
            radio = QRadioButton(fmt.label)
            radio.toggled.connect(lambda on, f=fmt: on and self._format_changed(f))
            self._formats.addButton(radio)
            self.format_radios[fmt.key] = radio
            formats.addWidget(radio)
            formats.addWidget(self._description(fmt.description))

        # Where: a file, its extension following the format.
        self.path_edit = QLineEdit()
        self.path_edit.setClearButtonEnabled(True)
        self.path_edit.textEdited.connect(lambda _t: self._target_edited())
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self.choose_target)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse_button)
        start_folder = folder or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        self._folder = start_folder
        day = dt.date.today().isoformat()
        self.path_edit.setText(str(start_folder / f"archive-export-{day}.csv"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(14)
        form.addRow("Export:", scope)
        form.addRow("Format:", formats)
        form.addRow("Save to:", where)

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()

        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the exported file's folder")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.open_folder_button.hide()
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        # Cancel stops a running export and keeps the dialog; otherwise it closes it.
        self.cancel_button.clicked.connect(lambda: self.cancel() if self.running else self.reject())
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)

        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addLayout(form)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addStretch(1)
        column.addLayout(buttons)
        self.format_radios["csv"].setChecked(True)

    def _description(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setIndent(24)  # under the radio button's text, not its circle
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        label.setFont(font)
        return label

    # -- choices ---------------------------------------------------------------------

    @property
    def format(self) -> ExportFormat:
        return next(f for f in FORMATS if self.format_radios[f.key].isChecked())

    def set_format(self, key: str) -> None:
        self.format_radios[key].setChecked(True)

    def set_scope(self, whole_search: bool) -> None:
        (self.all_radio if whole_search else self.selected_radio).setChecked(True)

    def chosen_ids(self) -> list[str]:
        return self.selected_ids if self.selected_radio.isChecked() else self.all_ids

    def target(self) -> Path | None:
        """The file to write; a bare name goes in the folder the dialog started in."""
        text = self.path_edit.text().strip()
        return self._folder / Path(text).expanduser() if text else None

    def _format_changed(self, fmt: ExportFormat) -> None:
        self._enable_scope(True)
        target = self.target()
        if target is not None and target.suffix.lower() != fmt.suffix:
            base = target.with_suffix("") if target.suffix.lower() in _SUFFIXES else target
            self.path_edit.setText(str(base.with_name(base.name + fmt.suffix)))
            self._confirmed = None

    def _enable_scope(self, enabled: bool) -> None:
        """A bundle is always the whole archive: the selection or search does not apply."""
        whole_archive = self.format.key == BUNDLE
        self.all_radio.setEnabled(enabled and not whole_archive)
        self.selected_radio.setEnabled(enabled and not whole_archive and bool(self.selected_ids))

    def _target_edited(self) -> None:
        self._confirmed = None

    def choose_target(self) -> None:
        fmt = self.format
        target = self.target()
        name, _filter = QFileDialog.getSaveFileName(
            self, "Export to", str(target) if target else "", fmt.file_filter
        )
        if not name:
            return
        chosen = Path(name)
        allowed = {fmt.suffix, ".htm"} if fmt.key == "html" else {fmt.suffix}
        if chosen.suffix.lower() not in allowed:
            chosen = chosen.with_name(chosen.name + fmt.suffix)
        self.path_edit.setText(str(chosen))
        self._confirmed = chosen  # the file dialog asked about replacing it

    # -- exporting ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> TaskHandle | None:
        """Export with the current choices; None if a choice is missing (the dialog says so)."""
        if self.running:
            return None
        bundle = self.format.key == BUNDLE
        ids = self.chosen_ids()
        target = self.target()
        if not ids and not bundle:
            self._say("There are no articles to export.")
            return None
        if target is None:
            self.choose_target()
            target = self.target()
            if target is None:
                return None
        if not target.parent.is_dir():
            self._say(f"The folder {target.parent} does not exist. Choose another place.")
            return None
        if target.is_dir():
            self._say(f"{target} is a folder. Give a file name to export to.")
            return None
        if target.exists() and target != self._confirmed and not self._overwrite_ok(target):
            return None
        archive, fmt, query = self._archive, self.format.key, self._query

        def work(job: Job) -> ExportReport | BundleReport:
            self._job = job  # an inline runner calls back before `run` returns the handle
            if bundle:
                return archive.export_bundle(target, progress=job.progress, cancel=job.cancel_event)
            return export_articles(
                archive,
                ids,
                target,
                fmt,
                query=query,
                progress=job.progress,
                cancel=job.cancel_event,
            )

        self._set_running(True, 0 if bundle else len(ids))
        handle = self._tasks.run(
            work,
            on_done=self._finished,
            on_error=self._failed,
            on_progress=self._progressed,
            on_end=self._ended,
            label="export",
        )
        if self._running:
            self._job = handle.job
        return handle

    def cancel(self) -> None:
        if self.running and self._job is not None:
            self._job.cancel_event.set()
            self.cancel_button.setEnabled(False)
            self._say("Cancelling…")

    def reject(self) -> None:
        # Closing while exporting stops the export first; the dialog closes when it has.
        if self.running:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    def open_folder(self) -> None:
        if self.last_report is not None and not self.last_report.cancelled:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.last_report.path).parent)))

    def _overwrite_ok(self, target: Path) -> bool:
        answer = QMessageBox.question(
            self,
            "Replace the file?",
            f"{target.name} already exists in {target.parent}. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _set_running(self, running: bool, total: int = 0) -> None:
        for radio in self.format_radios.values():
            radio.setEnabled(not running)
        self._enable_scope(not running)
        self.path_edit.setEnabled(not running)
        self.browse_button.setEnabled(not running)
        self.export_button.setEnabled(not running)
        self._running = running
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel" if running else "Close")
        self.progress.setVisible(running)
        if running:
            self.open_folder_button.hide()
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(0)
            if self.format.key == BUNDLE:
                self._say("Exporting the whole archive…")
            else:
                self._say(f"Exporting {count_noun(total, 'article', 'articles')}…")

    def _progressed(self, done: int, total: int, _text: str) -> None:
        if self._job is not None and self._job.cancelled:
            return  # keep saying "Cancelling…"
        if self.format.key == BUNDLE:
            self._say(f"Writing the bundle: {done:,} of {total:,} files…")
        else:
            self._say(f"Exporting {done:,} of {total:,}…")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: ExportReport | BundleReport) -> None:
        self.last_report = report
        self._say(done_text(report))
        self.open_folder_button.setVisible(not report.cancelled)
        self.exported.emit(report)

    def _failed(self, exc: Exception, details: str) -> None:
        message = friendly_message(exc)
        self._say(f"The export failed. {message}")
        if not self._close_when_done:
            show_error(self, "Export failed", message, details)

    def _ended(self) -> None:
        self._job = None
        self._set_running(False)
        if self._close_when_done:
            self._close_when_done = False
            super().reject()

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
