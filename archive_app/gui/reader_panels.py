"""The reader's panels under the body: a section that opens and closes, notes, provenance."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.audit_log import describe
from archive_app.core.models import Article, LogEntry
from archive_app.gui.article_document import listed, readable_size, readable_time
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner

NOTE_SAVE_DELAY_MS = 800
HISTORY_LIMIT = 200  # the newest entries of an article's history that the reader lists
HISTORY_ACTIONS = {
    "import": "Imported",
    "restore": "Restored",
    "edit": "Edited",
    "tag": "Tagged",
    "untag": "Untagged",
    "tag-rename": "Tag renamed",
    "tag-merge": "Tags merged",
    "tag-delete": "Tag removed everywhere",
    "topic": "Topic",
    "note": "Note",
    "language": "Language",
    "delete": "Deleted",
}
EDITABLE_LABELS = {
    "title": "title",
    "author": "author",
    "source": "source",
    "url": "URL",
    "published": "date",
}


class Section(QWidget):
    """A titled panel that opens and closes; closed panels take one line."""

    def __init__(self, title: str, body: QWidget, *, expanded: bool = False) -> None:
        super().__init__()
        self.title = title
        self.body = body
        self._expanded = expanded
        self.toggle = QToolButton()
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        font = QFont(self.toggle.font())
        font.setWeight(QFont.Weight.DemiBold)
        self.toggle.setFont(font)
        self.toggle.setText(title)
        self.toggle.clicked.connect(lambda: self.set_expanded(not self._expanded))
        self.summary = QLabel()
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.toggle)
        row.addWidget(self.summary, 1)
        row.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(body)
        self.set_expanded(expanded)

    @property
    def expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self.summary.setText(self._summary if not expanded else "")

    def set_summary(self, text: str) -> None:
        self._summary = text
        self.summary.setText(text if not self._expanded else "")

    _summary = ""


class NotesPanel(QWidget):
    """The person's notes on the article, saved a moment after typing stops."""

    saved = Signal(str)  # the article id whose note was written

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._article_id: str | None = None
        self._dirty = False
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Your notes on this article. They are saved as you type.")
        self.editor.setMinimumHeight(90)
        self.editor.setMaximumHeight(220)
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._typed)
        self.status = QLabel()
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        layout.addWidget(self.status, 0, Qt.AlignmentFlag.AlignRight)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def text(self) -> str:
        return self.editor.toPlainText()

    def summary(self) -> str:
        """The note's start on one line, for the closed panel."""
        text = " ".join(self.text().split())
        if len(text) > 80:
            text = text[:80] + "…"
        return text or "none yet"

    def set_article(self, article_id: str | None, note: str) -> None:
        """Show another article's note; the text being typed for this one is kept."""
        if article_id == self._article_id and article_id is not None:
            return  # the editor, not a stale read, holds this article's note
        self.flush()
        self._article_id = article_id
        self.editor.blockSignals(True)
        self.editor.setPlainText(note)
        self.editor.blockSignals(False)
        self._dirty = False
        self.status.setText("")
        self.setEnabled(article_id is not None)

    def flush(self) -> None:
        """Save now what has been typed and not yet saved."""
        self._timer.stop()
        if not self._dirty or self._article_id is None:
            return
        article_id, text = self._article_id, self.editor.toPlainText()
        self._dirty = False
        self.status.setText("Saving…")

        def done(_result: object) -> None:
            if article_id == self._article_id and not self._dirty:
                self.status.setText("Saved")
            self.saved.emit(article_id)

        def failed(exc: Exception, details: str) -> None:
            if article_id == self._article_id:
                self._dirty = True  # still unsaved: the next pause or switch tries again
                self.status.setText("Not saved")
            show_error(
                self,
                "Note not saved",
                f"Your note could not be saved. {friendly_message(exc)}\n\n{text}",
                details,
            )

        self._tasks.run(
            lambda job: self._archive.set_note(article_id, text),
            on_done=done,
            on_error=failed,
            write=True,
            label="Saving a note",
        )

    def _typed(self) -> None:
        if self._article_id is None:
            return
        self._dirty = True
        self.status.setText("")
        self._timer.start()


