"""Two to four articles side by side: shared passages in the same colour, scrolled together.

The first pane is the reference. Every other pane is compared with it
(`Archive.compare(reference, other)`): n panes cost n - 1 comparisons, and
every passage of every pane maps to a stretch of the reference. That one
frame of reference gives each passage a single colour in all panes and lets
any pane scroll any other (through the reference) without comparisons that
could disagree with each other. Comparing neighbouring panes as well would
cost up to three more alignments and give a passage two colours where the
pairs disagree; moving a pane to the front makes it the reference instead.

Synchronized scrolling keeps passages level, not scroll bars: the tops and
bottoms of each shared passage in two panes are anchor pairs, and a pane
follows another by interpolating between them (in proportion inside a passage
and across the gap between two). A guard flag keeps a pane that is being
moved from moving the others again.

Everything read from the archive (articles, thumbnails, comparisons) is read
in one background task (`compare_loading`).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.models import Comparison
from archive_app.gui.compare_document import (
    PASSAGE_COLOURS,
    SharedMark,
    from_reference,
    interpolate,
    mark_at,
    shared_marks,
    to_reference,
    twin_in,
)
from archive_app.gui.compare_loading import (
    LoadedComparison,
    NothingToCompare,
    compare_with_first,
    load_comparison,
)
from archive_app.gui.compare_pane import ComparePane, passage_alpha
from archive_app.gui.look import ONLY_HERE_COLOUR, heading_label, is_dark
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner
from archive_app.gui.wording import readable_date

FIELD_KEYS = {"date": "published", "published": "published", "title": "title"}
FIELD_KEYS |= {"author": "author", "source": "source", "url": "url"}
EMPTY_VALUES = {"published": "no date", "author": "no author", "source": "no source"}
EMPTY_VALUES |= {"title": "no title", "url": "no link"}


def percent(similarity: float) -> str:
    """0.62 as "62 %"; a trace as "< 1 %", never a misleading "0 %" or "100 %"."""
    value = similarity * 100
    if 0 < value < 1:
        return "< 1 %"
    if 99 < value < 100:
        return "> 99 %"
    return f"{round(value)} %"


def short_title(title: str, limit: int = 40) -> str:
    title = " ".join(title.split()) or "(untitled)"
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


class CompareView(QWidget):
    """A tab showing 2–4 articles side by side; see the module docstring."""

    open_article_requested = Signal(str)
    title_changed = Signal(str)

    LOADING, CONTENT, MESSAGE = range(3)

    def __init__(
        self,
        archive: Archive,
        tasks: TaskRunner,
        ids: list[str],
        query: str = "",
        parent: QWidget | None = None,
        *,
        with_versions: bool = False,
    ) -> None:
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._query = query
        self._requested = list(dict.fromkeys(ids))
        self.panes: list[ComparePane] = []
        self.comparisons: tuple[Comparison, ...] = ()
        self.marks: list[list[SharedMark]] = []
        self.missing: tuple[str, ...] = ()
        self._topic_labels: dict[str, str] = {}
        self._syncing = False
        self._anchors: dict[tuple[int, int], list[tuple[float, float]]] = {}
        self._generation = 0  # bumped whenever the panes' order changes
        self._title = f"Compare {len(self._requested)} articles"
        self._equalize_timer = QTimer(self)
        self._equalize_timer.setSingleShot(True)
        self._equalize_timer.setInterval(0)
        self._equalize_timer.timeout.connect(self._equalize_tops)
        self._resync_timer = QTimer(self)  # after a relayout: level the panes again
        self._resync_timer.setSingleShot(True)
        self._resync_timer.setInterval(0)
        self._resync_timer.timeout.connect(self._resync)

        self._build_toolbar()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(6)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.toolbar)
        column.addWidget(_rule())
        column.addWidget(self.splitter, 1)
        self.loading = QLabel("Comparing…")
        self.message = QLabel()
        for label in (self.loading, self.message):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setMargin(24)
        self.loading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading)
        self.stack.addWidget(content)
        self.stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._load_key = f"compare-view-{id(self)}"
        self._pairs_key = f"compare-view-pairs-{id(self)}"
        # A tab closed while its articles load must not be called back once it is gone.
        self.destroyed.connect(_dropper(tasks, (self._load_key, self._pairs_key)))

        if len(self._requested) < 2 and not with_versions:
            self._show_message("Choose two to four articles to compare.")
            return
        self.stack.setCurrentIndex(self.LOADING)
        archive_ = archive
        requested = self._requested
        self._tasks.run(
            lambda job: load_comparison(archive_, requested, with_versions=with_versions, job=job),
            on_done=self._loaded,
            on_error=self._load_failed,
            on_progress=self._progress,
            key=self._load_key,
            label="Comparing articles",
        )

    @classmethod
    def versions(
        cls,
        archive: Archive,
        tasks: TaskRunner,
        article_id: str,
        query: str = "",
        parent: QWidget | None = None,
    ) -> CompareView:
        """The article beside its near-duplicates (at most three), found in the load task."""
        return cls(archive, tasks, [article_id], query, parent, with_versions=True)

    # -- building --------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        self.toolbar = QWidget()
        self.similarity_label = heading_label(1.0)
        self.similarity_label.setToolTip(
            "The share of the texts' words that lie in passages both articles hold"
        )
        self.sync_button = QToolButton()
        self.sync_button.setText("Sync scrolling")
        self.sync_button.setCheckable(True)
        self.sync_button.setChecked(True)
        self.sync_button.setAutoRaise(True)
        self.sync_button.setToolTip(
            "Scroll the articles together, keeping shared passages side by side"
        )
        self.sync_button.toggled.connect(self._sync_toggled)
        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setChecked(True)
        self.details_button.setAutoRaise(True)
        self.details_button.setToolTip(
            "Show each article's byline, link, topics and images above its text"
        )
        self.details_button.toggled.connect(self._details_toggled)
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(10, 4, 8, 4)
        row.setSpacing(10)
        row.addWidget(self.similarity_label)
        self.missing_label = QLabel()  # articles asked for that are no longer there
        self.missing_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.missing_label.hide()
        row.addWidget(self.missing_label)
        row.addStretch(1)
        for swatch, text, tip in (
            (
                _shared_swatch(self._dark()),
                "shared",
                "A passage both articles hold: the same colour in every pane",
            ),
            (_only_here_swatch(), "only here", "Text that only this article has"),
        ):
            icon = QLabel()
            icon.setPixmap(swatch)
            label = QLabel(text)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            icon.setToolTip(tip)
            label.setToolTip(tip)
            row.addWidget(icon)
            row.addWidget(label)
        row.addSpacing(8)
        row.addWidget(self.details_button)
        row.addWidget(self.sync_button)

    # -- public ----------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self._title

    @property
    def titles(self) -> str:
        """Every article's title, one a line: for the tab's tooltip."""
        if not self.panes:
            return self._title
        return "\n".join(short_title(p.article.title, 90) for p in self.panes)

    @property
    def ids(self) -> list[str]:
        """The articles shown, in pane order (the requested ones until they are loaded)."""
        if self.panes:
            return [p.article_id for p in self.panes if p.article_id]
        return list(self._requested)

    @property
    def sync_enabled(self) -> bool:
        return self.sync_button.isChecked()

    def set_sync(self, enabled: bool) -> None:
        self.sync_button.setChecked(enabled)

    def set_query(self, query: str) -> None:
        self._query = query
        for pane in self.panes:
            pane.set_query(query)

    def stop(self) -> None:
        """Drop loading and comparing still under way (their results are not shown)."""
        _dropper(self._tasks, (self._load_key, self._pairs_key))()

    def move_pane(self, index: int, delta: int) -> None:
        """Move a pane left or right; a pane moved to the front becomes the reference."""
        target = index + delta
        if not (0 <= index < len(self.panes) and 0 <= target < len(self.panes)):
            return
        pane = self.panes.pop(index)
        self.panes.insert(target, pane)
        self.splitter.insertWidget(target, pane)
        if 0 in (index, target):
            self._compare_again()
        else:
            comparisons = list(self.comparisons)
            comparisons.insert(target - 1, comparisons.pop(index - 1))
            self._show_comparisons(tuple(comparisons))
        self._positions_changed()

    def close_pane(self, index: int) -> None:
        """Close one article; at least two stay."""
        if len(self.panes) <= 2 or not 0 <= index < len(self.panes):
            return
        pane = self.panes.pop(index)
        pane.hide()
        pane.setParent(None)
        pane.deleteLater()
        if index == 0:
            self._compare_again()
        else:
            comparisons = list(self.comparisons)
            del comparisons[index - 1]
            self._show_comparisons(tuple(comparisons))
        self._positions_changed()

    def show_twins(self, pane: ComparePane, offset: int, viewport_y: int) -> bool:
        """Bring the twins of the passage at `offset` of `pane` level with it in the others."""
        if pane not in self.panes or len(self.marks) != len(self.panes):
            return False
        index = self.panes.index(pane)
        mark = mark_at(self.marks[index], offset)
        if mark is None:
            return False
        reference_offset = offset if index == 0 else to_reference(mark, offset)
        self._syncing = True
        try:
            for other_index, other in enumerate(self.panes):
                if other_index == index:
                    continue
                if other_index == 0:
                    twin = mark_at(self.marks[0], reference_offset) or self.marks[0][mark.group]
                    target = min(max(reference_offset, twin.span.start), twin.span.end)
                else:
                    twin = twin_in(self.marks[other_index], reference_offset, mark.group)
                    if twin is None:
                        continue
                    target = from_reference(twin, reference_offset)
                other.reveal(twin.span, target, viewport_y)
        finally:
            self._syncing = False
        pane.emphasise(mark.span)
        return True

    # -- loading ---------------------------------------------------------------------------

    def _progress(self, done: int, total: int, text: str) -> None:
        self.loading.setText(f"{text}…" if text else "Comparing…")

    def _loaded(self, loaded: LoadedComparison) -> None:
        self._topic_labels = loaded.topic_labels
        self.missing = loaded.missing
        if loaded.missing:
            count = len(loaded.missing)
            self.missing_label.setText(
                "(one article is no longer in the archive)"
                if count == 1
                else f"({count} articles are no longer in the archive)"
            )
            self.missing_label.setToolTip("\n".join(loaded.missing))
            self.missing_label.show()
        for data in loaded.panes:
            pane = ComparePane(self._archive, self._tasks)
            pane.set_details_visible(self.details_button.isChecked())
            pane.set_article(data.article, data.document, data.thumbnails, self._topic_labels)
            pane.set_query(self._query)
            self._connect(pane)
            self.panes.append(pane)
            self.splitter.addWidget(pane)
        self.splitter.setSizes([1000] * len(self.panes))  # equal widths
        self.stack.setCurrentIndex(self.CONTENT)
        self._show_comparisons(loaded.comparisons)
        self._positions_changed()

    def _load_failed(self, exc: Exception, details: str) -> None:
        if isinstance(exc, NothingToCompare):
            self._show_message(str(exc))
            return
        if isinstance(exc, ArticleNotFound):
            self._show_message(friendly_message(exc))
            return
        self._show_message(f"These articles could not be compared.\n\n{friendly_message(exc)}")
        show_error(self, "Comparison failed", friendly_message(exc), details)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(self.MESSAGE)

    def _compare_again(self) -> None:
        """The reference changed: compare every pane with the new first one."""
        self._generation += 1
        generation = self._generation
        self.comparisons = ()
        self.marks = []
        self._anchors.clear()
        for pane in self.panes:
            pane.set_comparison([], {}, set(), "Comparing…")
        self.similarity_label.setText("Comparing…")
        archive, ids = self._archive, self.ids
        self._tasks.run(
            lambda job: compare_with_first(archive, ids, job),
            on_done=lambda comparisons: self._compared(generation, comparisons),
            on_error=self._compare_failed,
            key=self._pairs_key,
            label="Comparing articles",
        )

    def _compared(self, generation: int, comparisons: tuple[Comparison, ...]) -> None:
        if generation == self._generation:
            self._show_comparisons(comparisons)

    def _compare_failed(self, exc: Exception, details: str) -> None:
        self.similarity_label.setText("Not compared")
        show_error(self, "Comparison failed", friendly_message(exc), details)

    # -- showing a comparison --------------------------------------------------------------

    def _show_comparisons(self, comparisons: tuple[Comparison, ...]) -> None:
        self.comparisons = comparisons
        self.marks = shared_marks(comparisons)
        self._anchors.clear()
        reference = self.panes[0]
        reference_title = short_title(reference.article.title, 50)
        for index, pane in enumerate(self.panes):
            if index == 0:
                differing: dict[str, list[str]] = {}
                shared_images: set[str] = set()
                for comparison, other in zip(comparisons, self.panes[1:], strict=True):
                    other_title = short_title(other.article.title, 50)
                    for field, (_mine, theirs) in comparison.metadata_differences.items():
                        key = FIELD_KEYS.get(field)
                        if key is not None:
                            differing.setdefault(key, []).append(
                                f"{_value_text(key, theirs)} in “{other_title}”"
                            )
                    shared_images |= set(comparison.shared_images)
                notes = {key: "; ".join(values) for key, values in differing.items()}
                role = "Reference"
                tip = "The other articles are compared with this one"
            else:
                comparison = comparisons[index - 1]
                notes = {}
                for field, (theirs, _mine) in comparison.metadata_differences.items():
                    key = FIELD_KEYS.get(field)
                    if key is not None:
                        notes[key] = f"{_value_text(key, theirs)} in “{reference_title}”"
                shared_images = set(comparison.shared_images)
                role = f"{percent(comparison.similarity)} in common"
                tip = f"The share of text this article and “{reference_title}” have in common"
            pane.set_comparison(self.marks[index], notes, shared_images, role, tip)
        figures = [percent(c.similarity) for c in comparisons]
        if len(figures) == 1:
            self.similarity_label.setText(f"{figures[0]} in common")
        else:
            self.similarity_label.setText(" · ".join(figures) + " in common with the first")
        self._update_title()
        self._equalize_timer.start()

    def _positions_changed(self) -> None:
        for index, pane in enumerate(self.panes):
            pane.set_position_controls(index, len(self.panes))
        self._anchors.clear()
        self._update_title()
        self._equalize_timer.start()

    def _update_title(self) -> None:
        if not self.panes:
            return
        first = short_title(self.panes[0].article.title, 40)
        self._title = f"Compare: {first} ↔ {len(self.panes) - 1} more"
        self.title_changed.emit(self._title)

    def _connect(self, pane: ComparePane) -> None:
        pane.browser.verticalScrollBar().valueChanged.connect(
            lambda value, p=pane: self._pane_scrolled(p, value)
        )
        pane.browser.document().documentLayout().documentSizeChanged.connect(self._layout_changed)
        pane.passage_clicked.connect(lambda offset, y, p=pane: self.show_twins(p, offset, y))
        pane.open_requested.connect(self.open_article_requested)
        pane.close_requested.connect(lambda p=pane: self._close_clicked(p))
        pane.move_requested.connect(lambda delta, p=pane: self._move_clicked(p, delta))
        pane.installEventFilter(self)

    def _close_clicked(self, pane: ComparePane) -> None:
        if pane in self.panes:
            self.close_pane(self.panes.index(pane))

    def _move_clicked(self, pane: ComparePane, delta: int) -> None:
        if pane in self.panes:
            self.move_pane(self.panes.index(pane), delta)

    # -- keeping the panes level -----------------------------------------------------------

    def _details_toggled(self, visible: bool) -> None:
        for pane in self.panes:
            pane.top.setMinimumHeight(0)
            pane.set_details_visible(visible)
        self._equalize_timer.start()

    def _sync_toggled(self, enabled: bool) -> None:
        if enabled:
            self._resync()

    def _resync(self) -> None:
        if self.panes:
            self._pane_scrolled(self.panes[0], self.panes[0].scroll_value())

    def _layout_changed(self, *_args) -> None:
        # Passages moved (another width, another font): the anchors are measured again.
        self._anchors.clear()
        if self.sync_enabled:
            self._resync_timer.start()

    def _pane_scrolled(self, source: ComparePane, value: int) -> None:
        if self._syncing or not self.sync_enabled or source not in self.panes:
            return
        if len(self.comparisons) != len(self.panes) - 1:
            return  # still comparing after a change of reference
        index = self.panes.index(source)
        self._syncing = True
        try:
            reference_y = (
                float(value) if index == 0 else interpolate(self._anchors_for(index, 0), value)
            )
            for other_index, other in enumerate(self.panes):
                if other_index == index:
                    continue
                if other_index == 0:
                    target = reference_y
                else:
                    target = interpolate(self._anchors_for(0, other_index), reference_y)
                other.set_scroll_value(target)
        finally:
            self._syncing = False

    def _anchors_for(self, source: int, target: int) -> list[tuple[float, float]]:
        """(y in source, y in target) pairs for the reference and one other pane, either way."""
        key = (source, target)
        cached = self._anchors.get(key)
        if cached is not None:
            return cached
        other = target if source == 0 else source
        reference, pane = self.panes[0], self.panes[other]
        pairs = [(0.0, 0.0), (reference.content_height(), pane.content_height())]
        for passage in self.comparisons[other - 1].shared:
            pairs.append((reference.line_top(passage.a.start), pane.line_top(passage.b.start)))
            pairs.append((reference.line_bottom(passage.a.end), pane.line_bottom(passage.b.end)))
        if source != 0:
            pairs = [(b, a) for a, b in pairs]
        pairs.sort()
        self._anchors[key] = pairs
        return pairs

    # -- headers of one height -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched in self.panes:
            self._equalize_timer.start()
        return super().eventFilter(watched, event)

    def _equalize_tops(self) -> None:
        """Give every pane's header the height of the tallest, so the texts start level."""
        if not self.panes:
            return
        heights = []
        for pane in self.panes:
            top = pane.top
            width = top.width()
            hint = top.heightForWidth(width) if top.hasHeightForWidth() and width > 0 else -1
            heights.append(hint if hint > 0 else top.sizeHint().height())
        tallest = max(heights)
        for pane in self.panes:
            if pane.top.minimumHeight() != tallest:
                pane.top.setMinimumHeight(tallest)

    def _dark(self) -> bool:
        return is_dark(self.palette())


