"""The top of one comparison pane: the article's details and its images.

The header reads like the reader's (title, source, author, date, link, topic
chips); a field that differs from the other article has a soft background and
a tooltip saying how. Images sit in a strip of thumbnails (a click opens the
image viewer); one that the other article holds too carries a "shared" badge.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.models import Article, ImageRef
from archive_app.gui.article_document import reference_label
from archive_app.gui.look import ONLY_HERE_COLOUR, heading_label, is_dark, marked, topic_colours
from archive_app.gui.tag_editor import FlowLayout
from archive_app.gui.wording import readable_date

THUMBNAIL_HEIGHT = 56
THUMBNAIL_MAX_WIDTH = 110
# A differing detail: a pale wash framed in the "only here" accent, unlike any passage colour.
DIFFERS_STYLE = (
    "background: #fdf0e1; color: #1f1f1f;"
    f" border: 1px solid rgba({ONLY_HERE_COLOUR.red()}, {ONLY_HERE_COLOUR.green()},"
    f" {ONLY_HERE_COLOUR.blue()}, 160);"
    " border-radius: 4px; padding: 0px 4px;"
)
FIELD_NAMES = {"source": "source", "author": "author", "published": "date"}


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
        self.title = heading_label(1.3)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        """The title, with these (start, end) ranges marked as matches of the query."""
        self.title.setText(marked(title, spans) or "(untitled)")

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
