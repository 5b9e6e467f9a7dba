"""Colours shared across the app's views, so one topic looks the same everywhere."""

from __future__ import annotations

import zlib

from PySide6.QtGui import QColor, QPalette


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def topic_colours(topic: str, dark: bool) -> tuple[QColor, QColor]:
    """A soft background and a readable text colour for a topic's chip (stable per topic)."""
    hue = zlib.crc32(topic.encode()) % 360
    if dark:
        return QColor.fromHsl(hue, 70, 62), QColor.fromHsl(hue, 150, 215)
    return QColor.fromHsl(hue, 150, 228), QColor.fromHsl(hue, 140, 60)
