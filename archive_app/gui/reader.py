"""The reader: one article with its images, topics, tags, provenance and the person's notes.

Everything the reader needs from the archive (the article, its topic
explanations, its decoded images) is gathered by one read task (key
"reader"); a newer selection replaces an older load. Every change (tags,
topics, details, notes) is a write task, after which the article is read again.

The page scrolls as a whole: header, body (an `ArchiveBrowser` as tall as its
document) and the panels under it, in a column no wider than reads well.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPalette,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QAbstractSlider,
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.classification import TopicExplanation
from archive_app.core.images import blurred_preview
from archive_app.core.models import Article, ImageRef, Topic
from archive_app.gui.archive_browser import ARCHIVE_SCHEME, ArchiveBrowser
from archive_app.gui.article_document import (
    IMAGE_LINK,
    DocumentStyle,
    ImageTag,
    body_html,
    listed,
    query_terms,
    readable_date,
    readable_size,
    readable_time,
)
from archive_app.gui.image_viewer import ImageViewer
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.metadata_dialog import MetadataDialog
from archive_app.gui.tag_editor import FlowLayout, TagEditor
from archive_app.gui.tasks import Job, TaskRunner

BLUR_POLICIES = ("never", "topic", "always")
SENSITIVE_TOPIC = "child-welfare"  # under the "topic" policy, this topic's images start blurred
NOTE_SAVE_DELAY_MS = 800
RESIZE_DELAY_MS = 120
READABLE_WIDTH = 820  # the column's widest, in pixels: longer lines are hard to follow
DOCUMENT_SIDE_LIMIT = 2400  # images are decoded no larger than this for the page
PREVIEW_CACHE_LIMIT = 4000
EDITABLE_LABELS = {
    "title": "title",
    "author": "author",
    "source": "source",
    "url": "URL",
    "published": "date",
}
# Soft accents for topic chips, with dark text: readable on light and dark palettes alike.
TOPIC_COLOURS = ("#f4d4cc", "#d3e1f5", "#d8ecd3", "#eadcf5", "#f5e6c8", "#d2ecec")
MARK_STYLE = "background-color:#ffe680; color:#1a1a1a;"
BLURRED_TEXT = ("Click to show", "This image may be distressing")
BROKEN_TEXT = ("Image not shown", "Its stored file could not be read")


@dataclass(frozen=True)
class LoadedArticle:
    """What the reader shows for one article, read and decoded off the GUI thread."""

    requested: str
    article: Article
    explanations: tuple[TopicExplanation, ...]
    topics: tuple[Topic, ...]
    extracted: dict[str, str]
    images: dict[str, QImage] = field(default_factory=dict)  # sha256 → decoded for the page
    previews: dict[str, QImage] = field(default_factory=dict)  # sha256 → blurred preview

    def explanation(self, topic: str) -> TopicExplanation | None:
        return next((e for e in self.explanations if e.score.topic == topic), None)

    def label(self, topic: str) -> str:
        return next((t.label for t in self.topics if t.id == topic), topic)


def load_article(
    archive: Archive,
    article_id: str,
    *,
    blur: Callable[[Article], bool],
    preview_cache: dict[str, bytes],
    job: Job | None = None,
) -> LoadedArticle:
    """Read an article with everything the reader shows; runs in a read task."""
    article = archive.get(article_id)
    explanations = archive.explain_topics(article.id)
    topics = tuple(archive.topics())
    images: dict[str, QImage] = {}
    previews: dict[str, QImage] = {}
    wants_blur = blur(article)
    for ref in article.images:
        if job is not None:
            job.check()
        if not ref.sha256 or ref.sha256 in images:
            continue
        path = archive.image_path(ref.sha256)
        image = _decode_for_page(path)
        if image is not None:
            images[ref.sha256] = image
        if wants_blur:
            preview = preview_cache.get(ref.sha256)
            if preview is None:
                try:
                    preview = blurred_preview(path.read_bytes())
                except Exception:  # no preview: the image is covered by a plain panel instead
                    preview = b""
                if len(preview_cache) < PREVIEW_CACHE_LIMIT:
                    preview_cache[ref.sha256] = preview
            decoded = QImage.fromData(preview) if preview else QImage()
            previews[ref.sha256] = decoded
    return LoadedArticle(
        requested=article_id,
        article=article,
        explanations=explanations,
        topics=topics,
        extracted=archive.extracted_values(article.id),
        images=images,
        previews=previews,
    )


def _decode_for_page(path: Path) -> QImage | None:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > DOCUMENT_SIDE_LIMIT:
        # JPEG decodes straight to a smaller size: big photographs stay cheap.
        reader.setScaledSize(
            size.scaled(
                DOCUMENT_SIDE_LIMIT, DOCUMENT_SIDE_LIMIT, Qt.AspectRatioMode.KeepAspectRatio
            )
        )
    image = reader.read()
    return None if image.isNull() else image


# -- small pieces of the page ---------------------------------------------------------------


class Section(QWidget):
    """A titled panel that opens and closes; closed panels take one line."""

    def __init__(self, title: str, body: QWidget, *, expanded: bool = False) -> None:
        super().__init__()
        self.title = title
        self.body = body
        self._expanded = expanded
        self.toggle = QToolButton()
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        font = QFont(self.toggle.font())
        font.setWeight(QFont.Weight.DemiBold)
        self.toggle.setFont(font)
        self.toggle.setText(title)
        self.toggle.clicked.connect(lambda: self.set_expanded(not self._expanded))
        self.summary = QLabel()
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.toggle)
        row.addWidget(self.summary, 1)
        row.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(body)
        self.set_expanded(expanded)

    @property
    def expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self.summary.setText(self._summary if not expanded else "")

    def set_summary(self, text: str) -> None:
        self._summary = text
        self.summary.setText(text if not self._expanded else "")

    _summary = ""


class NotesPanel(QWidget):
    """The person's notes on the article, saved a moment after typing stops."""

    saved = Signal(str)  # the article id whose note was written

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._article_id: str | None = None
        self._dirty = False
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Your notes on this article. They are saved as you type.")
        self.editor.setMinimumHeight(90)
        self.editor.setMaximumHeight(220)
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._typed)
        self.status = QLabel()
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        layout.addWidget(self.status, 0, Qt.AlignmentFlag.AlignRight)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_article(self, article_id: str | None, note: str) -> None:
        """Show another article's note; the text being typed for this one is kept."""
        if article_id == self._article_id and article_id is not None:
            return  # the editor, not a stale read, holds this article's note
        self.flush()
        self._article_id = article_id
        self.editor.blockSignals(True)
        self.editor.setPlainText(note)
        self.editor.blockSignals(False)
        self._dirty = False
        self.status.setText("")
        self.setEnabled(article_id is not None)

    def flush(self) -> None:
        """Save now what has been typed and not yet saved."""
        self._timer.stop()
        if not self._dirty or self._article_id is None:
            return
        article_id, text = self._article_id, self.editor.toPlainText()
        self._dirty = False
        self.status.setText("Saving…")

        def done(_result: object) -> None:
            if article_id == self._article_id and not self._dirty:
                self.status.setText("Saved")
            self.saved.emit(article_id)

        def failed(exc: Exception, details: str) -> None:
            if article_id == self._article_id:
                self._dirty = True  # still unsaved: the next pause or switch tries again
                self.status.setText("Not saved")
            show_error(
                self,
                "Note not saved",
                f"Your note could not be saved. {friendly_message(exc)}\n\n{text}",
                details,
            )

        self._tasks.run(
            lambda job: self._archive.set_note(article_id, text),
            on_done=done,
            on_error=failed,
            write=True,
            label="Saving a note",
        )

    def _typed(self) -> None:
        if self._article_id is None:
            return
        self._dirty = True
        self.status.setText("")
        self._timer.start()


