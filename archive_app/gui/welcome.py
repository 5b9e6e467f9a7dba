"""The panels shown instead of the library: first run, opening, and a problem."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.gui.look import heading_label


def _heading(text: str, scale: float = 1.6) -> QLabel:
    label = heading_label(scale, text)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    label.setWordWrap(True)
    return label


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    label.setForegroundRole(label.foregroundRole())
    return label


def _centred(*widgets: QWidget, width: int = 560) -> QHBoxLayout:
    """A column of widgets, centred; word-wrapped labels get the column's full width."""
    card = QWidget()
    card.setMaximumWidth(width)
    column = QVBoxLayout(card)
    column.setSpacing(14)
    for widget in widgets:
        column.addWidget(widget)
    outer = QVBoxLayout()
    outer.addStretch(2)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 4)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(3)
    wrapper = QHBoxLayout()
    wrapper.addLayout(outer)
    return wrapper


class WelcomePanel(QWidget):
    """An empty archive: say what the app is for and offer the two ways in."""

    import_files = Signal()
    import_folder = Signal()
    open_sample = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.location = _paragraph("")
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        self.import_files_button = QPushButton("Import files…")
        self.import_files_button.setDefault(True)
        self.import_folder_button = QPushButton("Import a folder…")
        self.sample_button = QPushButton("Open the sample archive")
        for button in (self.import_files_button, self.import_folder_button, self.sample_button):
            button.setMinimumHeight(34)
            buttons.addWidget(button)
        buttons.insertStretch(0)
        buttons.addStretch()
        holder = QWidget()
        holder.setLayout(buttons)
        self.import_files_button.clicked.connect(self.import_files)
        self.import_folder_button.clicked.connect(self.import_folder)
        self.sample_button.clicked.connect(self.open_sample)
        self.setLayout(
            _centred(
                _heading("Your archive is empty"),
                _paragraph(
                    "Import news articles, reports and saved web pages: plain text, Markdown, "
                    "HTML and saved pages with their images, MHTML, web archives (WARC), PDF "
                    "and JSON. Every original is kept byte for byte; nothing is fetched from "
                    "the network."
                ),
                holder,
                _paragraph(
                    "You can also drop files or folders onto this window. The sample archive "
                    "holds a few fictional articles written to show what the app does."
                ),
                self.location,
            )
        )

    def set_location(self, text: str) -> None:
        self.location.setText(f"<small>Archive folder: {text}</small>")


class BusyPanel(QWidget):
    """Opening an archive (which may mean rebuilding its index) with progress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _heading("Opening the archive…", 1.3)
        self.detail = _paragraph("")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMinimumWidth(360)
        self.setLayout(_centred(self.title, self.bar, self.detail))

    def show_progress(self, title: str, done: int = 0, total: int = 0, detail: str = "") -> None:
        self.title.setText(title)
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.detail.setText(detail)


class ProblemPanel(QWidget):
    """The archive could not be opened: what happened, what to do, the details on demand."""

    choose_archive = Signal()
    open_sample = Signal()
    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _heading("The archive could not be opened", 1.3)
        self.message = _paragraph("")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        self.details_button = QPushButton("Show details")
        self.details_button.setFlat(True)
        self.details_button.clicked.connect(self._toggle_details)
        self._buttons = buttons = QHBoxLayout()
        self._retry = retry = QPushButton("Try again")
        other = QPushButton("Open another archive…")
        sample = QPushButton("Open the sample archive")
        for button, signal in (
            (retry, self.retry),
            (other, self.choose_archive),
            (sample, self.open_sample),
        ):
            button.clicked.connect(signal)
            buttons.addWidget(button)
        buttons.insertStretch(0)
        buttons.addStretch()
        holder = QWidget()
        holder.setLayout(buttons)
        self.setLayout(
            _centred(self.title, self.message, holder, self.details_button, self.details, width=620)
        )

    def add_action(self, text: str) -> QPushButton:
        """A button beside "Try again", for what only some problems allow."""
        button = QPushButton(text)
        self._buttons.insertWidget(self._buttons.indexOf(self._retry) + 1, button)
        return button

    def show_problem(self, message: str, details: str = "") -> None:
        self.message.setText(message)
        self.details.setText(f"<pre>{html.escape(details)}</pre>")
        self.details.hide()
        self.details_button.setVisible(bool(details))
        self.details_button.setText("Show details")

    def _toggle_details(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Show details")
