"""Moving through the reader's page: the match bar, F3, and the wheel and keys that scroll it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractSlider,
    QApplication,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QWidget,
)

from archive_app.gui.archive_browser import ArchiveBrowser

_SLIDER = QAbstractSlider.SliderAction
_NONE, _SHIFT, _CTRL = (
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.ControlModifier,
)
_PAGE_KEYS = {
    (Qt.Key.Key_PageDown, _NONE): _SLIDER.SliderPageStepAdd,
    (Qt.Key.Key_PageUp, _NONE): _SLIDER.SliderPageStepSub,
    (Qt.Key.Key_Space, _NONE): _SLIDER.SliderPageStepAdd,
    (Qt.Key.Key_Space, _SHIFT): _SLIDER.SliderPageStepSub,
    (Qt.Key.Key_Down, _NONE): _SLIDER.SliderSingleStepAdd,
    (Qt.Key.Key_Up, _NONE): _SLIDER.SliderSingleStepSub,
    (Qt.Key.Key_Home, _CTRL): _SLIDER.SliderToMinimum,
    (Qt.Key.Key_End, _CTRL): _SLIDER.SliderToMaximum,
}


class HitBar(QWidget):
    """▲ ▼ and "3 of 12": the query's matches in the article being read."""

    previous_requested = Signal()
    next_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.previous_button = QToolButton()
        self.previous_button.setText("▲")
        self.previous_button.setToolTip("Previous match (Shift+F3)")
        self.previous_button.setAutoRaise(True)
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button = QToolButton()
        self.next_button.setText("▼")
        self.next_button.setToolTip("Next match (F3)")
        self.next_button.setAutoRaise(True)
        self.next_button.clicked.connect(self.next_requested)
        for button in (self.previous_button, self.next_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F3 and Shift+F3 do the same
        self.label = QLabel()
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        row.addSpacing(4)
        row.addWidget(self.label)

    def show_hits(self, current: int, total: int, *, searching: bool) -> None:
        """The current match (-1: none yet) of `total`; nothing at all when not searching."""
        if not searching:
            self.label.setText("")
        elif total == 0:
            self.label.setText("No matches in this article")
        elif current < 0:
            self.label.setText(f"{total} match" + ("" if total == 1 else "es"))
        else:
            self.label.setText(f"{current + 1} of {total}")
        for button in (self.previous_button, self.next_button):
            button.setVisible(searching)
            button.setEnabled(total > 0)


class PageScroller(QObject):
    """Scrolls the page for a body as tall as its text, which never scrolls itself.

    The wheel over the body and the reading keys in it move the page, wherever
    the pointer or the focus is; `reveal_hit` brings the current match into view.
    """

    def __init__(self, scroll: QScrollArea, browser: ArchiveBrowser) -> None:
        super().__init__(scroll)
        self._scroll = scroll
        self._browser = browser
        browser.installEventFilter(self)
        browser.viewport().installEventFilter(self)

    def reveal_hit(self) -> None:
        rect = self._browser.hit_rect()
        if rect.isNull():
            return
        page = self._scroll.widget()
        page.layout().activate()
        top_left = self._browser.viewport().mapTo(page, rect.topLeft())
        margin = self._scroll.viewport().height() // 3
        self._scroll.ensureVisible(top_left.x(), top_left.y() + rect.height() // 2, 0, margin)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The event's type first: widgets being destroyed send events too, and then neither
        # the scroll area nor the browser's viewport may be asked for anything.
        kind = event.type()
        if (
            kind == QEvent.Type.Wheel
            and watched is self._browser.viewport()
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            QApplication.sendEvent(self._scroll.verticalScrollBar(), event)
            return True
        if kind == QEvent.Type.KeyPress and watched is self._browser:
            step = _PAGE_KEYS.get((event.key(), event.modifiers()))
            if step is not None:
                self._scroll.verticalScrollBar().triggerAction(step)
                return True
        return super().eventFilter(watched, event)


def is_find_key(event: QEvent) -> bool:
    """F3, Shift+F3 or the system's Find next / Find previous keys."""
    return (
        event.matches(QKeySequence.StandardKey.FindNext)
        or event.matches(QKeySequence.StandardKey.FindPrevious)
        or event.key() == Qt.Key.Key_F3
    )


def find_step(event: QEvent) -> int:
    """1 for "find next", -1 for "find previous", 0 for any other key."""
    if event.matches(QKeySequence.StandardKey.FindNext) or (
        event.key() == Qt.Key.Key_F3 and not event.modifiers()
    ):
        return 1
    if event.matches(QKeySequence.StandardKey.FindPrevious) or (
        event.key() == Qt.Key.Key_F3 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
    ):
        return -1
    return 0


def step_on_find_key(event: QEvent, forward: Callable[[], None], back: Callable[[], None]) -> bool:
    """Run `forward` or `back` for F3 / Shift+F3 (and the system's find keys); False otherwise."""
    step = find_step(event)
    if step > 0:
        forward()
    elif step < 0:
        back()
    return step != 0
