"""How one row of the results list is painted: calm, dense, one fixed height.

    Title of the article, bold and elided                          ┌──────┐
    6 Feb 2024 · Source · Author                    (3 versions)   │ lead │
    …two lines of the excerpt, with the matched words  highlighted │image │
    [Child welfare] [War crimes]  #region/eastmarch #type/news     └──────┘

Every row has the same height (from the font's metrics), so the view never
measures rows and scrolling 50,000 of them costs only the few it paints. The
excerpt's text layout is cached per row, width and state. Colours come from
the palette (light or dark); only the match highlight and the topic chips
carry their own soft accents.

A row whose text is also in other articles (near-duplicates) ends its date
line with an "n versions" link, drawn in the palette's link colour; the view
asks `versions_rect` where it is to make it clickable.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPalette,
    QPixmap,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from archive_app.core.models import Hit
from archive_app.gui.look import HIT_MARK, HIT_MARK_TEXT, is_dark, topic_colours
from archive_app.gui.results_model import FAILED, HIT_ROLE, MISSING, STATE_ROLE, THUMBNAIL_ROLE
from archive_app.gui.wording import readable_date

PAD_X, PAD_Y = 12, 9
LINE_GAP = 3
THUMBNAIL_SIDE = 64
THUMBNAIL_GAP = 10
CHIP_PAD_X, CHIP_GAP, CHIP_RADIUS = 6, 5, 4
SNIPPET_LINES = 2
KEPT_LAYOUTS = 200

_MARK = re.compile(r"<mark\b[^>]*>(.*?)</mark>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def versions_text(versions: int) -> str:
    """A hit with two near-duplicates is one of "3 versions" of its text."""
    return f"{versions + 1} versions"


def snippet_runs(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The excerpt's plain text and the (start, length) of each matched word."""
    snippet = " ".join(snippet.split())  # one line of prose: no stray line breaks
    parts: list[str] = []
    marks: list[tuple[int, int]] = []
    position = at = 0
    for found in _MARK.finditer(snippet):
        before = html.unescape(_TAG.sub("", snippet[at : found.start()]))
        inside = html.unescape(_TAG.sub("", found[1]))
        parts += [before, inside]
        position += len(before)
        marks.append((position, len(inside)))
        position += len(inside)
        at = found.end()
    parts.append(html.unescape(_TAG.sub("", snippet[at:])))
    return "".join(parts), tuple(marks)


@dataclass(frozen=True)
class RowMetrics:
    """Where each line of a row sits, from the fonts; the same for every row."""

    height: int
    title_y: int
    meta_y: int
    snippet_y: int
    chips_y: int
    chip_height: int


class ResultDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._topic_labels: dict[str, str] = {}
        self._metrics: dict[str, RowMetrics] = {}
        self._layouts: OrderedDict[tuple, QTextLayout] = OrderedDict()

    def set_topic_labels(self, labels: dict[str, str]) -> None:
        """How to name topics on the chips ("child-welfare" → "Child welfare")."""
        self._topic_labels = dict(labels)

    # -- sizes ---------------------------------------------------------------------------

    def row_metrics(self, font: QFont) -> RowMetrics:
        key = font.key()
        metrics = self._metrics.get(key)
        if metrics is None:
            metrics = self._metrics[key] = _measure(font)
        return metrics

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        return QSize(max(option.rect.width(), 200), self.row_metrics(option.font).height)

    def versions_rect(self, rect: QRect, font: QFont, hit: Hit | None) -> QRectF | None:
        """Where a row's "n versions" link is drawn (None when its text has no other version)."""
        if hit is None or hit.versions <= 0:
            return None
        metrics = self.row_metrics(font)
        small = _small_font(font)
        width = QFontMetrics(small).horizontalAdvance(versions_text(hit.versions)) + 2 * CHIP_PAD_X
        right = rect.left() + PAD_X + _text_width(rect, metrics, hit)
        line = QFontMetrics(font).height()
        top = rect.top() + metrics.meta_y + (line - metrics.chip_height) / 2
        return QRectF(right - width, top, width, metrics.chip_height)

    # -- painting ------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        painter.save()
        try:
            self._paint(painter, option, index)
        finally:
            painter.restore()

    def _paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        group = (
            QPalette.ColorGroup.Active
            if option.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        rect = option.rect
        dark = is_dark(palette)

        if selected:
            painter.fillRect(rect, palette.color(group, QPalette.ColorRole.Highlight))
        elif hovered:
            wash = QColor(palette.color(group, QPalette.ColorRole.Highlight))
            wash.setAlpha(28)
            painter.fillRect(rect, wash)
        rule = QColor(palette.color(QPalette.ColorRole.Mid))
        rule.setAlpha(90)
        painter.setPen(rule)
        painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())

        text_colour = palette.color(
            group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = _muted(text_colour, palette.color(group, QPalette.ColorRole.Base), selected)
        metrics = self.row_metrics(option.font)
        hit = _role(index, HIT_ROLE)
        left = rect.left() + PAD_X
        width = rect.width() - 2 * PAD_X
        if hit is None:
            self._paint_placeholder(painter, option, index, left, width, metrics, muted)
            return

        if hit.lead_image:
            side = min(THUMBNAIL_SIDE, metrics.height - 2 * PAD_Y)
            box = QRectF(rect.right() - PAD_X - side + 1, rect.top() + PAD_Y, side, side)
            self._paint_thumbnail(painter, box, _role(index, THUMBNAIL_ROLE), muted)
        text_width = _text_width(rect, metrics, hit)
        top = rect.top()

        title_font = _title_font(option.font)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        title = QFontMetrics(title_font).elidedText(
            hit.title or "(untitled)", Qt.TextElideMode.ElideRight, text_width
        )
        painter.drawText(left, top + metrics.title_y, text_width, 1000, _TOP_LEFT, title)

        meta_width = text_width
        versions = self.versions_rect(rect, option.font, hit)
        if versions is not None:
            self._paint_versions(painter, option.font, versions, hit.versions, palette, selected)
            meta_width = max(0, round(versions.left() - left - CHIP_GAP))
        painter.setFont(option.font)
        painter.setPen(muted)
        meta = " · ".join(
            p
            for p in (readable_date(hit.published, short=True), hit.source, hit.author)
            if p.strip()
        )
        meta = QFontMetrics(option.font).elidedText(meta, Qt.TextElideMode.ElideRight, meta_width)
        painter.drawText(left, top + metrics.meta_y, meta_width, 1000, _TOP_LEFT, meta)

        if hit.snippet:
            layout = self._snippet_layout(hit.id, hit.snippet, option.font, text_width, dark)
            painter.setPen(text_colour)
            painter.setClipRect(
                QRectF(
                    left, top + metrics.snippet_y, text_width, metrics.chips_y - metrics.snippet_y
                )
            )
            layout.draw(painter, QPointF(left, top + metrics.snippet_y))
            painter.setClipping(False)

        self._paint_chips(
            painter, option.font, hit, left, top + metrics.chips_y, width, metrics, dark, muted
        )

    def _paint_placeholder(self, painter, option, index, left, width, metrics, muted) -> None:
        top = option.rect.top()
        state = _role(index, STATE_ROLE)
        if state in (MISSING, FAILED):
            font = QFont(option.font)
            font.setItalic(True)
            painter.setFont(font)
            painter.setPen(muted)
            text = (
                "This article is no longer in the archive."
                if state == MISSING
                else "This row could not be loaded."
            )
            painter.drawText(left, top + metrics.title_y, width, 1000, _TOP_LEFT, text)
            return
        bar = QColor(muted)
        bar.setAlpha(45)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bar)
        line = QFontMetrics(option.font).height()
        for y, fraction, height in (
            (metrics.title_y + 2, 0.62, line - 3),
            (metrics.meta_y + 3, 0.34, line - 6),
            (metrics.snippet_y + 3, 0.92, line - 6),
            (metrics.snippet_y + line + 3, 0.74, line - 6),
        ):
            painter.drawRoundedRect(QRectF(left, top + y, width * fraction, height), 3, 3)

    @staticmethod
    def _paint_versions(
        painter: QPainter, font: QFont, box: QRectF, versions: int, palette, selected: bool
    ) -> None:
        """A small outlined link: "3 versions" of this text are in the archive."""
        colour = QColor(
            palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link
            )
        )
        border = QColor(colour)
        border.setAlpha(150)
        painter.setPen(border)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), CHIP_RADIUS, CHIP_RADIUS)
        painter.setFont(_small_font(font))
        painter.setPen(colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, versions_text(versions))

    @staticmethod
    def _paint_thumbnail(painter: QPainter, box: QRectF, pixmap: QPixmap | None, muted) -> None:
        path = QPainterPath()
        path.addRoundedRect(box, 5, 5)
        if pixmap is None or pixmap.isNull():
            wash = QColor(muted)
            wash.setAlpha(30)
            painter.fillPath(path, wash)
            return
        painter.save()
        painter.setClipPath(path)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(box, pixmap, QRectF(pixmap.rect()))
        painter.restore()

    def _paint_chips(self, painter, font, hit, left, y, width, metrics, dark, muted) -> None:
        small = _small_font(font)
        small_metrics = QFontMetrics(small)
        painter.setFont(small)
        x = left
        right = left + width
        for topic in hit.topics:
            label = self._topic_labels.get(topic, topic)
            chip_width = small_metrics.horizontalAdvance(label) + 2 * CHIP_PAD_X
            if x + chip_width > right:
                break
            background, foreground = topic_colours(topic, dark)
            chip = QRectF(x, y, chip_width, metrics.chip_height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(chip, CHIP_RADIUS, CHIP_RADIUS)
            painter.setPen(foreground)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
            x += chip_width + CHIP_GAP
        if hit.tags and x < right:
            if hit.topics:
                x += 2
            tags = "  ".join(f"#{tag}" for tag in hit.tags)
            tags = small_metrics.elidedText(tags, Qt.TextElideMode.ElideRight, int(right - x))
            painter.setPen(muted)
            painter.drawText(
                QRectF(x, y, right - x, metrics.chip_height),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                tags,
            )

    def _snippet_layout(
        self, article_id: str, snippet: str, font: QFont, width: int, dark: bool
    ) -> QTextLayout:
        key = (article_id, snippet, font.key(), width, dark)
        layout = self._layouts.get(key)
        if layout is not None:
            self._layouts.move_to_end(key)
            return layout
        text, marks = snippet_runs(snippet)
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        highlight = QTextCharFormat()
        highlight.setBackground(HIT_MARK)
        highlight.setForeground(HIT_MARK_TEXT)  # readable on a selected row too
        ranges = []
        for start, length in marks:
            span = QTextLayout.FormatRange()
            span.start, span.length, span.format = start, length, highlight
            ranges.append(span)
        layout.setFormats(ranges)
        layout.beginLayout()
        y = 0.0
        line_height = QFontMetrics(font).lineSpacing()
        for _ in range(SNIPPET_LINES):
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line_height
        layout.endLayout()
        self._layouts[key] = layout
        while len(self._layouts) > KEPT_LAYOUTS:
            self._layouts.popitem(last=False)
        return layout


_TOP_LEFT = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft


def _role(index, role: int):
    """The model's data for a role, asked of the Python model directly.

    `QModelIndex.data()` would wrap the Python object in a QVariant and unwrap
    it again for every role of every painted row; PySide6 6.12.0 also drops a
    reference to None on each empty one, which painting placeholders would repeat
    thousands of times.
    """
    return index.model().data(index, role)


def _text_width(rect: QRect, metrics: RowMetrics, hit: Hit) -> int:
    """The width left for the row's text: all of it, less the lead image and its gap."""
    width = rect.width() - 2 * PAD_X
    if hit.lead_image:
        width -= min(THUMBNAIL_SIDE, metrics.height - 2 * PAD_Y) + THUMBNAIL_GAP
    return width


def _title_font(font: QFont) -> QFont:
    title = QFont(font)
    title.setWeight(QFont.Weight.DemiBold)
    title.setPointSizeF(font.pointSizeF() * 1.05 if font.pointSizeF() > 0 else 10)
    return title


def _small_font(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.86)
    else:
        small.setPixelSize(max(9, round(font.pixelSize() * 0.86)))
    return small


def _muted(text: QColor, base: QColor, selected: bool) -> QColor:
    """The text colour faded toward the background: secondary, still readable."""
    if selected:
        faded = QColor(text)
        faded.setAlphaF(0.78)
        return faded
    share = 0.58
    return QColor(
        round(text.red() * share + base.red() * (1 - share)),
        round(text.green() * share + base.green() * (1 - share)),
        round(text.blue() * share + base.blue() * (1 - share)),
    )


def _measure(font: QFont) -> RowMetrics:
    title = QFontMetrics(_title_font(font)).height()
    line = QFontMetrics(font)
    chip_height = QFontMetrics(_small_font(font)).height() + 4
    title_y = PAD_Y
    meta_y = title_y + title + 1
    snippet_y = meta_y + line.height() + LINE_GAP + 1
    chips_y = snippet_y + SNIPPET_LINES * line.lineSpacing() + LINE_GAP + 2
    height = max(chips_y + chip_height + PAD_Y, THUMBNAIL_SIDE + 2 * PAD_Y)
    return RowMetrics(height, title_y, meta_y, snippet_y, chips_y, chip_height)
