"""Saved searches in the sidebar: each with how many articles it finds now.

The counts are live: each saved request is searched again (in one background
task) whenever the list is refreshed, so an import or an edit shows up in them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.models import SavedSearch, SearchRequest
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tag_tree import CountTree
from archive_app.gui.tasks import TaskRunner

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def describe(request: SearchRequest) -> str:
    """A saved request in a few words, for its tooltip."""
    parts = [f"“{request.query}”"] if request.query.strip() else ["Every article"]
    for label, values in (
        ("topics", request.topics),
        ("tags", request.tags),
        ("sources", request.sources),
    ):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    if request.since or request.until:
        parts.append(f"dates: {request.since or '…'} – {request.until or '…'}")
    if request.sort != "relevance":
        parts.append(f"{request.sort} first")
    return "\n".join(parts)


class SavedSearchesPanel(QWidget):
    activated = Signal(object)  # the SavedSearch to run
    save_requested = Signal()  # "Save current search…": the main window has the request
    changed = Signal()  # saved, renamed or deleted

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._saved: dict[str, SavedSearch] = {}
        self.tree = CountTree()
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._show_context_menu)
        self.tree.itemClicked.connect(self._clicked)
        self.empty_label = QLabel("None yet. Save a search to come back to it.")
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.save_button = QToolButton()
        self.save_button.setText("Save current search…")
        self.save_button.setAutoRaise(True)
        self.save_button.setToolTip("Keep the words, filters and order of the current search")
        self.save_button.clicked.connect(self.save_requested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._show([])

    # -- reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the saved searches again, then count what each finds now."""
        archive = self._archive
        self._tasks.run(
            lambda job: archive.saved_searches(),
            on_done=self._show,
            on_error=lambda exc, details: show_error(
                self, "Could not read the saved searches", friendly_message(exc), details
            ),
            key=f"saved-searches-{id(self)}",
        )

    def saved(self) -> list[SavedSearch]:
        return list(self._saved.values())

    def count_of(self, name: str) -> int | None:
        item = self._item(name)
        text = item.text(1).replace(",", "") if item is not None else ""
        return int(text) if text else None

    def _item(self, name: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, NAME_ROLE) == name:
                return item
        return None

    def _show(self, saved: Sequence[SavedSearch]) -> None:
        counts = {name: self.count_of(name) for name in self._saved}
        self._saved = {s.name: s for s in saved}
        self.tree.clear()
        for search in saved:
            item = QTreeWidgetItem(self.tree)
            item.setText(0, search.name)
            item.setData(0, NAME_ROLE, search.name)
            item.setToolTip(0, describe(search.request))
            # The last count stays until the new one arrives, so the list does not flicker.
            self.tree.set_count(item, counts.get(search.name), dim=False)
        self.tree.fit_height()
        self.tree.setVisible(bool(saved))
        self.empty_label.setVisible(not saved)
        if saved:
            self._count(saved)

    def _count(self, saved: Sequence[SavedSearch]) -> None:
        archive = self._archive
        wanted = list(saved)

        def count(job) -> dict[str, int]:
            totals = {}
            for done, search in enumerate(wanted):
                job.check()
                totals[search.name] = archive.search_ids(search.request).total
                job.progress(done + 1, len(wanted))
            return totals

        self._tasks.run(
            count,
            on_done=self._show_counts,
            on_error=lambda _exc, _details: None,  # a count is a nicety; running it will tell
            key=f"saved-search-counts-{id(self)}",
        )

    def _show_counts(self, totals: dict[str, int]) -> None:
        for name, total in totals.items():
            item = self._item(name)
            if item is not None:
                self.tree.set_count(item, total, dim=total == 0)

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        search = self._saved.get(item.data(0, NAME_ROLE))
        if search is not None:
            self.activated.emit(search)

    # -- changing -----------------------------------------------------------------------------

    def ask_save(self, request: SearchRequest) -> None:
        """Ask for a name, then save the request under it."""
        name, ok = QInputDialog.getText(
            self,
            "Save search",
            f"Name for this search:\n{describe(request)}",
            QLineEdit.EchoMode.Normal,
            request.query.strip()[:60],
        )
        name = name.strip()
        if not ok or not name:
            return
        existing = next((n for n in self._saved if n.lower() == name.lower()), None)
        if existing is not None:
            answer = QMessageBox.question(
                self,
                "Save search",
                f"A saved search named “{existing}” exists already. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.save(name, request)

    def save(self, name: str, request: SearchRequest) -> None:
        archive = self._archive
        self._write(lambda job: archive.save_search(name, request), "Could not save the search")

    def context_menu(self, name: str) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.ask_rename(name))
        menu.addAction("Delete…", lambda: self.ask_delete(name))
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        item = self.tree.itemAt(position)
        if item is None:
            return
        menu = self.context_menu(item.data(0, NAME_ROLE))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.tree.viewport().mapToGlobal(position))

    def ask_rename(self, name: str) -> None:
        new, ok = QInputDialog.getText(
            self, "Rename saved search", f"New name for “{name}”:", QLineEdit.EchoMode.Normal, name
        )
        if ok and new.strip() and new.strip() != name:
            self.rename(name, new.strip())

    def rename(self, old: str, new: str) -> None:
        archive = self._archive
        self._write(
            lambda job: archive.rename_saved_search(old, new), "Could not rename the search"
        )

    def ask_delete(self, name: str) -> None:
        answer = QMessageBox.question(
            self,
            "Delete saved search",
            f"Delete the saved search “{name}”? The articles it finds are not affected.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(name)

    def delete(self, name: str) -> None:
        archive = self._archive
        self._write(lambda job: archive.delete_saved_search(name), "Could not delete the search")

    def _write(self, fn, failure: str) -> None:
        def finished(_result) -> None:
            self.refresh()
            self.changed.emit()

        self._tasks.run(
            fn,
            on_done=finished,
            on_error=lambda exc, details: show_error(self, failure, friendly_message(exc), details),
            write=True,
            label="Saving searches",
        )
