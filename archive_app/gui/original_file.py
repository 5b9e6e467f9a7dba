"""Opening an article's stored original with the system's own program, as a named copy."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from archive_app.core.archive import Archive
from archive_app.core.models import Article
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import Job, TaskRunner


class OriginalOpener:
    """Copies originals under their own names into a temporary folder, and opens them.

    The copies live as long as the opener: the program showing one may still be
    reading it after the reader has moved on to another article.
    """

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget) -> None:
        self._archive = archive
        self._tasks = tasks
        self._parent = parent  # where a failure is reported
        self._originals: tempfile.TemporaryDirectory | None = None

    def open(self, article: Article) -> None:
        """Copy the stored original under its own name, and open it with the system's program."""
        if self._originals is None:
            self._originals = tempfile.TemporaryDirectory(
                prefix="archive-app-originals-", ignore_cleanup_errors=True
            )
        folder = Path(self._originals.name) / article.id
        name = safe_filename(article.provenance.filename) or f"{article.id}.original"

        def copy(job: Job) -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            shutil.copyfile(self._archive.original_path(article.id), target)
            return target

        self._tasks.run(
            copy,
            on_done=lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            on_error=lambda exc, details: show_error(
                self._parent, "Original not opened", friendly_message(exc), details
            ),
            label="Opening the original",
        )


def safe_filename(name: str) -> str:
    """The original's own name, without any folder part or characters systems refuse."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c not in '<>:"|?*' and ord(c) >= 32).strip(" .")
