"""The tag tree: the hierarchy, and renaming, merging and deleting tags."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox

from archive_app.core.models import SearchRequest
from archive_app.gui.tag_tree import TAG_MIME, TagTree

pytestmark = pytest.mark.gui


@pytest.fixture
def tree(sample_archive, tasks, qtbot):
    shown = TagTree(sample_archive, tasks)
    qtbot.addWidget(shown)
    shown.resize(240, 400)
    shown.refresh()
    return shown


def tag_counts(archive) -> dict[str, int]:
    return {t.name: t.count for t in archive.tags()}


def reply(monkeypatch, cls, name: str, value) -> list:
    asked = []

    def answer(*args, **kwargs):
        asked.append(args)
        return value

    monkeypatch.setattr(cls, name, answer)
    return asked


def drop(tree: TagTree, sources: list[str], target: str) -> QDropEvent:
    item = tree.item_for(target)
    parent = item.parent()
    while parent is not None:
        parent.setExpanded(True)
        parent = parent.parent()
    data = QMimeData()
    data.setData(TAG_MIME, QByteArray("\n".join(sources).encode()))
    event = QDropEvent(
        QPointF(tree.visualItemRect(item).center()),
        Qt.DropAction.CopyAction | Qt.DropAction.MoveAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    tree.dropEvent(event)
    return event


def test_tags_form_a_tree_with_counts(tree, sample_archive):
    counts = tag_counts(sample_archive)
    region = tree.item_for("region")
    assert region.parent() is None and region.text(0) == "region"
    eastmarch = tree.item_for("region/eastmarch")
    assert eastmarch.parent() is region and eastmarch.text(0) == "eastmarch"
    assert tree.item_for("region/eastmarch/brenn").parent() is eastmarch
    assert tree.shown_count("region") == counts["region"]  # the archive's, before a search
    tree.set_counts(sample_archive.search_ids(SearchRequest(query="children")).facets.tags)
    assert tree.shown_count("region") < counts["region"]


def test_the_tree_is_as_tall_as_its_open_rows(tree):
    closed = tree.height()
    tree.item_for("region").setExpanded(True)
    assert tree.height() > closed


def test_renaming_a_parent_moves_its_children(tree, sample_archive, monkeypatch, qtbot):
    before = tag_counts(sample_archive)
    tree.item_for("region").setExpanded(True)
    reply(monkeypatch, QInputDialog, "getText", ("place", True))
    with qtbot.waitSignal(tree.tags_edited), qtbot.waitSignal(tree.tag_renamed) as renamed:
        tree.ask_rename("region")
    assert renamed.args == ["region", "place"]
    after = tag_counts(sample_archive)
    assert "region" not in after and "region/eastmarch" not in after
    assert after["place/eastmarch/brenn"] == before["region/eastmarch/brenn"]
    assert tree.item_for("region") is None
    assert tree.item_for("place/eastmarch").parent() is tree.item_for("place")


def test_a_cancelled_rename_changes_nothing(tree, sample_archive, monkeypatch):
    before = tag_counts(sample_archive)
    reply(monkeypatch, QInputDialog, "getText", ("whatever", False))
    tree.ask_rename("region")
    assert tag_counts(sample_archive) == before


def test_merge_into_a_chosen_tag(tree, sample_archive, monkeypatch):
    before = tag_counts(sample_archive)
    asked = reply(monkeypatch, QInputDialog, "getItem", ("region/valdoria", True))
    tree.ask_merge("region/kordavia")
    offered = asked[0][3]
    assert "region/kordavia" not in offered and "region/valdoria" in offered
    after = tag_counts(sample_archive)
    assert "region/kordavia" not in after
    assert (
        before["region/valdoria"]
        < after["region/valdoria"]
        <= (before["region/valdoria"] + before["region/kordavia"])
    )
    assert tree.item_for("region/kordavia") is None


def test_dropping_a_tag_onto_another_merges_after_confirming(tree, sample_archive, monkeypatch):
    before = tag_counts(sample_archive)
    asked = reply(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Cancel)
    drop(tree, ["type/brief"], "type/news")
    assert asked and "type/brief" in asked[0][2] and "type/news" in asked[0][2]
    assert tag_counts(sample_archive) == before  # not confirmed: nothing changed

    reply(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Yes)
    event = drop(tree, ["type/brief"], "type/news")
    assert event.dropAction() == Qt.DropAction.CopyAction  # the dragged item is not removed
    after = tag_counts(sample_archive)
    assert "type/brief" not in after
    assert after["type/news"] == before["type/news"] + before["type/brief"]


def test_dropping_a_tag_onto_itself_or_below_it_does_nothing(tree, sample_archive, monkeypatch):
    before = tag_counts(sample_archive)
    asked = reply(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Yes)
    drop(tree, ["region"], "region/eastmarch")
    drop(tree, ["region/eastmarch"], "region/eastmarch")
    assert asked == []
    assert tag_counts(sample_archive) == before


def test_the_dragged_data_names_the_tags(tree):
    data = tree.mimeData([tree.item_for("region/kordavia")])
    assert bytes(data.data(TAG_MIME).data()).decode() == "region/kordavia"


def test_deleting_asks_with_the_number_of_articles(tree, sample_archive, monkeypatch, qtbot):
    count = tag_counts(sample_archive)["region"]
    articles = sample_archive.article_count()
    asked = reply(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Cancel)
    tree.ask_delete("region")
    assert f"{count} articles" in asked[0][2]
    assert "region" in tag_counts(sample_archive)

    reply(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tree.tag_deleted) as deleted:
        tree.ask_delete("region")
    assert deleted.args == ["region"]
    assert not any(name.startswith("region") for name in tag_counts(sample_archive))
    assert sample_archive.article_count() == articles  # the articles stay
    assert tree.item_for("region") is None


def test_the_context_menu_offers_the_three_edits(tree):
    menu = tree.context_menu("region")
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Rename…", "Merge into…", "Delete…"]


def test_a_failed_edit_is_reported_not_raised(tree, sample_archive, monkeypatch):
    def broken(name):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(sample_archive, "delete_tag", broken)
    tree.delete("region")
    boxes = tree.findChildren(QMessageBox)
    assert boxes and boxes[-1].windowTitle() == "Could not delete the tag"


def test_right_click_on_a_tag_opens_its_menu(tree):
    from PySide6.QtWidgets import QMenu

    tree.show()
    tree._show_context_menu(tree.visualItemRect(tree.item_for("region")).center())
    menus = [m for m in tree.findChildren(QMenu) if m.isVisible()]
    assert menus and menus[0].actions()[0].text() == "Rename…"
    menus[0].close()
