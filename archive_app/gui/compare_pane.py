"""One article in the comparison view: its header, its images and its marked text.

The header reads like the reader's (title, source, author, date, link, topic
chips); a field that differs from the other article has a soft background and
a tooltip saying how. Images sit in a strip of thumbnails (a click opens the
image viewer); one that the other article holds too carries a "shared" badge.

The text is an `ArchiveBrowser` whose resolver answers nothing: the pane's
document is built from the article's plain text (`compare_document`), so it
names no resource, and anything it named anyway would be refused. Shared
passages get a see-through background in their passage's colour; text found
only in this pane gets a dashed underline in a warm accent (the background
stays the page's, so it never competes with the passage colours).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.models import Article, ImageRef, Span
from archive_app.gui.archive_browser import ArchiveBrowser
from archive_app.gui.article_document import query_terms, readable_date, reference_label
from archive_app.gui.compare_document import PaneDocument, SharedMark, only_here
from archive_app.gui.image_viewer import ImageViewer
from archive_app.gui.look import is_dark, topic_colours
from archive_app.gui.tag_editor import FlowLayout
from archive_app.gui.tasks import TaskRunner

THUMBNAIL_HEIGHT = 56
THUMBNAIL_MAX_WIDTH = 110
EMPHASIS_MS = 1400  # how long a passage brought into view stays emphasised
# Accents, not palette roles: they must read as marks on light and dark pages alike.
ONLY_HERE_COLOUR = QColor(214, 120, 40)
# A differing detail: a pale wash framed in the "only here" accent, unlike any passage colour.
DIFFERS_STYLE = (
    "background: #fdf0e1; color: #1f1f1f; border: 1px solid rgba(214, 120, 40, 160);"
    " border-radius: 4px; padding: 0px 4px;"
)
TITLE_MARK_STYLE = "background-color:#ffe680; color:#1a1a1a;"
FIELD_NAMES = {"source": "source", "author": "author", "published": "date"}


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


class ThumbnailStrip(QScrollArea):
    """The article's images in a row; stored ones open the viewer, others only name their link."""

    image_clicked = Signal(int)  # index among the article's stored images

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.row = QWidget()
        self.row_layout = QHBoxLayout(self.row)
        self.row_layout.setContentsMargins(0, 0, 0, 0)
        self.row_layout.setSpacing(6)
        self.setWidget(self.row)
        self.buttons: list[QToolButton] = []
        self.shared: list[bool] = []  # per button: the other article holds this image too
        self.setFixedHeight(THUMBNAIL_HEIGHT + 10 + self.horizontalScrollBar().sizeHint().height())

    def set_images(
        self, refs: Sequence[ImageRef], thumbnails: dict[str, QImage], shared: set[str]
    ) -> None:
        while self.row_layout.count():
            widget = self.row_layout.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # gone at once, not when the event loop next deletes it
                widget.setParent(None)
                widget.deleteLater()
        self.buttons, self.shared = [], []
        stored = 0
        for ref in refs:
            button = QToolButton()
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            if ref.sha256:
                is_shared = ref.sha256 in shared
                button.setIcon(QIcon(self._thumbnail(thumbnails.get(ref.sha256), is_shared)))
                button.setIconSize(self._icon_size(thumbnails.get(ref.sha256)))
                tip = ref.caption or ref.alt or "Image"
                if is_shared:
                    tip += "\n\nShared: the other article has this very image (same file)."
                button.setToolTip(tip + "\n\nClick to view it large.")
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.clicked.connect(lambda _=False, n=stored: self.image_clicked.emit(n))
                button.setAccessibleName(f"Image {stored + 1}" + (", shared" if is_shared else ""))
                stored += 1
                self.shared.append(is_shared)
            else:
                # Never loaded: the strip says where the image was linked from, nothing more.
                button.setText("Not stored")
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setFixedSize(QSize(THUMBNAIL_HEIGHT + 24, THUMBNAIL_HEIGHT))
                button.setToolTip(reference_label(ref))
                button.setEnabled(False)
                button.setStyleSheet(
                    "QToolButton { border: 1px dashed palette(mid); border-radius: 4px; }"
                )
                self.shared.append(False)
            self.row_layout.addWidget(button)
            self.buttons.append(button)
        self.row_layout.addStretch(1)

    def _icon_size(self, image: QImage | None) -> QSize:
        if image is None or image.isNull() or image.height() == 0:
            return QSize(THUMBNAIL_HEIGHT, THUMBNAIL_HEIGHT)
        width = round(THUMBNAIL_HEIGHT * image.width() / image.height())
        return QSize(max(THUMBNAIL_HEIGHT // 2, min(THUMBNAIL_MAX_WIDTH, width)), THUMBNAIL_HEIGHT)

    def _thumbnail(self, image: QImage | None, shared: bool) -> QPixmap:
        size = self._icon_size(image)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        box = QRectF(0, 0, size.width(), size.height())
        if image is None or image.isNull():
            wash = QColor(self.palette().color(QPalette.ColorRole.Mid))
            wash.setAlpha(60)
            painter.setBrush(wash)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(box, 4, 4)
        else:
            scaled = image.scaled(
                pixmap.size(),
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            x = (scaled.width() - pixmap.width()) / 2 / ratio
            y = (scaled.height() - pixmap.height()) / 2 / ratio
            scaled.setDevicePixelRatio(ratio)
            painter.setClipRect(box)
            painter.drawImage(QPointF(-x, -y), scaled)
            painter.setClipping(False)
        if shared:
            self._paint_badge(painter, box)
        painter.end()
        return pixmap

    def _paint_badge(self, painter: QPainter, box: QRectF) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.72))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        text = "shared"
        width = painter.fontMetrics().horizontalAdvance(text) + 8
        height = painter.fontMetrics().height() + 2
        badge = QRectF(box.left() + 3, box.bottom() - height - 3, width, height)
        palette = self.palette()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)