def _dropper(tasks: TaskRunner, keys: tuple[str, ...]):
    """A function that replaces the tasks under these keys by empty ones (so they are dropped).

    It holds the runner and the keys only, not the view: it runs when the view is destroyed.
    """

    def drop(*_args) -> None:
        # A RuntimeError means the runner went first (the app is closing): nothing is
        # left to call back, so nothing to drop.
        with contextlib.suppress(RuntimeError):
            for key in keys:
                tasks.run(lambda job: None, key=key)

    return drop


def _value_text(key: str, value: str) -> str:
    if not value:
        return EMPTY_VALUES.get(key, "nothing")
    if key == "published":
        value = readable_date(value)
    return f"“{short_title(value, 70)}”"


def _shared_swatch(dark: bool) -> QPixmap:
    pixmap = QPixmap(34, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    for n, (red, green, blue) in enumerate(PASSAGE_COLOURS[:3]):
        colour = QColor(red, green, blue, min(255, passage_alpha(dark) * 2))
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(1 + n * 11, 2, 10, 10), 2, 2)
    painter.end()
    return pixmap


def _only_here_swatch() -> QPixmap:
    pixmap = QPixmap(28, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    pen = QPen(ONLY_HERE_COLOUR)
    pen.setWidthF(1.5)
    pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawLine(2, 11, 26, 11)
    painter.end()
    return pixmap


def _rule() -> QFrame:
    rule = QFrame()
    rule.setFrameShape(QFrame.Shape.HLine)
    rule.setFrameShadow(QFrame.Shadow.Sunken)
    return rule
