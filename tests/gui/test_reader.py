"""The article reader over the sample archive: text, images, hits, tags, topics, notes, blur."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QTextCursor, QTextDocument, QWheelEvent
from PySide6.QtWidgets import QApplication

from archive_app.core.models import SearchRequest
from archive_app.gui.article_document import IMAGE_LINK
from archive_app.gui.reader import ArticleReader

pytestmark = pytest.mark.gui

HOSTILE_PAGE = """<!doctype html>
<html><head><title>Inspectors visit the orphanages of the region</title>
<link rel="stylesheet" href="http://evil.example.com/style.css">
<style>body { background: url(http://evil.example.com/bg.png); }</style>
<script>alert(1)</script></head>
<body><article>
<h1>Inspectors visit the orphanages of the region</h1>
<p>The orphanage inspections continued through the winter, and inspectors visited every
home in the region to check on the children living there and on the staff.</p>
<script>alert("inline")</script>
<img src="http://example.com/x.png" alt="remote picture">
<img src="file:///etc/passwd" alt="a local file">
<iframe src="http://evil.example.com/frame"></iframe>
<p style="background-image: url(http://evil.example.com/p.png)" onclick="alert(2)">Children
were moved between homes without records, the inspectors wrote in their final report.</p>
<img src="x" onerror="alert(3)">
<p>More text about the orphanages follows, so that the page is long enough to be read as an
article by the importer and its checks, with a few more words for good measure.</p>
</article></body></html>
"""


def by_file(archive, filename: str) -> str:
    for hit in archive.search(SearchRequest(limit=200, snippets=False)).hits:
        if archive.get(hit.id).provenance.filename == filename:
            return hit.id
    raise AssertionError(f"no sample article from {filename}")


def image_names(reader: ArticleReader) -> list[str]:
    names = []
    block = reader.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(fmt.toImageFormat().name())
            it += 1
        block = block.next()
    return names


@pytest.fixture
def reader(sample_archive, tasks, qtbot):
    widget = ArticleReader(sample_archive, tasks)
    qtbot.addWidget(widget)
    widget.resize(820, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_nothing_selected_shows_a_calm_empty_state(reader):
    assert reader.stack.currentWidget() is reader.empty
    assert reader.empty.text() == "Select an article to read it"
    assert reader.current_id is None


def test_an_article_is_rendered_with_its_images_from_the_archive(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "tolvany-market.txt")
    article = sample_archive.get(article_id)
    stored = article.images[0]
    reader.show_article(article_id)
    assert reader.stack.currentWidget() is reader.scroll
    assert reader.current_id == article_id
    text = reader.browser.toPlainText()
    assert "Saturday market in Tolvany" in text
    assert stored.caption in text and stored.credit in text
    qtbot.waitUntil(lambda: bool(reader.browser.allowed()))
    names = image_names(reader)
    assert names and all(name.startswith(f"archive:image/{stored.sha256}") for name in names)
    assert reader.browser.refused() == []
    # The <img> was resolved from the stored blob: the document holds that image.
    resource = reader.browser.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl(names[0])
    )
    assert not resource.isNull() and resource.width() > 0


def image_widths(reader: ArticleReader) -> list[float]:
    widths = []
    block = reader.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                widths.append(fmt.toImageFormat().width())
            it += 1
        block = block.next()
    return widths


def test_images_are_no_wider_than_the_page(reader, sample_archive, qtbot):
    reader.show_article(by_file(sample_archive, "tolvany-market.txt"))
    column = reader.browser.viewport().width()
    assert column > 640 and image_widths(reader) == [640]  # natural size, never enlarged
    reader.resize(420, 600)
    qtbot.waitUntil(lambda: reader.browser.width() < 400)
    qtbot.waitUntil(lambda: image_widths(reader)[0] <= reader.browser.viewport().width())
    # The image drawn at that width is made for it, not squeezed from a larger one.
    wanted = f"?w={round(image_widths(reader)[0])}"
    qtbot.waitUntil(lambda: any(url.endswith(wanted) for url in reader.browser.allowed()))


def test_the_page_scrolls_as_a_whole_from_inside_the_body(reader, sample_archive, qtbot):
    reader.show_article(by_file(sample_archive, "dunmoor-ward.txt"))
    bar = reader.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    reader.browser.setFocus()
    qtbot.keyClick(reader.browser, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    qtbot.keyClick(reader.browser, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert bar.value() == 0
    viewport = reader.browser.viewport()
    centre = QPointF(viewport.rect().center())
    wheel = QWheelEvent(
        centre,
        viewport.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, wheel)
    assert bar.value() > 0


def test_a_hostile_article_loads_nothing_from_outside_the_archive(archive, tasks, qtbot, tmp_path):
    page = tmp_path / "hostile" / "page.html"
    page.parent.mkdir()
    page.write_text(HOSTILE_PAGE, "utf-8")
    report = archive.import_paths([page])
    article_id = report.imported[0].id
    reader = ArticleReader(archive, tasks)
    qtbot.addWidget(reader)
    reader.resize(800, 700)
    reader.show()
    qtbot.waitExposed(reader)
    reader.show_article(article_id)

    text = reader.browser.toPlainText()
    assert "orphanage inspections" in text
    assert "alert" not in text and "evil.example.com" not in text
    assert "Image not stored — linked from example.com" in text
    for url, allowed in reader.browser.requests:
        assert not allowed or url.startswith("archive:"), url
    assert not any(
        url.startswith(("http", "ftp", "file", "data")) for url in reader.browser.allowed()
    )


def test_query_terms_are_marked_and_stepped_through(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "tolvany-market.txt")
    reader.show_article(article_id, 'shell AND title:market NOT "xyzzy"')
    total = reader.browser.hit_count
    assert total >= 4
    marked = {reader.browser.hit_text(i).lower() for i in range(total)}
    assert marked <= {"shell", "shells", "shelling", "market"}
    assert reader.hits_label.text() == f"{total} matches"
    assert "<span" in reader.title.text()  # "shells" in the title is marked too

    reader.find_next()
    assert reader.hits_label.text() == f"1 of {total}"
    reader.find_next()
    assert reader.hits_label.text() == f"2 of {total}"
    reader.find_previous()
    reader.find_previous()
    assert reader.hits_label.text() == f"{total} of {total}"
    qtbot.keyClick(reader.browser, Qt.Key.Key_F3)
    assert reader.hits_label.text() == f"1 of {total}"
    qtbot.keyClick(reader.browser, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert reader.hits_label.text() == f"{total} of {total}"

    reader.set_query("")
    assert reader.browser.hit_count == 0
    assert reader.hits_label.text() == ""


def test_tags_are_added_with_completion_and_removed(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "tolvany-market.txt")
    reader.show_article(article_id)
    editor = reader.tag_editor
    editor.refresh_completions()
    assert "region/eastmarch" in editor.completion_model.stringList()
    assert editor.completer.splitPath("evidence, regi") == ["regi"]

    editor.line_edit.setFocus()
    qtbot.keyClicks(editor.line_edit, "region/eastmarch, evidence/craters")
    with qtbot.waitSignal(reader.tags_changed):
        qtbot.keyClick(editor.line_edit, Qt.Key.Key_Return)
    assert {"region/eastmarch", "evidence/craters"} <= set(sample_archive.get(article_id).tags)
    assert "evidence/craters" in editor.chips
    assert editor.line_edit.text() == ""

    remove = editor.chips["evidence/craters"].findChildren(type(reader.topics_button))[0]
    with qtbot.waitSignal(reader.tags_changed):
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert "evidence/craters" not in sample_archive.get(article_id).tags
    assert "evidence/craters" not in editor.chips


def test_topic_popup_explains_and_sets_a_topic_by_hand(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "abducted-children-case.html")
    reader.show_article(article_id)
    assert set(reader.topic_chips) == {"child-welfare", "war-crimes"}
    assert "threshold" in reader.topic_chips["child-welfare"].toolTip()
    popup = reader.show_topic_popup("child-welfare", reader.topic_chips["child-welfare"])
    explanation = popup.text.text()
    assert "Assigned by the rules" in explanation
    assert "threshold" in explanation and "What counted" in explanation
    assert "children" in explanation
    popup.close()

    other = by_file(sample_archive, "tolvany-market.txt")
    reader.show_article(other)
    assert "child-welfare" not in reader.topic_chips
    popup = reader.show_topic_popup("child-welfare")
    assert "Not assigned" in popup.text.text()
    with qtbot.waitSignal(reader.article_changed) as changed:
        qtbot.mouseClick(popup.set_button, Qt.MouseButton.LeftButton)
    assert changed.args == [other]
    topics = {t.topic: t.source for t in sample_archive.get(other).topics}
    assert topics.get("child-welfare") == "manual"
    assert "✋" in reader.topic_chips["child-welfare"].text()

    popup = reader.show_topic_popup("child-welfare")
    assert "Set by hand" in popup.text.text()
    qtbot.mouseClick(popup.rules_button, Qt.MouseButton.LeftButton)
    assert "child-welfare" not in {t.topic for t in sample_archive.get(other).topics}
    assert "child-welfare" not in reader.topic_chips


def test_every_topic_is_offered_from_the_toolbar(reader, sample_archive):
    reader.show_article(by_file(sample_archive, "tolvany-market.txt"))
    reader.topics_menu.aboutToShow.emit()
    texts = [a.text() for a in reader.topics_menu.actions()]
    assert any(t.startswith("Child welfare") and "not assigned" in t for t in texts)
    assert any(t.startswith("War crimes") and "by the rules" in t for t in texts)


def test_details_edited_from_the_reader_are_saved_and_shown(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "abducted-children-case.html")
    reader.show_article(article_id)
    dialog = reader.edit_metadata()
    dialog.fields["title"].setText("Brenn trial opens")
    with qtbot.waitSignal(reader.article_changed):
        dialog.accept()
    assert sample_archive.get(article_id).title == "Brenn trial opens"
    assert "Brenn trial opens" in reader.title.text()
    assert "Title edited by you" in reader.byline.text()
    assert reader.provenance.edited.text() == "Title edited by you"


def test_a_note_is_saved_after_typing_stops_and_is_searchable(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "tolvany-market.txt")
    reader.show_article(article_id)
    reader.notes_section.set_expanded(True)
    qtbot.keyClicks(reader.notes.editor, "Compare with the zeppelinfield report")
    assert reader.notes.dirty
    qtbot.waitUntil(lambda: reader.notes.status.text() == "Saved", timeout=3000)
    assert sample_archive.get(article_id).note == "Compare with the zeppelinfield report"
    hits = sample_archive.search(SearchRequest(query="zeppelinfield")).hits
    assert [h.id for h in hits] == [article_id]


def test_a_note_being_typed_is_saved_when_another_article_opens(reader, sample_archive, qtbot):
    first = by_file(sample_archive, "tolvany-market.txt")
    second = by_file(sample_archive, "dunmoor-ward.txt")
    reader.show_article(first)
    qtbot.keyClicks(reader.notes.editor, "half a thought")
    reader.show_article(second)  # well before the pause that saves
    assert sample_archive.get(first).note == "half a thought"
    assert reader.notes.text() == ""
    reader.show_article(first)
    assert reader.notes.text() == "half a thought"


def test_child_welfare_images_are_blurred_until_clicked(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "dunmoor-ward.txt")
    reader.show_article(article_id)
    assert reader.blur_policy == "topic"
    assert reader.is_blurred(0)
    assert all(name.startswith("archive:blurred/") for name in image_names(reader))
    qtbot.waitUntil(lambda: any("blurred" in url for url in reader.browser.allowed()))

    reader.browser.anchorClicked.emit(QUrl(f"{IMAGE_LINK}0"))  # what a click on it sends
    assert not reader.is_blurred(0)
    assert all(name.startswith("archive:image/") for name in image_names(reader))
    assert reader.viewer is None

    reader.browser.anchorClicked.emit(QUrl(f"{IMAGE_LINK}0"))
    assert reader.viewer is not None and reader.viewer.isVisible()
    reader.viewer.close()


def test_clicking_on_the_image_itself_unblurs_it(reader, sample_archive, qtbot):
    reader.show_article(by_file(sample_archive, "dunmoor-ward.txt"))
    qtbot.waitUntil(lambda: reader.browser.height() > 300)
    cursor = QTextCursor(reader.browser.document())
    while not cursor.charFormat().isImageFormat() and not cursor.atEnd():
        cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    assert cursor.charFormat().isImageFormat()
    cursor.movePosition(QTextCursor.MoveOperation.PreviousCharacter)
    rect = reader.browser.cursorRect(cursor)
    spot = QPoint(rect.right() + 40, rect.center().y())
    qtbot.mouseClick(reader.browser.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: not reader.is_blurred(0))


def test_blur_policies(reader, sample_archive):
    sensitive = by_file(sample_archive, "dunmoor-ward.txt")
    other = by_file(sample_archive, "tolvany-market.txt")
    reader.set_blur_policy("never")
    reader.show_article(sensitive)
    assert not reader.is_blurred(0)
    assert all(name.startswith("archive:image/") for name in image_names(reader))
    reader.set_blur_policy("topic")
    assert reader.is_blurred(0)
    assert all(name.startswith("archive:blurred/") for name in image_names(reader))
    reader.show_article(other)
    assert not reader.is_blurred(0)
    reader.set_blur_policy("always")
    assert reader.is_blurred(0)
    assert all(name.startswith("archive:blurred/") for name in image_names(reader))
    with pytest.raises(ValueError):
        reader.set_blur_policy("sometimes")


def test_show_original_opens_a_copy_under_its_own_name(reader, sample_archive, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    article_id = by_file(sample_archive, "abducted-children-case.html")
    reader.show_article(article_id)
    reader.provenance_section.set_expanded(True)
    reader.provenance.show_original_button.click()
    assert len(opened) == 1
    copy = Path(opened[0].toLocalFile())
    assert copy.name == "abducted-children-case.html"
    assert copy.read_bytes() == sample_archive.original_path(article_id).read_bytes()


def test_provenance_names_the_original(reader, sample_archive):
    article_id = by_file(sample_archive, "wire-briefs.jsonl")
    article = sample_archive.get(article_id)
    reader.show_article(article_id)
    assert not reader.provenance_section.expanded
    assert reader.provenance.filename.text() == "wire-briefs.jsonl"
    assert reader.provenance.record.text() == article.provenance.record
    assert reader.provenance.sha256.text() == article.provenance.sha256
    assert f"{article.provenance.size:,} bytes" in reader.provenance.size.text()
    reader.provenance.copy_hash()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == article.provenance.sha256


def test_the_url_opens_in_the_system_browser_only_when_clicked(reader, sample_archive, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    article_id = by_file(sample_archive, "abducted-children-case.html")
    reader.show_article(article_id)
    assert opened == []
    url = sample_archive.get(article_id).url
    reader.url.linkActivated.emit(url)
    assert [u.toString() for u in opened] == [url]
    reader.open_external(QUrl("file:///etc/passwd"))
    assert len(opened) == 1


def test_an_article_that_is_gone_says_so(reader, sample_archive):
    article_id = by_file(sample_archive, "tolvany-market.txt")
    reader.show_article(article_id)
    sample_archive.delete(article_id)
    reader.reload()
    assert reader.stack.currentWidget() is reader.message
    assert "no longer in the archive" in reader.message.text()
    reader.show_article(None)
    assert reader.stack.currentWidget() is reader.empty


def test_a_newer_selection_replaces_an_older_load(sample_archive, threaded_tasks, qtbot):
    reader = ArticleReader(sample_archive, threaded_tasks)
    qtbot.addWidget(reader)
    first = by_file(sample_archive, "tolvany-market.txt")
    second = by_file(sample_archive, "dunmoor-ward.txt")
    reader.show_article(first)
    reader.show_article(second)
    qtbot.waitUntil(lambda: reader.current_id == second, timeout=5000)
    threaded_tasks.wait(5000)
    qtbot.wait(50)
    assert reader.current_id == second


def test_duplicates_are_listed_and_open_on_a_click(archive, tasks, qtbot, tmp_path):
    first = tmp_path / "one" / "page.html"
    second = tmp_path / "two" / "page-copy.html"
    for path, extra in ((first, ""), (second, "<!-- saved again -->")):
        path.parent.mkdir()
        path.write_text(HOSTILE_PAGE.replace("</body>", extra + "</body>"), "utf-8")
    ids = [archive.import_paths([p]).imported[0].id for p in (first, second)]
    assert archive.get(ids[1]).duplicates == (ids[0],)
    reader = ArticleReader(archive, tasks)
    qtbot.addWidget(reader)
    reader.show_article(ids[1])
    assert ids[0] in reader.provenance.duplicates.text()
    with qtbot.waitSignal(reader.open_article_requested) as requested:
        reader.provenance.duplicates.linkActivated.emit(ids[0])
    assert requested.args == [ids[0]]


def test_blurred_previews_keep_nothing_recognisable(sample_archive):
    from io import BytesIO

    from PIL import Image

    from archive_app.core.images import blurred_preview

    article = sample_archive.get(by_file(sample_archive, "dunmoor-ward.txt"))
    data = sample_archive.image_path(article.images[0].sha256).read_bytes()
    with Image.open(BytesIO(blurred_preview(data))) as preview:
        assert max(preview.size) <= 40
        assert preview.format == "PNG"


def test_an_unreadable_stored_image_becomes_a_plain_panel(reader, sample_archive, qtbot):
    article_id = by_file(sample_archive, "dunmoor-ward.txt")
    sha = sample_archive.get(article_id).images[0].sha256
    sample_archive.image_path(sha).write_bytes(b"not an image any more")
    reader.show_article(article_id)
    assert reader.is_blurred(0)  # still covered, although no preview could be made
    reader.click_image(0)
    name = image_names(reader)[0]
    assert name.startswith(f"archive:image/{sha}")
    qtbot.waitUntil(lambda: name in reader.browser.allowed())
    panel = reader.browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
    assert not panel.isNull()
