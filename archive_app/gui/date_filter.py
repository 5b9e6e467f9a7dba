"""The published-date filter: from/to fields that take partial dates, and a button per year."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.gui.filters import complete_date
from archive_app.gui.look import muted_palette

YEAR_COLUMNS = 3
DATE_HINT = "A year (2023), a month (2023-05) or a day (2023-05-14)"


class DateRange(QWidget):
    """From/to fields that take partial dates, and a year per button with its count."""

    dates_entered = Signal(str, str)  # since, until (complete ISO dates or "")
    year_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.since_field = self._field("From")
        self.until_field = self._field("To")
        self.problem = QLabel(f"Not a date. {DATE_HINT}.")
        self.problem.setWordWrap(True)
        self.problem.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.problem.hide()
        self._years: dict[str, int] = {}  # every year seen, so a chosen year can be swapped
        self._buttons: dict[str, QToolButton] = {}
        self._active_year: str | None = None
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 4, 0, 0)
        self.grid.setHorizontalSpacing(2)
        self.grid.setVerticalSpacing(2)
        fields = QHBoxLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setSpacing(4)
        dash = QLabel("–")
        dash.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        fields.addWidget(self.since_field, 1)
        fields.addWidget(dash)
        fields.addWidget(self.until_field, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(2)
        layout.addLayout(fields)
        layout.addWidget(self.problem)
        layout.addLayout(self.grid)

    def _field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setToolTip(DATE_HINT)
        # Room for a whole date; emptying the field clears it, so no clear button.
        field.setMinimumWidth(field.fontMetrics().horizontalAdvance("2023-01-01") + 14)
        field.editingFinished.connect(self._entered)
        field.textEdited.connect(lambda text: self._entered() if not text else None)
        return field

    def dates(self) -> tuple[str | None, str | None]:
        return (
            complete_date(self.since_field.text(), end=False),
            complete_date(self.until_field.text(), end=True),
        )

    def show_dates(self, since: str, until: str) -> None:
        for field, value in ((self.since_field, since), (self.until_field, until)):
            if field.text() != value:
                field.setText(value)
        self.problem.hide()
        year = since[:4]
        active = year if since == f"{year}-01-01" and until == f"{year}-12-31" else None
        self._active_year = active
        for name, button in self._buttons.items():
            button.setChecked(name == active)

    def set_years(self, counts: Mapping[str, int]) -> None:
        for year in self._years:
            self._years[year] = 0
        self._years.update(counts)
        ordered = sorted(self._years, reverse=True)
        if ordered != sorted(self._buttons, reverse=True):
            for button in self._buttons.values():
                self.grid.removeWidget(button)
                button.deleteLater()
            self._buttons = {}
            for position, year in enumerate(ordered):
                button = QToolButton()
                button.setCheckable(True)
                button.setAutoRaise(True)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.clicked.connect(lambda _on, y=year: self.year_clicked.emit(y))
                self._buttons[year] = button
                self.grid.addWidget(button, position // YEAR_COLUMNS, position % YEAR_COLUMNS)
        for year, button in self._buttons.items():
            count = self._years[year]
            button.setText(f"{year}  {count:,}")
            button.setToolTip(f"Published in {year}: {count:,} in this search")
            button.setPalette(muted_palette(button) if count == 0 else self.palette())
            button.setChecked(year == self._active_year)

    def year_button(self, year: str) -> QToolButton | None:
        return self._buttons.get(year)

    def _entered(self) -> None:
        since, until = self.dates()
        if since is None or until is None:
            self.problem.show()
            return
        self.problem.hide()
        self.dates_entered.emit(since, until)
