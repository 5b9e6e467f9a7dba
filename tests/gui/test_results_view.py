"""The results list: painting, selection, the header and acting on a selection."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QHelpEvent, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QStyleOptionViewItem, QToolTip

from archive_app.core.models import SearchRequest
from archive_app.gui.result_delegate import (
    ResultDelegate,
    snippet_runs,
    versions_text,
)
from archive_app.gui.results_model import HIT_ROLE, LOADING, STATE_ROLE
from archive_app.gui.results_view import ResultsView, count_text
from archive_app.gui.tag_entry import TagField, parse_tags
from archive_app.gui.wording import readable_date

pytestmark = pytest.mark.gui


@pytest.fixture
def view(sample_archive, tasks, qtbot):
    shown = ResultsView(sample_archive, tasks)
    qtbot.addWidget(shown)
    shown.resize(420, 640)
    shown.set_results(sample_archive.search_ids(SearchRequest(query="children")))
    return shown


def select_rows(view: ResultsView, rows) -> None:
    selection = QItemSelection()
    for row in rows:
        index = view.model.index(row)
        selection.select(index, index)
    view.list.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def render(delegate: ResultDelegate, index, palette: QPalette, selected: bool = False) -> QImage:
    option = QStyleOptionViewItem()
    option.palette = palette
    option.rect = QRect(0, 0, 420, delegate.row_metrics(option.font).height)
    option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
    if selected:
        option.state |= QStyle.StateFlag.State_Selected
    image = QImage(option.rect.size(), QImage.Format.Format_ARGB32)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    return image


def distinct_colours(image: QImage) -> int:
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(image.height())}
    )


def test_the_view_paints_placeholders_then_loaded_rows(view, qtbot):
    view.show()
    first = view.model.index(0)
    assert view.model.data(first, STATE_ROLE) == LOADING
    placeholder = view.list.viewport().grab()  # painting asks for the rows
    assert not placeholder.isNull()
    qtbot.waitUntil(lambda: view.model.hit(0) is not None)
    loaded = view.list.viewport().grab()
    assert loaded.toImage() != placeholder.toImage()


def test_the_delegate_paints_rows_in_light_and_dark_palettes(view, qtbot):
    view.show()
    qtbot.waitUntil(lambda: view.model.hit(0) is not None)
    index = view.model.index(0)
    assert view.model.data(index, HIT_ROLE).topics  # chips to draw
    light = QPalette(QColor(240, 240, 240))
    dark = QPalette(QColor(40, 40, 40))
    dark.setColor(QPalette.ColorRole.Base, QColor(25, 25, 25))
    dark.setColor(QPalette.ColorRole.Text, QColor(230, 230, 230))
    for palette in (light, dark):
        for selected in (False, True):
            image = render(view.delegate, index, palette, selected)
            assert distinct_colours(image) > 20  # text, a highlight, chips: not a blank row
    far = view.model.index(view.model.rowCount() - 1)
    placeholder = render(view.delegate, far, light)
    assert distinct_colours(placeholder) < distinct_colours(render(view.delegate, index, light))


def test_rows_have_one_fixed_height(view):
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, 10)
    heights = {view.delegate.sizeHint(option, view.model.index(r)).height() for r in range(5)}
    assert len(heights) == 1
    assert heights.pop() >= 64


def test_snippet_marks_become_highlighted_runs():
    text, marks = snippet_runs(
        '… the <mark class="match">children</mark>&#x27;s home &amp; <mark>school</mark>'
    )
    assert text == "… the children's home & school"
    assert [text[s : s + n] for s, n in marks] == ["children", "school"]


def test_dates_read_as_people_write_them():
    assert readable_date("2024-02-06", short=True) == "6 Feb 2024"
    assert readable_date("2023-09", short=True) == "Sep 2023"
    assert readable_date("2023", short=True) == "2023"
    assert readable_date("spring 2020", short=True) == "spring 2020"


def test_header_counts_and_sorts(view, qtbot):
    assert view.count_label.text() == count_text(view.model.total)
    assert count_text(1234) == "1,234 articles" and count_text(1) == "1 article"
    with qtbot.waitSignal(view.sort_changed) as changed:
        view.sort_combo.setCurrentIndex(view.sort_combo.findData("newest"))
    assert changed.args == ["newest"]
    seen = []
    view.sort_changed.connect(seen.append)
    view.set_sort("oldest")
    assert view.sort() == "oldest" and seen == []


def test_no_matches_shows_the_empty_state(view, sample_archive):
    view.set_results(sample_archive.search_ids(SearchRequest(query="zebrafinchxyz")))
    assert view.pages.currentWidget() is view.empty_page
    assert view.count_label.text() == "0 articles"
    assert "words" in view.empty_hint.text()
    view.set_results(sample_archive.search_ids(SearchRequest()))
    assert view.pages.currentWidget() is view.list


def test_selecting_a_row_emits_the_article_to_read(view, qtbot):
    wanted = view.model.id_at(2)
    with qtbot.waitSignal(view.current_changed) as current:
        view.list.setCurrentIndex(view.model.index(2))
    assert current.args == [wanted]
    assert view.current_id() == wanted
    assert view.select_id(view.model.id_at(0))
    assert view.current_id() == view.model.id_at(0)
    assert not view.select_id("not-an-article")


def test_keyboard_moves_the_current_article(view, qtbot):
    view.show()
    view.list.setFocus()
    view.list.setCurrentIndex(view.model.index(0))
    with qtbot.waitSignal(view.current_changed) as current:
        qtbot.keyClick(view.list, Qt.Key.Key_Down)
    assert current.args == [view.model.id_at(1)]


def test_multi_selection_returns_ids(view, qtbot):
    with qtbot.waitSignal(view.selection_changed) as changed:
        select_rows(view, [0, 2, 3])
    expected = [view.model.id_at(r) for r in (0, 2, 3)]
    assert view.selected_ids() == expected
    assert changed.args == [expected]


def test_the_context_menu_acts_on_the_selection(view, qtbot):
    select_rows(view, [0, 1])
    ids = view.selected_ids()
    menu = view.context_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Compare selected",
        "Add tags to selected…",
        "Remove tags from selected…",
        "Export selected…",
        "Copy ids",
        "Delete 2 articles…",
    ]
    with qtbot.waitSignal(view.export_requested) as export:
        view.actions_["export"].trigger()
    assert export.args == [ids]
    with qtbot.waitSignal(view.delete_requested) as delete:
        view.actions_["delete"].trigger()
    assert delete.args == [ids]
    view.actions_["copy_id"].trigger()
    assert QGuiApplication.clipboard().text() == "\n".join(ids)


def test_bulk_tags_are_added_and_removed(view, sample_archive, qtbot):
    view.show()
    qtbot.waitUntil(lambda: view.model.hit(0) is not None)
    select_rows(view, [0, 1, 2])
    ids = view.selected_ids()
    dialog = view.open_add_tags()
    dialog.field.setText("project/evidence, to read")
    with qtbot.waitSignal(view.tags_changed):
        dialog.accept()
    for article_id in ids:
        assert {"project/evidence", "to read"} <= set(sample_archive.get(article_id).tags)
    assert "to read" in view.model.hit(0).tags  # the shown rows were read again

    dialog = view.open_remove_tags()
    assert "to read" in dialog.field.completer_.model().stringList()
    dialog.field.setText("to read")
    with qtbot.waitSignal(view.tags_changed):
        dialog.accept()
    for article_id in ids:
        tags = set(sample_archive.get(article_id).tags)
        assert "to read" not in tags and "project/evidence" in tags


def test_a_failed_tag_change_is_reported_not_raised(view, sample_archive, monkeypatch, qtbot):
    from PySide6.QtWidgets import QMessageBox

    def broken(ids, tags):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sample_archive, "tag_many", broken)
    select_rows(view, [0])
    view.add_tags(view.selected_ids(), ["x"])
    boxes = view.findChildren(QMessageBox)
    assert boxes and "space" in boxes[-1].text()


def test_the_tag_field_completes_the_tag_being_typed(qtbot):
    field = TagField(["region/kordavia", "region/valdoria", "type/news"])
    qtbot.addWidget(field)
    field.setText("type/news, kord")
    field.setCursorPosition(len(field.text()))
    assert field.current_word() == "kord"
    field.textEdited.emit(field.text())
    assert field.completer_.completionCount() == 1
    assert field.completer_.currentCompletion() == "region/kordavia"
    field.completer_.activated.emit("region/kordavia")
    assert field.text() == "type/news, region/kordavia, "
    assert parse_tags(field.text()) == ["type/news", "region/kordavia"]


def test_right_click_selects_the_row_under_the_pointer(view, qtbot):
    view.show()
    select_rows(view, [0])
    point = view.list.visualRect(view.model.index(1)).center()
    view._show_context_menu(point)
    assert view.selected_ids() == [view.model.id_at(1)]
    menus = [m for m in view.findChildren(QMenu) if m.isVisible()]
    assert menus
    menus[0].close()


def test_tags_are_typed_with_commas():
    assert parse_tags("region / kherson, to read,, region/kherson") == [
        "region/kherson",
        "to read",
    ]
    # As the archive stores them: levels trimmed, inner spaces single, names alike in any case.
    assert parse_tags("Region/Kherson,\n region/ kherson / , to   read") == [
        "Region/Kherson",
        "to read",
    ]


# -- comparing: "Compare selected" and the "n versions" link ---------------------------------


def test_compare_selected_takes_two_to_four_articles(view, qtbot):
    compare = view.actions_["compare"]
    for rows, enabled in (
        ([0], False),
        ([0, 1], True),
        ([0, 1, 2, 3], True),
        ([0, 1, 2, 3, 4], False),
    ):
        select_rows(view, rows)
        assert compare.isEnabled() is enabled
        if not enabled:
            view.context_menu()  # says why the entry is unavailable
            assert "2 to 4" in compare.toolTip()
    select_rows(view, [1, 3, 2])
    with qtbot.waitSignal(view.compare_requested) as requested:
        compare.trigger()
    assert requested.args == [[view.model.id_at(r) for r in (1, 2, 3)]]


def test_compare_selected_has_a_shortcut_in_the_list(view, qtbot):
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    view.list.setFocus()
    qtbot.waitUntil(view.list.hasFocus, timeout=2000)
    select_rows(view, [0, 2])
    assert view.actions_["compare"].shortcut().toString() == "Ctrl+Shift+C"
    with qtbot.waitSignal(view.compare_requested, timeout=2000) as requested:
        qtbot.keyClick(
            view.list,
            Qt.Key.Key_C,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert requested.args == [[view.model.id_at(0), view.model.id_at(2)]]


@pytest.fixture
def versions_view(archive, tasks, tmp_path, make_image, qtbot):
    from test_compare_view import import_one, write_edited_pair

    original, copy = write_edited_pair(tmp_path / "files", make_image)
    ids = [import_one(archive, original), import_one(archive, copy)]
    for n, text in enumerate(("A note on school meals.", "Rail timetable changes.")):
        path = tmp_path / f"other-{n}.txt"
        path.write_text(f"{text}\n\n" + "Plain words about something else. " * 20)
        ids.append(import_one(archive, path))
    shown = ResultsView(archive, tasks)
    qtbot.addWidget(shown)
    shown.resize(460, 500)
    shown.show()
    qtbot.waitExposed(shown)
    shown.set_results(archive.search_ids(SearchRequest(sort="oldest")))
    qtbot.waitUntil(lambda: all(shown.model.hit(r) is not None for r in range(4)))
    return shown


def test_rows_with_versions_show_a_link_that_asks_for_them(versions_view, qtbot):
    view = versions_view
    rows = {view.model.hit(r).versions: r for r in range(4)}
    assert set(rows) == {0, 1}
    with_versions, without = rows[1], rows[0]
    font = view.list.font()
    rect = view.list.visualRect(view.model.index(with_versions))
    box = view.delegate.versions_rect(rect, font, view.model.hit(with_versions))
    assert box is not None and rect.contains(box.toRect())
    plain = view.list.visualRect(view.model.index(without))
    assert view.delegate.versions_rect(plain, font, view.model.hit(without)) is None

    # The link is painted in the palette's link colour.
    image = view.list.viewport().grab().toImage()
    link = view.list.palette().color(QPalette.ColorRole.Link)
    inside = [
        QColor(image.pixel(x, y))
        for x in range(int(box.left()), int(box.right()))
        for y in range(int(box.top()), int(box.bottom()))
    ]
    assert any(
        abs(c.red() - link.red()) + abs(c.green() - link.green()) + abs(c.blue() - link.blue()) < 90
        for c in inside
    )
    assert versions_text(1) == "2 versions"

    point = box.center().toPoint()
    help_event = QHelpEvent(QEvent.Type.ToolTip, point, view.list.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.list.viewport(), help_event)
    assert "compare them side by side" in QToolTip.text()
    QToolTip.hideText()

    select_rows(view, [without])
    with qtbot.waitSignal(view.versions_requested) as requested:
        qtbot.mouseClick(
            view.list.viewport(), Qt.MouseButton.LeftButton, pos=box.center().toPoint()
        )
    assert requested.args == [view.model.id_at(with_versions)]
    assert view.selected_ids() == [view.model.id_at(without)]  # the click leaves the selection

    seen = []
    view.versions_requested.connect(seen.append)
    title = view.list.visualRect(view.model.index(with_versions)).topLeft() + QPoint(30, 14)
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=title)
    assert seen == [] and view.selected_ids() == [view.model.id_at(with_versions)]


def test_a_long_list_is_laid_out_in_batches_and_reaches_its_last_row(qtbot):
    from PySide6.QtCore import QStringListModel

    from archive_app.gui.results_view import LAYOUT_BATCH, ResultsList

    listing = ResultsList()
    qtbot.addWidget(listing)
    listing.resize(420, 640)
    rows = LAYOUT_BATCH * 4
    listing.setModel(QStringListModel([f"row {n}" for n in range(rows)]))
    listing.show()
    qtbot.waitExposed(listing)
    assert listing.layoutMode() == listing.LayoutMode.Batched
    last = listing.model().index(rows - 1, 0)

    def last_row_shown() -> bool:
        listing.scrollToBottom()
        return listing.viewport().rect().intersects(listing.visualRect(last))

    qtbot.waitUntil(last_row_shown, timeout=5_000)
    assert listing.indexAt(listing.visualRect(last).center()) == last
