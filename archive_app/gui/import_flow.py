"""Importing files into the archive from the desktop app.

`ImportController` runs `Archive.import_paths` as a write task and reports
through signals; `ImportProgressWidget` shows that in the status bar;
`DropImportFilter` turns files dropped on a window into an import; and
`choose_files` / `choose_folder` are the File menu's dialogs.

Imports are writes, so the task runner's single writer runs them one after
the other: a second request waits its turn (the progress widget says so)
instead of being lost or run alongside the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.models import ImportReport
from archive_app.gui.messages import friendly_message
from archive_app.gui.tasks import Job, TaskRunner

ARTICLE_PATTERNS = (
    "*.txt *.text *.md *.markdown *.html *.htm *.xhtml *.mhtml *.mht *.warc *.warc.gz"
    " *.pdf *.json *.jsonl *.ndjson *.zip"
)
FILE_FILTERS = f"Articles ({ARTICLE_PATTERNS});;All files (*)"

LOOKING = "Looking for files…"
WAITING = "Waiting for the archive…"
CANCELLING = "Cancelling…"


# -- choosing what to import ---------------------------------------------------------


def choose_files(parent: QWidget | None, last_dir: str = "") -> tuple[list[Path], str]:
    """Ask for files to import; returns them and the folder to start in next time."""
    names, _chosen_filter = QFileDialog.getOpenFileNames(
        parent, "Import files into the archive", last_dir, FILE_FILTERS
    )
    paths = [Path(name) for name in names if name]
    return paths, (str(paths[0].parent) if paths else last_dir)


def choose_folder(parent: QWidget | None, last_dir: str = "") -> Path | None:
    """Ask for a folder whose files (and subfolders) are imported; None if cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, "Import a folder into the archive", last_dir)
    return Path(folder) if folder else None


def paths_from_mime(mime: QMimeData | None) -> list[Path]:
    """The existing local files and folders in dragged data, in order, without repeats.

    Remote URLs are refused: importing never fetches anything from the network.
    """
    if mime is None or not mime.hasUrls():
        return []
    paths: list[Path] = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.exists() and path not in paths:
            paths.append(path)
    return paths


# -- running imports -----------------------------------------------------------------


def progress_text(done: int, total: int, current: str = "") -> str:
    """What the status bar says while an import runs: "Importing 12 of 340…"."""
    if total <= 0:
        return LOOKING
    if done >= total:
        return "Finishing the import…"
    text = f"Importing {done + 1:,} of {total:,}…"
    return f"{text} {Path(current).name}" if current else text


@dataclass
class _Request:
    paths: tuple[Path, ...]
    job: Job | None = None  # known once the task runner has made it
    running: bool = False


class ImportController(QObject):
    """Runs imports in the background, one at a time, and reports on them.

    `progress(done, total, text)` carries files finished, files in all and a
    ready-to-show line; total is 0 while the files are still being listed.
    `finished` carries the `ImportReport` (also for a cancelled import, with
    `cancelled=True`); `failed` a plain-language message when the import could
    not run at all (its technical details are in `last_error_details`).
    """

    started = Signal()
    progress = Signal(int, int, str)
    finished = Signal(object)  # ImportReport
    failed = Signal(str)
    busy_changed = Signal(bool)
    waiting_changed = Signal(int)  # imports asked for that have not started yet
    cancelling = Signal()

    def __init__(
        self, archive: Archive, tasks: TaskRunner, parent_widget: QWidget | None = None
    ) -> None:
        super().__init__(parent_widget)
        self._archive = archive
        self._tasks = tasks
        self._requests: list[_Request] = []
        self.last_error_details = ""

    @property
    def busy(self) -> bool:
        return bool(self._requests)

    @property
    def waiting(self) -> int:
        return sum(1 for r in self._requests if not r.running)

    @property
    def running(self) -> bool:
        """An import has begun (it is not only waiting for the writer)."""
        return any(r.running for r in self._requests)

    @property
    def is_cancelling(self) -> bool:
        return any(r.job is not None and r.job.cancelled for r in self._requests)

    def import_paths(self, paths: Iterable[Path]) -> None:
        chosen = tuple(Path(p) for p in paths)
        if not chosen:
            return
        request = _Request(chosen)
        self._requests.append(request)
        if len(self._requests) == 1:
            self.busy_changed.emit(True)
        self.waiting_changed.emit(self.waiting)
        archive = self._archive

        def work(job: Job) -> ImportReport:
            request.job = job  # an inline runner calls back before `run` returns
            job.check()  # cancelled while it waited for the writer
            job.progress(0, 0, LOOKING)  # also tells the GUI this import has begun

            def report(done: int, total: int, current: str = "") -> None:
                # `current` is ready for a core that names the file it is storing.
                job.progress(done, total, progress_text(done, total, current))

            return archive.import_paths(chosen, progress=report, cancel=job.cancel_event)

        handle = self._tasks.run(
            work,
            on_done=self._done,
            on_error=self._error,
            on_progress=lambda done, total, text: self._progressed(request, done, total, text),
            on_end=lambda: self._ended(request),
            write=True,
            label="import",
        )
        request.job = handle.job

    def cancel(self) -> None:
        """Stop the running import (what it stored so far stays) and drop waiting ones."""
        if not self._requests:
            return
        for request in self._requests:
            if request.job is not None:
                request.job.cancel_event.set()
        self.cancelling.emit()

    def _progressed(self, request: _Request, done: int, total: int, text: str) -> None:
        if not request.running:
            request.running = True
            self.started.emit()
            self.waiting_changed.emit(self.waiting)
        self.progress.emit(done, total, text)

    def _done(self, report: ImportReport) -> None:
        self.finished.emit(report)

    def _error(self, exc: Exception, details: str) -> None:
        self.last_error_details = details
        self.failed.emit(friendly_message(exc))

    def _ended(self, request: _Request) -> None:
        if request in self._requests:
            self._requests.remove(request)
        self.waiting_changed.emit(self.waiting)
        if not self._requests:
            self.busy_changed.emit(False)


