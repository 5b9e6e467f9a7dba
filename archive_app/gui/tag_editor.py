"""An article's tags as chips: ✕ removes one; the line edit adds, completing the archive's tags."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tag_entry import TagCompleter, parse_tags
from archive_app.gui.tasks import TaskRunner

CHIP_STYLE = """
QFrame#chip {
    background: palette(alternate-base);
    border: 1px solid palette(mid);
    border-radius: 10px;
}
QFrame#chip QToolButton { border: none; padding: 0 2px; }
"""


class FlowLayout(QLayout):
    """Lays items out in rows like words in a paragraph, wrapping at the right edge."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def clear(self) -> None:
        while self._items:
            item = self._items.pop()
            if item.widget() is not None:
                item.widget().hide()  # gone at once, not when the deletion is processed
                item.widget().deleteLater()

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y = area.x(), y + row_height + self._spacing
                row_height = 0
            if move:
                width = min(hint.width(), area.width())
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


def chip(text: str, *, tooltip: str = "", removable: bool = False) -> tuple[QFrame, QToolButton]:
    """A rounded label; returns it and its ✕ button (hidden unless removable)."""
    frame = QFrame()
    frame.setObjectName("chip")
    frame.setStyleSheet(CHIP_STYLE)
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(8, 1, 3 if removable else 8, 1)
    layout.setSpacing(2)
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    layout.addWidget(label)
    remove = QToolButton()
    remove.setText("✕")
    remove.setAutoRaise(True)
    remove.setCursor(Qt.CursorShape.PointingHandCursor)
    remove.setVisible(removable)
    layout.addWidget(remove)
    frame.setToolTip(tooltip)
    frame.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return frame, remove


class TagEditor(QWidget):
    """The tags of one article, written to the archive as the person changes them."""

    tags_changed = Signal(tuple)  # the article's tags after a change was saved

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._article_id: str | None = None
        self._tags: tuple[str, ...] = ()
        self._completions_loaded = False
        self.chips: dict[str, QFrame] = {}

        self._flow = FlowLayout(self)
        self.line_edit = QLineEdit()
        self.line_edit.setPlaceholderText("Add tags…")
        self.line_edit.setToolTip("Type a tag and press Enter; separate several with commas.")
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setMinimumWidth(140)
        self.line_edit.setMaximumWidth(240)
        self.line_edit.returnPressed.connect(self._add_typed)
        self.line_edit.installEventFilter(self)
        self.completer = TagCompleter(self)
        self.completion_model = self.completer.names
        self.line_edit.setCompleter(self.completer)
        self._rebuild()

    # -- public --------------------------------------------------------------------------

    @property
    def tags(self) -> tuple[str, ...]:
        return self._tags

    def set_article(self, article_id: str | None, tags: Sequence[str]) -> None:
        if article_id != self._article_id:
            self.line_edit.clear()
        self._article_id = article_id
        self._tags = tuple(tags)
        self.setEnabled(article_id is not None)
        self._rebuild()

    def add_tags(self, text: str) -> None:
        """Add the comma-separated tags in `text` to the article."""
        new = [t for t in parse_tags(text) if t.lower() not in {x.lower() for x in self._tags}]
        if self._article_id is None or not new:
            return
        article_id = self._article_id
        self._write(lambda job: self._archive.tag(article_id, new), article_id, "add the tags")

    def remove_tag(self, tag: str) -> None:
        if self._article_id is None:
            return
        article_id = self._article_id
        self._write(lambda job: self._archive.untag(article_id, [tag]), article_id, "remove a tag")

    def refresh_completions(self) -> None:
        """Offer every tag of the archive (and every level above one) when typing."""
        self._completions_loaded = True

        def names(job) -> list[str]:
            return [t.name for t in self._archive.tags()]

        self._tasks.run(
            names,
            on_done=self.completion_model.setStringList,
            on_error=lambda exc, details: None,  # no completion is no harm; typing still works
            key="tag-completions",
        )

    # -- inside --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The tag list can be long: load it when someone starts typing, not per article.
        if (
            watched is self.line_edit
            and event.type() == QEvent.Type.FocusIn
            and not self._completions_loaded
        ):
            self.refresh_completions()
        return super().eventFilter(watched, event)

    def _add_typed(self) -> None:
        text = self.line_edit.text()
        self.line_edit.clear()
        self.add_tags(text)

    def _write(self, fn, article_id: str, what: str) -> None:
        def done(tags: tuple[str, ...]) -> None:
            if article_id == self._article_id:
                self._tags = tuple(tags)
                self._rebuild()
            self._completions_loaded = False  # new tags, or tags gone: load again when typing
            self.tags_changed.emit(tuple(tags))

        def failed(exc: Exception, details: str) -> None:
            show_error(
                self, "Tags not changed", f"Could not {what}. {friendly_message(exc)}", details
            )

        self._tasks.run(fn, on_done=done, on_error=failed, write=True, label="Saving tags")

    def _rebuild(self) -> None:
        self._flow.removeWidget(self.line_edit)
        self._flow.clear()
        self.chips = {}
        for tag in self._tags:
            frame, remove = chip(tag, tooltip=tag, removable=True)
            remove.setToolTip(f"Remove the tag “{tag}”")
            remove.clicked.connect(lambda _=False, t=tag: self.remove_tag(t))
            self._flow.addWidget(frame)
            self.chips[tag] = frame
        self._flow.addWidget(self.line_edit)
        self.updateGeometry()
