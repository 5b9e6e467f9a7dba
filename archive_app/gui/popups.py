"""Where a popup opens: under the button that opened it, and always on that button's screen."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget


def show_popup(
    popup: QWidget, anchor: QWidget, *, gap: int = 2, right_aligned: bool = False, fit: bool = True
) -> None:
    """Show `popup` under `anchor` (above it when there is no room below), inside the screen.

    `right_aligned` lines up the right edges (for a button at the right of a bar);
    otherwise the left edges. `fit` sizes the popup to its contents first; a popup
    with a size of its own (a list to scroll) passes False.
    """
    if fit:
        popup.adjustSize()
    x = anchor.width() - popup.width() if right_aligned else 0
    where = anchor.mapToGlobal(QPoint(x, anchor.height() + gap))
    screen = anchor.screen().availableGeometry() if anchor.screen() is not None else None
    if screen is not None:
        where.setX(max(screen.left(), min(where.x(), screen.right() - popup.width())))
        if where.y() + popup.height() > screen.bottom():
            where.setY(anchor.mapToGlobal(QPoint(0, 0)).y() - popup.height() - gap)
    popup.move(where)
    popup.show()
