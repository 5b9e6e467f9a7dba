"""The results list: a count and a sort above a lazily filled list of hits.

The view says what the person picked (`current_changed`, `selection_changed`)
and what they asked to do with a selection (`export_requested`,
`delete_requested`, `compare_requested` for two to four articles) or with a
row's "n versions" link (`versions_requested`); the main window does those.
Adding and removing tags on a selection happens here, as one write task,
followed by `tags_changed`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.models import ResultIds, SearchRequest
from archive_app.gui.filters import Filters
from archive_app.gui.look import heading_label
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.result_delegate import ResultDelegate
from archive_app.gui.results_model import ResultsModel
from archive_app.gui.tag_entry import TagField
from archive_app.gui.tasks import TaskRunner

SORTS = (("Relevance", "relevance"), ("Newest", "newest"), ("Oldest", "oldest"))
COMPARED_AT_ONCE = (2, 4)  # the fewest and the most articles "Compare selected" takes
COMPARE_SHORTCUT = "Ctrl+Shift+C"
LAYOUT_BATCH = 5000  # rows laid out per pass of the event loop: a few milliseconds


def count_text(total: int) -> str:
    return "1 article" if total == 1 else f"{total:,} articles"


class TagsDialog(QDialog):
    """Asks for the tags to add to (or remove from) the selected articles."""

    def __init__(
        self, title: str, prompt: str, action: str, known: Sequence[str], parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.field = TagField(known)
        label = QLabel(prompt)
        label.setWordWrap(True)
        hint = QLabel("Separate tags with commas; “/” makes levels.")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.field.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.field)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self._update()

    def tags(self) -> list[str]:
        return self.field.tags()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.tags()))


class ResultsList(QListView):
    """The list itself: uniform rows, extended selection, no type-to-find."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setUniformItemSizes(True)
        # Qt lays out every row again when rows are added or the list is resized,
        # about 1.7 µs a row: 170 ms at 100,000 hits in one go. In batches the
        # window paints between them.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)  # hover highlight
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def keyboardSearch(self, search: str) -> None:
        # Qt's type-to-find reads the text of every row, which would load them all.
        del search

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:
        # Rows never change size, so new data needs a repaint, not a layout: QListView
        # would lay out every row again here (about 0.1 s at 30,000 rows).
        del top_left, bottom_right, roles
        self.viewport().update()