class LinkLabel(QLabel):
    """The article's address as a link, shortened in the middle to the width it has."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setOpenExternalLinks(False)  # opened only on a click, by the system browser
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.url = ""
        self.placeholder = ""

    def set_link(self, url: str, placeholder: str = "") -> None:
        self.url, self.placeholder = url, placeholder
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if not self.url:
            self.setText(html.escape(self.placeholder))
            return
        room = max(60, self.contentsRect().width() - 14)
        shown = self.fontMetrics().elidedText(self.url, Qt.TextElideMode.ElideMiddle, room)
        text = f'<a href="{html.escape(self.url)}">{html.escape(shown)}</a>'
        if text != self.text():
            self.setText(text)


class PaneHeader(QWidget):
    """Title, byline fields, link and topic chips; fields that differ are marked."""

    link_activated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(title_font)
        self.role = QLabel()  # "Reference", or how much this article shares with it
        self.role.setStyleSheet(
            "QLabel { border: 1px solid palette(mid); border-radius: 4px; padding: 0px 4px;"
            " font-weight: 600; }"
        )
        self.fields: dict[str, QLabel] = {}
        self.byline = QWidget()
        self.byline_flow = FlowLayout(self.byline, spacing=4)
        self.byline_flow.addWidget(self.role)
        for name in ("source", "author", "published"):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.byline_flow.addWidget(label)
            self.fields[name] = label
        self.url = LinkLabel()
        self.url.linkActivated.connect(lambda link: self.link_activated.emit(QUrl(link)))
        self.fields["title"] = self.title
        self.fields["url"] = self.url
        self._values: dict[str, str] = {}
        self.topic_row = QWidget()
        self.topic_flow = FlowLayout(self.topic_row, spacing=5)
        self.topic_chips: dict[str, QLabel] = {}
        self.differing: dict[str, str] = {}
        self._details = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.byline)
        layout.addWidget(self.url)
        layout.addWidget(self.topic_row)

    def show_article(self, article: Article, topic_labels: dict[str, str]) -> None:
        self._values = {
            "source": article.source,
            "author": f"By {article.author}" if article.author else "",
            "published": readable_date(article.published),
            "url": article.url,
        }
        self.topic_flow.clear()
        self.topic_chips = {}
        dark = is_dark(self.palette())
        for assignment in article.topics:
            background, foreground = topic_colours(assignment.topic, dark)
            chip = QLabel(topic_labels.get(assignment.topic, assignment.topic))
            chip.setStyleSheet(
                f"QLabel {{ background: {background.name()}; color: {foreground.name()};"
                " border-radius: 4px; padding: 1px 6px; }"
            )
            self.topic_flow.addWidget(chip)
            self.topic_chips[assignment.topic] = chip
        self.set_differences({})

    def show_title(self, title: str, spans: list[tuple[int, int]]) -> None:
        out, last = [], 0
        for start, end in spans:
            out.append(html.escape(title[last:start]))
            out.append(f'<span style="{TITLE_MARK_STYLE}">{html.escape(title[start:end])}</span>')
            last = end
        out.append(html.escape(title[last:]))
        self.title.setText("".join(out) or "(untitled)")

    def set_role(self, text: str, tip: str) -> None:
        self.role.setText(text)
        self.role.setToolTip(tip)
        self.role.setVisible(bool(text))

    def set_differences(self, differing: dict[str, str]) -> None:
        """Mark these fields (name → what the other articles have) as differing."""
        self.differing = dict(differing)
        for name in ("source", "author", "published"):
            # A field this article lacks but another has is shown, as "no author".
            value = self._values.get(name, "")
            self.fields[name].setText(
                value or (f"no {FIELD_NAMES[name]}" if name in differing else "")
            )
        url = self._values.get("url", "")
        self.url.set_link(url, "no link" if "url" in differing else "")
        for name, label in self.fields.items():
            note = differing.get(name)
            if note is None:
                label.setStyleSheet("")
                label.setToolTip(f"Open in your browser: {url}" if name == "url" and url else "")
            else:
                label.setStyleSheet(f"QLabel {{ {DIFFERS_STYLE} }}")
                label.setToolTip(f"Differs: {note}")
        self._show_rows()

    def set_details_visible(self, visible: bool) -> None:
        """Title only, or title with byline, link and topics."""
        self._details = visible
        self._show_rows()

    def _show_rows(self) -> None:
        details = self._details
        for name in ("source", "author", "published"):
            self.fields[name].setVisible(bool(self.fields[name].text()))
        self.byline.setVisible(details)
        self.url.setVisible(details and bool(self.url.url or self.url.placeholder))
        self.topic_row.setVisible(details and bool(self.topic_chips))


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
        self._query = query
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
        terms = query_terms(self._query)
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
        searching = bool(query_terms(self._query)) and self.article is not None
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
        if event.type() == QEvent.Type.ShortcutOverride and _is_find_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if _is_find_key(event):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previous_hit()
            else:
                self.next_hit()
            return
        super().keyPressEvent(event)

    def _dark(self) -> bool:
        return is_dark(self.palette())


def open_external(url: QUrl) -> None:
    """Links leave the app only on a click, and only to the system's browser or mail."""
    if url.scheme().lower() in ("http", "https", "mailto"):
        QDesktopServices.openUrl(url)


def _passage_colour(mark: SharedMark, alpha: int) -> QColor:
    red, green, blue = mark.colour
    return QColor(red, green, blue, alpha)


def _is_find_key(event: QEvent) -> bool:
    return (
        event.matches(QKeySequence.StandardKey.FindNext)
        or event.matches(QKeySequence.StandardKey.FindPrevious)
        or event.key() == Qt.Key.Key_F3
    )


def _tool(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button
