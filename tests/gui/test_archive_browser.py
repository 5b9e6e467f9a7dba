"""The reader's document: built from untrusted HTML, loading nothing from outside the archive."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage

from archive_app.core.models import Article, ImageRef, Provenance
from archive_app.gui.archive_browser import ArchiveBrowser
from archive_app.gui.article_document import (
    DocumentStyle,
    ImageTag,
    body_html,
    readable_size,
)
from archive_app.gui.wording import readable_date

pytestmark = pytest.mark.gui

STYLE = DocumentStyle(muted="#777777", frame="#999999", panel="#f4f4f4")
SHA = "ab" * 32


def image(position: int, *, sha256: str | None = SHA, url: str = "", caption: str = "") -> ImageRef:
    return ImageRef(
        position=position,
        sha256=sha256,
        url=url,
        width=640 if sha256 else None,
        height=400 if sha256 else None,
        format="JPEG" if sha256 else "",
        caption=caption,
        credit="Photo: A. Person" if caption else "",
        alt="",
        title="",
        role="inline",
    )


def article(html: str, images: tuple[ImageRef, ...] = ()) -> Article:
    return Article(
        id="0123456789ab",
        title="A title",
        author="",
        source="",
        url="",
        published="",
        language="en",
        text="",
        html=html,
        images=images,
        tags=(),
        topics=(),
        provenance=Provenance(SHA, "page.html", 10, "2024-01-01T00:00:00+00:00", "html", "0", ""),
        duplicates=(),
        edited_fields=(),
        warnings=(),
    )


def tag_for(ref: ImageRef) -> ImageTag:
    return ImageTag(f"archive:image/{ref.sha256}?w=320", 320, 200)


def red_image(_url: QUrl) -> QImage:
    picture = QImage(32, 20, QImage.Format.Format_RGB32)
    picture.fill(QColor("red"))
    return picture


HOSTILE = """
<link rel="stylesheet" href="http://evil.example.com/style.css">
<style>p { background: url(http://evil.example.com/bg.png) }</style>
<script>alert(1)</script>
<p onclick="alert(2)" style="background-image: url(http://evil.example.com/p.png)">Words.</p>
<img src="http://example.com/x.png">
<img src="file:///etc/passwd">
<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">
<img src="image:0" onerror="alert(3)">
<iframe src="http://evil.example.com/frame"></iframe>
<a href="javascript:alert(4)">a trap</a> and <a href="https://example.org/ok">a link</a>
"""


# -- the browser ------------------------------------------------------------------------------


def test_only_archive_urls_are_loaded_and_every_request_is_recorded(qtbot):
    asked: list[str] = []

    def resolve(url: QUrl) -> QImage:
        asked.append(url.toString())
        return red_image(url)

    browser = ArchiveBrowser(resolve)
    qtbot.addWidget(browser)
    browser.setHtml(
        '<p style="background-image: url(http://evil.example.com/p.png)">text</p>'
        '<table background="https://evil.example.com/t.png"><tr><td>cell</td></tr></table>'
        '<img src="http://example.com/x.png"><img src="ftp://example.com/y.png">'
        '<img src="file:///etc/passwd"><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="relative/picture.png"><img src="archive:image/abc?w=32">'
    )
    browser.resize(400, 300)
    browser.show()
    qtbot.waitExposed(browser)

    urls = {url for url, _allowed in browser.requests}
    for refused in (
        "http://evil.example.com/p.png",
        "https://evil.example.com/t.png",
        "http://example.com/x.png",
        "ftp://example.com/y.png",
        "file:///etc/passwd",
        "relative/picture.png",
    ):
        assert refused in urls
        assert refused in browser.refused()
    assert any(url.startswith("data:") for url in browser.refused())
    assert set(browser.allowed()) == {"archive:image/abc?w=32"}
    # The resolver is asked about archive URLs only.
    assert asked and all(url.startswith("archive:") for url in asked)


def test_links_are_never_followed_inside_the_browser(qtbot):
    browser = ArchiveBrowser(lambda url: None)
    qtbot.addWidget(browser)
    assert not browser.openLinks() and not browser.openExternalLinks()
    browser.setHtml('<p><a href="https://example.org/elsewhere">elsewhere</a></p>')
    browser.resize(300, 120)
    browser.show()
    qtbot.waitExposed(browser)
    with qtbot.waitSignal(browser.anchorClicked) as clicked:
        browser.anchorClicked.emit(QUrl("https://example.org/elsewhere"))
    assert clicked.args[0].toString() == "https://example.org/elsewhere"
    assert browser.source().isEmpty()
    assert "elsewhere" in browser.toPlainText()


def test_hits_are_marked_and_stepped_through_with_wrap_around(qtbot):
    browser = ArchiveBrowser(lambda url: None)
    qtbot.addWidget(browser)
    browser.setPlainText("one two one three one")
    seen = []
    browser.hits_changed.connect(lambda current, total: seen.append((current, total)))
    browser.set_hits([(0, 3), (8, 11), (18, 21)])
    assert browser.hit_count == 3 and browser.current_hit == -1
    assert len(browser.extraSelections()) == 3
    assert browser.next_hit() and browser.current_hit == 0
    assert browser.next_hit() and browser.current_hit == 1
    assert browser.previous_hit() and browser.current_hit == 0
    assert browser.previous_hit() and browser.current_hit == 2
    assert browser.hit_text(2) == "one"
    assert seen[-1] == (2, 3)
    browser.set_hits([])
    assert not browser.next_hit()


# -- the document --------------------------------------------------------------------------


def test_hostile_html_is_cleaned_again_before_it_is_shown():
    refs = (image(0, caption="A stored picture"),)
    out = body_html(article(HOSTILE, refs), STYLE, tag_for)
    lowered = out.lower()
    for banned in ("<script", "alert(", "<iframe", "<link", "<style", "onclick", "onerror"):
        assert banned not in lowered
    for remote in ("evil.example.com", "http://example.com", "file:", "data:", "javascript:"):
        assert remote not in lowered
    assert f'src="archive:image/{SHA}?w=320"' in out
    assert 'href="https://example.org/ok"' in out
    assert "A stored picture" in out and "Photo: A. Person" in out


def test_images_never_stored_become_a_box_naming_where_they_were_linked_from():
    refs = (image(0, sha256=None, url="https://photos.example.org/a/b.jpg"),)
    out = body_html(article('<p>x</p><figure><img src="image:0"></figure>', refs), STYLE, tag_for)
    assert "Image not stored — linked from photos.example.org" in out
    assert "<img" not in out  # named, never requested


def test_a_figure_caption_is_shown_once_under_its_image():
    refs = (image(0, caption="Stalls in the square"),)
    html = (
        '<figure><img src="image:0">'
        "<figcaption>Stalls in the square Photo: A. Person</figcaption></figure>"
    )
    out = body_html(article(html, refs), STYLE, tag_for)
    shown = re.sub(r"<[^>]+>", " ", out)
    assert shown.count("Stalls in the square") == 1


def test_images_the_body_does_not_place_are_added_at_the_end():
    refs = (image(0), image(1, sha256="cd" * 32))
    out = body_html(article('<p>text</p><img src="image:0">', refs), STYLE, tag_for)
    assert out.index("image/" + SHA) < out.index("image/" + "cd" * 32)


# -- what is marked ------------------------------------------------------------------------


def test_query_terms_ignore_operators_fields_quotes_and_filters(sample_archive):
    terms = sample_archive.query_matcher(
        'title:children AND "forced transfer" NOT tag:region/kherson OR deport*'
    )
    text = "Children and a forced transfer; they were deported. Kherson region, not marked."
    marked = [text[a:b] for a, b in terms.spans(text)]
    assert marked == ["Children", "forced", "transfer", "deported"]


def test_query_terms_match_stems_and_skip_stop_words(sample_archive):
    query_terms = sample_archive.query_matcher
    terms = query_terms("the children")
    text = "The children's home, a child and the Childrens Trust."
    marked = [text[a:b] for a, b in terms.spans(text)]
    assert marked == ["children", "Childrens"]
    assert not query_terms("AND OR NOT")
    assert query_terms("Déportation").spans("deportation") == [(0, 11)]


def test_the_spelling_an_article_uses_is_marked(sample_archive, tmp_path):
    # What is marked comes from the archive's own words: a spelling no article uses
    # cannot be a hit. Give the archive the Ukrainian and the Russian-style spelling.
    story = tmp_path / "kharkiv.md"
    story.write_text(
        "# Children moved from Kharkov\n\nChildren from Харків and from Kharkov were moved.\n",
        "utf-8",
    )
    assert sample_archive.import_paths([story]).imported
    terms = sample_archive.query_matcher("Kharkiv")
    text = "Children from Харків and from Kharkov were moved."
    marked = [text[a:b] for a, b in terms.spans(text)]
    assert marked == ["Харків", "Kharkov"]


def test_dates_and_sizes_read_as_words():
    assert readable_date("2024-03-14") == "14 March 2024"
    assert readable_date("not a date") == "not a date"
    # A partial date reads the same in the reader as in the results list.
    assert readable_date("2023-05") == "May 2023"
    assert readable_date("2023-09") == "September 2023"
    assert readable_date("2024-02-30") == "2024-02-30"
    assert readable_date("2024-03-14T09:05:00Z") == "14 March 2024, 09:05"
    assert readable_date("2024-03-14T09:05:00Z", short=True) == "14 Mar 2024"
    assert readable_size(5834) == "5.7 KB"
    assert readable_size(12) == "12 bytes"
