"""The "Compare with…" popup: versions and related articles, a search, and the ids chosen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from archive_app.core.models import SearchRequest
from archive_app.gui.compare_picker import ID_ROLE, MAX_CHOSEN, ComparePicker

pytestmark = pytest.mark.gui

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample"
ARTICLE = "eastmarch-forced-transfer.md"


@pytest.fixture
def versions(sample_archive, tmp_path):
    """The sample's Eastmarch article and another paper's lightly edited copy of it."""
    folder = tmp_path / "copy"
    shutil.copytree(SAMPLE / "images", folder / "images")
    text = (SAMPLE / ARTICLE).read_text(encoding="utf-8")
    for old, new in (
        ("author: Ansel Brody", "author: Mira Tess"),
        ("published: 2022-09-12", "published: 2022-09-14"),
        ("aged nine and twelve", "aged eight and eleven"),
    ):
        text = text.replace(old, new)
    (folder / ARTICLE).write_text(text, encoding="utf-8")
    copy = sample_archive.import_paths([folder / ARTICLE]).imported[0].id
    found = sample_archive.search_ids(SearchRequest(query='title:"say children were taken"'))
    original = next(i for i in found.ids if i != copy)
    return original, copy


@pytest.fixture
def picker(sample_archive, tasks, versions, qtbot):
    shown = ComparePicker(sample_archive, tasks, versions[0])
    qtbot.addWidget(shown)
    return shown


def rows(picker: ComparePicker) -> list[str]:
    return [picker.list.item(n).text() for n in range(picker.list.count())]


def test_the_picker_offers_versions_then_related_articles(picker, sample_archive, versions):
    original, copy = versions
    texts = rows(picker)
    assert texts[0] == "Versions of this text"
    assert "Related articles" in texts
    ids = [item.data(ID_ROLE) for item in picker.article_items()]
    assert ids[0] == copy and ids.count(copy) == 1
    assert original not in ids
    related = {r.id for r in sample_archive.related(original).related} - {copy}
    assert related and related <= set(ids)
    assert "% the same" in picker.article_items()[0].text()
    assert picker.heading.text().startswith("Compare “Families in occupied Eastmarch")
    assert not picker.compare_button.isEnabled()


def test_ticked_articles_are_emitted_in_the_order_ticked(picker, qtbot):
    items = picker.article_items()
    first, second = items[2].data(ID_ROLE), items[0].data(ID_ROLE)
    assert picker.set_checked(first, True) and picker.set_checked(second, True)
    assert picker.hint.text() == "2 chosen"
    with qtbot.waitSignal(picker.chosen) as chosen:
        picker.compare_button.click()
    assert chosen.args == [[first, second]]
    assert not picker.isVisible()


def test_no_more_than_three_can_be_ticked(picker):
    ids = [item.data(ID_ROLE) for item in picker.article_items()]
    for article_id in ids[:MAX_CHOSEN]:
        assert picker.set_checked(article_id, True)
    assert not picker.set_checked(ids[MAX_CHOSEN], True)
    assert picker.checked_ids() == ids[:MAX_CHOSEN]
    assert picker.hint.text().startswith("At most 3")
    assert picker.set_checked(ids[0], False)
    assert picker.set_checked(ids[MAX_CHOSEN], True)


def test_a_search_finds_other_articles_and_keeps_the_ticks(picker, sample_archive, versions):
    original, copy = versions
    picker.set_checked(copy, True)
    picker.search_field.setText("tribunal")
    picker.search_now()
    assert rows(picker)[0] == "Search results"
    ids = [item.data(ID_ROLE) for item in picker.article_items()]
    expected = sample_archive.search_ids(SearchRequest(query="tribunal")).ids
    assert ids == [i for i in expected if i != original][: len(ids)]
    assert "·" in picker.article_items()[0].text()  # source and date under the title
    picker.set_checked(ids[0], True)
    picker.search_field.setText("zebrafinchxyz")
    picker.search_now()
    assert rows(picker) == ["No other article matches"]
    picker.search_field.clear()
    picker.search_now()
    assert rows(picker)[0] == "Versions of this text"
    assert picker.article_items()[0].checkState() == Qt.CheckState.Checked
    assert picker.checked_ids() == [copy, ids[0]]


def test_a_failed_search_is_explained_not_raised(picker, sample_archive, monkeypatch):
    from archive_app.core.index import QuerySyntaxError

    def unreadable(request):
        raise QuerySyntaxError("unbalanced brackets")

    monkeypatch.setattr(sample_archive, "search_ids", unreadable)
    picker.search_field.setText("(tribunal")
    picker.search_now()
    assert rows(picker) == ["The search could not be understood; try plain words."]

    def broken(request):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(sample_archive, "search_ids", broken)
    picker.search_now()
    assert picker.article_items() == [] and "could not" in rows(picker)[0].lower()


def test_a_double_click_compares_at_once(picker, qtbot, versions):
    item = picker.article_items()[0]
    with qtbot.waitSignal(picker.chosen) as chosen:
        picker.list.itemDoubleClicked.emit(item)
    assert chosen.args == [[versions[1]]]


def test_the_popup_opens_under_its_button(picker, qtbot):
    button = QPushButton("Compare with…")
    qtbot.addWidget(button)
    button.show()
    picker.show_at(button)
    assert picker.isVisible()
    assert picker.y() >= button.mapToGlobal(button.rect().topLeft()).y()
    picker.close()
