"""One article in the comparison view: its header and images above its marked text.

The header and the strip of images are `compare_header`'s. The text is an
`ArchiveBrowser` whose resolver answers nothing: the pane's document is built
from the article's plain text (`compare_document`), so it names no resource,
and anything it named anyway would be refused. Shared passages get a
see-through background in their passage's colour; text found only in this
pane gets a dashed underline in a warm accent (the background stays the
page's, so it never competes with the passage colours).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.analysis import TermMatcher
from archive_app.core.models import Article, Span
from archive_app.gui.archive_browser import ArchiveBrowser
from archive_app.gui.article_header import open_external
from archive_app.gui.compare_document import PaneDocument, SharedMark, only_here
from archive_app.gui.compare_header import PaneHeader, ThumbnailStrip
from archive_app.gui.hit_navigation import is_find_key, step_on_find_key
from archive_app.gui.image_viewer import ImageViewer
from archive_app.gui.look import ONLY_HERE_COLOUR, is_dark
from archive_app.gui.tasks import TaskRunner

EMPHASIS_MS = 1400  # how long a passage brought into view stays emphasised


def passage_alpha(dark: bool, emphasised: bool = False) -> int:
    """How opaque a passage's colour is drawn: stronger on a dark page, stronger when pointed at."""
    if emphasised:
        return 200 if dark else 170
    return 95 if dark else 70


