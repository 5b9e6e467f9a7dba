"""The comparison view: passages marked alike, details that differ, panes scrolled together."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QTextCharFormat, QTextCursor, QTextDocument

from archive_app.core.models import Comparison, SearchRequest, SharedPassage, Span
from archive_app.gui.compare_document import (
    PASSAGE_COLOURS,
    build_document,
    interpolate,
    only_here,
    shared_marks,
)
from archive_app.gui.compare_header import DIFFERS_STYLE
from archive_app.gui.compare_pane import ComparePane
from archive_app.gui.compare_view import CompareView, percent
from archive_app.gui.image_viewer import ImageViewer

pytestmark = pytest.mark.gui

WORDS = (
    "children",
    "families",
    "border",
    "region",
    "network",
    "records",
    "parents",
    "guardians",
    "transfer",
    "towns",
    "tribunal",
    "statement",
    "evidence",
    "court",
    "hearing",
    "witness",
    "school",
    "camp",
    "summer",
    "coast",
    "bus",
    "road",
    "ministry",
    "office",
    "report",
    "inquiry",
    "lawyer",
    "citizenship",
    "foster",
    "home",
    "village",
    "river",
    "bridge",
    "winter",
    "spring",
    "autumn",
    "night",
    "morning",
    "letter",
    "telephone",
    "list",
    "address",
    "travel",
    "papers",
    "return",
    "journey",
    "volunteer",
    "group",
    "number",
    "cases",
    "authorities",
    "officials",
    "weeks",
    "months",
    "teacher",
    "doctor",
    "nurse",
    "hospital",
    "ward",
    "shelter",
    "station",
    "market",
    "harbour",
    "valley",
)


def paragraphs(seed: int, count: int, words: int = 55) -> list[str]:
    """Distinct sentences of plain words: no five-word run repeats by chance."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        chosen = [rng.choice(WORDS) for _ in range(words)]
        sentences = [" ".join(chosen[i : i + 11]).capitalize() + "." for i in range(0, words, 11)]
        made.append(" ".join(sentences))
    return made


def markdown(title: str, author: str, published: str, body: list[str], images: list[str]) -> str:
    head = (
        f'---\ntitle: "{title}"\nauthor: {author}\nsource: Test Gazette\n'
        f"url: https://example.org/{author.split()[0].lower()}\npublished: {published}\n---\n\n"
    )
    figures = "".join(f"![Photo {n}]({name})\n\n" for n, name in enumerate(images, start=1))
    return head + figures + "\n\n".join(body) + "\n"


def write_edited_pair(folder: Path, make_image, *, length: int = 36) -> tuple[Path, Path]:
    """A long article and another paper's copy of it (files in separate folders).

    The copy has another author and date, drops paragraph 5, adds a paragraph
    after paragraph 12, changes a few words of paragraph 20, keeps the photo
    (same bytes) and adds a second one.
    """
    body = paragraphs(1, length)
    edited = list(body)
    edited[20] = edited[20].replace(edited[20].split()[8], "differently", 1)
    edited.insert(13, "An added paragraph that only this copy has. " + paragraphs(99, 1)[0])
    del edited[5]
    original_dir, edited_dir = folder / "original", folder / "edited"
    make_image(original_dir / "photo.png", (96, 64), seed=3)
    make_image(edited_dir / "photo.png", (96, 64), seed=3)
    make_image(edited_dir / "extra.png", (80, 60), seed=40)
    original = original_dir / "story.md"
    original.write_text(
        markdown(
            "Children taken across the border", "Ansel Brody", "2022-09-12", body, ["photo.png"]
        ),
        encoding="utf-8",
    )
    copy = edited_dir / "story.md"
    copy.write_text(
        markdown(
            "Children taken across the border",
            "Mira Tess",
            "2022-09-14",
            edited,
            ["photo.png", "extra.png"],
        ),
        encoding="utf-8",
    )
    return original, copy


def import_one(archive, path: Path) -> str:
    report = archive.import_paths([path])
    return (report.imported or report.duplicates)[0].id


@pytest.fixture
def pair(archive, tmp_path, make_image):
    original, copy = write_edited_pair(tmp_path / "files", make_image)
    return import_one(archive, original), import_one(archive, copy)


