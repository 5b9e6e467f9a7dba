"""File → Check Archive…: verify the archive in the background, then offer to repair.

The check reads every stored file, so it runs as a write task: imports and
edits wait rather than change what is being checked.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from archive_app.core.archive import Archive
from archive_app.core.models import CheckReport
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner

TITLE = "Check archive"


def summary(report: CheckReport, *, repaired: bool) -> str:
    counts = f"{report.articles:,} articles and {report.blobs:,} stored files were checked."
    if not report.problems:
        return f"The archive is consistent. {counts}"
    if repaired and report.ok:
        return f"Every problem found was repaired ({len(report.repaired)}). {counts}"
    fixable = len(report.problems) - len(report.unrepairable)
    lines = [f"{len(report.problems)} problem(s) found. {counts}"]
    if report.unrepairable:
        lines.append(
            f"{len(report.unrepairable)} cannot be repaired here; the details say which "
            "articles they concern and which original file, imported again, restores them."
        )
    if fixable and not repaired:
        lines.append(f"{fixable} can be repaired now.")
    return "\n\n".join(lines)


def details(report: CheckReport) -> str:
    parts = [f"problem: {p}" for p in report.problems]
    parts += [f"repaired: {r}" for r in report.repaired]
    parts += [f"cannot repair: {u}" for u in report.unrepairable]
    return "\n".join(parts)


class CheckFlow(QObject):
    """Runs `Archive.check` with progress in the status line; reports in a message box."""

    progress = Signal(str)
    finished = Signal(object)  # the CheckReport

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._window = parent
        self.busy = False
        self.box: QMessageBox | None = None

    def start(self, *, repair: bool = False) -> None:
        if self.busy:
            return
        self.busy = True
        archive = self._archive
        verb = "Repairing" if repair else "Checking"
        self.progress.emit(f"{verb} the archive…")
        self._tasks.run(
            lambda job: archive.check(repair=repair, progress=job.progress),
            on_done=lambda report: self._done(report, repair),
            on_error=self._failed,
            on_progress=lambda done, total, _text: self.progress.emit(
                f"{verb} the archive… {done:,} of {total:,} stored files"
            ),
            write=True,
            key="check-archive",
        )

    def _done(self, report: CheckReport, repaired: bool) -> None:
        self.busy = False
        self.progress.emit("")
        self.finished.emit(report)
        box = QMessageBox(self._window)
        box.setWindowTitle(TITLE)
        box.setIcon(
            QMessageBox.Icon.Information
            if not report.problems or (repaired and report.ok)
            else QMessageBox.Icon.Warning
        )
        box.setText(summary(report, repaired=repaired))
        if report.problems or report.repaired:
            box.setDetailedText(details(report))
        fixable = len(report.problems) > len(report.unrepairable)
        repair = None
        if fixable and not repaired and not self._archive.read_only:
            repair = box.addButton("Repair", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.finished.connect(
            lambda _result: self.start(repair=True) if box.clickedButton() is repair else None
        )
        self.box = box
        box.open()

    def _failed(self, exc: Exception, error_details: str) -> None:
        self.busy = False
        self.progress.emit("")
        show_error(
            self._window, "The archive could not be checked", friendly_message(exc), error_details
        )
