"""Correcting an article's title, author, source, date and URL.

A person's values are kept beside what the importer extracted (see
`Archive.edit`); emptying a field, or choosing "Restore", brings the
extracted value back. The date is checked as it is typed, with the rules the
archive itself applies, so a mistake is shown next to the field and never saved.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import InvalidValue
from archive_app.core.dates import normalize_date
from archive_app.core.models import Article
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner
from archive_app.gui.wording import readable_date

FIELDS = (
    ("title", "Title"),
    ("author", "Author"),
    ("source", "Source"),
    ("published", "Published"),
    ("url", "URL"),
)
DATE_FORMATS_HINT = "For example 2024-03-14, 2024-03, 2024 or “14 Mar 2024 10:00 +0000”."
ERROR_COLOUR = "#c0392b"


class MetadataDialog(QDialog):
    """Edit one article's details; OK saves them as a write task, then closes."""

    saved = Signal(object)  # the Article as it reads after the edit

    def __init__(
        self,
        archive,
        tasks: TaskRunner,
        article: Article,
        extracted: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit details")
        self.setMinimumWidth(520)
        self._archive = archive
        self._tasks = tasks
        self._article = article
        self._extracted = dict(extracted or {})
        self.fields: dict[str, QLineEdit] = {}
        self.hints: dict[str, QLabel] = {}
        self._saving = False
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for name, label in FIELDS:
            edit = QLineEdit(getattr(article, name))
            edit.setCursorPosition(0)  # long titles and URLs: show their beginning
            edit.setPlaceholderText(self._placeholder(name))
            edit.setClearButtonEnabled(True)
            hint = QLabel()
            hint.setWordWrap(True)
            hint.setTextFormat(Qt.TextFormat.PlainText)
            small = QFont(hint.font())
            small.setPointSizeF(small.pointSizeF() * 0.9)
            hint.setFont(small)
            hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            column = QVBoxLayout()
            column.setSpacing(2)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            if name in article.edited_fields:
                restore = QPushButton("Restore")
                restore.setToolTip("Go back to the value found in the original")
                restore.clicked.connect(lambda _=False, e=edit: e.clear())
                row.addWidget(restore)
            column.addLayout(row)
            column.addWidget(hint)
            form.addRow(label + ":", column)
            self.fields[name] = edit
            self.hints[name] = hint
            edit.textChanged.connect(lambda _text, n=name: self._update_hint(n))
            self._update_hint(name)

        # The language decides how the text is analysed for search; empty detects it again.
        self.language = QLineEdit(article.language)
        self.language.setPlaceholderText("detected from the text")
        self.language.setToolTip("A language code such as en, uk, ru, de; empty: detect again")
        self.language.setMaximumWidth(140)
        form.addRow("Language:", self.language)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Your corrections are kept beside what was found in the original file. "
            "Empty a field to go back to the original value."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    # -- what changed ----------------------------------------------------------------------

    def changes(self) -> dict[str, str | None]:
        """Field → new value, or None to restore the extracted value; unchanged fields left out."""
        out: dict[str, str | None] = {}
        for name, edit in self.fields.items():
            text = edit.text().strip()
            edited = name in self._article.edited_fields
            current = getattr(self._article, name)
            if not text or text == self._extracted.get(name):
                if edited:
                    out[name] = None
            elif text != current:
                out[name] = text
        return out

    def date_error(self) -> str:
        text = self.fields["published"].text().strip()
        if not text:
            return ""
        try:
            normalize_date(text)
        except ValueError:
            return "Not a date this archive understands. Try 2024-03-14, 2024-03 or 2024."
        return ""

    # -- saving ------------------------------------------------------------------------------

    def accept(self) -> None:
        if self._saving:
            return
        if self.date_error():  # shown under the field as it was typed
            self.fields["published"].setFocus()
            return
        changes = self.changes()
        language = self.language.text().strip()
        new_language = language != self._article.language
        if not changes and not new_language:
            super().accept()
            return
        self._saving = True
        self.buttons.setEnabled(False)
        article_id = self._article.id
        archive = self._archive

        def save(job) -> Article:
            article = archive.edit(article_id, **changes) if changes else None
            if new_language:
                article = archive.set_language(article_id, language)
            return article

        self._tasks.run(
            save,
            on_done=self._saved,
            on_error=self._failed,
            write=True,
            label="Saving details",
        )

    def _saved(self, article: Article) -> None:
        self._saving = False
        self.saved.emit(article)
        super().accept()

    def _failed(self, exc: Exception, details: str) -> None:
        self._saving = False
        self.buttons.setEnabled(True)
        if isinstance(exc, InvalidValue):
            self._show_error(friendly_message(exc))
        else:
            show_error(self, "Details not saved", friendly_message(exc), details)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # -- hints -------------------------------------------------------------------------------

    def _placeholder(self, name: str) -> str:
        extracted = self._extracted.get(name, "")
        if extracted:
            shown = readable_date(extracted) if name == "published" else extracted
            return f"From the original: {shown}"
        return "Not found in the original"

    def _update_hint(self, name: str) -> None:
        text = self.fields[name].text().strip()
        hint = self.hints[name]
        notes = []
        error = self.date_error() if name == "published" else ""
        if error:
            notes.append(error)
        elif name == "published":
            shown = readable_date(normalize_date(text)) if text else ""
            notes.append(f"Reads as {shown}." if text else DATE_FORMATS_HINT)
        extracted = self._extracted.get(name)
        if name in self._article.edited_fields:
            if not text or text == extracted:
                notes.append("The original value will be restored.")
            elif extracted:
                shown = readable_date(extracted) if name == "published" else extracted
                notes.append(f"Edited by you; the original says “{shown}”.")
            else:
                notes.append("Edited by you; the original has no value here.")
        hint.setText(" ".join(notes))
        hint.setVisible(bool(notes))
        # An accent, not a palette role: a mistake must read as one.
        hint.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self._fit_height()

    def _fit_height(self) -> None:
        """Hints wrap onto more lines as they change: grow so that nothing overlaps."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)
