"""The sidebar's tag tree: every tag level with its count in the current search.

`region/kherson` sits under `region`; a level's count covers the tags below
it (the archive indexes every tag with its ancestors). A tag without hits in
the current search stays in the tree, dimmed, with 0, so the tree keeps its
shape and its place while the person searches.

Clicking a tag asks the sidebar to browse it. Renaming, merging (from the menu,
or by dropping one tag onto another) and deleting run as write tasks, then the
tree reads the tags again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.models import TagCount
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner

TAG_MIME = "application/x-archive-app-tags"
NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the tag's full name, "region/kherson"
TOTAL_ROLE = Qt.ItemDataRole.UserRole + 2  # articles with it in the whole archive


def is_within(name: str, ancestor: str) -> bool:
    """True for the tag itself and every tag below it (case-insensitive, as search)."""
    name, ancestor = name.lower(), ancestor.lower()
    return name == ancestor or name.startswith(ancestor + "/")


def _articles(count: int) -> str:
    return "1 article" if count == 1 else f"{count:,} articles"


class CountTree(QTreeWidget):
    """Names with a count on the right, exactly as tall as its visible rows.

    The sidebar scrolls as a whole, so its lists never scroll inside it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setIndentation(14)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # A fixed count column: measuring it to its contents on every search cost ~20 ms of
        # the GUI thread per keystroke (every changed count re-measured the column).
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(1, self.fontMetrics().horizontalAdvance("000,000") + 6)
        self.itemExpanded.connect(self.fit_height)
        self.itemCollapsed.connect(self.fit_height)
        self.fit_height()

    def visible_rows(self) -> int:
        count = 0
        pending = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while pending:
            item = pending.pop()
            if item.isHidden():
                continue
            count += 1
            if item.isExpanded():
                pending.extend(item.child(i) for i in range(item.childCount()))
        return count

    def row_height(self) -> int:
        if self.topLevelItemCount():
            hint = self.sizeHintForRow(0)
            if hint > 0:
                return hint
        return self.fontMetrics().height() + 6

    def fit_height(self, *_args) -> None:
        self.setFixedHeight(self.visible_rows() * self.row_height() + 2 * self.frameWidth() + 2)

    def set_count(self, item: QTreeWidgetItem, count: int | None, *, dim: bool) -> None:
        text = "" if count is None else f"{count:,}"
        if item.text(1) != text:
            item.setText(1, text)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        muted = self.palette().brush(QPalette.ColorRole.PlaceholderText)
        item.setForeground(1, muted)
        if dim:
            item.setForeground(0, muted)
        else:
            item.setData(0, Qt.ItemDataRole.ForegroundRole, None)  # the palette's text colour