class ProvenancePanel(QWidget):
    """Where the article came from: the original file, its hash, the import, its duplicates."""

    open_article_requested = Signal(str)
    show_original_requested = Signal()
    edit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filename = _value_label()
        self.record = _value_label()
        self.sha256 = QLineEdit()
        self.sha256.setReadOnly(True)
        self.sha256.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sha256.setFrame(False)
        self.sha256.setToolTip("SHA-256 of the original file's bytes")
        copy = QToolButton()
        copy.setText("Copy")
        copy.setToolTip("Copy the SHA-256 to the clipboard")
        copy.clicked.connect(self.copy_hash)
        hash_row = QHBoxLayout()
        hash_row.setContentsMargins(0, 0, 0, 0)
        hash_row.addWidget(self.sha256, 1)
        hash_row.addWidget(copy)
        self.size = _value_label()
        self.imported = _value_label()
        self.importer = _value_label()
        self.duplicates = _value_label()
        self.duplicates.setTextFormat(Qt.TextFormat.RichText)
        self.duplicates.linkActivated.connect(self.open_article_requested)
        self.edited = _value_label()
        self.warnings = _value_label()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.form.addRow("File:", self.filename)
        self.form.addRow("Record:", self.record)
        self.form.addRow("SHA-256:", hash_row)
        self.form.addRow("Size:", self.size)
        self.form.addRow("Imported:", self.imported)
        self.form.addRow("Importer:", self.importer)
        self.form.addRow("Duplicates:", self.duplicates)
        self.form.addRow("Edited:", self.edited)
        self.form.addRow("Import notes:", self.warnings)
        self.show_original_button = QPushButton("Show original")
        self.show_original_button.setToolTip(
            "Open a copy of the original file with the program your system uses for it"
        )
        self.show_original_button.clicked.connect(self.show_original_requested)
        self.edit_button = QPushButton("Edit details…")
        self.edit_button.clicked.connect(self.edit_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_original_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addLayout(buttons)

    def set_article(self, article: Article) -> None:
        p = article.provenance
        self.filename.setText(p.filename)
        self._row(self.record, p.record)
        self.sha256.setText(p.sha256)
        self.sha256.setCursorPosition(0)
        self.size.setText(f"{readable_size(p.size)} ({p.size:,} bytes)")
        self.imported.setText(readable_time(p.imported_at))
        self.importer.setText(f"{p.importer}, archive-app {p.app_version}")
        self._row(
            self.duplicates,
            ", ".join(
                f'<a href="{html.escape(d)}">{html.escape(d)}</a>' for d in article.duplicates
            ),
        )
        self._row(self.edited, edited_summary(article.edited_fields))
        self._row(self.warnings, "\n".join(article.warnings))

    def copy_hash(self) -> None:
        QGuiApplication.clipboard().setText(self.sha256.text())

    def _row(self, label: QLabel, text: str) -> None:
        label.setText(text)
        self.form.setRowVisible(label, bool(text))


def edited_summary(fields: tuple[str, ...]) -> str:
    """("title", "published") → "Title and date edited by you"."""
    names = [EDITABLE_LABELS.get(f, f) for f in fields]
    if not names:
        return ""
    text = listed(names) + " edited by you"
    return text[0].upper() + text[1:]


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class TopicPopup(QFrame):
    """Why an article has (or lacks) a topic, and the person's say over it."""

    decided = Signal(str, object)  # topic id, True (set) / False (removed) / None (the rules)

    def __init__(
        self,
        topic: Topic,
        explanation: TopicExplanation | None,
        muted: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.topic = topic
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(380)
        self.setMaximumWidth(520)
        self.text = QLabel(explanation_html(topic, explanation, muted))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text.setContentsMargins(0, 0, 10, 0)  # clear of the scroll bar
        scroll = QScrollArea()
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(380)
        scroll.setMinimumHeight(min(380, self.text.sizeHint().height() + 8))
        manual = explanation.manual if explanation is not None else None
        self.set_button = QPushButton("Set by hand")
        self.set_button.setToolTip("This article has the topic, whatever the rules say")
        self.remove_button = QPushButton("Remove by hand")
        self.remove_button.setToolTip(
            "This article does not have the topic, whatever the rules say"
        )
        self.rules_button = QPushButton("Let the rules decide")
        self.set_button.setEnabled(manual is not True)
        self.remove_button.setEnabled(manual is not False)
        self.rules_button.setEnabled(manual is not None)
        self.set_button.clicked.connect(lambda: self._decide(True))
        self.remove_button.clicked.connect(lambda: self._decide(False))
        self.rules_button.clicked.connect(lambda: self._decide(None))
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.rules_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(scroll)
        layout.addLayout(buttons)

    def show_at(self, anchor: QWidget) -> None:
        self.adjustSize()
        where = anchor.mapToGlobal(QPoint(0, anchor.height() + 2))
        screen = anchor.screen().availableGeometry()
        where.setX(max(screen.left(), min(where.x(), screen.right() - self.width())))
        if where.y() + self.height() > screen.bottom():
            where.setY(anchor.mapToGlobal(QPoint(0, 0)).y() - self.height() - 2)
        self.move(where)
        self.show()

    def _decide(self, value: bool | None) -> None:
        self.decided.emit(self.topic.id, value)
        self.close()


def explanation_html(topic: Topic, explanation: TopicExplanation | None, muted: str) -> str:
    """The topic's score against its threshold, and the words and rules that counted."""
    out = [f"<p style='margin:0'><b>{html.escape(topic.label)}</b></p>"]
    if topic.description:
        out.append(f"<p style='color:{muted}; margin-top:2px'>{html.escape(topic.description)}</p>")
    if explanation is None:
        out.append("<p>No rule of this archive's topics.toml scores this topic.</p>")
        return "".join(out)
    score = explanation.score
    reach = "reaches" if score.assigned else "stays below"
    numbers = f"score {score.score:.1f}, which {reach} the threshold of {score.threshold:.1f}"
    if explanation.manual is True:
        state = f"<b>Set by hand.</b> The rules alone give a {numbers}."
    elif explanation.manual is False:
        state = f"<b>Removed by hand.</b> The rules alone give a {numbers}."
    elif explanation.assigned:
        state = f"<b>Assigned by the rules:</b> {numbers}."
    else:
        state = f"<b>Not assigned:</b> the rules give a {numbers}."
    out.append(f"<p>{state}</p>")
    if score.contributions:
        out.append("<p style='margin-bottom:2px'>What counted:</p><ul style='margin-top:0'>")
        for c in score.contributions[:10]:
            times = "once" if c.count == 1 else f"{c.count} times"
            out.append(
                f"<li><b>{html.escape(c.term)}</b> — {times}, {c.points:.1f} points"
                + (
                    f"<br><span style='color:{muted}'>“{html.escape(c.sentences[0])}”</span>"
                    if c.sentences
                    else ""
                )
                + "</li>"
            )
        if len(score.contributions) > 10:
            out.append(f"<li>and {len(score.contributions) - 10} more</li>")
        out.append("</ul>")
    else:
        out.append("<p>None of the topic's words or rules occur in this article.</p>")
    if score.cancellations:
        out.append("<p style='margin-bottom:2px'>Not counted (another meaning):</p><ul>")
        for x in score.cancellations:
            out.append(
                f"<li><b>{html.escape(x.term)}</b> beside “{html.escape(x.context)}” "
                f"({x.count}×)</li>"
            )
        out.append("</ul>")
    return "".join(out)


def topic_summary(label: str, explanation: TopicExplanation | None, manual: bool) -> str:
    if manual:
        return f"{label}: set by hand. Click for details."
    if explanation is None:
        return f"{label}. Click for details."
    s = explanation.score
    return (
        f"{label}: assigned by the rules (score {s.score:.1f}, threshold {s.threshold:.1f}). "
        "Click to see why."
    )


def _colour_for(topic: str) -> str:
    return TOPIC_COLOURS[sum(topic.encode()) % len(TOPIC_COLOURS)]


def _hex(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


# -- the reader -----------------------------------------------------------------------------


class ArticleReader(QWidget):
    """Shows one article; see the module docstring."""

    tags_changed = Signal()
    article_changed = Signal(str)  # details, topics or note of this article were changed
    open_article_requested = Signal(str)

    EMPTY, ARTICLE, MESSAGE = range(3)

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._wanted: str | None = None
        self._loaded: LoadedArticle | None = None
        self._query = ""
        self._blur_policy = "topic"
        self._shown: set[int] = set()  # image positions unblurred in this view of the article
        self._scaled: dict[str, QImage] = {}  # resource name → image as drawn
        self._previews: dict[str, bytes] = {}  # sha256 → blurred preview PNG, for every article
        self._originals: tempfile.TemporaryDirectory | None = None
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
        self._resize_timer.timeout.connect(self._fit_images)
        self.browser.installEventFilter(self)
        self.browser.viewport().installEventFilter(self)
        self._show_state(self.EMPTY)

    # -- building --------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        self.toolbar = QWidget()
        self.previous_hit_button = QToolButton()
        self.previous_hit_button.setText("▲")
        self.previous_hit_button.setToolTip("Previous match (Shift+F3)")
        self.previous_hit_button.setAutoRaise(True)
        self.previous_hit_button.clicked.connect(self.find_previous)
        self.next_hit_button = QToolButton()
        self.next_hit_button.setText("▼")
        self.next_hit_button.setToolTip("Next match (F3)")
        self.next_hit_button.setAutoRaise(True)
        self.next_hit_button.clicked.connect(self.find_next)
        for button in (self.previous_hit_button, self.next_hit_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F3 and Shift+F3 do the same
        self.hits_label = QLabel()
        self.hits_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
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
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(6, 3, 6, 3)
        row.setSpacing(2)
        row.addWidget(self.previous_hit_button)
        row.addWidget(self.next_hit_button)
        row.addSpacing(4)
        row.addWidget(self.hits_label)
        row.addStretch(1)
        row.addWidget(self.topics_button)
        row.addWidget(self.edit_button)

    def _build_page(self) -> None:
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(title_font)
        self.byline = QLabel()
        self.byline.setWordWrap(True)
        self.byline.setTextFormat(Qt.TextFormat.PlainText)
        self.byline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.byline.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.url = QLabel()
        self.url.setTextFormat(Qt.TextFormat.RichText)
        self.url.setOpenExternalLinks(False)  # opened by openUrl, and only on a click
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.url.linkActivated.connect(lambda link: self.open_external(QUrl(link)))
        self.url.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.topic_row = QWidget()
        self.topic_flow = FlowLayout(self.topic_row)
        self.topic_chips: dict[str, QToolButton] = {}
        self.tag_editor = TagEditor(self._archive, self._tasks)
        self.tag_editor.tags_changed.connect(self._tags_saved)

        self.browser = ArchiveBrowser(self._resolve, grow_with_content=True)
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
        self.provenance = ProvenancePanel()
        self.provenance.open_article_requested.connect(self.open_article_requested)
        self.provenance.show_original_requested.connect(self.show_original)
        self.provenance.edit_requested.connect(self.edit_metadata)
        self.provenance_section = Section("Original file", self.provenance)

        column = QWidget()
        column.setMaximumWidth(READABLE_WIDTH)
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(6)
        col.addWidget(self.title)
        col.addWidget(self.byline)
        col.addWidget(self.url)
        col.addSpacing(2)
        col.addWidget(self.topic_row)
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

    # -- public ----------------------------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        return self._loaded.article.id if self._loaded is not None else None

    @property
    def article(self) -> Article | None:
        return self._loaded.article if self._loaded is not None else None

    @property
    def blur_policy(self) -> str:
        return self._blur_policy

    def show_article(self, article_id: str | None, query: str = "") -> None:
        """Show an article (None: nothing selected); its loading replaces any earlier one."""
        self.notes.flush()
        self._query = query
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
                blur=self._blurs,
                preview_cache=self._previews,
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
        self._query = query
        if self._loaded is not None:
            self._mark_query()

    def set_blur_policy(self, policy: str) -> None:
        if policy not in BLUR_POLICIES:
            raise ValueError(f"unknown blur policy {policy!r}")
        if policy == self._blur_policy:
            return
        self._blur_policy = policy
        loaded = self._loaded
        if loaded is None:
            return
        needs_previews = self._blurs(loaded.article) and any(
            ref.sha256 and ref.sha256 not in loaded.previews for ref in loaded.article.images
        )
        if needs_previews:
            self.reload()
        else:
            self._fit_images()

    def is_blurred(self, position: int) -> bool:
        loaded = self._loaded
        if loaded is None or position in self._shown or not self._blurs(loaded.article):
            return False
        ref = self._image(position)
        return ref is not None and bool(ref.sha256)

    def click_image(self, position: int) -> None:
        """What a click on an image does: show a blurred one, or open the viewer."""
        if self.is_blurred(position):
            self._shown.add(position)
            self._fit_images()
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
            self._scroll_to_hit()

    def find_previous(self) -> None:
        if self.browser.previous_hit():
            self._scroll_to_hit()

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
        if self._loaded is None:
            return
        article = self._loaded.article
        if self._originals is None:
            self._originals = tempfile.TemporaryDirectory(
                prefix="archive-app-originals-", ignore_cleanup_errors=True
            )
        folder = Path(self._originals.name) / article.id
        name = _safe_filename(article.provenance.filename) or f"{article.id}.original"

        def copy(job: Job) -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            shutil.copyfile(self._archive.original_path(article.id), target)
            return target

        self._tasks.run(
            copy,
            on_done=lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            on_error=lambda exc, details: show_error(
                self, "Original not opened", friendly_message(exc), details
            ),
            label="Opening the original",
        )

    def open_external(self, url: QUrl) -> None:
        """Links leave the app only on a click, and only to the system's browser or mail."""
        if url.scheme().lower() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    # -- loading -----------------------------------------------------------------------------

    def _blurs(self, article: Article) -> bool:
        policy = self._blur_policy
        if policy == "always":
            return True
        return policy == "topic" and any(t.topic == SENSITIVE_TOPIC for t in article.topics)

    def _show_loaded(self, loaded: LoadedArticle) -> None:
        if loaded.requested != self._wanted:
            return
        same = self._loaded is not None and self._loaded.article.id == loaded.article.id
        keep_scroll = self.scroll.verticalScrollBar().value() if same else 0
        if not same:
            self._shown = set()
        self._loaded = loaded
        self._scaled = {}
        article = loaded.article
        self._fill_header(loaded)
        self.tag_editor.set_article(article.id, article.tags)
        self.notes.set_article(article.id, article.note)
        self._update_notes_summary()
        self.provenance.set_article(article)
        self.provenance_section.set_summary(article.provenance.filename)
        # Laid out first, so that images are sized for the width they will really have.
        self._show_state(self.ARTICLE)
        self.page.layout().activate()
        self.browser.setHtml(body_html(article, self._style(), self._image_tag))
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
        self._scaled = {}
        self._shown = set()
        self.browser.clear()
        self.browser.set_hits([])

    def _show_state(self, state: int) -> None:
        self.stack.setCurrentIndex(state)
        has_article = state == self.ARTICLE
        self.topics_button.setEnabled(has_article)
        self.edit_button.setEnabled(has_article)
        if not has_article:
            self._hits_changed(-1, 0)

    def _fill_header(self, loaded: LoadedArticle) -> None:
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
            chip.setStyleSheet(
                f"QToolButton {{ background: {_colour_for(assignment.topic)}; color: #1f1f1f;"
                " border: 1px solid rgba(0, 0, 0, 45); border-radius: 10px; padding: 2px 10px; }"
                " QToolButton:hover { border-color: rgba(0, 0, 0, 110); }"
            )
            chip.clicked.connect(
                lambda _=False, t=assignment.topic, c=chip: self.show_topic_popup(t, c)
            )
            self.topic_flow.addWidget(chip)
            self.topic_chips[assignment.topic] = chip
        self.topic_row.setVisible(bool(self.topic_chips))

    def _fill_topics_menu(self) -> None:
        self.topics_menu.clear()
        loaded = self._loaded
        if loaded is None:
            return
        assigned = {t.topic: t.source for t in loaded.article.topics}
        for topic in loaded.topics:
            explanation = loaded.explanation(topic.id)
            if topic.id in assigned:
                how = "by hand" if assigned[topic.id] == "manual" else "by the rules"
            elif explanation is not None and explanation.manual is False:
                how = "removed by hand"
            else:
                how = "not assigned"
            action = self.topics_menu.addAction(f"{topic.label} — {how}")
            action.setCheckable(True)
            action.setChecked(topic.id in assigned)
            action.triggered.connect(
                lambda _=False, t=topic.id: self.show_topic_popup(t, self.topics_button)
            )

    # -- the body's images ---------------------------------------------------------------------

    def _image(self, position: int) -> ImageRef | None:
        if self._loaded is None:
            return None
        return next((r for r in self._loaded.article.images if r.position == position), None)

    def _column_width(self) -> int:
        margin = self.browser.document().documentMargin()
        return max(80, self.browser.viewport().width() - int(2 * margin) - 4)

    def _image_tag(self, ref: ImageRef) -> ImageTag:
        natural = self._natural_size(ref)
        width = min(natural[0], self._column_width())
        height = max(1, round(width * natural[1] / natural[0]))
        device_width = max(1, round(width * self.browser.devicePixelRatioF()))
        kind = "blurred" if self.is_blurred(ref.position) else "image"
        return ImageTag(f"{ARCHIVE_SCHEME}:{kind}/{ref.sha256}?w={device_width}", width, height)

    def _natural_size(self, ref: ImageRef) -> tuple[int, int]:
        image = self._loaded.images.get(ref.sha256 or "") if self._loaded else None
        if ref.width and ref.height:
            return ref.width, ref.height
        if image is not None:
            return image.width(), image.height()
        return 320, 200  # never decoded: a modest frame for the "cannot show" image

    def _resolve(self, url: QUrl) -> QImage | None:
        """The image for an `archive:` name of this article; None for anything else."""
        loaded = self._loaded
        if loaded is None:
            return None
        cached = self._scaled.get(url.toString())
        if cached is not None:
            return cached
        kind, _, sha = url.path().partition("/")
        query = dict(pair.split("=", 1) for pair in url.query().split("&") if "=" in pair)
        try:
            device_width = max(1, int(query.get("w", "0")))
        except ValueError:
            return None
        ref = next((r for r in loaded.article.images if r.sha256 == sha), None)
        if ref is None or kind not in ("image", "blurred"):
            return None
        source = (loaded.images if kind == "image" else loaded.previews).get(sha)
        broken = source is None or source.isNull()
        if broken:
            # Undecodable, or a preview that failed: a plain panel, never the image unasked.
            source = QImage(4, 4, QImage.Format.Format_RGB32)
            source.fill(self.palette().color(QPalette.ColorRole.Mid))
        natural = self._natural_size(ref)
        device_height = max(1, round(device_width * natural[1] / natural[0]))
        image = source.scaled(
            device_width,
            device_height,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        ratio = self.browser.devicePixelRatioF()
        if kind == "blurred":
            image = with_overlay(image, self.font(), ratio, BLURRED_TEXT)
        elif broken:
            image = with_overlay(image, self.font(), ratio, BROKEN_TEXT)
        image.setDevicePixelRatio(self.browser.devicePixelRatioF())
        self._scaled[url.toString()] = image
        return image

    def _fit_images(self) -> None:
        """Size (and blur or show) every image for the current width, in place."""
        if self._loaded is None:
            return

        def change(fmt: QTextCharFormat) -> QTextCharFormat | None:
            href = fmt.anchorHref()
            if not href.startswith(IMAGE_LINK):
                return None
            ref = self._image(int(href[len(IMAGE_LINK) :]))
            if ref is None or not ref.sha256:
                return None
            tag = self._image_tag(ref)
            image_format = fmt.toImageFormat()
            if image_format.name() == tag.src and round(image_format.width()) == tag.width:
                return None
            image_format.setName(tag.src)
            image_format.setWidth(tag.width)
            image_format.setHeight(tag.height)
            return image_format

        self.browser.restyle_images(change)

    # -- hits --------------------------------------------------------------------------------

    def _mark_query(self) -> None:
        terms = query_terms(self._query)
        text = self.browser.document().toRawText()
        self.browser.set_hits(terms.spans(text))
        title = self._loaded.article.title if self._loaded is not None else ""
        self.title.setText(_marked(title, terms.spans(title)) or "(untitled)")

    def _hits_changed(self, current: int, total: int) -> None:
        searching = bool(query_terms(self._query)) and self._loaded is not None
        if not searching:
            self.hits_label.setText("")
        elif total == 0:
            self.hits_label.setText("No matches in this article")
        elif current < 0:
            self.hits_label.setText(f"{total} match" + ("" if total == 1 else "es"))
        else:
            self.hits_label.setText(f"{current + 1} of {total}")
        for button in (self.previous_hit_button, self.next_hit_button):
            button.setVisible(searching)
            button.setEnabled(total > 0)

    def _scroll_to_hit(self) -> None:
        rect = self.browser.hit_rect()
        if rect.isNull():
            return
        self.page.layout().activate()
        top_left = self.browser.viewport().mapTo(self.page, rect.topLeft())
        margin = self.scroll.viewport().height() // 3
        self.scroll.ensureVisible(top_left.x(), top_left.y() + rect.height() // 2, 0, margin)

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
        text = " ".join(self.notes.text().split())
        if len(text) > 80:
            text = text[:80] + "…"
        self.notes_section.set_summary(text or "none yet")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.browser and event.type() == QEvent.Type.Resize:
            self._resize_timer.start()
        # The body is as tall as its text, so it never scrolls: the page does, for the wheel
        # and the reading keys, wherever the pointer or the focus is.
        bar = self.scroll.verticalScrollBar()
        if (
            watched is self.browser.viewport()
            and event.type() == QEvent.Type.Wheel
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            QApplication.sendEvent(bar, event)
            return True
        if watched is self.browser and event.type() == QEvent.Type.KeyPress:
            step = _PAGE_KEYS.get((event.key(), event.modifiers()))
            if step is not None:
                bar.triggerAction(step)
                return True
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        # F3 inside the reader is the reader's, even where the window has the same shortcut.
        if event.type() == QEvent.Type.ShortcutOverride and _is_find_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.FindNext) or (
            event.key() == Qt.Key.Key_F3 and not event.modifiers()
        ):
            self.find_next()
        elif event.matches(QKeySequence.StandardKey.FindPrevious) or (
            event.key() == Qt.Key.Key_F3 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.find_previous()
        else:
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


def with_overlay(image: QImage, font: QFont, ratio: float, text: tuple[str, str]) -> QImage:
    """Two lines in a dark box over the image: why it is not shown, and what to do."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    strong, small = QFont(font), QFont(font)
    strong.setPixelSize(max(11, round(15 * ratio)))
    strong.setWeight(QFont.Weight.DemiBold)
    small.setPixelSize(max(10, round(12 * ratio)))
    lines = [
        (text[0], strong, QFontMetrics(strong).height()),
        (text[1], small, QFontMetrics(small).height()),
    ]
    pad = round(8 * ratio)
    box_w = min(image.width() - 8, round(260 * ratio))
    box_h = sum(height for *_, height in lines) + 2 * pad
    box = QRect((image.width() - box_w) // 2, (image.height() - box_h) // 2, box_w, box_h)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(image.rect(), QColor(0, 0, 0, 70))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(20, 20, 20, 170))
    painter.drawRoundedRect(box, pad, pad)
    painter.setPen(QColor("white"))
    y = box.top() + pad
    for text, line_font, height in lines:
        painter.setFont(line_font)
        painter.drawText(QRect(box.left(), y, box_w, height), Qt.AlignmentFlag.AlignCenter, text)
        y += height
    painter.end()
    return image


_SLIDER = QAbstractSlider.SliderAction
_NONE, _SHIFT, _CTRL = (
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.ControlModifier,
)
_PAGE_KEYS = {
    (Qt.Key.Key_PageDown, _NONE): _SLIDER.SliderPageStepAdd,
    (Qt.Key.Key_PageUp, _NONE): _SLIDER.SliderPageStepSub,
    (Qt.Key.Key_Space, _NONE): _SLIDER.SliderPageStepAdd,
    (Qt.Key.Key_Space, _SHIFT): _SLIDER.SliderPageStepSub,
    (Qt.Key.Key_Down, _NONE): _SLIDER.SliderSingleStepAdd,
    (Qt.Key.Key_Up, _NONE): _SLIDER.SliderSingleStepSub,
    (Qt.Key.Key_Home, _CTRL): _SLIDER.SliderToMinimum,
    (Qt.Key.Key_End, _CTRL): _SLIDER.SliderToMaximum,
}


def _is_find_key(event: QEvent) -> bool:
    return (
        event.matches(QKeySequence.StandardKey.FindNext)
        or event.matches(QKeySequence.StandardKey.FindPrevious)
        or event.key() == Qt.Key.Key_F3
    )


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(html.escape(text[last:start]))
        out.append(f'<span style="{MARK_STYLE}">{html.escape(text[start:end])}</span>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _safe_filename(name: str) -> str:
    """The original's own name, without any folder part or characters systems refuse."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c not in '<>:"|?*' and ord(c) >= 32).strip(" .")


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Plain)
    line.setForegroundRole(QPalette.ColorRole.Mid)  # quiet in light and dark palettes
    return line