class PaneBrowser(ArchiveBrowser):
    """The pane's text: search hits from the browser, plus a passage emphasised for a moment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(lambda _url: None, parent)  # the document names no resource at all
        self._hit_selections: list[QTextEdit.ExtraSelection] = []
        self._emphasis: list[QTextEdit.ExtraSelection] = []

    def setExtraSelections(self, selections: Sequence[QTextEdit.ExtraSelection]) -> None:
        # The browser repaints its hits through here; the emphasis stays under them.
        self._hit_selections = list(selections)
        super().setExtraSelections(self._emphasis + self._hit_selections)

    def set_emphasis(self, selections: list[QTextEdit.ExtraSelection]) -> None:
        self._emphasis = selections
        super().setExtraSelections(self._emphasis + self._hit_selections)

    @property
    def emphasis(self) -> list[QTextEdit.ExtraSelection]:
        return list(self._emphasis)


class ComparePane(QWidget):
    """One article of the comparison; see the module docstring."""

    passage_clicked = Signal(int, int)  # text offset, and the click's y in the viewport
    open_requested = Signal(str)
    close_requested = Signal()
    move_requested = Signal(int)  # -1 left, +1 right

    def __init__(self, archive, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self.article: Article | None = None
        self.document: PaneDocument | None = None
        self._thumbnails: dict[str, QImage] = {}
        self.marks: list[SharedMark] = []
        self.only_here: list[Span] = []
        self._query = ""
        self._matcher: TermMatcher = TermMatcher()
        self._details = True
        self.viewer: ImageViewer | None = None
        self._emphasis_timer = QTimer(self)
        self._emphasis_timer.setSingleShot(True)
        self._emphasis_timer.setInterval(EMPHASIS_MS)
        self._emphasis_timer.timeout.connect(lambda: self.browser.set_emphasis([]))

        self._build_bar()
        self.header = PaneHeader()
        self.header.link_activated.connect(open_external)
        self.strip = ThumbnailStrip()
        self.strip.image_clicked.connect(self.open_image)
        self.top = QWidget()  # header and strip: made as tall as the other panes' tops
        top = QVBoxLayout(self.top)
        top.setContentsMargins(12, 8, 12, 6)
        top.setSpacing(6)
        top.addWidget(self.header)
        top.addWidget(self.strip)
        top.addStretch(1)

        self.browser = PaneBrowser()
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.hits_changed.connect(self._hits_changed)
        document = self.browser.document()
        document.setUndoRedoEnabled(False)
        document.setDocumentMargin(12)
        body_font = QFont(self.browser.font())
        body_font.setPointSizeF(body_font.pointSizeF() * 1.05)
        document.setDefaultFont(body_font)
        document.setDefaultStyleSheet(
            "p { line-height: 135%; margin-bottom: 10px; }"
            " h3 { margin-top: 14px; margin-bottom: 6px; }"
        )
        self.browser.viewport().installEventFilter(self)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.top)
        layout.addWidget(rule)
        layout.addWidget(self.browser, 1)
        self.setMinimumWidth(240)

    def _build_bar(self) -> None:
        self.bar = QWidget()
        self.bar.setAutoFillBackground(True)
        self.bar.setBackgroundRole(QPalette.ColorRole.Window)
        self.left_button = _tool("◀", "Move this article to the left")
        self.right_button = _tool("▶", "Move this article to the right")
        self.left_button.clicked.connect(lambda: self.move_requested.emit(-1))
        self.right_button.clicked.connect(lambda: self.move_requested.emit(1))
        self.previous_hit_button = _tool("▲", "Previous match in this article (Shift+F3)")
        self.next_hit_button = _tool("▼", "Next match in this article (F3)")
        self.previous_hit_button.clicked.connect(self.previous_hit)
        self.next_hit_button.clicked.connect(self.next_hit)
        self.hits_label = QLabel()
        self.hits_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.open_button = _tool("Open", "Open this article in the reader")
        self.open_button.clicked.connect(self._open_clicked)
        self.close_button = _tool("✕", "Close this article (at least two stay)")
        self.close_button.clicked.connect(self.close_requested)
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(6, 2, 6, 2)
        row.setSpacing(2)
        row.addWidget(self.left_button)
        row.addWidget(self.right_button)
        row.addStretch(1)
        row.addWidget(self.previous_hit_button)
        row.addWidget(self.next_hit_button)
        row.addWidget(self.hits_label)
        row.addSpacing(8)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)

    # -- content ---------------------------------------------------------------------------

    @property
    def article_id(self) -> str | None:
        return self.article.id if self.article is not None else None

    def set_article(
        self,
        article: Article,
        document: PaneDocument,
        thumbnails: dict[str, QImage],
        topic_labels: dict[str, str],
    ) -> None:
        self.article = article
        self.document = document
        self._thumbnails = thumbnails
        self.header.show_article(article, topic_labels)
        self.strip.set_images(article.images, thumbnails, set())
        self.strip.setVisible(self._details and bool(article.images))
        self.browser.setHtml(document.html)
        self.marks, self.only_here = [], []
        self._mark_query()

    def set_comparison(
        self,
        marks: list[SharedMark],
        differing: dict[str, str],
        shared_images: set[str],
        role: str,
        role_tip: str = "",
    ) -> None:
        """What this pane has in common with the others, and how its details differ."""
        self.header.set_role(role, role_tip)
        self.header.set_differences(differing)
        if self.article is not None:
            self.strip.set_images(self.article.images, self._thumbnails, shared_images)
        self.set_marks(marks)

    def set_marks(self, marks: list[SharedMark]) -> None:
        """Colour the shared passages and underline what only this pane has."""
        document = self.document
        if document is None:
            return
        self.marks = list(marks)
        self.only_here = only_here(document, [m.span for m in marks])
        dark = self._dark()
        kept = self.scroll_value()
        # Marks are formats of the text itself: a fresh copy of the text drops the old ones
        # and keeps the headings' own formats (a few milliseconds, even for long articles).
        self.browser.setHtml(document.html)
        cursor = QTextCursor(self.browser.document())
        cursor.beginEditBlock()
        for mark in self.marks:
            fmt = QTextCharFormat()
            fmt.setBackground(_passage_colour(mark, passage_alpha(dark)))
            fmt.setToolTip(
                "In both articles"
                + ("" if mark.exact else ", with small changes")
                + " — click to show it in the others"
            )
            self._merge(cursor, document.ranges(mark.span), fmt)
        unique = QTextCharFormat()
        unique.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
        unique.setUnderlineColor(ONLY_HERE_COLOUR)
        unique.setToolTip("Only in this article")
        for span in self.only_here:
            self._merge(cursor, document.ranges(span), unique)
        cursor.endEditBlock()
        self.browser.set_emphasis([])
        self._mark_query()
        self.set_scroll_value(kept)

    @staticmethod
    def _merge(cursor: QTextCursor, ranges: list[tuple[int, int]], fmt: QTextCharFormat) -> None:
        for start, end in ranges:
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    def set_query(self, query: str) -> None:
        """Mark the query's words as this article spells them; built off the GUI thread."""
        if query == self._query:
            return
        self._query = query
        archive = self._archive
        self._tasks.run(
            lambda job: archive.query_matcher(query),
            on_done=self._matcher_ready,
            key=f"compare-query-{id(self)}",
        )

    def _matcher_ready(self, matcher: TermMatcher) -> None:
        self._matcher = matcher
        self._mark_query()

    def set_details_visible(self, visible: bool) -> None:
        """Show the byline, link, topics and images, or only the title above the text."""
        self._details = visible
        self.header.set_details_visible(visible)
        self.strip.setVisible(visible and self.article is not None and bool(self.article.images))

    def set_position_controls(self, index: int, count: int) -> None:
        self.left_button.setEnabled(index > 0)
        self.right_button.setEnabled(index < count - 1)
        self.close_button.setEnabled(count > 2)

    # -- the query's hits ------------------------------------------------------------------

    def _mark_query(self) -> None:
        terms = self._matcher
        article, document = self.article, self.document
        if article is None or document is None:
            return
        hits = [
            (document.position(start), document.position(end))
            for start, end in terms.spans(article.text)
        ]
        self.browser.set_hits(hits)
        self.header.show_title(article.title, terms.spans(article.title))

    def next_hit(self) -> None:
        self.browser.next_hit()

    def previous_hit(self) -> None:
        self.browser.previous_hit()

    def _hits_changed(self, current: int, total: int) -> None:
        searching = bool(self._matcher) and self.article is not None
        if not searching:
            self.hits_label.setText("")
        elif total == 0:
            self.hits_label.setText("no matches")
        elif current < 0:
            self.hits_label.setText(f"{total} match" + ("" if total == 1 else "es"))
        else:
            self.hits_label.setText(f"{current + 1} of {total}")
        for button in (self.previous_hit_button, self.next_hit_button):
            button.setVisible(searching)
            button.setEnabled(total > 0)
        self.hits_label.setVisible(searching)

    # -- where things are ------------------------------------------------------------------

    def scroll_value(self) -> int:
        return self.browser.verticalScrollBar().value()

    def set_scroll_value(self, value: float) -> None:
        self.browser.verticalScrollBar().setValue(round(value))

    def content_height(self) -> float:
        return self.browser.document().size().height()

    def line_top(self, offset: int) -> float:
        """The document y (pixels) of the top of the line holding a text offset."""
        return self._line_y(self.document.position(offset) if self.document else 0, bottom=False)

    def line_bottom(self, offset: int) -> float:
        """The document y of the bottom of the line holding the character before `offset`."""
        position = self.document.position(offset) if self.document else 0
        return self._line_y(max(0, position - 1), bottom=True)

    def _line_y(self, position: int, *, bottom: bool) -> float:
        document = self.browser.document()
        block = document.findBlock(position)
        if not block.isValid():
            return document.size().height() if bottom else 0.0
        rect = document.documentLayout().blockBoundingRect(block)
        line = block.layout().lineForTextPosition(position - block.position())
        if not line.isValid():
            return rect.bottom() if bottom else rect.top()
        top = rect.top() + line.y()
        return top + line.height() if bottom else top

    def offset_at(self, viewport_y: int, viewport_x: int | None = None) -> int | None:
        """The text offset under a point of the viewport, or None off the text."""
        if self.document is None:
            return None
        x = viewport_x if viewport_x is not None else 20
        point = QPointF(
            x + self.browser.horizontalScrollBar().value(), viewport_y + self.scroll_value()
        )
        position = (
            self.browser.document().documentLayout().hitTest(point, Qt.HitTestAccuracy.ExactHit)
        )
        return None if position < 0 else self.document.offset(position)

    def reveal(self, span: Span, offset: int, viewport_y: int) -> None:
        """Scroll so that `offset` (inside `span`) sits at `viewport_y`, and emphasise the span."""
        height = self.browser.viewport().height()
        y = max(0, min(viewport_y, height - 40))
        self.set_scroll_value(self.line_top(offset) - y)
        self.emphasise(span)

    def emphasise(self, span: Span) -> None:
        if self.document is None:
            return
        mark = next((m for m in self.marks if m.span == span), None)
        colour = (
            _passage_colour(mark, passage_alpha(self._dark(), emphasised=True))
            if mark is not None
            else self.palette().color(QPalette.ColorRole.Highlight)
        )
        selections = []
        for start, end in self.document.ranges(span):
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.browser.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(colour)
            selection.format = fmt
            selections.append(selection)
        self.browser.set_emphasis(selections)
        self._emphasis_timer.start()

    # -- actions ---------------------------------------------------------------------------

    def open_image(self, index: int) -> ImageViewer | None:
        article = self.article
        if article is None:
            return None
        stored = [ref for ref in article.images if ref.sha256]
        if not 0 <= index < len(stored):
            return None
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = ImageViewer(
            self._archive, self._tasks, stored, index, article_title=article.title, parent=self
        )
        self.viewer.show()
        return self.viewer

    def _open_clicked(self) -> None:
        if self.article is not None:
            self.open_requested.emit(self.article.id)

    # -- events ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.browser.viewport()
            and event.type() == QEvent.Type.MouseButtonRelease
            and event.button() == Qt.MouseButton.LeftButton
            and not self.browser.textCursor().hasSelection()  # choosing text, not a passage
        ):
            point = event.position().toPoint()
            offset = self.offset_at(point.y(), point.x())
            if offset is not None:
                self.passage_clicked.emit(offset, point.y())
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        # F3 inside a pane steps through this pane's matches, not the window's.
        if event.type() == QEvent.Type.ShortcutOverride and is_find_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if not step_on_find_key(event, self.next_hit, self.previous_hit):
            super().keyPressEvent(event)

    def _dark(self) -> bool:
        return is_dark(self.palette())


def _passage_colour(mark: SharedMark, alpha: int) -> QColor:
    red, green, blue = mark.colour
    return QColor(red, green, blue, alpha)


def _tool(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button
