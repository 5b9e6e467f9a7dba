"""The reader's parts on their own: loading, header, images' blurring, match bar, panels, topics."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QMenu

from archive_app.core.models import SearchRequest
from archive_app.gui.archive_browser import ArchiveBrowser
from archive_app.gui.article_header import ArticleHeader
from archive_app.gui.article_loading import load_article
from archive_app.gui.body_images import BodyImages
from archive_app.gui.hit_navigation import HitBar, find_step, is_find_key
from archive_app.gui.look import marked, topic_colours
from archive_app.gui.original_file import safe_filename
from archive_app.gui.reader_panels import NotesPanel, Section
from archive_app.gui.topic_popup import fill_topics_menu, how_assigned

pytestmark = pytest.mark.gui


def by_file(archive, filename: str) -> str:
    for hit in archive.search(SearchRequest(limit=200, snippets=False)).hits:
        if archive.get(hit.id).provenance.filename == filename:
            return hit.id
    raise AssertionError(f"no sample article from {filename}")


def test_an_article_is_loaded_with_its_images_and_previews_only_when_blurred(sample_archive):
    article_id = by_file(sample_archive, "dunmoor-ward.txt")
    cache: dict[str, bytes] = {}
    plain = load_article(sample_archive, article_id, blur=lambda a: False, preview_cache=cache)
    stored = {ref.sha256 for ref in plain.article.images if ref.sha256}
    assert stored and set(plain.images) == stored
    assert all(not image.isNull() for image in plain.images.values())
    assert plain.previews == {} and cache == {}
    assert plain.label("child-welfare") == "Child welfare"
    assert plain.explanation("child-welfare") is not None

    blurred = load_article(sample_archive, article_id, blur=lambda a: True, preview_cache=cache)
    assert set(blurred.previews) == stored and set(cache) == stored


def test_blurring_follows_the_policy_and_the_topic(sample_archive, qtbot):
    browser = ArchiveBrowser(lambda url: None)
    qtbot.addWidget(browser)
    images = BodyImages(browser, browser)
    welfare = sample_archive.get(by_file(sample_archive, "dunmoor-ward.txt"))
    market = sample_archive.get(by_file(sample_archive, "tolvany-market.txt"))
    assert images.policy == "topic"
    assert images.blurs(welfare) and not images.blurs(market)
    assert images.set_policy("always") is False  # no article shown: nothing to read again
    assert images.blurs(market)
    images.set_policy("never")
    assert not images.blurs(welfare)
    with pytest.raises(ValueError):
        images.set_policy("sometimes")


def test_the_title_marks_matches_and_escapes_the_rest(qtbot):
    assert marked("<b>Shells</b> hit", [(3, 9)]) == (
        '&lt;b&gt;<span style="background-color:#ffe680; color:#1a1a1a;">Shells</span>'
        "&lt;/b&gt; hit"
    )
    header = ArticleHeader()
    qtbot.addWidget(header)
    header.show_title("", [])
    assert header.title.text() == "(untitled)"
    # One topic has one colour everywhere; two topics differ.
    assert topic_colours("war-crimes", False) == topic_colours("war-crimes", False)
    assert topic_colours("war-crimes", False)[0] != topic_colours("child-welfare", False)[0]


def test_the_header_shows_byline_link_and_topic_chips(sample_archive, qtbot):
    header = ArticleHeader()
    qtbot.addWidget(header)
    loaded = load_article(
        sample_archive,
        by_file(sample_archive, "abducted-children-case.html"),
        blur=lambda a: False,
        preview_cache={},
    )
    header.show_article(loaded)
    assert "By Ada Keane" in header.byline.text()
    assert loaded.article.url in header.url.text()
    assert set(header.topic_chips) == {"child-welfare", "war-crimes"}
    with qtbot.waitSignal(header.topic_clicked) as clicked:
        header.topic_chips["war-crimes"].click()
    assert clicked.args == ["war-crimes", header.topic_chips["war-crimes"]]


def test_the_match_bar_says_where_the_reader_is(qtbot):
    bar = HitBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.show_hits(-1, 0, searching=False)
    assert bar.label.text() == "" and not bar.next_button.isVisible()
    bar.show_hits(-1, 0, searching=True)
    assert bar.label.text() == "No matches in this article"
    assert bar.next_button.isVisible() and not bar.next_button.isEnabled()
    bar.show_hits(-1, 1, searching=True)
    assert bar.label.text() == "1 match"
    bar.show_hits(2, 7, searching=True)
    assert bar.label.text() == "3 of 7" and bar.previous_button.isEnabled()
    with qtbot.waitSignal(bar.next_requested):
        bar.next_button.click()


def test_f3_finds_the_next_match_and_shift_f3_the_previous():
    def key(k, modifiers=Qt.KeyboardModifier.NoModifier) -> QKeyEvent:
        return QKeyEvent(QEvent.Type.KeyPress, k, modifiers)

    assert find_step(key(Qt.Key.Key_F3)) == 1
    assert find_step(key(Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)) == -1
    assert find_step(key(Qt.Key.Key_F4)) == 0
    assert is_find_key(key(Qt.Key.Key_F3)) and not is_find_key(key(Qt.Key.Key_A))


def test_a_closed_section_shows_its_summary_on_its_one_line(qtbot):
    section = Section("Notes", QLabel("body"))
    qtbot.addWidget(section)
    section.set_summary("none yet")
    assert not section.expanded and section.summary.text() == "none yet"
    section.set_expanded(True)
    assert section.summary.text() == "" and not section.body.isHidden()
    section.set_expanded(False)
    assert section.summary.text() == "none yet"


def test_the_notes_summary_is_one_short_line(sample_archive, tasks, qtbot):
    notes = NotesPanel(sample_archive, tasks)
    qtbot.addWidget(notes)
    assert notes.summary() == "none yet"
    notes.set_article("x", "first line\n\n  second   line")
    assert notes.summary() == "first line second line"
    notes.set_article("y", "word " * 40)
    assert len(notes.summary()) == 81 and notes.summary().endswith("…")


def test_topics_say_how_the_article_has_them_or_not(sample_archive, qtbot):
    article_id = by_file(sample_archive, "tolvany-market.txt")
    sample_archive.set_topic(article_id, "war-crimes", False)
    loaded = load_article(sample_archive, article_id, blur=lambda a: False, preview_cache={})
    assert how_assigned("manual", None) == "by hand"
    assert how_assigned("auto", None) == "by the rules"
    assert how_assigned(None, loaded.explanation("war-crimes")) == "removed by hand"
    assert how_assigned(None, None) == "not assigned"

    menu = QMenu()
    chosen: list[str] = []
    fill_topics_menu(menu, loaded, chosen.append)
    texts = [a.text() for a in menu.actions()]
    assert "War crimes — removed by hand" in texts
    assert not any(a.isChecked() for a in menu.actions())
    menu.actions()[0].trigger()
    assert chosen == [loaded.topics[0].id]
    fill_topics_menu(menu, None, chosen.append)
    assert menu.actions() == []


def test_an_original_keeps_its_own_name_and_nothing_a_system_refuses():
    assert safe_filename("C:\\Users\\me\\report: final?.pdf") == "report final.pdf"
    assert safe_filename("folder/page.html") == "page.html"
    assert safe_filename("..") == ""