@pytest.fixture
def view(archive, tasks, pair, qtbot):
    shown = CompareView(archive, tasks, list(pair), "children")
    qtbot.addWidget(shown)
    shown.resize(1000, 560)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def background_at(pane: ComparePane, offset: int) -> QColor | None:
    cursor = QTextCursor(pane.browser.document())
    cursor.setPosition(pane.document.position(offset) + 1)  # the format of the char before
    brush = cursor.charFormat().background()
    return None if brush.style() == Qt.BrushStyle.NoBrush else brush.color()


def underline_at(pane: ComparePane, offset: int) -> QTextCharFormat.UnderlineStyle:
    cursor = QTextCursor(pane.browser.document())
    cursor.setPosition(pane.document.position(offset) + 1)
    return cursor.charFormat().underlineStyle()


# -- the document of a pane ---------------------------------------------------------------


def test_every_text_offset_has_its_own_place_in_the_document(qapp):
    text = (
        "  A heading\n\nFirst  paragraph with  two spaces\nand a line break, 😀 an emoji,\ta tab, "
        "<b>markup</b> &amp; an entity.\n\n\n \n\nSecond\r\nparagraph é\u2029z\x00y\n\n😀😀 end"
    )
    built = build_document(text, "<h2>A heading</h2>")
    document = QTextDocument()
    document.setHtml(built.html)
    assert [p.heading for p in built.paragraphs] == [True, False, False, False]
    for paragraph in built.paragraphs:
        cursor = QTextCursor(document)
        cursor.setPosition(built.position(paragraph.start))
        cursor.setPosition(built.position(paragraph.end), QTextCursor.MoveMode.KeepAnchor)
        expected = text[paragraph.start : paragraph.end]
        # Line breaks and control characters become one character each; nothing else changes.
        expected = expected.replace("\r", " ").replace("\x00", " ")
        expected = expected.replace("\n", "\u2028").replace("\u2029", "\u2028")
        assert cursor.selectedText() == expected
        for offset in range(paragraph.start, paragraph.end + 1):
            assert built.offset(built.position(offset)) == offset
    assert "<b>" not in built.html and "&lt;b&gt;markup" in built.html
    assert document.characterCount() - 1 == built.end_position


def test_text_outside_the_shared_passages_is_found_per_paragraph():
    text = "One two three four.\n\nFive six seven eight.\n\n..."
    built = build_document(text)
    gaps = only_here(built, [Span(4, 30)])
    assert [text[s.start : s.end] for s in gaps] == ["One", "seven eight."]  # "..." has no word


def test_passages_shared_with_several_panes_get_one_colour():
    def passage(a: tuple[int, int], b: tuple[int, int]) -> SharedPassage:
        return SharedPassage(Span(*a), Span(*b), True)

    with_b = Comparison(
        "a", "b", 0.5, (passage((0, 10), (5, 15)), passage((20, 30), (40, 50))), {}, ()
    )
    with_c = Comparison("a", "c", 0.4, (passage((22, 35), (0, 13)),), {}, ())
    reference, in_b, in_c = shared_marks([with_b, with_c])
    assert [m.span for m in reference] == [Span(0, 10), Span(20, 35)]  # overlapping spans merged
    assert in_b[1].group == in_c[0].group == reference[1].group
    assert in_c[0].colour == reference[1].colour != reference[0].colour


def test_interpolation_follows_passages_and_the_gaps_between():
    anchors = [(0.0, 0.0), (100.0, 300.0), (200.0, 350.0), (1000.0, 1200.0)]
    assert interpolate(anchors, 100) == 300
    assert interpolate(anchors, 150) == 325
    assert interpolate(anchors, 600) == pytest.approx(775)
    assert interpolate(anchors, 1100) == 1300


def test_documents_of_two_long_articles_are_built_quickly(qtbot, archive, tasks):
    text = "\n\n".join(paragraphs(5, 100, 50))  # 5,000 words
    started = time.perf_counter()
    for _ in range(2):
        built = build_document(text)
    assert time.perf_counter() - started < 0.25
    pane = ComparePane(archive, tasks)
    qtbot.addWidget(pane)
    marks = shared_marks(
        [Comparison("a", "b", 0.5, (SharedPassage(Span(0, 5000), Span(0, 5000), True),), {}, ())]
    )[0]
    started = time.perf_counter()
    pane.document = built
    pane.set_marks(marks)
    assert time.perf_counter() - started < 1.0
    assert len(pane.only_here) > 50


# -- the view ------------------------------------------------------------------------------


