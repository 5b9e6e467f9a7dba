"""The sidebar: the filters that narrow a search, and the saved searches.

Topics, the tag tree, sources and dates, each with counts for the current
search, and the saved searches with what each finds now. The sidebar keeps
its state as one `Filters` value: a person's click makes a new value, shows it
and emits `filters_changed` once; `set_filters` shows a value without
emitting. `set_facets` only changes counts, never what is checked, open or
scrolled to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.models import Facets, SearchRequest, Topic
from archive_app.gui.date_filter import DateRange
from archive_app.gui.facet_lists import CheckList
from archive_app.gui.filters import Filters
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.saved_searches_panel import SavedSearchesPanel
from archive_app.gui.tag_tree import TagTree, is_within
from archive_app.gui.tasks import TaskRunner

SOURCES_SHOWN = 15  # before "More…"


def section_heading(text: str) -> QLabel:
    """A small, quiet capitalised heading over one part of the sidebar."""
    label = QLabel(text.upper())
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    font.setPointSizeF(font.pointSizeF() * 0.82)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setContentsMargins(0, 12, 0, 2)
    return label


class Sidebar(QScrollArea):
    """The filters and saved searches in one scrolling column; see the module docstring."""

    filters_changed = Signal(object)  # Filters, once per change the person makes
    saved_search_activated = Signal(object)  # SavedSearch
    save_requested = Signal()  # "Save current search…": answer with save_current(request)
    tags_changed = Signal()  # tags were renamed, merged or deleted

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._filters = Filters()
        self._facets: Facets | None = None
        self._topics: list[Topic] = []

        self.clear_button = QToolButton()
        self.clear_button.setText("Clear all filters")
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(self._clear_clicked)

        self.topic_list = CheckList()
        self.topic_list.toggled.connect(self._topic_toggled)

        self.tag_tree = TagTree(archive, tasks)
        self.tag_tree.tag_clicked.connect(self._tag_clicked)
        self.tag_tree.tag_renamed.connect(self._tag_renamed)
        self.tag_tree.tag_deleted.connect(self._tag_deleted)
        self.tag_tree.tags_edited.connect(self.tags_changed)
        self.active_tags = QVBoxLayout()
        self.active_tags.setContentsMargins(0, 0, 0, 2)
        self.active_tags.setSpacing(2)
        self._tag_chips: list[QToolButton] = []

        self.source_list = CheckList(limit=SOURCES_SHOWN, hide_zero=True)
        self.source_list.empty_label.setText("No sources in these results.")
        self.source_list.toggled.connect(self._source_toggled)

        self.date_range = DateRange()
        self.date_range.dates_entered.connect(self._dates_entered)
        self.date_range.year_clicked.connect(self._year_clicked)

        self.saved_panel = SavedSearchesPanel(archive, tasks)
        self.saved_panel.activated.connect(self.saved_search_activated)
        self.saved_panel.save_requested.connect(self.save_requested)

        content = QWidget()
        content.setObjectName("sidebarContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 4, 8, 12)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.clear_button)
        layout.addLayout(top)
        layout.addWidget(section_heading("Topics"))
        layout.addWidget(self.topic_list)
        layout.addWidget(section_heading("Tags"))
        layout.addLayout(self.active_tags)
        layout.addWidget(self.tag_tree)
        layout.addWidget(section_heading("Sources"))
        layout.addWidget(self.source_list)
        layout.addWidget(section_heading("Published"))
        layout.addWidget(self.date_range)
        layout.addWidget(section_heading("Saved searches"))
        layout.addWidget(self.saved_panel)
        layout.addStretch(1)

        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(200)
        self._show_filters()
        self.refresh()

    def showEvent(self, event) -> None:
        # Never narrower than what it holds (known once its widgets are polished):
        # with no horizontal scroll bar, the date fields and the tag counts would
        # be cut off at the right.
        super().showEvent(event)
        holds = self.widget().minimumSizeHint().width() + self.verticalScrollBar().width()
        if self.minimumWidth() < holds:
            self.setMinimumWidth(holds)

    # -- reading from the archive -----------------------------------------------------------

    def refresh(self) -> None:
        """Read topics, tags and saved searches again (each in a task)."""
        archive = self._archive
        self._tasks.run(
            lambda job: archive.topics(),
            on_done=self._set_topics,
            on_error=lambda exc, details: show_error(
                self, "Could not read the topics", friendly_message(exc), details
            ),
            key=f"sidebar-topics-{id(self)}",
        )
        self.refresh_tags()
        self.refresh_saved()

    def refresh_tags(self) -> None:
        self.tag_tree.refresh()

    def refresh_saved(self) -> None:
        self.saved_panel.refresh()

    def _set_topics(self, topics: list[Topic]) -> None:
        self._topics = list(topics)
        counts = self._facets.topics if self._facets is not None else None
        self.topic_list.set_items(
            [(t.id, t.label, None if counts is None else counts.get(t.id, 0)) for t in topics]
        )

    # -- counts -----------------------------------------------------------------------------

    def set_facets(self, facets: Facets) -> None:
        """Show the current search's counts; checks, open levels and scrolling stay."""
        self._facets = facets
        self.topic_list.set_counts(facets.topics)
        self.tag_tree.set_counts(facets.tags)
        checked = set(self._filters.sources)
        sources = sorted(facets.sources.items(), key=lambda kv: (-kv[1], kv[0].lower()))
        items = [(name, name, count) for name, count in sources]
        items += [(name, name, 0) for name in sorted(checked - set(facets.sources))]
        self.source_list.set_items(items)
        self.date_range.set_years(facets.years)

    # -- the filters ------------------------------------------------------------------------

    def filters(self) -> Filters:
        return self._filters

    def set_filters(self, filters: Filters) -> None:
        """Show these filters (no `filters_changed`: the caller knows)."""
        self._filters = filters
        self._show_filters()

    def clear_filters(self) -> None:
        """Clear every filter (no `filters_changed`: the caller searches)."""
        self.set_filters(Filters())

    def save_current(self, request: SearchRequest) -> None:
        """Ask for a name and save `request` (the main window's current search) under it."""
        self.saved_panel.ask_save(request)

    def _change(self, filters: Filters) -> None:
        """A change the person made: show it and say so once."""
        if filters == self._filters:
            self._show_filters()
            return
        self._filters = filters
        self._show_filters()
        self.filters_changed.emit(filters)

    def _show_filters(self) -> None:
        f = self._filters
        self.topic_list.set_checked(f.topics)
        self.source_list.set_checked(f.sources)
        self.tag_tree.set_active(f.tags)
        self._show_tag_chips(f.tags)
        self.date_range.show_dates(f.since, f.until)
        self.clear_button.setEnabled(not f.is_empty)

    def _show_tag_chips(self, tags: Sequence[str]) -> None:
        for chip in self._tag_chips:
            self.active_tags.removeWidget(chip)
            chip.deleteLater()
        self._tag_chips = []
        for tag in tags:
            chip = QToolButton()
            chip.setText(f"#{tag}   ✕")
            chip.setToolTip("Stop browsing this tag")
            chip.setCheckable(True)
            chip.setChecked(True)  # drawn pressed: an active filter
            chip.clicked.connect(lambda _on, t=tag: self._remove_tag(t))
            self.active_tags.addWidget(chip, 0, Qt.AlignmentFlag.AlignLeft)
            self._tag_chips.append(chip)

    def _topic_toggled(self, topic: str, on: bool) -> None:
        chosen = set(self._filters.topics)
        chosen = chosen | {topic} if on else chosen - {topic}
        order = [t.id for t in self._topics]
        topics = tuple(sorted(chosen, key=lambda t: (order.index(t) if t in order else 1e9, t)))
        self._change(dataclasses.replace(self._filters, topics=topics))

    def _source_toggled(self, source: str, on: bool) -> None:
        chosen = set(self._filters.sources)
        chosen = chosen | {source} if on else chosen - {source}
        sources = tuple(sorted(chosen, key=str.lower))
        self._change(dataclasses.replace(self._filters, sources=sources))

    def _tag_clicked(self, tag: str) -> None:
        active = self._filters.tags
        if any(t.lower() == tag.lower() for t in active):
            tags = tuple(t for t in active if t.lower() != tag.lower())
        else:
            tags = (tag,)  # browsing a tag replaces the tag filter
        self._change(dataclasses.replace(self._filters, tags=tags))

    def _remove_tag(self, tag: str) -> None:
        tags = tuple(t for t in self._filters.tags if t != tag)
        self._change(dataclasses.replace(self._filters, tags=tags))

    def _tag_renamed(self, old: str, new: str) -> None:
        renamed = []
        for tag in self._filters.tags:
            name = new + tag[len(old) :] if is_within(tag, old) else tag
            if name.lower() not in {n.lower() for n in renamed}:
                renamed.append(name)
        if tuple(renamed) != self._filters.tags:
            self._change(dataclasses.replace(self._filters, tags=tuple(renamed)))

    def _tag_deleted(self, name: str) -> None:
        tags = tuple(t for t in self._filters.tags if not is_within(t, name))
        if tags != self._filters.tags:
            self._change(dataclasses.replace(self._filters, tags=tags))

    def _dates_entered(self, since: str, until: str) -> None:
        self._change(dataclasses.replace(self._filters, since=since, until=until))

    def _year_clicked(self, year: str) -> None:
        since, until = f"{year}-01-01", f"{year}-12-31"
        if (self._filters.since, self._filters.until) == (since, until):
            since = until = ""  # a second click on the chosen year clears it
        self._change(dataclasses.replace(self._filters, since=since, until=until))

    def _clear_clicked(self) -> None:
        self._change(Filters())