class ProvenancePanel(QWidget):
    """Where the article came from: the original file, its hash, the import, its duplicates."""

    open_article_requested = Signal(str)
    show_original_requested = Signal()
    edit_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        archive: Archive | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.filename = _value_label()
        self.record = _value_label()
        self.sha256 = QLineEdit()
        self.sha256.setReadOnly(True)
        self.sha256.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sha256.setFrame(False)
        self.sha256.setToolTip("SHA-256 of the original file's bytes")
        copy = QToolButton()
        copy.setText("Copy")
        copy.setToolTip("Copy the SHA-256 to the clipboard")
        copy.clicked.connect(self.copy_hash)
        hash_row = QHBoxLayout()
        hash_row.setContentsMargins(0, 0, 0, 0)
        hash_row.addWidget(self.sha256, 1)
        hash_row.addWidget(copy)
        self.size = _value_label()
        self.imported = _value_label()
        self.importer = _value_label()
        self.duplicates = _value_label()
        self.duplicates.setTextFormat(Qt.TextFormat.RichText)
        self.duplicates.linkActivated.connect(self.open_article_requested)
        self.edited = _value_label()
        self.warnings = _value_label()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.form.addRow("File:", self.filename)
        self.form.addRow("Record:", self.record)
        self.form.addRow("SHA-256:", hash_row)
        self.form.addRow("Size:", self.size)
        self.form.addRow("Imported:", self.imported)
        self.form.addRow("Importer:", self.importer)
        self.form.addRow("Duplicates:", self.duplicates)
        self.form.addRow("Edited:", self.edited)
        self.form.addRow("Import notes:", self.warnings)
        # The archive's log of what happened to the article; listed when the reader passes
        # the archive and its task runner in.
        self.history: HistoryList | None = None
        if archive is not None and tasks is not None:
            self.history = HistoryList(archive, tasks)
            self.form.addRow("History:", self.history)
        self.show_original_button = QPushButton("Show original")
        self.show_original_button.setToolTip(
            "Open a copy of the original file with the program your system uses for it"
        )
        self.show_original_button.clicked.connect(self.show_original_requested)
        self.edit_button = QPushButton("Edit details…")
        self.edit_button.clicked.connect(self.edit_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_original_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addLayout(buttons)

    def set_article(self, article: Article) -> None:
        p = article.provenance
        self.filename.setText(p.filename)
        self._row(self.record, p.record)
        self.sha256.setText(p.sha256)
        self.sha256.setCursorPosition(0)
        self.size.setText(f"{readable_size(p.size)} ({p.size:,} bytes)")
        self.imported.setText(readable_time(p.imported_at))
        self.importer.setText(f"{p.importer}, archive-app {p.app_version}")
        self._row(
            self.duplicates,
            ", ".join(
                f'<a href="{html.escape(d)}">{html.escape(d)}</a>' for d in article.duplicates
            ),
        )
        self._row(self.edited, edited_summary(article.edited_fields))
        self._row(self.warnings, "\n".join(article.warnings))
        if self.history is not None:
            self.history.set_article(article.id)

    def copy_hash(self) -> None:
        QGuiApplication.clipboard().setText(self.sha256.text())

    def _row(self, label: QLabel, text: str) -> None:
        label.setText(text)
        self.form.setRowVisible(label, bool(text))


class HistoryList(QWidget):
    """An article's entries in the audit log, newest first, read in the background."""

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._article_id: str | None = None
        self.list = QListWidget()
        self.list.setMaximumHeight(160)
        self.list.setWordWrap(True)
        self.status = QLabel()
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.status)

    def set_article(self, article_id: str) -> None:
        """Read the article's history again (after every change the reader shows)."""
        self._article_id = article_id
        self.status.setText("Reading…")
        self._tasks.run(
            lambda job: self._archive.log(article_id, limit=HISTORY_LIMIT),
            on_done=lambda entries: self._show(article_id, entries),
            on_error=lambda exc, details: self._failed(article_id, exc),
            key="reader-history",  # a newer article replaces a read still under way
            label="Reading the article's history",
        )

    def _show(self, article_id: str, entries: tuple[LogEntry, ...]) -> None:
        if article_id != self._article_id:
            return
        self.list.clear()
        for entry in entries:
            action = HISTORY_ACTIONS.get(entry.action, entry.action)
            item = QListWidgetItem(f"{readable_time(entry.at)}  {action}: {describe(entry)}")
            item.setToolTip(f"Log entry {entry.seq}\nSHA-256 {entry.hash}")
            self.list.addItem(item)
        text = ""
        if not entries:
            text = "No changes recorded."
        elif len(entries) >= HISTORY_LIMIT:
            text = f"The newest {HISTORY_LIMIT}; all of them with: archive-app log {article_id}"
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _failed(self, article_id: str, exc: Exception) -> None:
        if article_id == self._article_id:
            self.list.clear()
            self.status.setText(f"The history could not be read. {friendly_message(exc)}")
            self.status.setVisible(True)


def edited_summary(fields: tuple[str, ...]) -> str:
    """("title", "published") → "Title and date edited by you"."""
    names = [EDITABLE_LABELS.get(f, f) for f in fields]
    if not names:
        return ""
    text = listed(names) + " edited by you"
    return text[0].upper() + text[1:]


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