def test_shared_passages_have_the_same_colour_in_both_panes(view, archive, pair):
    comparison = archive.compare(*pair)
    assert len(comparison.shared) >= 3
    first, second = view.panes
    assert [p.article_id for p in view.panes] == list(pair)
    colours = set()
    for passage in comparison.shared:
        left = background_at(first, passage.a.start)
        right = background_at(second, passage.b.start)
        assert left is not None and left.rgb() == right.rgb()
        colours.add(left.rgb())
    assert len(colours) >= 2
    assert {c.rgb() for c in map(lambda rgb: QColor(*rgb), PASSAGE_COLOURS)} >= colours
    assert view.similarity_label.text() == f"{percent(comparison.similarity)} in common"
    assert view.title.startswith("Compare: Children taken across the border ↔ 1 more")


def test_text_found_only_in_one_pane_is_underlined(view):
    first, second = view.panes
    added = second.article.text.index("An added paragraph")
    assert underline_at(second, added + 3) == QTextCharFormat.UnderlineStyle.DashUnderline
    assert background_at(second, added + 3) is None
    removed = first.article.text.index(paragraphs(1, 36)[5][:40])
    assert underline_at(first, removed + 3) == QTextCharFormat.UnderlineStyle.DashUnderline
    shared = first.marks[0].span.start
    assert underline_at(first, shared + 3) == QTextCharFormat.UnderlineStyle.NoUnderline


def test_differing_details_are_highlighted_and_explained(view):
    first, second = view.panes
    for pane in (first, second):
        for name in ("author", "published", "url"):
            label = pane.header.fields[name]
            assert DIFFERS_STYLE in label.styleSheet()
            assert label.toolTip().startswith("Differs:")
        for name in ("title", "source"):
            assert pane.header.fields[name].styleSheet() == ""
    assert "14 September 2022" in first.header.fields["published"].toolTip()
    assert "Ansel Brody" in second.header.fields["author"].toolTip()


def test_images_both_articles_hold_carry_a_badge(view, qtbot, monkeypatch):
    first, second = view.panes
    assert first.strip.shared == [True]
    assert second.strip.shared == [True, False]
    assert "Shared" in second.strip.buttons[0].toolTip()
    second.strip.buttons[1].click()
    assert isinstance(second.viewer, ImageViewer) and second.viewer.isVisible()
    assert second.viewer.index == 1
    second.viewer.close()


def test_scrolling_one_pane_keeps_the_twin_passage_level(view, qtbot):
    first, second = view.panes
    passages = view.comparisons[0].shared
    # The copy lacks paragraph 5: the passages after it sit higher in the copy than here.
    passage = max(passages, key=lambda p: first.line_top(p.a.start) - second.line_top(p.b.start))
    assert first.line_top(passage.a.start) - second.line_top(passage.b.start) > 40
    first.set_scroll_value(first.line_top(passage.a.start))
    assert abs(second.scroll_value() - second.line_top(passage.b.start)) <= 3

    # Inside a passage the twin follows in proportion: the same words stay level.
    middle = (first.line_top(passage.a.start) + first.line_bottom(passage.a.end)) / 2
    first.set_scroll_value(middle)
    expected = (second.line_top(passage.b.start) + second.line_bottom(passage.b.end)) / 2
    assert abs(second.scroll_value() - expected) <= 3

    # And back the other way: the copy drives the original.
    earlier = passages[1]
    second.set_scroll_value(second.line_top(earlier.b.start))
    assert abs(first.scroll_value() - first.line_top(earlier.a.start)) <= 3


def test_without_sync_the_other_pane_stays_put(view):
    first, second = view.panes
    view.set_sync(False)
    assert not view.sync_button.isChecked()
    first.set_scroll_value(400)
    assert first.scroll_value() == 400 and second.scroll_value() == 0
    view.set_sync(True)
    assert second.scroll_value() > 0  # brought level again when sync is turned back on


