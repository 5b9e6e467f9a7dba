"""A small popup to choose the articles to compare one article with.

It offers the article's versions (near-duplicates) and related articles
(`Archive.related`), and a search over the whole archive (`search_ids`, then
`hits` for the rows shown). The person ticks up to three; "Compare" emits
their ids (`chosen`), without the article itself. A double-click on an
article compares with it at once (and with any already ticked).

Both the suggestions and every search are read in background tasks; a newer
search replaces an older one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.index import QuerySyntaxError
from archive_app.core.models import Hit, Related, SearchRequest
from archive_app.gui.look import heading_label
from archive_app.gui.messages import friendly_message
from archive_app.gui.popups import show_popup
from archive_app.gui.tasks import Job, TaskRunner
from archive_app.gui.wording import readable_date

MAX_CHOSEN = 3  # the article itself and three others fill the comparison's four panes
SEARCH_ROWS = 25
SEARCH_DELAY_MS = 250
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Suggestions:
    title: str  # the article's own title, for the heading
    related: Related


def load_suggestions(archive: Archive, article_id: str, job: Job | None = None) -> Suggestions:
    title = archive.get(article_id).title
    if job is not None:
        job.check()
    return Suggestions(title, archive.related(article_id))


def search_articles(archive: Archive, query: str, exclude: str) -> tuple[Hit, ...]:
    found = archive.search_ids(SearchRequest(query=query, snippets=False))
    ids = [i for i in found.ids if i != exclude][:SEARCH_ROWS]
    hits = {hit.id: hit for hit in archive.hits(ids, query)}
    return tuple(hits[i] for i in ids if i in hits)


class ComparePicker(QFrame):
    """See the module docstring; open it with `show_at(anchor)`."""

    chosen = Signal(list)  # the ids to compare the article with (1–3), in the order ticked

    def __init__(
        self, archive: Archive, tasks: TaskRunner, article_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._archive = archive
        self._tasks = tasks
        self.article_id = article_id
        self._checked: dict[str, str] = {}  # id → title, in the order ticked
        self._suggestions: Suggestions | None = None
        self._filling = False

        self.heading = heading_label(1.0, "Compare with…")
        self.heading.setWordWrap(True)
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Search the archive for another article")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self._typed)
        self.search_field.returnPressed.connect(self.search_now)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(False)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(2)
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.hint = QLabel()
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.accept)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.search_field)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
        self.resize(440, 420)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self._update_hint()
        self._show_notice("Looking for versions and related articles…")
        self._tasks.run(
            lambda job: load_suggestions(archive, article_id, job),
            on_done=self._suggestions_loaded,
            on_error=lambda exc, _details: self._show_notice(friendly_message(exc)),
            key=f"compare-picker-suggestions-{id(self)}",
            label="Finding related articles",
        )

    # -- public ----------------------------------------------------------------------------

    def show_at(self, anchor: QWidget) -> None:
        """Open under `anchor` (a button), inside its screen."""
        show_popup(self, anchor, gap=0, fit=False)
        self.search_field.setFocus()

    def checked_ids(self) -> list[str]:
        return list(self._checked)

    def article_items(self) -> list[QListWidgetItem]:
        """The rows that name an article (not the section headings)."""
        rows = (self.list.item(n) for n in range(self.list.count()))
        return [item for item in rows if item.data(ID_ROLE)]

    def set_checked(self, article_id: str, checked: bool) -> bool:
        """Tick or untick an article shown in the list; False when it is not shown or full."""
        for item in self.article_items():
            if item.data(ID_ROLE) == article_id:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                item.setCheckState(state)
                return (article_id in self._checked) == checked
        return False

    def accept(self) -> None:
        ids = self.checked_ids()
        if ids:
            self.chosen.emit(ids)
            self.close()

    def search_now(self) -> None:
        self._search_timer.stop()
        query = self.search_field.text().strip()
        if not query:
            self._tasks.run(lambda job: None, key=f"compare-picker-search-{id(self)}")
            self._fill_suggestions()
            return
        archive, exclude = self._archive, self.article_id
        self._tasks.run(
            lambda job: search_articles(archive, query, exclude),
            on_done=lambda hits: self._searched(query, hits),
            on_error=self._search_failed,
            key=f"compare-picker-search-{id(self)}",
            label="Searching",
        )

    # -- filling the list ---------------------------------------------------------------------

    def _suggestions_loaded(self, suggestions: Suggestions) -> None:
        self._suggestions = suggestions
        title = " ".join(suggestions.title.split()) or "(untitled)"
        if len(title) > 70:
            title = title[:69] + "…"
        self.heading.setText(f"Compare “{title}” with…")
        if not self.search_field.text().strip():
            self._fill_suggestions()

    def _fill_suggestions(self) -> None:
        suggestions = self._suggestions
        if suggestions is None:
            return
        self._begin_fill()
        versions = suggestions.related.near_duplicates
        alike = [r for r in suggestions.related.related if r.id != self.article_id]
        if versions:
            self._add_heading("Versions of this text")
            for duplicate in versions:
                self._add_article(
                    duplicate.id, duplicate.title, f"{round(duplicate.similarity * 100)} % the same"
                )
        shown = {d.id for d in versions}
        alike = [r for r in alike if r.id not in shown]
        if alike:
            self._add_heading("Related articles")
            for article in alike:
                self._add_article(article.id, article.title, "")
        if not versions and not alike:
            self._add_heading("No versions or related articles: search for one above")
        self._end_fill()

    def _searched(self, query: str, hits: tuple[Hit, ...]) -> None:
        if query != self.search_field.text().strip():
            return
        self._begin_fill()
        if hits:
            self._add_heading("Search results")
            for hit in hits:
                detail = " · ".join(
                    p for p in (hit.source, readable_date(hit.published, short=True)) if p
                )
                self._add_article(hit.id, hit.title, detail)
        else:
            self._add_heading("No other article matches")
        self._end_fill()

    def _search_failed(self, exc: Exception, _details: str) -> None:
        if isinstance(exc, QuerySyntaxError):
            self._show_notice("The search could not be understood; try plain words.")
        else:
            self._show_notice(friendly_message(exc))

    def _show_notice(self, text: str) -> None:
        self._begin_fill()
        self._add_heading(text)
        self._end_fill()

    def _begin_fill(self) -> None:
        self._filling = True
        self.list.clear()

    def _end_fill(self) -> None:
        self._filling = False
        self._update_hint()

    def _add_heading(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = QFont(self.list.font())
        font.setWeight(QFont.Weight.DemiBold)
        item.setFont(font)
        item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
        self.list.addItem(item)

    def _add_article(self, article_id: str, title: str, detail: str) -> None:
        title = " ".join(title.split()) or "(untitled)"
        item = QListWidgetItem(f"{title}\n{detail}" if detail else title)
        item.setData(ID_ROLE, article_id)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )
        checked = article_id in self._checked
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setToolTip(title)
        self.list.addItem(item)

    # -- ticking ----------------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        self._search_timer.start()

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        article_id = item.data(ID_ROLE)
        if not article_id:
            return
        title = item.toolTip()
        if item.checkState() == Qt.CheckState.Checked:
            if article_id not in self._checked and len(self._checked) >= MAX_CHOSEN:
                self._filling = True
                item.setCheckState(Qt.CheckState.Unchecked)  # the comparison is full
                self._filling = False
                self.hint.setText(f"At most {MAX_CHOSEN} articles beside this one")
                return
            self._checked[article_id] = title
        else:
            self._checked.pop(article_id, None)
        self._update_hint()

    def _double_clicked(self, item: QListWidgetItem) -> None:
        article_id = item.data(ID_ROLE)
        if not article_id:
            return
        if article_id not in self._checked and len(self._checked) < MAX_CHOSEN:
            self._checked[article_id] = item.toolTip()
        self.accept()

    def _update_hint(self) -> None:
        count = len(self._checked)
        self.compare_button.setEnabled(count > 0)
        if count == 0:
            self.hint.setText(f"Tick up to {MAX_CHOSEN} articles")
        else:
            self.hint.setText(f"{count} chosen" + (" (the most)" if count == MAX_CHOSEN else ""))
