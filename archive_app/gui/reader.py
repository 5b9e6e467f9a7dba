"""The reader: one article with its images, topics, tags, provenance and the person's notes.

Everything the reader needs from the archive (the article, its topic
explanations, its decoded images) is gathered by one read task (key
"reader"); a newer selection replaces an older load. Every change (tags,
topics, details, notes) is a write task, after which the article is read again.

The page scrolls as a whole: header, body (an `ArchiveBrowser` as tall as its
document) and the panels under it, in a column no wider than reads well.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.analysis import TermMatcher
from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.models import Article, Topic
from archive_app.gui.archive_browser import ArchiveBrowser
from archive_app.gui.article_document import IMAGE_LINK, DocumentStyle, body_html
from archive_app.gui.article_header import ArticleHeader, open_external
from archive_app.gui.article_loading import LoadedArticle, load_article
from archive_app.gui.body_images import BodyImages
from archive_app.gui.compare_picker import ComparePicker
from archive_app.gui.hit_navigation import HitBar, PageScroller, is_find_key, step_on_find_key
from archive_app.gui.image_viewer import ImageViewer
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.metadata_dialog import MetadataDialog
from archive_app.gui.original_file import OriginalOpener
from archive_app.gui.reader_panels import NotesPanel, ProvenancePanel, Section
from archive_app.gui.tag_editor import TagEditor
from archive_app.gui.tasks import TaskRunner
from archive_app.gui.topic_popup import TopicPopup, fill_topics_menu

RESIZE_DELAY_MS = 120
READABLE_WIDTH = 820  # the column's widest, in pixels: longer lines are hard to follow


class ArticleReader(QWidget):
    """Shows one article; see the module docstring."""

    tags_changed = Signal()
    article_changed = Signal(str)  # details, topics or note of this article were changed
    open_article_requested = Signal(str)
    compare_requested = Signal(list)  # this article's id first, then the ones chosen

    EMPTY, ARTICLE, MESSAGE = range(3)

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._wanted: str | None = None
        self._loaded: LoadedArticle | None = None
        self._query = ""
        self._matcher: TermMatcher = TermMatcher()  # what the query marks (variants included)
        self._originals = OriginalOpener(archive, tasks, self)
        self.viewer: ImageViewer | None = None
        self.popup: TopicPopup | None = None
        self.dialog: MetadataDialog | None = None

        self._build_toolbar()
        self._build_page()
        self.stack = QStackedWidget()
        self.empty = QLabel("Select an article to read it")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        big = QFont(self.empty.font())
        big.setPointSizeF(big.pointSizeF() * 1.15)
        self.empty.setFont(big)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(24)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(_rule())
        layout.addWidget(self.stack, 1)
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_DELAY_MS)
        self._resize_timer.timeout.connect(self.images.fit)
        self.browser.installEventFilter(self)
        self._show_state(self.EMPTY)

    # -- building --------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        self.toolbar = QWidget()
        self.hit_bar = HitBar()
        self.hit_bar.previous_requested.connect(self.find_previous)
        self.hit_bar.next_requested.connect(self.find_next)
        self.hits_label = self.hit_bar.label  # part of the reader's API: the match count
        self.topics_button = QToolButton()
        self.topics_button.setText("Topics")
        self.topics_button.setToolTip("Every topic: why this article has it or not; set it by hand")
        self.topics_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.topics_button.setAutoRaise(True)
        self.topics_menu = QMenu(self.topics_button)
        self.topics_menu.aboutToShow.connect(self._fill_topics_menu)
        self.topics_button.setMenu(self.topics_menu)
        self.edit_button = QToolButton()
        self.edit_button.setText("Edit details…")
        self.edit_button.setToolTip("Correct the title, author, source, date or URL")
        self.edit_button.setAutoRaise(True)
        self.edit_button.clicked.connect(self.edit_metadata)
        self.compare_button = QToolButton()
        self.compare_button.setText("Compare with…")
        self.compare_button.setToolTip(
            "Open this article beside its other versions or related ones"
        )
        self.compare_button.setAutoRaise(True)
        self.compare_button.clicked.connect(self.choose_comparison)
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(6, 3, 6, 3)
        row.setSpacing(2)
        row.addWidget(self.hit_bar)
        row.addStretch(1)
        row.addWidget(self.compare_button)
        row.addWidget(self.topics_button)
        row.addWidget(self.edit_button)

    def _build_page(self) -> None:
        self.header = ArticleHeader()
        self.header.link_activated.connect(self.open_external)
        self.header.topic_clicked.connect(self.show_topic_popup)
        # Part of the reader's API: callers read the title, byline and link from the reader.
        self.title, self.byline, self.url = self.header.title, self.header.byline, self.header.url
        self.tag_editor = TagEditor(self._archive, self._tasks)
        self.tag_editor.tags_changed.connect(self._tags_saved)

        # The browser asks for images only once a document is set, after `images` exists.
        self.browser = ArchiveBrowser(lambda url: self.images.resolve(url), grow_with_content=True)
        self.images = BodyImages(self.browser, self)
        self.browser.anchorClicked.connect(self._link_clicked)
        self.browser.hits_changed.connect(self._hits_changed)
        self.browser.document().setDocumentMargin(2)
        body_font = QFont(self.browser.font())
        body_font.setPointSizeF(body_font.pointSizeF() * 1.08)
        self.browser.document().setDefaultFont(body_font)
        self.browser.document().setDefaultStyleSheet(
            "p, li { line-height: 140%; } h1, h2, h3 { margin-top: 18px; }"
        )

        self.notes = NotesPanel(self._archive, self._tasks)
        self.notes.saved.connect(self._note_saved)
        self.notes.editor.textChanged.connect(self._update_notes_summary)
        self.notes_section = Section("Notes", self.notes)
        self.provenance = ProvenancePanel(archive=self._archive, tasks=self._tasks)
        self.provenance.open_article_requested.connect(self.open_article_requested)
        self.provenance.show_original_requested.connect(self.show_original)
        self.provenance.edit_requested.connect(self.edit_metadata)
        self.provenance_section = Section("Original file", self.provenance)

        column = QWidget()
        column.setMaximumWidth(READABLE_WIDTH)
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(6)
        col.addWidget(self.header)
        col.addWidget(self.tag_editor)
        col.addSpacing(4)
        col.addWidget(_rule())
        col.addWidget(self.browser)
        col.addWidget(_rule())
        col.addWidget(self.notes_section)
        col.addWidget(self.provenance_section)
        col.addStretch(1)
        self.page = QWidget()
        row = QHBoxLayout(self.page)
        row.setContentsMargins(22, 16, 22, 24)
        row.addStretch(0)
        row.addWidget(column, 100)
        row.addStretch(0)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.page)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setBackgroundRole(QPalette.ColorRole.Base)
        self.page_scroller = PageScroller(self.scroll, self.browser)

    # -- public ----------------------------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        return self._loaded.article.id if self._loaded is not None else None

    @property
    def article(self) -> Article | None:
        return self._loaded.article if self._loaded is not None else None

    @property
    def blur_policy(self) -> str:
        return self.images.policy

    @property
    def topic_chips(self) -> dict[str, QToolButton]:
        return self.header.topic_chips

    def show_article(self, article_id: str | None, query: str = "") -> None:
        """Show an article (None: nothing selected); its loading replaces any earlier one."""
        self.notes.flush()
        self.set_query(query)
        self._wanted = article_id
        if article_id is None:
            self._tasks.run(lambda job: None, key="reader")  # drops a load still running
            self._clear()
            self._show_state(self.EMPTY)
            return
        self._tasks.run(
            lambda job: load_article(
                self._archive,
                article_id,
                blur=self.images.blurs,
                preview_cache=self.images.previews,
                job=job,
            ),
            on_done=self._show_loaded,
            on_error=lambda exc, details: self._load_failed(article_id, exc, details),
            key="reader",
            label="Opening an article",
        )

    def reload(self) -> None:
        if self._wanted is not None:
            self.show_article(self._wanted, self._query)

    def flush(self) -> None:
        """Save what is being typed (call before closing the archive)."""
        self.notes.flush()

    def set_query(self, query: str) -> None:
        """Mark what this query matches: its words as the article spells them (Kharkov
        for Kharkiv). The matcher may consult dictionaries, so it is built off the GUI thread."""
        if query == self._query:
            return
        self._query = query
        archive = self._archive
        self._tasks.run(
            lambda job: archive.query_matcher(query),
            on_done=self._matcher_ready,
            key="reader-query",
        )

    def _matcher_ready(self, matcher: TermMatcher) -> None:
        self._matcher = matcher
        if self._loaded is not None:
            self._mark_query()

    def set_blur_policy(self, policy: str) -> None:
        if self.images.set_policy(policy):
            self.reload()  # blurred previews are made while reading the article

    def is_blurred(self, position: int) -> bool:
        return self.images.is_blurred(position)

    def click_image(self, position: int) -> None:
        """What a click on an image does: show a blurred one, or open the viewer."""
        if self.is_blurred(position):
            self.images.unblur(position)
        else:
            self.open_image_viewer(position)

    def open_image_viewer(self, position: int) -> ImageViewer | None:
        loaded = self._loaded
        if loaded is None:
            return None
        stored = [ref for ref in loaded.article.images if ref.sha256]
        start = next((i for i, ref in enumerate(stored) if ref.position == position), 0)
        if self.viewer is not None:
            self.viewer.close()
            self.viewer.deleteLater()
        self.viewer = ImageViewer(
            self._archive,
            self._tasks,
            stored,
            start,
            article_title=loaded.article.title,
            parent=self,
        )
        self.viewer.show()
        return self.viewer

    def find_next(self) -> None:
        if self.browser.next_hit():
            self.page_scroller.reveal_hit()

    def find_previous(self) -> None:
        if self.browser.previous_hit():
            self.page_scroller.reveal_hit()

    def edit_metadata(self) -> MetadataDialog | None:
        loaded = self._loaded
        if loaded is None:
            return None
        self.dialog = MetadataDialog(
            self._archive, self._tasks, loaded.article, loaded.extracted, parent=self
        )
        self.dialog.saved.connect(self._details_saved)
        self.dialog.open()
        return self.dialog

    def show_topic_popup(self, topic_id: str, anchor: QWidget | None = None) -> TopicPopup | None:
        loaded = self._loaded
        if loaded is None:
            return None
        topic = next((t for t in loaded.topics if t.id == topic_id), Topic(topic_id, topic_id, ""))
        if self.popup is not None:
            self.popup.close()
            self.popup.deleteLater()
        self.popup = TopicPopup(topic, loaded.explanation(topic_id), self._muted(), self)
        self.popup.decided.connect(self.set_topic)
        self.popup.show_at(anchor or self.topics_button)
        return self.popup

    def set_topic(self, topic_id: str, value: bool | None) -> None:
        """Set (True), remove (False) or hand back to the rules (None) a topic of this article."""
        if self._loaded is None:
            return
        article_id = self._loaded.article.id
        self._tasks.run(
            lambda job: self._archive.set_topic(article_id, topic_id, value),
            on_done=lambda _r: self._changed(article_id),
            on_error=lambda exc, details: self._write_failed(
                "The topic was not changed", exc, details
            ),
            write=True,
            label="Saving a topic",
        )

    def show_original(self) -> None:
        """Copy the stored original under its own name, and open it with the system's program."""
        if self._loaded is not None:
            self._originals.open(self._loaded.article)

    def open_external(self, url: QUrl) -> None:
        """Links leave the app only on a click, and only to the system's browser or mail."""
        open_external(url)

    # -- loading -----------------------------------------------------------------------------

    def _show_loaded(self, loaded: LoadedArticle) -> None:
        if loaded.requested != self._wanted:
            return
        same = self._loaded is not None and self._loaded.article.id == loaded.article.id
        keep_scroll = self.scroll.verticalScrollBar().value() if same else 0
        self.images.show(loaded, keep_shown=same)
        self._loaded = loaded
        article = loaded.article
        self.header.show_article(loaded)
        self.tag_editor.set_article(article.id, article.tags)
        self.notes.set_article(article.id, article.note)
        self._update_notes_summary()
        self.provenance.set_article(article)
        self.provenance_section.set_summary(article.provenance.filename)
        # Laid out first, so that images are sized for the width they will really have.
        self._show_state(self.ARTICLE)
        self.page.layout().activate()
        self.browser.setHtml(body_html(article, self._style(), self.images.tag))
        self._mark_query()
        QTimer.singleShot(0, self, lambda: self.scroll.verticalScrollBar().setValue(keep_scroll))

    def _load_failed(self, article_id: str, exc: Exception, details: str) -> None:
        if article_id != self._wanted:
            return
        self._clear()
        if isinstance(exc, ArticleNotFound):
            self.message.setText(
                "This article is no longer in the archive.\n\n"
                "It may have been deleted. Choose another article from the list."
            )
        else:
            self.message.setText(f"This article could not be opened.\n\n{friendly_message(exc)}")
            self.message.setToolTip(details)
        self._show_state(self.MESSAGE)

    def _clear(self) -> None:
        self.notes.set_article(None, "")
        self.tag_editor.set_article(None, ())
        self._loaded = None
        self.images.clear()
        self.browser.clear()
        self.browser.set_hits([])

    def _show_state(self, state: int) -> None:
        self.stack.setCurrentIndex(state)
        has_article = state == self.ARTICLE
        self.topics_button.setEnabled(has_article)
        self.edit_button.setEnabled(has_article)
        self.compare_button.setEnabled(has_article)
        if not has_article:
            self._hits_changed(-1, 0)

    def choose_comparison(self) -> ComparePicker | None:
        """The picker of articles to compare this one with (its versions, related, a search)."""
        article_id = self.current_id
        if article_id is None:
            return None
        picker = ComparePicker(self._archive, self._tasks, article_id, parent=self)
        picker.chosen.connect(lambda ids: self.compare_requested.emit([article_id, *ids]))
        picker.show_at(self.compare_button)
        return picker

    def _fill_topics_menu(self) -> None:
        fill_topics_menu(
            self.topics_menu, self._loaded, lambda t: self.show_topic_popup(t, self.topics_button)
        )

    # -- hits --------------------------------------------------------------------------------

    def _mark_query(self) -> None:
        terms = self._matcher
        text = self.browser.document().toRawText()
        self.browser.set_hits(terms.spans(text))
        title = self._loaded.article.title if self._loaded is not None else ""
        self.header.show_title(title, terms.spans(title))

    def _hits_changed(self, current: int, total: int) -> None:
        searching = bool(self._matcher) and self._loaded is not None
        self.hit_bar.show_hits(current, total, searching=searching)

    # -- events ------------------------------------------------------------------------------

    def _link_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(IMAGE_LINK):
            try:
                self.click_image(int(text[len(IMAGE_LINK) :]))
            except ValueError:
                return
            return
        self.open_external(url)

    def _tags_saved(self, _tags: tuple) -> None:
        self.tags_changed.emit()

    def _details_saved(self, article: Article) -> None:
        self._changed(article.id)

    def _note_saved(self, article_id: str) -> None:
        self.article_changed.emit(article_id)

    def _changed(self, article_id: str) -> None:
        if article_id == self.current_id:
            self.reload()
        self.article_changed.emit(article_id)

    def _write_failed(self, title: str, exc: Exception, details: str) -> None:
        show_error(self, title, friendly_message(exc), details)
        if isinstance(exc, ArticleNotFound):
            self.reload()

    def _update_notes_summary(self) -> None:
        self.notes_section.set_summary(self.notes.summary())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.browser and event.type() == QEvent.Type.Resize:
            self._resize_timer.start()  # images are sized again once the resizing pauses
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        # F3 inside the reader is the reader's, even where the window has the same shortcut.
        if event.type() == QEvent.Type.ShortcutOverride and is_find_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if not step_on_find_key(event, self.find_next, self.find_previous):
            super().keyPressEvent(event)

    def hideEvent(self, event) -> None:
        self.notes.flush()
        super().hideEvent(event)

    # -- colours -------------------------------------------------------------------------------

    def _muted(self) -> str:
        return _hex(self.palette().color(QPalette.ColorRole.PlaceholderText))

    def _style(self) -> DocumentStyle:
        palette = self.palette()
        return DocumentStyle(
            muted=self._muted(),
            frame=_hex(palette.color(QPalette.ColorRole.Mid)),
            panel=_hex(palette.color(QPalette.ColorRole.AlternateBase)),
            caption_pt=self.browser.document().defaultFont().pointSizeF() * 0.9,
        )


def _hex(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Plain)
    line.setForegroundRole(QPalette.ColorRole.Mid)  # quiet in light and dark palettes
    return line