def test_clicking_a_shared_passage_brings_its_twin_level(view, qtbot):
    first, second = view.panes
    view.set_sync(False)
    passage = view.comparisons[0].shared[-2]
    first.set_scroll_value(first.line_top(passage.a.start) - 60)
    second.set_scroll_value(0)
    cursor = QTextCursor(first.browser.document())
    cursor.setPosition(first.document.position(passage.a.start + 12))
    point = first.browser.cursorRect(cursor).center()
    qtbot.mouseClick(first.browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    twin_top = second.line_top(passage.b.start + 12) - second.scroll_value()
    assert abs(twin_top - point.y()) <= second.browser.fontMetrics().height()
    assert second.browser.emphasis and first.browser.emphasis
    qtbot.waitUntil(lambda: not second.browser.emphasis, timeout=3000)


def test_query_hits_are_stepped_through_in_each_pane_on_its_own(view):
    first, second = view.panes
    assert first.browser.hit_count > 3 and second.browser.hit_count > 3
    assert first.hits_label.text() == f"{first.browser.hit_count} matches"
    first.next_hit_button.click()
    first.next_hit_button.click()
    assert first.browser.current_hit == 1 and second.browser.current_hit == -1
    assert first.hits_label.text() == f"2 of {first.browser.hit_count}"
    assert first.browser.hit_text(1).lower().startswith("children")
    second.previous_hit_button.click()
    assert second.browser.current_hit == second.browser.hit_count - 1
    assert ">Children</span>" in first.header.title.text()  # the title's match is marked
    view.set_query("")
    assert first.browser.hit_count == 0 and not first.hits_label.isVisible()


def test_links_open_in_the_system_browser_only_on_a_click(view, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    first = view.panes[0]
    assert opened == []
    first.header.url.linkActivated.emit("https://example.org/ansel")
    first.header.url.linkActivated.emit("file:///etc/passwd")
    assert [u.toString() for u in opened] == ["https://example.org/ansel"]


def test_open_and_close_and_move_panes(archive, tasks, pair, tmp_path, make_image, qtbot):
    third_path, _ = write_edited_pair(tmp_path / "third", make_image, length=24)
    third = import_one(archive, third_path)
    view = CompareView(archive, tasks, [*pair, third])
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    assert len(view.panes) == 3 and len(view.comparisons) == 2
    assert view.similarity_label.text().count("%") == 2
    assert view.title.endswith("↔ 2 more")
    reference, _copy, shorter = view.panes
    assert shorter.marks and all(reference.marks[m.group].colour == m.colour for m in shorter.marks)
    with qtbot.waitSignal(view.open_article_requested) as opened:
        shorter.open_button.click()
    assert opened.args == [third]

    view.move_pane(2, -2)  # the shorter copy becomes the reference: compared again
    view.move_pane(1, -1)
    assert view.ids == [pair[0], third, pair[1]]
    assert [(c.a, c.b) for c in view.comparisons] == [(pair[0], third), (pair[0], pair[1])]
    assert view.panes[0].header.role.text() == "Reference"

    view.close_pane(0)
    assert view.ids == [third, pair[1]]
    assert [(c.a, c.b) for c in view.comparisons] == [(third, pair[1])]
    assert not view.panes[0].close_button.isEnabled()
    view.close_pane(0)
    assert len(view.panes) == 2  # two always stay


def test_a_versions_view_finds_the_near_duplicates(archive, tasks, pair, qtbot):
    assert [d.id for d in archive.related(pair[0]).near_duplicates] == [pair[1]]
    view = CompareView.versions(archive, tasks, pair[0])
    qtbot.addWidget(view)
    assert view.ids == list(pair)


def test_missing_articles_are_explained_not_raised(archive, tasks, pair, qtbot):
    view = CompareView(archive, tasks, [pair[0], "000000000000"])
    qtbot.addWidget(view)
    assert view.stack.currentIndex() == view.MESSAGE
    assert "fewer than two" in view.message.text()
    some = CompareView(archive, tasks, [pair[0], "000000000000", pair[1]])
    qtbot.addWidget(some)
    assert some.ids == list(pair) and some.missing == ("000000000000",)
    assert some.missing_label.text() == "(one article is no longer in the archive)"
    one = CompareView(archive, tasks, [pair[0]])
    qtbot.addWidget(one)
    assert one.stack.currentIndex() == one.MESSAGE and "two to four" in one.message.text()


def test_an_article_without_versions_says_so(sample_archive, tasks, qtbot):
    article_id = sample_archive.search_ids(SearchRequest(query="timetable")).ids[0]
    view = CompareView.versions(sample_archive, tasks, article_id)
    qtbot.addWidget(view)
    assert view.stack.currentIndex() == view.MESSAGE
    assert view.message.text() == "No other version of this article is in the archive."


def test_a_hostile_article_loads_nothing(archive, tasks, tmp_path, qtbot):
    body = " ".join(paragraphs(7, 4))
    page = (
        "<html><head><title>Hostile &lt;img src=file:///etc/passwd&gt; page</title>"
        '<script>alert("x")</script>'
        '<link rel="stylesheet" href="http://evil.example/style.css"></head><body>'
        '<h1>Hostile <img src="file:///etc/passwd"> page</h1>'
        f'<p>{body} <img src="http://evil.example/pixel.png" alt="pixel"></p>'
        '<iframe src="http://evil.example/frame"></iframe>'
        '<p style="background:url(file:///etc/passwd)">See <a href="file:///etc/hosts">this</a>'
        ' and <a href="javascript:alert(1)">that</a>. &lt;img src="http://evil.example/x.png"&gt;'
        " &lt;script&gt;alert(2)&lt;/script&gt;</p>"
        '<script>document.write("<img src=http://evil.example/y.png>")</script></body></html>'
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "page.html").write_text(page, encoding="utf-8")
    (tmp_path / "b" / "page.html").write_text(page.replace("See ", "Look at "), encoding="utf-8")
    first = import_one(archive, tmp_path / "a" / "page.html")
    second = import_one(archive, tmp_path / "b" / "page.html")
    view = CompareView(archive, tasks, [first, second], "pixel")
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.grab()
    for pane in view.panes:
        assert pane.browser.allowed() == []  # nothing was loaded, from anywhere
        assert pane.browser.requests == []  # and nothing was even asked for
        document = pane.browser.toHtml()
        for element in ("<img", "<iframe", "<script", "<link", "url("):
            assert element not in document
        assert "<img" not in pane.header.title.text()  # the title is text, never markup
        remote = [b for b in pane.strip.buttons if b.text() == "Not stored"]
        assert remote and not any(b.isEnabled() for b in remote)
        assert "evil.example" in remote[0].toolTip()  # named, never fetched
    assert view.panes[0].browser.hit_count == 0 or view.panes[0].browser.hit_count >= 1


# -- the screenshot in the documentation -------------------------------------------------


def save_compare_screenshot(path: Path) -> Path:
    """docs/screenshots/compare.png, from the script that makes it."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "docs" / "make_compare_screenshot.py"
    spec = importlib.util.spec_from_file_location("make_compare_screenshot", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.save_compare_screenshot(path)


def test_the_documentation_screenshot_is_made(qapp, tmp_path):
    from PySide6.QtGui import QImage

    image = QImage(str(save_compare_screenshot(tmp_path / "compare.png")))
    assert image.width() == 1280 and image.height() == 800


def test_clicks_outside_the_text_do_nothing(view, qtbot):
    first, second = view.panes
    view.set_sync(False)
    second.set_scroll_value(100)
    width = first.browser.viewport().width()
    qtbot.mouseClick(first.browser.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(width - 3, 3))
    assert second.scroll_value() == 100


def test_loading_in_the_background_then_closing_early(archive, threaded_tasks, pair, qtbot):
    view = CompareView(archive, threaded_tasks, list(pair), "children")
    qtbot.addWidget(view)
    assert view.stack.currentIndex() == view.LOADING
    qtbot.waitUntil(lambda: len(view.panes) == 2, timeout=5000)
    assert view.stack.currentIndex() == view.CONTENT and view.marks[1]

    closed = CompareView(archive, threaded_tasks, list(pair))
    closed.deleteLater()  # a tab closed at once: its load finishes with nobody to show it
    qtbot.wait(50)
    assert threaded_tasks.wait(5000)
    qtbot.wait(50)


def test_details_fold_away_and_headers_stay_level(view, qtbot):
    first, second = view.panes
    qtbot.waitUntil(lambda: first.top.height() == second.top.height())
    tall = first.top.height()
    assert (
        first.browser.mapTo(view, first.browser.rect().topLeft()).y()
        == second.browser.mapTo(view, second.browser.rect().topLeft()).y()
    )
    view.details_button.setChecked(False)
    qtbot.waitUntil(lambda: first.top.height() < tall - 40)
    assert not first.strip.isVisible() and not first.header.byline.isVisible()
    assert first.header.title.isVisible()
    assert first.top.height() == second.top.height()
    view.details_button.setChecked(True)
    qtbot.waitUntil(lambda: first.top.height() >= tall - 2)


def test_the_pane_document_is_built_without_qt():
    import ast

    import archive_app.gui.compare_document as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    assert imported and not [name for name in imported if name.startswith("PySide")]