class TagTree(CountTree):
    tag_clicked = Signal(str)  # the full name; the sidebar decides what browsing it means
    tag_renamed = Signal(str, str)  # old and new name (a merge is a rename into the target)
    tag_deleted = Signal(str)
    tags_edited = Signal()  # after any rename, merge or delete, once the archive has it

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._items: dict[str, QTreeWidgetItem] = {}  # by lower-case full name
        self._counts: Mapping[str, int] | None = None  # the current search's, by lower name
        self._active: tuple[str, ...] = ()
        self.setRootIsDecorated(True)
        self.setExpandsOnDoubleClick(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_context_menu)
        self.itemClicked.connect(self._clicked)

    # -- contents -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the tags from the archive again (in a task)."""
        archive = self._archive
        self._tasks.run(
            lambda job: archive.tags(),
            on_done=self.set_tags,
            on_error=lambda exc, details: show_error(
                self, "Could not read the tags", friendly_message(exc), details
            ),
            key=f"tag-tree-{id(self)}",
        )

    def set_tags(self, tags: Sequence[TagCount]) -> None:
        """Show these tags, keeping which levels are open."""
        wanted = {t.name.lower(): t for t in tags}
        if set(wanted) != set(self._items):
            open_levels = {key for key, item in self._items.items() if item.isExpanded()}
            self.clear()
            self._items = {}
            for key in sorted(wanted):
                tag = wanted[key]
                parent_key = key.rsplit("/", 1)[0] if "/" in key else None
                parent = self._items.get(parent_key) if parent_key else None
                item = QTreeWidgetItem(parent if parent is not None else self)
                item.setText(0, tag.name.rsplit("/", 1)[-1])
                self._items[key] = item
            for key in open_levels & set(self._items):
                self._items[key].setExpanded(True)
            self.setCurrentIndex(QModelIndex())  # no focus frame on the first tag
        for key, tag in wanted.items():
            item = self._items[key]
            item.setData(0, NAME_ROLE, tag.name)
            item.setData(0, TOTAL_ROLE, tag.count)
            item.setToolTip(0, f"{tag.name} — {_articles(tag.count)} in the archive")
        self._show_counts()
        self._show_active()
        self.fit_height()

    def set_counts(self, counts: Mapping[str, int] | None) -> None:
        """The current search's count per tag (None: the archive's own totals)."""
        self._counts = None if counts is None else {k.lower(): v for k, v in counts.items()}
        self._show_counts()

    def set_active(self, tags: Sequence[str]) -> None:
        """Mark the tags the results are filtered by."""
        self._active = tuple(tags)
        self._show_active()

    def names(self) -> list[str]:
        return [item.data(0, NAME_ROLE) for item in self._items.values()]

    def item_for(self, name: str) -> QTreeWidgetItem | None:
        return self._items.get(name.lower())

    def archive_count(self, name: str) -> int:
        item = self.item_for(name)
        return int(item.data(0, TOTAL_ROLE) or 0) if item is not None else 0

    def shown_count(self, name: str) -> int:
        """The count the tree shows for a tag (in the current search)."""
        item = self.item_for(name)
        return int(item.text(1).replace(",", "") or 0) if item is not None else 0

    def _show_counts(self) -> None:
        for key, item in self._items.items():
            if self._counts is None:
                count = int(item.data(0, TOTAL_ROLE) or 0)
            else:
                count = self._counts.get(key, 0)
            self.set_count(item, count, dim=count == 0)

    def _show_active(self) -> None:
        active = {name.lower() for name in self._active}
        self.blockSignals(True)
        self.clearSelection()
        for key, item in self._items.items():
            font = QFont(self.font())
            if key in active:
                font.setWeight(QFont.Weight.DemiBold)
                item.setSelected(True)
                parent = item.parent()
                while parent is not None:  # an active tag is never hidden in a closed level
                    parent.setExpanded(True)
                    parent = parent.parent()
            item.setFont(0, font)
        self.blockSignals(False)
        self.fit_height()

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, NAME_ROLE)
        if name:
            self.tag_clicked.emit(name)
        self._show_active()  # the sidebar decides; until it does, show what is active

    # -- editing ---------------------------------------------------------------------------

    def context_menu(self, name: str) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.ask_rename(name))
        menu.addAction("Merge into…", lambda: self.ask_merge(name))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self.ask_delete(name))
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        item = self.itemAt(position)
        if item is None:
            return
        menu = self.context_menu(item.data(0, NAME_ROLE))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.viewport().mapToGlobal(position))

    def ask_rename(self, name: str) -> None:
        below = any(is_within(n, name) and n.lower() != name.lower() for n in self.names())
        prompt = f"New name for “{name}”"
        prompt += " (the tags below it follow):" if below else ":"
        prompt += "\nAn existing name merges the two."
        new, ok = QInputDialog.getText(self, "Rename tag", prompt, QLineEdit.EchoMode.Normal, name)
        new = "/".join(p.strip() for p in (new or "").split("/") if p.strip())
        if ok and new and new != name:
            self.rename(name, new)

    def ask_merge(self, name: str) -> None:
        targets = [n for n in sorted(self.names(), key=str.lower) if not is_within(n, name)]
        if not targets:
            QMessageBox.information(self, "Merge tag", "There is no other tag to merge into.")
            return
        target, ok = QInputDialog.getItem(
            self,
            "Merge tag",
            f"Merge “{name}” ({_articles(self.archive_count(name))}) into:",
            targets,
            0,
            False,
        )
        if ok and target:
            self.merge([name], target, confirm=False)

    def ask_delete(self, name: str) -> None:
        count = self.archive_count(name)
        answer = QMessageBox.question(
            self,
            "Delete tag",
            f"Remove the tag “{name}” and the tags below it from {_articles(count)}?\n"
            "The articles themselves stay in the archive.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(name)

    def rename(self, old: str, new: str) -> None:
        archive = self._archive
        self._write(
            lambda job: archive.rename_tag(old, new),
            "Could not rename the tag",
            lambda _n: self.tag_renamed.emit(old, new),
        )

    def merge(self, sources: Sequence[str], target: str, *, confirm: bool = True) -> bool:
        """Merge tags into `target`; asks first unless `confirm` is False. True if started."""
        sources = [s for s in sources if not is_within(target, s)]
        if not sources:
            return False
        if confirm:
            names = ", ".join(f"“{s}”" for s in sources)
            count = sum(self.archive_count(s) for s in sources)
            answer = QMessageBox.question(
                self,
                "Merge tags",
                f"Merge {names} ({_articles(count)}) into “{target}”?\n"
                f"Those articles will be tagged “{target}” instead.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        archive = self._archive

        def merged(_count: int) -> None:
            for source in sources:
                self.tag_renamed.emit(source, target)

        self._write(lambda job: archive.merge_tags(sources, target), "Could not merge", merged)
        return True

    def delete(self, name: str) -> None:
        archive = self._archive
        self._write(
            lambda job: archive.delete_tag(name),
            "Could not delete the tag",
            lambda _n: self.tag_deleted.emit(name),
        )

    def _write(self, fn, failure: str, done) -> None:
        def finished(result) -> None:
            done(result)
            self.refresh()
            self.tags_edited.emit()

        self._tasks.run(
            fn,
            on_done=finished,
            on_error=lambda exc, details: show_error(self, failure, friendly_message(exc), details),
            write=True,
            label="Changing tags",
        )

    # -- drag a tag onto another to merge ----------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [TAG_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        data = QMimeData()
        names = [item.data(0, NAME_ROLE) for item in items if item.data(0, NAME_ROLE)]
        data.setData(TAG_MIME, QByteArray("\n".join(names).encode()))
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def _drop_target(self, event: QDropEvent | QDragMoveEvent) -> tuple[list[str], str | None]:
        if not event.mimeData().hasFormat(TAG_MIME):
            return [], None
        sources = bytes(event.mimeData().data(TAG_MIME).data()).decode().split("\n")
        sources = [s for s in sources if s]
        item = self.itemAt(event.position().toPoint())
        target = item.data(0, NAME_ROLE) if item is not None else None
        if target is None or not [s for s in sources if not is_within(target, s)]:
            return sources, None  # onto itself or below itself: nothing to merge
        return sources, target

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(TAG_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)  # keeps auto-scroll and auto-expand
        _sources, target = self._drop_target(event)
        if target is None:
            event.ignore()
        else:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        sources, target = self._drop_target(event)
        # Copy, never move: the tree's items are rebuilt from the archive after the merge.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if target is not None:
            self.merge(sources, target)
