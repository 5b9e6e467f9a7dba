"""The sidebar: filters from clicks, counts from facets, saved searches."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from archive_app.core.models import Facets, SearchRequest
from archive_app.gui.facet_lists import CountRow
from archive_app.gui.filters import Filters, complete_date
from archive_app.gui.sidebar import SOURCES_SHOWN, Sidebar

pytestmark = pytest.mark.gui


@pytest.fixture
def sidebar(sample_archive, tasks, qtbot):
    bar = Sidebar(sample_archive, tasks)
    qtbot.addWidget(bar)
    bar.resize(240, 640)
    bar.set_facets(sample_archive.search_ids(SearchRequest()).facets)
    return bar


def click_tag(sidebar: Sidebar, qtbot, name: str) -> None:
    tree = sidebar.tag_tree
    item = tree.item_for(name)
    parent = item.parent()
    while parent is not None:
        parent.setExpanded(True)
        parent = parent.parent()
    tree.scrollToItem(item)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
    )


def answer(monkeypatch, name: str, value) -> list:
    """Make a static dialog function return `value`; returns the arguments it was asked with."""
    asked = []

    def reply(*args, **kwargs):
        asked.append(args)
        return value

    monkeypatch.setattr(QInputDialog if name.startswith("get") else QMessageBox, name, reply)
    return asked


# -- the filter value ----------------------------------------------------------------------


def test_filters_apply_to_a_request_and_come_back():
    filters = Filters(topics=("war-crimes",), tags=("region",), since="2020-01-01")
    request = filters.apply(SearchRequest(query="tribunal", sort="newest", tags=("old",)))
    assert request.query == "tribunal" and request.sort == "newest"
    assert request.tags == ("region",) and request.topics == ("war-crimes",)
    assert Filters.from_request(request) == filters
    assert Filters().is_empty and not filters.is_empty


def test_partial_dates_are_completed():
    assert complete_date("2023", end=False) == "2023-01-01"
    assert complete_date("2023", end=True) == "2023-12-31"
    assert complete_date("2024-2", end=True) == "2024-02-29"
    assert complete_date("2023-05-14", end=True) == "2023-05-14"
    assert complete_date("", end=True) == ""
    assert complete_date("2023-13", end=False) is None
    assert complete_date("last May", end=False) is None


# -- counts ----------------------------------------------------------------------------------


def test_facets_fill_every_count(sidebar, sample_archive):
    facets = sample_archive.search_ids(SearchRequest()).facets
    assert sidebar.topic_list.row("child-welfare").count == facets.topics["child-welfare"]
    assert sidebar.topic_list.row("war-crimes").check.full_text() == "War crimes"
    assert sidebar.tag_tree.shown_count("region") == facets.tags["region"]
    assert sidebar.tag_tree.shown_count("region/eastmarch") == facets.tags["region/eastmarch"]
    for source, count in facets.sources.items():
        assert sidebar.source_list.row(source).count == count
    year, count = next(iter(facets.years.items()))
    assert sidebar.date_range.year_button(year).text() == f"{year}  {count}"


def test_a_tag_without_hits_stays_dimmed_with_zero(sidebar, sample_archive):
    facets = sample_archive.search_ids(SearchRequest(query="tribunal")).facets
    sidebar.set_facets(facets)
    absent = next(n for n in sidebar.tag_tree.names() if n.lower() not in facets.tags)
    assert sidebar.tag_tree.item_for(absent).text(1) == "0"


def test_set_facets_keeps_checks_and_open_levels(sidebar, sample_archive, qtbot):
    sidebar.tag_tree.item_for("region").setExpanded(True)
    with qtbot.waitSignal(sidebar.filters_changed):
        sidebar.topic_list.row("war-crimes").check.click()
    narrowed = sample_archive.search_ids(sidebar.filters().apply(SearchRequest()))
    sidebar.set_facets(narrowed.facets)
    assert sidebar.topic_list.row("war-crimes").check.isChecked()
    assert sidebar.filters().topics == ("war-crimes",)
    assert sidebar.tag_tree.item_for("region").isExpanded()
    sidebar.refresh_tags()
    assert sidebar.tag_tree.item_for("region").isExpanded()


# -- filters from clicks ----------------------------------------------------------------------


def test_checking_topics_emits_filters(sidebar, qtbot):
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.topic_list.row("war-crimes").check.click()
    assert changed.args[0].topics == ("war-crimes",)
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.topic_list.row("child-welfare").check.click()
    assert changed.args[0].topics == ("child-welfare", "war-crimes")  # both must apply
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.topic_list.row("war-crimes").check.click()
    assert changed.args[0].topics == ("child-welfare",)


def test_checked_topics_narrow_the_search(sidebar, sample_archive):
    sidebar.topic_list.row("child-welfare").check.click()
    sidebar.topic_list.row("war-crimes").check.click()
    result = sample_archive.search_ids(sidebar.filters().apply(SearchRequest()))
    assert result.total > 0
    for hit in sample_archive.hits(result.ids):
        assert {"child-welfare", "war-crimes"} <= set(hit.topics)


def test_checking_sources_emits_any_of_them(sidebar, qtbot):
    first, second = sidebar.source_list.visible_keys()[:2]
    sidebar.source_list.row(first).check.click()
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.source_list.row(second).check.click()
    assert set(changed.args[0].sources) == {first, second}


def test_sources_show_the_top_and_more(sidebar):
    sources = {f"Source {n:02d}": 100 - n for n in range(SOURCES_SHOWN + 5)}
    sidebar.set_facets(Facets(sources=sources))
    assert len(sidebar.source_list.visible_keys()) == SOURCES_SHOWN
    assert sidebar.source_list.more_button.text() == "More (5)…"
    sidebar.source_list.more_button.click()
    assert len(sidebar.source_list.visible_keys()) == SOURCES_SHOWN + 5
    sidebar.source_list.row("Source 19").check.click()
    sidebar.source_list.more_button.click()  # fewer again: a checked source stays in sight
    assert "Source 19" in sidebar.source_list.visible_keys()
    assert sidebar.filters().sources == ("Source 19",)


def test_sources_follow_their_counts(sidebar):
    sidebar.set_facets(Facets(sources={"Alpha": 1, "Beta": 5}))
    assert sidebar.source_list.visible_keys() == ["Beta", "Alpha"]
    sidebar.set_facets(Facets(sources={"Alpha": 9, "Beta": 1}))
    assert sidebar.source_list.visible_keys() == ["Alpha", "Beta"]
    alpha, beta = sidebar.source_list.row("Alpha"), sidebar.source_list.row("Beta")
    layout = sidebar.source_list.layout()
    assert layout.indexOf(alpha) < layout.indexOf(beta)
    assert alpha.count_label.text() == "9"


def test_thousands_of_sources_cost_only_the_rows_shown(sidebar):
    sidebar.set_facets(Facets(sources={f"Source {n:04d}": 1 for n in range(3000)}))
    assert len(sidebar.source_list.findChildren(CountRow)) <= SOURCES_SHOWN + 10
    assert sidebar.source_list.more_button.text() == f"More ({3000 - SOURCES_SHOWN:,})…"


def test_clicking_a_tag_browses_it_and_a_second_click_clears(sidebar, qtbot):
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        click_tag(sidebar, qtbot, "region/eastmarch")
    assert changed.args[0].tags == ("region/eastmarch",)
    assert sidebar.tag_tree.item_for("region/eastmarch").isSelected()
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        click_tag(sidebar, qtbot, "type/news")
    assert changed.args[0].tags == ("type/news",)  # replaces the previous tag
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        click_tag(sidebar, qtbot, "type/news")
    assert changed.args[0].tags == ()


def test_the_tag_chip_clears_the_tag(sidebar, qtbot):
    click_tag(sidebar, qtbot, "region")
    assert len(sidebar._tag_chips) == 1
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar._tag_chips[0].click()
    assert changed.args[0].tags == ()
    assert sidebar._tag_chips == []


def test_a_year_sets_the_dates_and_a_second_click_clears_them(sidebar, qtbot):
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.date_range.year_button("2022").click()
    assert (changed.args[0].since, changed.args[0].until) == ("2022-01-01", "2022-12-31")
    assert sidebar.date_range.since_field.text() == "2022-01-01"
    assert sidebar.date_range.year_button("2022").isChecked()
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.date_range.year_button("2022").click()
    assert (changed.args[0].since, changed.args[0].until) == ("", "")


def test_typed_partial_dates_set_the_range(sidebar, qtbot):
    field = sidebar.date_range.until_field
    field.setText("2023-05")
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        field.editingFinished.emit()
    assert changed.args[0].until == "2023-05-31"
    seen = []
    sidebar.filters_changed.connect(seen.append)
    field.setText("May")
    field.editingFinished.emit()
    assert seen == [] and not sidebar.date_range.problem.isHidden()


def test_clear_all_is_enabled_only_with_a_filter(sidebar, qtbot):
    assert not sidebar.clear_button.isEnabled()
    sidebar.topic_list.row("war-crimes").check.click()
    sidebar.date_range.year_button("2024").click()
    assert sidebar.clear_button.isEnabled()
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.clear_button.click()
    assert changed.args[0] == Filters()
    assert not sidebar.topic_list.row("war-crimes").check.isChecked()
    assert sidebar.date_range.since_field.text() == ""
    assert not sidebar.clear_button.isEnabled()


def test_setting_filters_shows_them_without_emitting(sidebar, qtbot):
    seen = []
    sidebar.filters_changed.connect(seen.append)
    wanted = Filters(
        topics=("war-crimes",),
        tags=("region/kordavia",),
        sources=("A source not in these results",),
        since="2021-01-01",
        until="2021-12-31",
    )
    sidebar.set_filters(wanted)
    assert sidebar.filters() == wanted
    assert sidebar.topic_list.row("war-crimes").check.isChecked()
    assert sidebar.source_list.row("A source not in these results").check.isChecked()
    assert sidebar.tag_tree.item_for("region/kordavia").isSelected()
    assert sidebar.date_range.year_button("2021").isChecked()
    sidebar.clear_filters()
    assert sidebar.filters().is_empty
    assert seen == []


def test_renaming_the_browsed_tag_keeps_browsing_it(sidebar, sample_archive, qtbot, monkeypatch):
    click_tag(sidebar, qtbot, "region/eastmarch")
    answer(monkeypatch, "getText", ("place/eastmarch", True))
    with qtbot.waitSignal(sidebar.filters_changed) as changed:
        sidebar.tag_tree.ask_rename("region/eastmarch")
    assert changed.args[0].tags == ("place/eastmarch",)
    assert sidebar.tag_tree.item_for("place/eastmarch/brenn") is not None


# -- saved searches ---------------------------------------------------------------------------


def test_saving_the_current_search_shows_it_with_its_count(sidebar, sample_archive, monkeypatch):
    request = SearchRequest(query="children", topics=("war-crimes",), sort="newest")
    asked = answer(monkeypatch, "getText", ("Deported children", True))
    sidebar.save_current(request)
    assert asked
    saved = sample_archive.saved_searches()
    assert [s.name for s in saved] == ["Deported children"]
    assert saved[0].request.topics == ("war-crimes",)
    expected = sample_archive.search_ids(request).total
    assert expected > 0
    assert sidebar.saved_panel.count_of("Deported children") == expected


def test_saved_search_counts_are_live(sidebar, sample_archive):
    sample_archive.save_search("Tagged to read", SearchRequest(tags=("to-read",)))
    sidebar.refresh_saved()
    assert sidebar.saved_panel.count_of("Tagged to read") == 0
    ids = sample_archive.search_ids(SearchRequest()).ids[:3]
    sample_archive.tag_many(ids, ["to-read"])
    sidebar.refresh_saved()
    assert sidebar.saved_panel.count_of("Tagged to read") == 3


def test_clicking_a_saved_search_runs_it(sidebar, sample_archive, qtbot):
    request = SearchRequest(query="tribunal", tags=("region",))
    sample_archive.save_search("Tribunal", request)
    sidebar.refresh_saved()
    tree = sidebar.saved_panel.tree
    item = tree.topLevelItem(0)
    sidebar.show()
    with qtbot.waitSignal(sidebar.saved_search_activated) as activated:
        qtbot.mouseClick(
            tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
        )
    assert activated.args[0].name == "Tribunal"
    assert activated.args[0].request.query == "tribunal"
    assert activated.args[0].request.tags == ("region",)


def test_saved_searches_are_renamed_and_deleted(sidebar, sample_archive, monkeypatch):
    sample_archive.save_search("Old name", SearchRequest(query="orphanage"))
    sidebar.refresh_saved()
    answer(monkeypatch, "getText", ("New name", True))
    sidebar.saved_panel.ask_rename("Old name")
    assert [s.name for s in sample_archive.saved_searches()] == ["New name"]
    assert sidebar.saved_panel.count_of("New name") is not None
    asked = answer(monkeypatch, "question", QMessageBox.StandardButton.Cancel)
    sidebar.saved_panel.ask_delete("New name")
    assert asked and len(sample_archive.saved_searches()) == 1
    answer(monkeypatch, "question", QMessageBox.StandardButton.Yes)
    sidebar.saved_panel.ask_delete("New name")
    assert sample_archive.saved_searches() == []
    assert sidebar.saved_panel.tree.isHidden()
    assert not sidebar.saved_panel.empty_label.isHidden()


def test_saving_under_an_existing_name_asks_first(sidebar, sample_archive, monkeypatch):
    sample_archive.save_search("Kept", SearchRequest(query="first"))
    sidebar.refresh_saved()
    answer(monkeypatch, "getText", ("kept", True))
    asked = answer(monkeypatch, "question", QMessageBox.StandardButton.Cancel)
    sidebar.save_current(SearchRequest(query="second"))
    assert asked and "exists already" in asked[0][2]
    assert sample_archive.saved_searches()[0].request.query == "first"


def test_right_click_on_a_saved_search_opens_its_menu(sidebar, sample_archive):
    from PySide6.QtWidgets import QMenu

    sample_archive.save_search("Menu", SearchRequest(query="x"))
    sidebar.refresh_saved()
    sidebar.show()
    tree = sidebar.saved_panel.tree
    sidebar.saved_panel._show_context_menu(tree.visualItemRect(tree.topLevelItem(0)).center())
    menus = [m for m in sidebar.saved_panel.findChildren(QMenu) if m.isVisible()]
    assert menus and [a.text() for a in menus[0].actions()] == ["Rename…", "Delete…"]
    menus[0].close()


def test_a_rename_onto_an_existing_name_is_explained(sidebar, sample_archive, monkeypatch):
    sample_archive.save_search("One", SearchRequest(query="a"))
    sample_archive.save_search("Two", SearchRequest(query="b"))
    sidebar.refresh_saved()
    sidebar.saved_panel.rename("One", "Two")
    boxes = sidebar.saved_panel.findChildren(QMessageBox)
    assert boxes and "exists already" in boxes[-1].text()
    assert sorted(s.name for s in sample_archive.saved_searches()) == ["One", "Two"]


def test_save_button_asks_the_window_for_the_request(sidebar, qtbot):
    with qtbot.waitSignal(sidebar.save_requested):
        sidebar.saved_panel.save_button.click()


def test_a_narrow_sidebar_widens_to_show_all_it_holds(sidebar, qtbot):
    """No horizontal scroll bar: what is wider than the sidebar would be cut off."""
    sidebar.resize(150, 600)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    holds = sidebar.widget().minimumSizeHint().width()
    assert sidebar.minimumWidth() >= holds
    sidebar.resize(sidebar.minimumWidth(), 600)
    assert sidebar.viewport().width() >= holds
