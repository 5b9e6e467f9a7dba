"""The Markdown importer (core, no Qt)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle
from archive_app.core.importers.markdown import parse

PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)


def parse_md(path: Path, source: str) -> ParsedArticle:
    articles = parse(path, source.encode("utf-8"))
    assert len(articles) == 1
    return articles[0]


def test_front_matter_fields(tmp_path: Path) -> None:
    article = parse_md(
        tmp_path / "a.md",
        "---\n"
        "title: Bridge Opens\n"
        "author: Jane Doe\n"
        "source: Harbour Gazette\n"
        "url: https://example.com/bridge\n"
        "published: 2024-03-05\n"
        "tags: [bridges, transport]\n"
        "language: en\n"
        "---\n"
        "The bridge opened on **Tuesday**.\n",
    )
    assert article.title == "Bridge Opens"
    assert article.author == "Jane Doe"
    assert article.source == "Harbour Gazette"
    assert article.url == "https://example.com/bridge"
    assert article.published == "2024-03-05"
    assert article.tags == ("bridges", "transport")
    assert article.language == "en"
    assert article.text == "The bridge opened on Tuesday."
    assert article.html == "<p>The bridge opened on <strong>Tuesday</strong>.</p>\n"
    assert article.extra["encoding"] == "utf-8"


def test_front_matter_alternative_keys_and_tag_string(tmp_path: Path) -> None:
    article = parse_md(
        tmp_path / "a.md",
        "---\ndate: 'March 5, 2024'\nlang: fr\ntags: ponts, transport , ,ville\n---\nTexte.\n",
    )
    assert article.tags == ("ponts", "transport", "ville")
    assert article.language == "fr"
    # A date written in words is not readable: a warning, not a failed import.
    assert article.published == ""
    assert article.warnings == (
        "front matter: 'date' is not a date this archive can read: 'March 5, 2024'",
    )
    rfc = parse_md(tmp_path / "a.md", "---\ndate: Tue, 05 Mar 2024 10:00:00 +0000\n---\nText.\n")
    assert rfc.published == "2024-03-05T10:00:00+00:00"
    year = parse_md(tmp_path / "a.md", "---\npublished: 2024\n---\nText.\n")
    assert year.published == "2024-01-01"


def test_empty_front_matter(tmp_path: Path) -> None:
    article = parse_md(tmp_path / "a.md", "---\n---\nJust text.\n")
    assert article.text == "Just text."
    assert article.title == "Just text"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"not valid YAML: mapping values .*line 3, column 13"):
        parse(tmp_path / "a.md", b"---\ntitle: Fine\nauthor: Jane: Doe\n---\nText.\n")
    with pytest.raises(ImportFailed, match=r"flow sequence \(line 3, column 9\)"):
        parse(tmp_path / "a.md", b"---\ntitle: Fine\nauthor: [unclosed\n---\nText.\n")


@pytest.mark.parametrize(
    ("front_matter", "key"),
    [
        ("title: [a, b]", "'title'"),
        ("author: {name: Jane}", "'author'"),
        ("title: yes", "'title'"),
        ("tags: {a: 1}", "'tags'"),
        ("tags: [a, [b]]", "'tags' item 2"),
        ("published: [2024]", "'published'"),
    ],
)
def test_front_matter_with_wrong_types_names_the_key(
    tmp_path: Path, front_matter: str, key: str
) -> None:
    with pytest.raises(ImportFailed, match=key):
        parse(tmp_path / "a.md", f"---\n{front_matter}\n---\nText.\n".encode())


def test_h1_is_the_title_and_leaves_the_body(tmp_path: Path) -> None:
    article = parse_md(
        tmp_path / "a.md", "# Bridge *Opens*\n\nThe bridge opened.\n\n## Traffic\n\nLight.\n"
    )
    assert article.title == "Bridge Opens"
    assert article.text == "The bridge opened.\n\nTraffic\n\nLight."
    assert "<h1>" not in article.html
    assert "<h2>Traffic</h2>" in article.html


def test_front_matter_title_wins_and_a_matching_h1_is_not_repeated(tmp_path: Path) -> None:
    same = parse_md(tmp_path / "a.md", "---\ntitle: Bridge Opens\n---\n# Bridge Opens\n\nText.\n")
    assert same.title == "Bridge Opens"
    assert same.text == "Text."
    other = parse_md(tmp_path / "a.md", "---\ntitle: Bridge Opens\n---\n# Day One\n\nText.\n")
    assert other.title == "Bridge Opens"
    assert other.text == "Day One\n\nText."


def test_h1_after_text_is_a_section_not_the_title(tmp_path: Path) -> None:
    article = parse_md(tmp_path / "a.md", "Intro paragraph here.\n\n# Part One\n\nMore.\n")
    assert article.title == "Intro paragraph here"
    assert "<h1>Part One</h1>" in article.html


def test_title_derived_from_first_paragraph(tmp_path: Path) -> None:
    lead = (
        "The regional council announced on Thursday that the long-delayed bridge across the "
        "river will finally open next spring, after years of disputes over funding and design."
    )
    article = parse_md(tmp_path / "a.md", f"{lead}\n\nMore text.\n")
    assert article.title.endswith("…")
    assert len(article.title) <= 110


def test_relative_images_resolve_against_the_file_even_when_missing(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    article = parse_md(
        folder / "a.md",
        '![Harbour at dawn](img/my%20photo.jpg "The harbour on Monday. Jane Doe/Reuters")\n\n'
        "The bridge opened.\n\n"
        "![Shared](../shared/b.png)\n",
    )
    lead, shared = article.images
    assert lead.path == folder / "img" / "my photo.jpg"
    assert lead.path.is_absolute()
    assert lead.role == "lead"
    assert lead.alt == "Harbour at dawn"
    assert lead.caption == "The harbour on Monday."
    assert lead.credit == "Jane Doe/Reuters"
    assert shared.path == tmp_path / "shared" / "b.png"
    assert shared.role == "inline"
    assert '<img src="image:0" alt="Harbour at dawn"' in article.html
    assert '<img src="image:1" alt="Shared"' in article.html
    assert "img/my" not in article.html and "../shared" not in article.html
    assert article.text == "The bridge opened."


def test_remote_and_data_images(tmp_path: Path) -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()
    article = parse_md(
        tmp_path / "a.md",
        f"Text first.\n\n![remote](https://example.com/a.jpg)\n\n![inline]({data_uri})\n",
    )
    remote, inline = article.images
    assert (remote.url, remote.path, remote.data) == ("https://example.com/a.jpg", None, None)
    assert (inline.data, inline.path, inline.url) == (PNG_BYTES, None, None)
    assert {remote.role, inline.role} == {"inline"}  # both come after the first paragraph
    assert "example.com" not in article.html and "data:" not in article.html


def test_image_inside_the_first_paragraph_is_not_the_lead(tmp_path: Path) -> None:
    article = parse_md(tmp_path / "a.md", "![a](a.jpg) The bridge opened.\n")
    assert article.images[0].role == "inline"


def test_bad_data_image_is_skipped_with_a_warning(tmp_path: Path) -> None:
    article = parse_md(tmp_path / "a.md", "Text.\n\n![x](data:image/png;base64,@@@)\n")
    assert article.images == ()
    assert article.warnings and "base64" in article.warnings[0]


def test_raw_html_is_escaped_and_never_rendered(tmp_path: Path) -> None:
    article = parse_md(
        tmp_path / "a.md",
        "Before.\n\n<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[click](javascript:alert(1))\n",
    )
    assert "<script" not in article.html
    assert "&lt;script&gt;" in article.html  # shown as the text it was written as
    assert "<img" not in article.html
    assert 'href="javascript' not in article.html


def test_text_has_no_markdown_syntax(tmp_path: Path) -> None:
    article = parse_md(
        tmp_path / "a.md",
        "## Section\n\nSome *emphasis*, **strong** and `code` with a [link](https://e.com).\n\n"
        "- first item\n- second item\n\n> A quotation.\n\n![alt text](a.jpg)\n\n"
        "```\nprint('x')\n```\n",
    )
    assert article.text.split("\n\n") == [
        "Section",
        "Some emphasis, strong and code with a link.",
        "first item",
        "second item",
        "A quotation.",
        "print('x')",
    ]
    assert "alt text" not in article.text


def test_empty_documents_are_not_articles(tmp_path: Path) -> None:
    for data in (b"", b"  \n\n ", b"---\ntitle: Only a title\n---\n", "\u2003\n".encode()):
        with pytest.raises(NotAnArticle):
            parse(tmp_path / "a.md", data)


def test_binary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed):
        parse(tmp_path / "a.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


_markdown_piece = st.sampled_from(
    [
        "# ", "## ", "---\n", "title: x\n", "tags: [a\n", "![a](", "img/a.jpg", "http://e.com/x.png",
        "data:image/png;base64,AAAA", ")", '"cap. Jane Doe/Reuters"', "*", "**", "`", "> ",
        "- ", "1. ", "\n", "\n\n", "<script>", "|a|b|\n|-|-|\n", "[x]: y\n", "![x][x]", "word ",
    ]
)  # fmt: skip
_markdown = st.one_of(
    st.text(), st.lists(st.one_of(_markdown_piece, st.text(max_size=5))).map("".join)
)


@settings(max_examples=300, deadline=None)
@given(_markdown)
def test_arbitrary_markdown_never_crashes(source: str) -> None:
    try:
        (article,) = parse(Path("/nonexistent/posts/a.md"), source.encode("utf-8"))
    except (ImportFailed, NotAnArticle):
        return
    assert "<script" not in article.html
    for image in article.images:
        assert image.path is None or image.path.is_absolute()
