"""How the app's views look alike: topic colours, marks, dimmed text and headings.

Everything else follows the system palette; the few accents here carry their
own colours because they must read as marks on light and dark pages alike.
"""

from __future__ import annotations

import html
import zlib

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QWidget

# A word matching the query, wherever it is shown: the reader, the results, the comparison.
HIT_MARK = QColor("#ffe680")
CURRENT_HIT_MARK = QColor("#ff9e3d")  # the match the reader or a pane has stepped to
HIT_MARK_TEXT = QColor("#1a1a1a")  # dark on the mark, whatever the palette's text colour
HIT_MARK_STYLE = f"background-color:{HIT_MARK.name()}; color:{HIT_MARK_TEXT.name()};"
# Text only one article of a comparison has: a warm accent unlike any passage colour.
ONLY_HERE_COLOUR = QColor(214, 120, 40)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def topic_colours(topic: str, dark: bool) -> tuple[QColor, QColor]:
    """A soft background and a readable text colour for a topic's chip (stable per topic)."""
    hue = zlib.crc32(topic.encode()) % 360
    if dark:
        return QColor.fromHsl(hue, 70, 62), QColor.fromHsl(hue, 150, 215)
    return QColor.fromHsl(hue, 150, 228), QColor.fromHsl(hue, 140, 60)


def marked(text: str, spans: list[tuple[int, int]]) -> str:
    """Plain text as rich text, with these (start, end) ranges marked as matches."""
    out, last = [], 0
    for start, end in spans:
        out.append(html.escape(text[last:start]))
        out.append(f'<span style="{HIT_MARK_STYLE}">{html.escape(text[start:end])}</span>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def muted_palette(widget: QWidget) -> QPalette:
    """The widget's palette with dimmed text: the look of a name that finds nothing here."""
    palette = QPalette(widget.palette())
    dimmed = palette.color(QPalette.ColorRole.PlaceholderText)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, dimmed)
    return palette


def heading_label(scale: float, text: str = "") -> QLabel:
    """A bold label `scale` times the size of the normal text: titles and big headings."""
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label