# -- the status bar -------------------------------------------------------------------


class ImportProgressWidget(QWidget):
    """ "Importing 12 of 340…", a progress bar and Cancel; hidden while no import runs."""

    LABEL_WIDTH = 320

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller: ImportController | None = None
        self._progress_text = ""
        self._text = ""
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop importing; the articles imported so far are kept")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.setSpacing(8)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.hide()

    def _connections(self, controller: ImportController) -> list[tuple]:
        return [
            (controller.busy_changed, self._busy_changed),
            (controller.progress, self._progressed),
            (controller.waiting_changed, self._render),
            (controller.cancelling, self._render),
        ]

    def attach(self, controller: ImportController) -> None:
        self.detach()
        self._controller = controller
        for signal, slot in self._connections(controller):
            signal.connect(slot)
        self._busy_changed(controller.busy)

    def detach(self) -> None:
        if self._controller is None:
            return
        controller, self._controller = self._controller, None
        for signal, slot in self._connections(controller):
            signal.disconnect(slot)
        self.hide()

    @property
    def text(self) -> str:
        """The whole line shown (the label may be elided to fit)."""
        return self._text

    def _busy_changed(self, busy: bool) -> None:
        self._progress_text = ""
        self.bar.setRange(0, 0)
        self._render()
        self.setVisible(busy)

    def _progressed(self, done: int, total: int, text: str) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)  # still listing the files: a busy bar
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        self._progress_text = text
        self._render()

    def _render(self, *_args) -> None:
        controller = self._controller
        if controller is None or not controller.busy:
            return
        cancelling = controller.is_cancelling
        self.cancel_button.setEnabled(not cancelling)
        if cancelling:
            self.bar.setRange(0, 0)
            text = CANCELLING
        elif not controller.running:
            text = WAITING  # another write (an earlier task) holds the archive
        else:
            text = self._progress_text or LOOKING
            if controller.waiting == 1:
                text += " · 1 more import waiting"
            elif controller.waiting > 1:
                text += f" · {controller.waiting} more imports waiting"
        self._text = text
        metrics = QFontMetrics(self.label.font())
        self.label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, self.LABEL_WIDTH))
        self.label.setToolTip(text)

    def _cancel_clicked(self) -> None:
        if self._controller is not None:
            self._controller.cancel()


# -- dropping files on a window ---------------------------------------------------------


class DropOverlay(QWidget):
    """A highlighted frame over the drop zone with "Drop to import into the archive"."""

    TEXT = "Drop to import into the archive"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        # Drag events pass through to the widget below, which owns the filter.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        highlight = self.palette().highlight().color()
        veil = QColor(self.palette().window().color())
        veil.setAlpha(210)
        painter.fillRect(self.rect(), veil)
        pen = QPen(highlight, 3, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        wash = QColor(highlight)
        wash.setAlpha(28)
        painter.setBrush(wash)
        painter.drawRoundedRect(self.rect().adjusted(12, 12, -12, -12), 12, 12)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.TEXT)

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class DropImportFilter(QObject):
    """Installed on a widget: accept dragged local files and folders, import them on drop.

    The callback runs just after the drop event, not inside it, so a dialog it
    opens does not hold up the program the files were dragged from.
    """

    def __init__(self, target: QWidget, on_drop: Callable[[list[Path]], None]) -> None:
        super().__init__(target)
        self._target = target
        self.callback = on_drop  # public: what a drop calls, with the paths
        self.overlay = DropOverlay(target)
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._target:
            return False
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            if not paths_from_mime(event.mimeData()):
                return False  # not files: the widget treats it as it would without us
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if kind == QEvent.Type.DragEnter:
                self.overlay.cover()
            return True
        if kind == QEvent.Type.DragLeave:
            self.overlay.hide()
            return False
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            self.overlay.hide()
            paths = paths_from_mime(event.mimeData())
            if not paths:
                return False
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            QTimer.singleShot(0, self, lambda: self.callback(paths))
            return True
        if kind == QEvent.Type.Resize and self.overlay.isVisible():
            self.overlay.setGeometry(self._target.rect())
        return False
