"""Checkable names with their counts for the current search, as the sidebar's facets list them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.gui.look import muted_palette


class ElidedCheckBox(QCheckBox):
    """A check box whose long label is elided to the width it gets (full text in a tooltip)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(48)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        style = self.style()
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self)
        spacing = style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, self)
        room = max(0, self.width() - indicator - spacing - 4)
        text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        if text != self.text():
            self.setText(text)
        self.setToolTip(self._full if text != self._full else "")


class CountRow(QWidget):
    """One checkable name with its count on the right."""

    toggled = Signal(str, bool)

    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.count: int | None = None
        self.check = ElidedCheckBox(label)
        self.check.toggled.connect(lambda on: self.toggled.emit(self.key, on))
        self.count_label = QLabel("")
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 1, 4, 1)
        layout.addWidget(self.check, 1)
        layout.addWidget(self.count_label)
        self._normal = self.check.palette()

    def set_count(self, count: int | None) -> None:
        self.count = count
        self.count_label.setText("" if count is None else f"{count:,}")
        self.check.setPalette(muted_palette(self) if count == 0 else self._normal)

    def set_checked(self, checked: bool) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(checked)
        self.check.blockSignals(False)


class CheckList(QWidget):
    """Checkable names with counts, in the order given; optionally the first few and "More…".

    Rows are widgets only once they are shown, and are then reused: an archive
    with thousands of sources costs a few rows until the person asks for more.
    """

    toggled = Signal(str, bool)

    def __init__(
        self, *, limit: int | None = None, hide_zero: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.limit = limit
        self.hide_zero = hide_zero
        self.expanded = False
        self._items: dict[str, tuple[str, int | None]] = {}  # key → label, count; in order
        self._rows: dict[str, CountRow] = {}
        self._shown: list[str] = []
        self._checked: set[str] = set()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self.more_button = QToolButton()
        self.more_button.setAutoRaise(True)
        self.more_button.clicked.connect(self._toggle_more)
        self._layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.empty_label = QLabel("")
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._layout.addWidget(self.empty_label)

    def set_items(self, items: Sequence[tuple[str, str, int | None]]) -> None:
        """(key, label, count) in the order to show them."""
        self._items = {key: (label, count) for key, label, count in items}
        self._arrange()

    def set_counts(self, counts: Mapping[str, int] | None) -> None:
        self._items = {
            key: (label, None if counts is None else counts.get(key, 0))
            for key, (label, _count) in self._items.items()
        }
        self._arrange()

    def set_checked(self, keys: Sequence[str]) -> None:
        """Check these keys; one not listed yet is added (count 0) at the end."""
        self._checked = set(keys)
        for key in keys:
            self._items.setdefault(key, (key, 0))
        self._arrange()

    def keys(self) -> list[str]:
        return list(self._items)

    def count(self, key: str) -> int | None:
        return self._items[key][1] if key in self._items else None

    def row(self, key: str) -> CountRow | None:
        """The row of a shown key (None while it is not shown)."""
        return self._rows.get(key) if key in self._shown else None

    def visible_keys(self) -> list[str]:
        return list(self._shown)

    def _arrange(self) -> None:
        candidates = [
            key
            for key, (_label, count) in self._items.items()
            if not self.hide_zero or count != 0 or key in self._checked
        ]
        shown = candidates
        if self.limit is not None and not self.expanded and len(candidates) > self.limit:
            head = candidates[: self.limit]
            shown = head + [k for k in candidates[self.limit :] if k in self._checked]
        self._shown = shown
        for position, key in enumerate(shown):
            label, count = self._items[key]
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = CountRow(key, label)
                row.toggled.connect(self.toggled)
            elif row.check.full_text() != label:
                row.check.set_full_text(label)
            row.set_count(count)
            row.set_checked(key in self._checked)
            if self._layout.indexOf(row) != position:
                self._layout.removeWidget(row)
                self._layout.insertWidget(position, row)
            row.show()
        visible = set(shown)
        for key, row in self._rows.items():
            if key not in visible:
                row.hide()
        hidden = len(candidates) - len(shown)
        if self.limit is not None and (hidden > 0 or self.expanded):
            self.more_button.setText("Fewer" if self.expanded else f"More ({hidden:,})…")
            self.more_button.show()
        else:
            self.more_button.hide()
        self.empty_label.setVisible(not candidates and bool(self.empty_label.text()))

    def _toggle_more(self) -> None:
        self.expanded = not self.expanded
        self._arrange()
