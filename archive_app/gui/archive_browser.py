"""A QTextBrowser that loads nothing from outside the archive, and marks search hits.

Qt asks `loadResource` for every image, style sheet and background a document
names. Only `archive:` URLs are answered, by the resolver the reader passes
in; everything else (http, https, ftp, data, file, relative paths) is refused
without being looked at. Every request is recorded in `requests`, so what a
document tried to load can be checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QRect, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QFrame, QTextBrowser, QTextEdit, QWidget

from archive_app.gui.look import CURRENT_HIT_MARK, HIT_MARK, HIT_MARK_TEXT

ARCHIVE_SCHEME = "archive"
Resolver = Callable[[QUrl], QImage | None]
REQUEST_LOG_LIMIT = 5000  # Qt asks again for a refused image on every layout: keep the log bounded


class ArchiveBrowser(QTextBrowser):
    """Shows a document whose resources come only from the archive.

    `grow_with_content` makes the browser as tall as its document, for a page
    that scrolls as a whole (header, body and panels together).
    """

    hits_changed = Signal(int, int)  # the current hit (-1 for none) and the number of hits

    def __init__(
        self, resolve: Resolver, parent: QWidget | None = None, *, grow_with_content: bool = False
    ) -> None:
        super().__init__(parent)
        self._resolve = resolve
        self.requests: list[tuple[str, bool]] = []
        self._hits: list[QTextCursor] = []
        self._current = -1
        # Links are the reader's to handle: a click never navigates inside the widget.
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._grow = grow_with_content
        if grow_with_content:
            self.setFrameShape(QFrame.Shape.NoFrame)
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.document().documentLayout().documentSizeChanged.connect(self._fit_height)

    # -- resources -----------------------------------------------------------------------

    def loadResource(self, kind: int, url: QUrl) -> object:
        image = None
        if url.scheme() == ARCHIVE_SCHEME and kind == QTextDocument.ResourceType.ImageResource:
            image = self._resolve(url)
        allowed = image is not None
        self.requests.append((url.toString(), allowed))
        if len(self.requests) > REQUEST_LOG_LIMIT:
            del self.requests[: REQUEST_LOG_LIMIT // 2]
        return image if allowed else None

    def refused(self) -> list[str]:
        return [url for url, allowed in self.requests if not allowed]

    def allowed(self) -> list[str]:
        return [url for url, allowed in self.requests if allowed]

    def restyle_images(self, change: Callable[[QTextCharFormat], QTextCharFormat | None]) -> None:
        """Give images new names or sizes in place: the text, hits and scrolling stay put."""
        cursor = QTextCursor(self.document())
        block = self.document().begin()
        cursor.beginEditBlock()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.isValid() and fragment.charFormat().isImageFormat():
                    changed = change(fragment.charFormat())
                    if changed is not None:
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(
                            fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                        )
                        cursor.setCharFormat(changed)
                it += 1
            block = block.next()
        cursor.endEditBlock()

    def _fit_height(self) -> None:
        height = math.ceil(self.document().size().height())
        margins = self.contentsMargins()
        self.setFixedHeight(height + margins.top() + margins.bottom() + 2 * self.frameWidth())

    # -- search hits ---------------------------------------------------------------------

    def set_hits(self, spans: list[tuple[int, int]]) -> None:
        """Mark these (start, end) ranges of the document; no hit is current yet."""
        self._hits = []
        for start, end in spans:
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            self._hits.append(cursor)
        self._current = -1
        self._paint_hits()

    @property
    def hit_count(self) -> int:
        return len(self._hits)

    @property
    def current_hit(self) -> int:
        return self._current

    def hit_text(self, index: int) -> str:
        return self._hits[index].selectedText()

    def next_hit(self) -> bool:
        return self._step(1)

    def previous_hit(self) -> bool:
        return self._step(-1)

    def hit_rect(self) -> QRect:
        """Where the current hit is, in the viewport's coordinates (empty without one)."""
        if self._current < 0:
            return QRect()
        cursor = QTextCursor(self._hits[self._current])
        start = QTextCursor(cursor)
        start.setPosition(cursor.selectionStart())
        return self.cursorRect(start).united(self.cursorRect(cursor))

    def _step(self, delta: int) -> bool:
        if not self._hits:
            return False
        if self._current < 0:
            self._current = 0 if delta > 0 else len(self._hits) - 1
        else:
            self._current = (self._current + delta) % len(self._hits)
        self._paint_hits()
        if not self._grow:
            self.setTextCursor(QTextCursor(self._hits[self._current]))
            self.ensureCursorVisible()
        return True

    def _paint_hits(self) -> None:
        selections = []
        for i, cursor in enumerate(self._hits):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(CURRENT_HIT_MARK if i == self._current else HIT_MARK)
            fmt.setForeground(HIT_MARK_TEXT)
            if i == self._current:
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
                fmt.setFontUnderline(True)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)
        self.hits_changed.emit(self._current, len(self._hits))
