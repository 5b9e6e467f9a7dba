"""Viewing and changing the import limits: the largest file, the largest image, the longest text.

The twin of `archive-app limits`. Values are checked with the ranges the
archive itself applies; saving is a write task, so it waits for an import in
progress and never races it. The new limits apply to the next import.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import InvalidValue
from archive_app.core.limits import DEFAULT_LIMITS, LABELS, RANGES, Limits
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner

SUFFIXES = {"max_file_mb": " MB", "max_image_megapixels": " megapixels", "max_text_chars": ""}
EXPLANATION = (
    "A file, image or text above a limit is not imported; the import report names it and "
    "says which limit it hit. Changes apply to the next import."
)


class LimitsDialog(QDialog):
    """Show the archive's limits; OK saves changed values (as a write task), then closes."""

    saved = Signal(object)  # the Limits as saved

    def __init__(self, archive, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import limits")
        self._archive = archive
        self._tasks = tasks
        self._saving = False
        current: Limits = archive.limits

        layout = QVBoxLayout(self)
        intro = QLabel(EXPLANATION)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.fields: dict[str, QSpinBox] = {}
        for name, label in LABELS.items():
            low, high = RANGES[name]
            box = QSpinBox()
            box.setRange(low, high)
            box.setGroupSeparatorShown(True)
            box.setSuffix(SUFFIXES[name])
            box.setValue(getattr(current, name))
            box.setToolTip(f"From {low:,} to {high:,}; default {getattr(DEFAULT_LIMITS, name):,}")
            self.fields[name] = box
            form.addRow(label[0].upper() + label[1:], box)
        layout.addLayout(form)

        # Values the archive could not use (a hand-edited archive.json) are said, not hidden.
        self.warning_label = QLabel("\n".join(archive.limits_warnings))
        self.warning_label.setWordWrap(True)
        self.warning_label.setVisible(bool(archive.limits_warnings))
        layout.addWidget(self.warning_label)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.defaults_button = QPushButton("Defaults")
        self.buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, int]:
        return {name: box.value() for name, box in self.fields.items()}

    def changes(self) -> dict[str, int]:
        """The values that differ from the archive's current limits."""
        current = self._archive.limits.as_dict()
        return {name: value for name, value in self.values().items() if value != current[name]}

    def restore_defaults(self) -> None:
        for name, box in self.fields.items():
            box.setValue(getattr(DEFAULT_LIMITS, name))

    def accept(self) -> None:
        if self._saving:
            return
        changes = self.changes()
        if not changes:
            super().accept()
            return
        self._saving = True
        self.buttons.setEnabled(False)
        archive = self._archive
        self._tasks.run(
            lambda job: archive.set_limits(**changes),
            on_done=self._saved,
            on_error=self._failed,
            write=True,
            label="Saving import limits",
        )

    def _saved(self, limits: Limits) -> None:
        self._saving = False
        self.saved.emit(limits)
        super().accept()

    def _failed(self, exc: Exception, details: str) -> None:
        self._saving = False
        self.buttons.setEnabled(True)
        if isinstance(exc, InvalidValue):
            self.error_label.setText(friendly_message(exc))
            self.error_label.show()
        else:
            show_error(self, "Limits not saved", friendly_message(exc), details)
