"""The main window end to end: opening archives, searching, filtering, importing, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from archive_app.core.locking import WriteLock
from archive_app.gui.main_window import ArchiveChoice, MainWindow, Places
from archive_app.gui.settings import Settings

pytestmark = pytest.mark.gui

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def places(tmp_path: Path) -> Places:
    return Places(tmp_path / "default-archive", tmp_path / "demo-archive", SAMPLE)


@pytest.fixture
def sample_copy(_sample_archive_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "sample-copy"
    shutil.copytree(_sample_archive_template, root, ignore=shutil.ignore_patterns("write.lock"))
    return root


@pytest.fixture
def make_window(qtbot, tasks, settings, places):
    windows = []

    def make(choice: ArchiveChoice | None = None) -> MainWindow:
        window = MainWindow(settings, tasks, places)
        qtbot.addWidget(window)
        window.show()
        window.open_initial_archive(choice)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window._close_archive()


@pytest.fixture
def window(make_window, sample_copy: Path) -> MainWindow:
    return make_window(ArchiveChoice(sample_copy))


def type_query(qtbot, window: MainWindow, text: str) -> None:
    window.search_bar.field.clear()
    qtbot.keyClicks(window.search_bar.field, text)
    qtbot.keyClick(window.search_bar.field, Qt.Key.Key_Return)


def test_opens_on_the_library_with_every_article(window: MainWindow):
    assert window.pages.currentWidget() is window.library
    total = window.archive.article_count()
    assert total >= 20
    assert window.result_ids.total == total
    assert f"{total:,} articles" in window.search_bar.count_label.text()
    assert window.library.results.model.rowCount() > 0


def test_typing_a_query_shows_results_and_counts(qtbot, window: MainWindow):
    qtbot.keyClicks(window.search_bar.field, "children")
    # Results follow the debounce, without pressing Enter.
    qtbot.waitUntil(lambda: window.result_ids.request.query == "children", timeout=3000)
    expected = window.archive.search_ids(window.current_request()).total
    assert 0 < expected < window.archive.article_count()
    assert window.result_ids.total == expected
    assert f"{expected:,} article" in window.search_bar.count_label.text()


def test_a_misspelt_query_offers_a_suggestion_that_searches(qtbot, window: MainWindow):
    type_query(qtbot, window, "orphanags")
    notice = window.search_bar.notice
    assert notice.isVisible()
    suggestion = notice.property("suggestion")
    assert suggestion and suggestion != "orphanags"
    notice.linkActivated.emit("suggest")
    assert window.search_bar.query == suggestion
    assert window.result_ids.request.query == suggestion
    assert window.result_ids.total > 0


def test_a_malformed_query_is_explained_not_crashed_on(qtbot, window: MainWindow):
    type_query(qtbot, window, "published:[2023-13-45 TO 2024]")
    assert window.search_bar.notice.isVisible()
    assert "Not understood" in window.search_bar.notice.text()


def test_selecting_a_result_shows_it_in_the_reader(qtbot, window: MainWindow):
    type_query(qtbot, window, "market")
    first = window.result_ids.ids[0]
    window.library.results.select_id(first)
    assert window.library.reader.current_id == first


def test_show_article_selects_it_or_reads_it_anyway(qtbot, window: MainWindow):
    type_query(qtbot, window, "market")
    outside = next(
        i
        for i in window.archive.search_ids(window.current_request().__class__()).ids
        if i not in window.result_ids.ids
    )
    window.show_article(outside)
    assert window.library.reader.current_id == outside


def test_an_empty_archive_shows_the_welcome_panel_and_the_sample(qtbot, make_window, places):
    window = make_window()
    assert window.pages.currentWidget() is window.welcome
    assert not window.banner.isVisible()
    window.welcome.sample_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.library, timeout=60_000)
    assert window.choice.demo
    assert window.banner.isVisible() and "fictional" in window.banner.text()
    assert "Sample archive" in window.windowTitle()
    assert window.archive.root == places.demo_archive


def test_a_locked_archive_is_explained_and_the_app_goes_on(make_window, sample_copy: Path):
    lock = WriteLock(sample_copy / "write.lock")
    lock.acquire()
    try:
        window = make_window(ArchiveChoice(sample_copy))
        assert window.pages.currentWidget() is window.problem
        assert window.archive is None
        assert window.problem.message.text()
        assert "open" in window.problem.message.text().lower()
    finally:
        lock.release()
    window.problem.retry.emit()
    assert window.pages.currentWidget() is window.library


def test_import_from_the_dialog_refreshes_results_and_summary(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "new.txt").write_text(
        "Zebrafinch shelter reopens\n\nThe zebrafinch shelter for displaced children reopened.",
        "utf-8",
    )
    (folder / "broken.json").write_text('{"title": 5, "text": []', "utf-8")
    before = window.archive.article_count()
    monkeypatch.setattr(
        "archive_app.gui.main_window.choose_files",
        lambda parent, last: ([folder / "new.txt", folder / "broken.json"], str(folder)),
    )
    window.import_files()
    assert window.archive.article_count() == before + 1
    assert window.last_report is not None
    assert len(window.last_report.imported) == 1 and len(window.last_report.failed) == 1
    assert "Show summary" in window.summary_link.text()
    type_query(qtbot, window, "zebrafinch")
    assert window.result_ids.total == 1
    assert window.settings.last_import_dir == str(folder)


def test_dropping_a_folder_imports_it(qtbot, window: MainWindow, tmp_path: Path):
    folder = tmp_path / "dropped"
    folder.mkdir()
    (folder / "a.md").write_text("# Quokkaville report\n\nChildren were moved.", "utf-8")
    before = window.archive.article_count()
    window.drop_filter.callback([folder])
    assert window.archive.article_count() == before + 1


def test_delete_asks_first_and_removes_the_selection(qtbot, window: MainWindow, monkeypatch):
    type_query(qtbot, window, "market")
    target = window.result_ids.ids[0]
    before = window.archive.article_count()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    window.delete_articles([target])
    assert window.archive.article_count() == before
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.delete_articles([target])
    assert window.archive.article_count() == before - 1
    assert target not in window.result_ids.ids


def test_settings_remember_layout_archive_sort_and_blur(
    qtbot, make_window, sample_copy: Path, settings: Settings
):
    window = make_window(ArchiveChoice(sample_copy))
    window.resize(1100, 700)
    window.library.results.set_sort("newest")
    window.library.results.sort_changed.emit("newest")
    window.set_blur_policy("always")
    sizes = [200, 500, 400]
    window.library.splitter.setSizes(sizes)
    closed_size = window.size()
    window.close()
    assert settings.last_archive == sample_copy
    again = make_window()
    assert again.archive.root == sample_copy
    assert again.library.results.sort() == "newest"
    assert again.result_ids.request.sort == "newest"
    assert again.blur_actions["always"].isChecked()
    assert settings.splitter_state("library") is not None
    # The offscreen screen is smaller than the window's minimum, so only the height is free.
    assert settings.geometry() is not None
    assert again.size().height() == closed_size.height()


def test_window_fits_the_smallest_supported_size(window: MainWindow):
    window.resize(1024, 640)
    assert window.width() == 1024 and window.height() == 640
    assert window.minimumSizeHint().width() <= 1024
    assert window.minimumSizeHint().height() <= 640


def test_checking_a_topic_filters_the_results_and_updates_counts(window: MainWindow):
    everything = window.result_ids.total
    window.library.sidebar.topic_list.row("war-crimes").check.click()
    assert window.result_ids.request.topics == ("war-crimes",)
    assert 0 < window.result_ids.total < everything
    for hit in window.archive.hits(window.result_ids.ids):
        assert "war-crimes" in hit.topics
    # Counts follow the filtered search: every shown article has the topic.
    assert window.result_ids.facets.topics["war-crimes"] == window.result_ids.total
    window.clear_filters()
    assert window.result_ids.total == everything


def test_clicking_a_tag_browses_it_without_a_query(qtbot, window: MainWindow):
    tree = window.library.sidebar.tag_tree
    item = tree.item_for("region")
    tree.scrollToItem(item)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
    )
    assert window.search_bar.query == ""
    assert window.result_ids.request.tags == ("region",)
    expected = {t.name: t.count for t in window.archive.tags()}["region"]
    assert window.result_ids.total == expected


def test_a_saved_search_runs_with_its_query_and_filters(qtbot, window: MainWindow):
    type_query(qtbot, window, "tribunal")
    window.library.sidebar.topic_list.row("war-crimes").check.click()
    expected = window.result_ids.ids
    window.archive.save_search("Tribunal cases", window.current_request())
    window.clear_filters()
    type_query(qtbot, window, "")
    saved = window.archive.saved_searches()[0]
    window.library.sidebar.saved_search_activated.emit(saved)
    assert window.search_bar.query == "tribunal"
    assert window.result_ids.request.topics == ("war-crimes",)
    assert window.result_ids.ids == expected


def test_renaming_a_tag_in_the_tree_updates_the_results(qtbot, window: MainWindow):
    tree = window.library.sidebar.tag_tree
    tree.rename("region", "place")
    names = {t.name for t in window.archive.tags()}
    assert "place" in names and "region" not in names
    model = window.library.results.model
    qtbot.waitUntil(lambda: all(model.hit(row) is not None for row in range(5)), timeout=3000)
    shown = [model.hit(row) for row in range(5)]
    assert any(t.startswith("place/") for hit in shown for t in hit.tags)
    assert not any(t.startswith("region/") for hit in shown for t in hit.tags)


def test_the_delete_key_in_the_list_deletes_after_asking(qtbot, window: MainWindow, monkeypatch):
    type_query(qtbot, window, "market")
    target = window.result_ids.ids[0]
    window.library.results.select_id(target)
    asked = []

    def question(*args, **kwargs):
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    view = window.library.results.list
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert len(asked) == 1
    assert target not in window.result_ids.ids
    # In the search field the key edits the text and deletes nothing.
    window.search_bar.field.setFocus()
    qtbot.keyClick(window.search_bar.field, Qt.Key.Key_Delete)
    assert len(asked) == 1


def test_comparing_selected_results_opens_a_tab_that_ctrl_w_closes(qtbot, window: MainWindow):
    library = window.library
    first, second = window.result_ids.ids[:2]
    library.results.compare_requested.emit([first, second])
    assert library.tabs.count() == 2 and library.tabs.currentIndex() == 1
    view = library.tabs.currentWidget()
    assert view.ids == [first, second]
    assert library.tabs.tabText(1) == view.title
    window.close_tab_or_window()
    assert library.tabs.count() == 1 and window.isVisible()


def test_n_versions_opens_the_article_beside_its_near_duplicates(
    qtbot, window: MainWindow, tmp_path: Path
):
    original = (SAMPLE / "dunmoor-ward.txt").read_text("utf-8")
    copy = tmp_path / "copy" / "dunmoor-ward-wire.txt"
    copy.parent.mkdir()
    copy.write_text(original.replace("the", "teh", 1) + "\nUpdated with a correction.\n", "utf-8")
    window.import_paths([copy])
    (copied,) = window.last_report.imported
    assert window.archive.hits([copied.id])[0].versions >= 1
    view = window.open_versions(copied.id)
    assert window.library.tabs.currentWidget() is view
    assert view.ids[0] == copied.id and len(view.ids) >= 2


def test_compare_with_from_the_reader_opens_the_chosen_articles(window: MainWindow):
    library = window.library
    first, other = window.result_ids.ids[:2]
    library.results.select_id(first)
    picker = library.reader.choose_comparison()
    assert picker is not None
    picker.chosen.emit([other])
    view = library.tabs.currentWidget()
    assert view.ids == [first, other]


def test_the_search_bar_shows_how_a_query_was_understood(qtbot, window: MainWindow):
    type_query(qtbot, window, "Kyiv children")
    assert window.search_bar.explain_button.isEnabled()
    window.search_bar.explain_button.click()
    text = window.search_bar.explanation.label.text()
    assert text.startswith("Searched for")
    assert "Kiev" in text or "Київ" in text  # the variants list's spellings of Kyiv


def test_a_latin_query_finds_cyrillic_text_through_the_window(
    qtbot, window: MainWindow, tmp_path: Path
):
    story = tmp_path / "kharkiv.md"
    story.write_text(
        "---\nlanguage: uk\n---\n# Діти з Харкова\n\nДітей вивезли з Харкова до Росії.\n", "utf-8"
    )
    window.import_paths([story])
    type_query(qtbot, window, "Kharkiv")
    assert window.result_ids.total == 1
    (hit,) = window.archive.hits(window.result_ids.ids)
    assert "Харкова" in hit.title