class ResultsView(QWidget):
    current_changed = Signal(object)  # the article id to read, or None
    selection_changed = Signal(list)  # the selected ids, in list order
    sort_changed = Signal(str)  # "relevance", "newest" or "oldest"
    tags_changed = Signal()  # tags were added or removed on articles
    export_requested = Signal(list)
    delete_requested = Signal(list)
    compare_requested = Signal(list)  # 2–4 selected ids, in list order
    versions_requested = Signal(str)  # the id of a row whose "n versions" link was clicked

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._current_id: str | None = None
        self.model = ResultsModel(archive, tasks, self)
        self.model.load_failed.connect(self._rows_failed)
        self.delegate = ResultDelegate(self)

        self.count_label = heading_label(1.0)
        self.sort_combo = QComboBox()
        for label, value in SORTS:
            self.sort_combo.addItem(label, value)
        self.sort_combo.setToolTip("Order of the results")
        self.sort_combo.currentIndexChanged.connect(lambda _i: self.sort_changed.emit(self.sort()))
        sort_label = QLabel("Sort:")
        sort_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        sort_label.setBuddy(self.sort_combo)
        header = QHBoxLayout()
        header.setContentsMargins(12, 6, 8, 6)
        header.setSpacing(6)
        header.addWidget(self.count_label, 1)
        header.addWidget(sort_label)
        header.addWidget(self.sort_combo)

        self.list = ResultsList()
        self.list.setItemDelegate(self.delegate)
        self.list.setModel(self.model)
        self.list.selectionModel().currentChanged.connect(self._current_moved)
        self.list.selectionModel().selectionChanged.connect(self._selection_moved)
        self.list.customContextMenuRequested.connect(self._show_context_menu)
        self.list.viewport().installEventFilter(self)
        self.model.modelReset.connect(self._forget_current)

        self.empty_title = heading_label(1.25, "No articles match")
        self.empty_hint = QLabel("")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        for label in (self.empty_title, self.empty_hint):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.setContentsMargins(24, 24, 24, 24)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_title)
        empty_layout.addWidget(self.empty_hint)
        empty_layout.addStretch(2)
        self.empty_page = empty

        self.pages = QStackedWidget()
        self.pages.addWidget(self.list)
        self.pages.addWidget(empty)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(rule)
        layout.addWidget(self.pages, 1)

        self.actions_ = self._make_actions()
        self._load_topic_labels()

    # -- results --------------------------------------------------------------------------

    def set_results(self, result_ids: ResultIds) -> None:
        self.model.set_results(result_ids)
        self.count_label.setText(count_text(result_ids.total))
        if result_ids.total == 0:
            self.empty_hint.setText(_empty_hint(result_ids.request))
            self.pages.setCurrentWidget(self.empty_page)
        else:
            self.pages.setCurrentWidget(self.list)
        self._selection_moved()

    def clear(self) -> None:
        """Show no results (and no current article)."""
        had_current = self._current_id is not None
        self.model.clear()
        self.count_label.setText("")
        self.pages.setCurrentWidget(self.list)
        if had_current:
            self.current_changed.emit(None)

    def sort(self) -> str:
        return str(self.sort_combo.currentData())

    def set_sort(self, sort: str) -> None:
        """Show this order (no `sort_changed`: the caller knows)."""
        index = self.sort_combo.findData(sort)
        if index >= 0:
            self.sort_combo.blockSignals(True)
            self.sort_combo.setCurrentIndex(index)
            self.sort_combo.blockSignals(False)

    def select_id(self, article_id: str) -> bool:
        """Make the article current and scroll to it; False when it is not in the results."""
        row = self.model.row_of(article_id)
        if row is None or not self.model.ensure_shown(row):
            return False
        index = self.model.index(row)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedRows())
        return [i for i in (self.model.id_at(row) for row in rows) if i is not None]

    def current_id(self) -> str | None:
        index = self.list.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _current_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        article_id = self.model.id_at(current.row()) if current.isValid() else None
        if article_id is None:
            return  # a new result set: the reader keeps its article until another is picked
        if article_id != self._current_id:
            self._current_id = article_id
            self.current_changed.emit(article_id)

    def _forget_current(self) -> None:
        self._current_id = None

    def _selection_moved(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        ids = self.selected_ids()
        for action in self.actions_.values():
            action.setEnabled(bool(ids))
        fewest, most = COMPARED_AT_ONCE
        self.actions_["compare"].setEnabled(fewest <= len(ids) <= most)
        self.selection_changed.emit(ids)

    def _load_topic_labels(self) -> None:
        archive = self._archive
        self._tasks.run(
            lambda job: {t.id: t.label for t in archive.topics()},
            on_done=self._topic_labels_loaded,
            on_error=lambda _exc, _details: None,  # chips then show the topic's id
            key=f"results-topic-labels-{id(self)}",
        )

    def _topic_labels_loaded(self, labels: dict[str, str]) -> None:
        self.delegate.set_topic_labels(labels)
        self.list.viewport().update()

    def _rows_failed(self, exc: Exception, details: str) -> None:
        show_error(self, "Could not show the results", friendly_message(exc), details)

    # -- acting on the selection -------------------------------------------------------------

    def _make_actions(self) -> dict[str, QAction]:
        def action(text: str, slot, shortcut=None) -> QAction:
            made = QAction(text, self)
            made.triggered.connect(slot)
            if shortcut is not None:
                made.setShortcut(shortcut)
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.list.addAction(made)
            return made

        return {
            "compare": action(
                "Compare selected", self.compare_selected, QKeySequence(COMPARE_SHORTCUT)
            ),
            "add_tags": action("Add tags to selected…", self.open_add_tags),
            "remove_tags": action("Remove tags from selected…", self.open_remove_tags),
            "export": action(
                "Export selected…",
                lambda: self.export_requested.emit(self.selected_ids()),
            ),
            "delete": action(
                "Delete…",
                lambda: self.delete_requested.emit(self.selected_ids()),
                QKeySequence(QKeySequence.StandardKey.Delete),
            ),
            "copy_id": action(
                "Copy id", self.copy_ids, QKeySequence(QKeySequence.StandardKey.Copy)
            ),
        }

    def context_menu(self) -> QMenu:
        """The menu for the current selection (built fresh, so its texts fit the selection)."""
        count = len(self.selected_ids())
        self.actions_["copy_id"].setText("Copy ids" if count > 1 else "Copy id")
        self.actions_["delete"].setText(f"Delete {count:,} articles…" if count > 1 else "Delete…")
        fewest, most = COMPARED_AT_ONCE
        self.actions_["compare"].setToolTip(
            "" if fewest <= count <= most else f"Select {fewest} to {most} articles to compare"
        )
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        names = ("compare", None, "add_tags", "remove_tags", None, "export", "copy_id", None)
        for name in (*names, "delete"):
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(self.actions_[name])
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        index = self.list.indexAt(position)
        if index.isValid() and not self.list.selectionModel().isSelected(index):
            self.list.setCurrentIndex(index)
        if not self.selected_ids():
            return
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.list.viewport().mapToGlobal(position))

    def compare_selected(self) -> None:
        ids = self.selected_ids()
        fewest, most = COMPARED_AT_ONCE
        if fewest <= len(ids) <= most:
            self.compare_requested.emit(ids)

    # -- the "n versions" link ---------------------------------------------------------------

    def versions_at(self, position: QPoint) -> str | None:
        """The id of the row whose "n versions" link is at this point of the list's viewport."""
        index = self.list.indexAt(position)
        if not index.isValid():
            return None
        hit = self.model.hit(index.row())
        box = self.delegate.versions_rect(self.list.visualRect(index), self.list.font(), hit)
        if box is None or not box.adjusted(-2, -2, 2, 2).contains(position.toPointF()):
            return None
        return hit.id

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list.viewport():
            kind = event.type()
            if kind == QEvent.Type.ToolTip:
                article_id = self.versions_at(event.pos())
                if article_id is not None:
                    QToolTip.showText(
                        event.globalPos(),
                        "Other versions of this text are in the archive: "
                        "click to compare them side by side",
                        self.list.viewport(),
                    )
                    return True
            elif kind == QEvent.Type.MouseMove:
                over = self.versions_at(event.position().toPoint()) is not None
                if over:
                    self.list.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
                else:
                    self.list.viewport().unsetCursor()
            elif (
                kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease)
                and event.button() == Qt.MouseButton.LeftButton
            ):
                article_id = self.versions_at(event.position().toPoint())
                if article_id is not None:
                    # The link acts on release and leaves the selection as it was.
                    if kind == QEvent.Type.MouseButtonRelease:
                        self.versions_requested.emit(article_id)
                    return True
        return super().eventFilter(watched, event)

    def copy_ids(self) -> None:
        ids = self.selected_ids()
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))

    def open_add_tags(self) -> TagsDialog | None:
        return self._open_tags_dialog(adding=True)

    def open_remove_tags(self) -> TagsDialog | None:
        return self._open_tags_dialog(adding=False)

    def _open_tags_dialog(self, *, adding: bool) -> TagsDialog | None:
        """Open (not exec) the dialog; its OK runs the change on the selected articles."""
        ids = self.selected_ids()
        if not ids:
            return None
        what = "the selected article" if len(ids) == 1 else f"the {len(ids):,} selected articles"
        if adding:
            dialog = TagsDialog("Add tags", f"Tags to add to {what}:", "Add", (), self)
        else:
            dialog = TagsDialog("Remove tags", f"Tags to remove from {what}:", "Remove", (), self)
            dialog.field.set_known(self._loaded_tags(ids))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if adding:
            archive = self._archive
            self._tasks.run(
                lambda job: [t.name for t in archive.tags()],
                on_done=dialog.field.set_known,
                on_error=lambda _exc, _details: None,  # no completion; typing still works
                key=f"results-known-tags-{id(self)}",
            )

        def accepted() -> None:
            tags = dialog.tags()
            if adding:
                self.add_tags(ids, tags)
            else:
                self.remove_tags(ids, tags)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def _loaded_tags(self, ids: Sequence[str]) -> list[str]:
        """Tags on the selected rows already loaded: what "remove" can usefully offer."""
        names: set[str] = set()
        for article_id in ids:
            row = self.model.row_of(article_id)
            hit = self.model.hit(row) if row is not None else None
            if hit is not None:
                names.update(hit.tags)
        return sorted(names)

    def add_tags(self, ids: Sequence[str], tags: Sequence[str]) -> None:
        archive, ids, tags = self._archive, list(ids), list(tags)
        if ids and tags:
            self._tasks.run(
                lambda job: archive.tag_many(ids, tags),
                on_done=self._tags_done,
                on_error=lambda exc, details: show_error(
                    self, "Could not add the tags", friendly_message(exc), details
                ),
                write=True,
                label="Adding tags",
            )

    def remove_tags(self, ids: Sequence[str], tags: Sequence[str]) -> None:
        archive, ids, tags = self._archive, list(ids), list(tags)
        if ids and tags:
            self._tasks.run(
                lambda job: archive.untag_many(ids, tags),
                on_done=self._tags_done,
                on_error=lambda exc, details: show_error(
                    self, "Could not remove the tags", friendly_message(exc), details
                ),
                write=True,
                label="Removing tags",
            )

    def _tags_done(self, _count: int) -> None:
        self.model.reload_rows()
        self.tags_changed.emit()


def _empty_hint(request: SearchRequest) -> str:
    filtered = not Filters.from_request(request).is_empty
    if request.query.strip() and filtered:
        return "Try other or fewer words, or clear some of the filters on the left."
    if request.query.strip():
        return "Try other or fewer words; a word ending in * matches every ending."
    if filtered:
        return "No article has all of these filters. Clear some of them on the left."
    return "The archive has no articles yet. Import files or a folder to begin."
