"""What an import did, file by file: the line in the status bar and the summary dialog."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.models import ImportReport
from archive_app.gui.look import heading_label
from archive_app.gui.wording import capitalised, count_noun

OUTCOMES = ("imported", "duplicate", "failed", "skipped")
OUTCOME_LABELS = {
    "imported": "Imported",
    "duplicate": "Duplicate",
    "failed": "Failed",
    "skipped": "Skipped",
}
FILTER_LABELS = {
    "imported": "Imported",
    "duplicate": "Duplicates",
    "failed": "Failed",
    "skipped": "Skipped",
}
# Small accents beside the outcome's word; the word carries the meaning.
OUTCOME_COLOURS = {
    "imported": "#3c9a5f",
    "duplicate": "#4a7fc1",
    "failed": "#c8453b",
    "skipped": "#9a9a9a",
}


@dataclass(frozen=True)
class SummaryRow:
    outcome: str  # one of OUTCOMES
    path: str
    record: str  # where in a container file ("line 3"), "" for a whole file
    detail: str  # the title, the existing article, or the reason
    article_id: str | None  # for imported and duplicate rows


def summary_rows(report: ImportReport) -> list[SummaryRow]:
    """A row per file and outcome, failures first: they are what needs the person's eye."""
    rows = [SummaryRow("failed", p.path, "", capitalised(p.reason), None) for p in report.failed]
    rows += [
        SummaryRow("imported", i.path, i.record, _imported_detail(i.title, i.warnings), i.id)
        for i in report.imported
    ]
    rows += [
        SummaryRow("duplicate", d.path, d.record, f"Already in the archive as {d.id}", d.id)
        for d in report.duplicates
    ]
    rows += [SummaryRow("skipped", p.path, "", capitalised(p.reason), None) for p in report.skipped]
    return rows


def _imported_detail(title: str, warnings: tuple[str, ...]) -> str:
    title = title or "(untitled)"
    if not warnings:
        return title
    return f"{title} — {'; '.join(capitalised(w).rstrip('.') for w in warnings)}"


def status_text(report: ImportReport) -> str:
    """One line for the status bar: "Imported 12 articles · 3 duplicates · 1 failed"."""
    parts = [
        f"Imported {count_noun(len(report.imported), 'article', 'articles')}"
        if report.imported
        else "No articles imported"
    ]
    if report.duplicates:
        parts.append(count_noun(len(report.duplicates), "duplicate", "duplicates"))
    if report.failed:
        parts.append(f"{len(report.failed):,} failed")
    if report.skipped:
        parts.append(f"{len(report.skipped):,} skipped")
    line = " · ".join(parts)
    return f"Import cancelled · {line}" if report.cancelled else line


def report_text(report: ImportReport) -> str:
    """The whole report as plain text, for the clipboard or an e-mail."""
    lines = [status_text(report), ""]
    for row in summary_rows(report):
        where = f"{row.path} ({row.record})" if row.record else row.path
        detail = f"{row.detail} [{row.article_id}]" if row.outcome == "imported" else row.detail
        lines.append(f"{OUTCOME_LABELS[row.outcome]}\t{where}\t{detail}")
    return "\n".join(lines) + "\n"


def _shown_paths(paths: list[str]) -> dict[str, str]:
    """Paths as shown: relative to the folder they share, so the file names stand out."""
    if not paths:
        return {}
    try:
        common = os.path.commonpath([str(Path(p).parent) for p in paths])
    except ValueError:  # different drives
        return {p: p for p in paths}
    return {p: os.path.relpath(p, common) if common else p for p in paths}


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(2, 2, 8, 8)
    painter.end()
    return QIcon(pixmap)


