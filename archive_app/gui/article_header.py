"""The top of the reader's page: title with the query's words marked, byline, link, topics."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from archive_app.gui.article_loading import LoadedArticle
from archive_app.gui.look import heading_label, is_dark, marked, topic_colours
from archive_app.gui.reader_panels import edited_summary
from archive_app.gui.tag_editor import FlowLayout
from archive_app.gui.topic_popup import topic_summary
from archive_app.gui.wording import readable_date


class ArticleHeader(QWidget):
    """Title, byline, link and topic chips of the article being read."""

    link_activated = Signal(QUrl)  # the article's link was clicked
    topic_clicked = Signal(str, object)  # a chip's topic id, and the chip (to place a popup)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = heading_label(1.6)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.byline = QLabel()
        self.byline.setWordWrap(True)
        self.byline.setTextFormat(Qt.TextFormat.PlainText)
        self.byline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.byline.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.url = QLabel()
        self.url.setTextFormat(Qt.TextFormat.RichText)
        self.url.setOpenExternalLinks(False)  # opened by the reader, and only on a click
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.url.linkActivated.connect(lambda link: self.link_activated.emit(QUrl(link)))
        self.url.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.topic_row = QWidget()
        self.topic_flow = FlowLayout(self.topic_row)
        self.topic_chips: dict[str, QToolButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.byline)
        layout.addWidget(self.url)
        layout.addSpacing(2)
        layout.addWidget(self.topic_row)

    def show_article(self, loaded: LoadedArticle) -> None:
        """Byline, link and topic chips of this article (the title comes with its marks)."""
        article = loaded.article
        parts = []
        if article.author:
            parts.append(f"By {article.author}")
        if article.source:
            parts.append(article.source)
        if article.published:
            parts.append(readable_date(article.published))
        if article.edited_fields:
            parts.append(edited_summary(article.edited_fields))
        self.byline.setText(" · ".join(parts))
        self.byline.setVisible(bool(parts))
        if article.url:
            shown = article.url if len(article.url) <= 90 else article.url[:87] + "…"
            self.url.setText(f'<a href="{html.escape(article.url)}">{html.escape(shown)}</a>')
            self.url.setToolTip(f"Open in your browser: {article.url}")
        self.url.setVisible(bool(article.url))
        self._fill_topics(loaded)

    def show_title(self, title: str, spans: list[tuple[int, int]]) -> None:
        """The title, with these (start, end) ranges marked as matches of the query."""
        self.title.setText(marked(title, spans) or "(untitled)")

    def _fill_topics(self, loaded: LoadedArticle) -> None:
        self.topic_flow.clear()
        self.topic_chips = {}
        for assignment in loaded.article.topics:
            label = loaded.label(assignment.topic)
            manual = assignment.source == "manual"
            chip = QToolButton()
            chip.setText(f"{label}  ✋" if manual else label)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.setToolTip(topic_summary(label, loaded.explanation(assignment.topic), manual))
            background, foreground = topic_colours(assignment.topic, is_dark(self.palette()))
            chip.setStyleSheet(
                f"QToolButton {{ background: {background.name()}; color: {foreground.name()};"
                " border: 1px solid rgba(0, 0, 0, 45); border-radius: 10px; padding: 2px 10px; }"
                " QToolButton:hover { border-color: rgba(0, 0, 0, 110); }"
            )
            chip.clicked.connect(
                lambda _=False, t=assignment.topic, c=chip: self.topic_clicked.emit(t, c)
            )
            self.topic_flow.addWidget(chip)
            self.topic_chips[assignment.topic] = chip
        self.topic_row.setVisible(bool(self.topic_chips))


def open_external(url: QUrl) -> None:
    """Links leave the app only on a click, and only to the system's browser or mail."""
    if url.scheme().lower() in ("http", "https", "mailto"):
        QDesktopServices.openUrl(url)
