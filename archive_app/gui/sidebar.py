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
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.archive import Archive
from archive_app.core.models import Facets, SearchRequest, Topic
from archive_app.gui.filters import Filters, complete_date
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.saved_searches_panel import SavedSearchesPanel
from archive_app.gui.tag_tree import TagTree, is_within
from archive_app.gui.tasks import TaskRunner

SOURCES_SHOWN = 15  # before "More…"
YEAR_COLUMNS = 3
DATE_HINT = "A year (2023), a month (2023-05) or a day (2023-05-14)"


def section_heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    font.setPointSizeF(font.pointSizeF() * 0.82)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setContentsMargins(0, 12, 0, 2)
    return label


def muted_palette(widget: QWidget) -> QPalette:
    palette = QPalette(widget.palette())
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, muted)
    return palette


class ElidedCheckBox(QCheckBox):
    """A check box whose long label is elided to the width it gets (full text in a tooltip)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(48)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        style = self.style()
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self)
        spacing = style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, self)
        room = max(0, self.width() - indicator - spacing - 4)
        text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        if text != self.text():
            self.setText(text)
        self.setToolTip(self._full if text != self._full else "")


class CountRow(QWidget):
    """One checkable name with its count on the right."""

    toggled = Signal(str, bool)

    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.count: int | None = None
        self.check = ElidedCheckBox(label)
        self.check.toggled.connect(lambda on: self.toggled.emit(self.key, on))
        self.count_label = QLabel("")
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 1, 4, 1)
        layout.addWidget(self.check, 1)
        layout.addWidget(self.count_label)
        self._normal = self.check.palette()

    def set_count(self, count: int | None) -> None:
        self.count = count
        self.count_label.setText("" if count is None else f"{count:,}")
        self.check.setPalette(muted_palette(self) if count == 0 else self._normal)

    def set_checked(self, checked: bool) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(checked)
        self.check.blockSignals(False)


class CheckList(QWidget):
    """Checkable names with counts, in the order given; optionally the first few and "More…".

    Rows are widgets only once they are shown, and are then reused: an archive
    with thousands of sources costs a few rows until the person asks for more.
    """

    toggled = Signal(str, bool)

    def __init__(
        self, *, limit: int | None = None, hide_zero: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.limit = limit
        self.hide_zero = hide_zero
        self.expanded = False
        self._items: dict[str, tuple[str, int | None]] = {}  # key → label, count; in order
        self._rows: dict[str, CountRow] = {}
        self._shown: list[str] = []
        self._checked: set[str] = set()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self.more_button = QToolButton()
        self.more_button.setAutoRaise(True)
        self.more_button.clicked.connect(self._toggle_more)
        self._layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.empty_label = QLabel("")
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._layout.addWidget(self.empty_label)

    def set_items(self, items: Sequence[tuple[str, str, int | None]]) -> None:
        """(key, label, count) in the order to show them."""
        self._items = {key: (label, count) for key, label, count in items}
        self._arrange()

    def set_counts(self, counts: Mapping[str, int] | None) -> None:
        self._items = {
            key: (label, None if counts is None else counts.get(key, 0))
            for key, (label, _count) in self._items.items()
        }
        self._arrange()

    def set_checked(self, keys: Sequence[str]) -> None:
        """Check these keys; one not listed yet is added (count 0) at the end."""
        self._checked = set(keys)
        for key in keys:
            self._items.setdefault(key, (key, 0))
        self._arrange()

    def keys(self) -> list[str]:
        return list(self._items)

    def count(self, key: str) -> int | None:
        return self._items[key][1] if key in self._items else None

    def row(self, key: str) -> CountRow | None:
        """The row of a shown key (None while it is not shown)."""
        return self._rows.get(key) if key in self._shown else None

    def visible_keys(self) -> list[str]:
        return list(self._shown)

    def _arrange(self) -> None:
        candidates = [
            key
            for key, (_label, count) in self._items.items()
            if not self.hide_zero or count != 0 or key in self._checked
        ]
        shown = candidates
        if self.limit is not None and not self.expanded and len(candidates) > self.limit:
            head = candidates[: self.limit]
            shown = head + [k for k in candidates[self.limit :] if k in self._checked]
        self._shown = shown
        for position, key in enumerate(shown):
            label, count = self._items[key]
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = CountRow(key, label)
                row.toggled.connect(self.toggled)
            elif row.check.full_text() != label:
                row.check.set_full_text(label)
            row.set_count(count)
            row.set_checked(key in self._checked)
            if self._layout.indexOf(row) != position:
                self._layout.removeWidget(row)
                self._layout.insertWidget(position, row)
            row.show()
        visible = set(shown)
        for key, row in self._rows.items():
            if key not in visible:
                row.hide()
        hidden = len(candidates) - len(shown)
        if self.limit is not None and (hidden > 0 or self.expanded):
            self.more_button.setText("Fewer" if self.expanded else f"More ({hidden:,})…")
            self.more_button.show()
        else:
            self.more_button.hide()
        self.empty_label.setVisible(not candidates and bool(self.empty_label.text()))

    def _toggle_more(self) -> None:
        self.expanded = not self.expanded
        self._arrange()


class DateRange(QWidget):
    """From/to fields that take partial dates, and a year per button with its count."""

    dates_entered = Signal(str, str)  # since, until (complete ISO dates or "")
    year_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.since_field = self._field("From")
        self.until_field = self._field("To")
        self.problem = QLabel(f"Not a date. {DATE_HINT}.")
        self.problem.setWordWrap(True)
        self.problem.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.problem.hide()
        self._years: dict[str, int] = {}  # every year seen, so a chosen year can be swapped
        self._buttons: dict[str, QToolButton] = {}
        self._active_year: str | None = None
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 4, 0, 0)
        self.grid.setHorizontalSpacing(2)
        self.grid.setVerticalSpacing(2)
        fields = QHBoxLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setSpacing(4)
        dash = QLabel("–")
        dash.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        fields.addWidget(self.since_field, 1)
        fields.addWidget(dash)
        fields.addWidget(self.until_field, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(2)
        layout.addLayout(fields)
        layout.addWidget(self.problem)
        layout.addLayout(self.grid)

    def _field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setToolTip(DATE_HINT)
        field.setClearButtonEnabled(True)
        field.setMinimumWidth(60)
        field.editingFinished.connect(self._entered)
        field.textEdited.connect(lambda text: self._entered() if not text else None)
        return field

    def dates(self) -> tuple[str | None, str | None]:
        return (
            complete_date(self.since_field.text(), end=False),
            complete_date(self.until_field.text(), end=True),
        )

    def show_dates(self, since: str, until: str) -> None:
        for field, value in ((self.since_field, since), (self.until_field, until)):
            if field.text() != value:
                field.setText(value)
        self.problem.hide()
        year = since[:4]
        active = year if since == f"{year}-01-01" and until == f"{year}-12-31" else None
        self._active_year = active
        for name, button in self._buttons.items():
            button.setChecked(name == active)

    def set_years(self, counts: Mapping[str, int]) -> None:
        for year in self._years:
            self._years[year] = 0
        self._years.update(counts)
        ordered = sorted(self._years, reverse=True)
        if ordered != sorted(self._buttons, reverse=True):
            for button in self._buttons.values():
                self.grid.removeWidget(button)
                button.deleteLater()
            self._buttons = {}
            for position, year in enumerate(ordered):
                button = QToolButton()
                button.setCheckable(True)
                button.setAutoRaise(True)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.clicked.connect(lambda _on, y=year: self.year_clicked.emit(y))
                self._buttons[year] = button
                self.grid.addWidget(button, position // YEAR_COLUMNS, position % YEAR_COLUMNS)
        for year, button in self._buttons.items():
            count = self._years[year]
            button.setText(f"{year}  {count:,}")
            button.setToolTip(f"Published in {year}: {count:,} in this search")
            button.setPalette(muted_palette(button) if count == 0 else self.palette())
            button.setChecked(year == self._active_year)

    def year_button(self, year: str) -> QToolButton | None:
        return self._buttons.get(year)

    def _entered(self) -> None:
        since, until = self.dates()
        if since is None or until is None:
            self.problem.show()
            return
        self.problem.hide()
        self.dates_entered.emit(since, until)


class Sidebar(QScrollArea):
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