class ImportSummaryDialog(QDialog):
    """Counts, then a row per file and outcome; imported and duplicate rows open their article."""

    open_article_requested = Signal(str)
    status_text = staticmethod(status_text)

    ROW_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.rows = summary_rows(report)
        self.setWindowTitle("Import summary")
        self.resize(820, 520)

        headline = heading_label(1.3, status_text(report))
        headline.setWordWrap(True)
        self.headline = headline
        self.note = QLabel(self._note())
        self.note.setWordWrap(True)
        self.note.setVisible(bool(self.note.text()))

        self.filter_buttons: dict[str | None, QToolButton] = {}
        self._filter_group = QButtonGroup(self)
        filters = QHBoxLayout()
        filters.setSpacing(4)
        counts = {o: sum(1 for r in self.rows if r.outcome == o) for o in OUTCOMES}
        for outcome, label in [(None, "All"), *FILTER_LABELS.items()]:
            n = len(self.rows) if outcome is None else counts[outcome]
            button = QToolButton()
            button.setText(f"{label}  {n:,}")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            if outcome is not None:
                button.setIcon(_dot(OUTCOME_COLOURS[outcome]))
                button.setEnabled(n > 0)
            button.clicked.connect(lambda _c=False, o=outcome: self.set_filter(o))
            self._filter_group.addButton(button)
            self.filter_buttons[outcome] = button
            filters.addWidget(button)
        filters.addStretch(1)
        self.filter_buttons[None].setChecked(True)

        self.table = QTreeWidget()
        self.table.setColumnCount(3)
        self.table.setHeaderLabels(["Outcome", "File", "Title or reason"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 260)
        self._fill()
        self.table.itemActivated.connect(lambda item, _col: self._activate(item))
        self.table.currentItemChanged.connect(lambda _c, _p: self._current_changed())

        self.open_button = QPushButton("Open article")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._activate(self.table.currentItem()))
        self.copy_button = QPushButton("Copy report")
        self.copy_button.setToolTip("Copy the whole report as plain text")
        self.copy_button.clicked.connect(self.copy_report)
        close = QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(close)

        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(headline)
        column.addWidget(self.note)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)

    def _note(self) -> str:
        if self.report.cancelled:
            return (
                "The import was cancelled. The articles listed as imported are in the "
                "archive; the files after them were not read."
            )
        if not self.rows:
            return "No article files were found in what was chosen."
        return ""

    def _fill(self) -> None:
        shown = _shown_paths(sorted({r.path for r in self.rows}))
        icons = {o: _dot(c) for o, c in OUTCOME_COLOURS.items()}
        for index, row in enumerate(self.rows):
            where = shown.get(row.path, row.path)
            if row.record:
                where = f"{where} ({row.record})"
            item = QTreeWidgetItem([OUTCOME_LABELS[row.outcome], where, row.detail])
            item.setIcon(0, icons[row.outcome])
            item.setToolTip(1, row.path)
            item.setToolTip(2, row.detail)
            item.setData(0, self.ROW_ROLE, index)
            if row.article_id:
                item.setToolTip(0, "Double-click to open the article")
            self.table.addTopLevelItem(item)

    def set_filter(self, outcome: str | None) -> None:
        """Show only rows with this outcome (None: every row)."""
        self.filter_buttons[outcome].setChecked(True)
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            row = self.rows[item.data(0, self.ROW_ROLE)]
            item.setHidden(outcome is not None and row.outcome != outcome)
        self._current_changed()

    def visible_rows(self) -> list[SummaryRow]:
        return [
            self.rows[item.data(0, self.ROW_ROLE)]
            for item in (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
            if not item.isHidden()
        ]

    def item_for(self, row: SummaryRow) -> QTreeWidgetItem:
        return self.table.topLevelItem(self.rows.index(row))

    def copy_report(self) -> str:
        text = report_text(self.report)
        QGuiApplication.clipboard().setText(text)
        return text

    def _row_of(self, item: QTreeWidgetItem | None) -> SummaryRow | None:
        if item is None or item.isHidden():
            return None
        return self.rows[item.data(0, self.ROW_ROLE)]

    def _current_changed(self) -> None:
        row = self._row_of(self.table.currentItem())
        self.open_button.setEnabled(row is not None and row.article_id is not None)

    def _activate(self, item: QTreeWidgetItem | None) -> None:
        row = self._row_of(item)
        if row is not None and row.article_id:
            self.open_article_requested.emit(row.article_id)
