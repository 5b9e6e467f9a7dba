"""The plain text importer (core, no Qt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle
from archive_app.core.importers.text import parse

REFERENCE_CAPTION = (
    "First Lady Melania Trump delivers remarks at a Toys for Tots Christmas event Tuesday, "
    "December 8, 2020, at Joint Base Anacostia-Bolling in Washington, D.C."
)
REFERENCE_CREDIT = "The Trump White House Archived/Wikimedia Commons"

STORY = """Harbour Bridge at Dawn
The bridge seen from the north shore on Monday. Jane Doe/Reuters

The regional council said on Thursday that the long-delayed bridge will open next spring.

Engineers finished the last span in March.

Funding Disputes

The project ran three years late after disputes over funding.
"""


def parse_one(path: Path, data: bytes) -> ParsedArticle:
    articles = parse(path, data)
    assert len(articles) == 1
    return articles[0]


def write_png(path: Path) -> None:
    Image.new("RGB", (4, 3), (200, 40, 40)).save(path, format="PNG")


@pytest.mark.corpus
def test_reference_article_end_to_end(reference_article: Path) -> None:
    article = parse_one(reference_article, reference_article.read_bytes())

    assert article.title.startswith("United States First Lady Melania Trump has revealed")
    assert len(article.title) <= 111
    assert "Wikimedia" not in article.title
    assert article.title not in (REFERENCE_CAPTION, "First Lady Melania Trump (2020)")

    (image,) = article.images
    assert image.role == "lead"
    assert image.title == image.alt == "First Lady Melania Trump (2020)"
    assert image.caption == REFERENCE_CAPTION
    assert image.credit == REFERENCE_CREDIT
    assert image.path is None and image.data is None  # nothing saved beside the text

    assert article.html.startswith('<figure><img src="image:0"')
    assert "<h2>Long-Standing Advocacy for Children</h2>" in article.html
    assert "<h2>War Crimes Oversight Crisis</h2>" in article.html

    paragraphs = article.text.split("\n\n")
    assert "Long-Standing Advocacy for Children" in paragraphs
    assert "War Crimes Oversight Crisis" in paragraphs
    assert paragraphs[0].startswith("United States First Lady Melania Trump has revealed")
    assert "In May 2018, she launched the Be Best campaign" in article.text
    assert "the Ukraine Conflict Observatory in 2022" in article.text
    assert "Toys for Tots" not in article.text
    assert "Wikimedia" not in article.text
    assert "First Lady Melania Trump (2020)" not in article.text
    assert article.extra["encoding"] == "utf-8"


def test_same_stem_image_beside_the_file_is_the_lead_image(tmp_path: Path) -> None:
    text_file = tmp_path / "story.txt"
    text_file.write_text(STORY, encoding="utf-8")
    write_png(tmp_path / "story.PNG")
    write_png(tmp_path / "other.png")

    article = parse_one(text_file, text_file.read_bytes())

    (image,) = article.images
    assert image.path == (tmp_path / "story.PNG").resolve()
    assert image.title == "Harbour Bridge at Dawn"
    assert image.caption == "The bridge seen from the north shore on Monday."
    assert image.credit == "Jane Doe/Reuters"
    assert article.title == (
        "The regional council said on Thursday that the long-delayed bridge will open next spring"
    )
    assert "<h2>Funding Disputes</h2>" in article.html
    assert "Jane Doe" not in article.text


def test_image_beside_a_file_without_caption_is_still_the_lead(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("Just one paragraph of notes.\n", encoding="utf-8")
    write_png(tmp_path / "notes.jpg")
    (image,) = parse_one(text_file, text_file.read_bytes()).images
    assert image.role == "lead"
    assert image.path == (tmp_path / "notes.jpg").resolve()
    assert image.caption == ""


def test_headline_at_the_top_is_the_title(tmp_path: Path) -> None:
    data = (
        b"Council Approves the Harbour Bridge\n\n"
        b"The regional council voted on Thursday to fund the bridge.\n\n"
        b"Construction starts in May.\n"
    )
    article = parse_one(tmp_path / "news.txt", data)
    assert article.title == "Council Approves the Harbour Bridge"
    assert article.images == ()
    assert not article.text.startswith("Council Approves")
    assert article.text.startswith("The regional council voted")
    assert "<h2>" not in article.html


def test_headline_after_the_caption_block(tmp_path: Path) -> None:
    data = STORY.replace("\n\nThe regional", "\n\nBridge Opens Next Spring\n\nThe regional")
    article = parse_one(tmp_path / "news.txt", data.encode())
    assert article.title == "Bridge Opens Next Spring"
    assert article.images[0].title == "Harbour Bridge at Dawn"
    assert "Bridge Opens Next Spring" not in article.text


def test_sentence_case_headings_and_lines_that_are_not_headings(tmp_path: Path) -> None:
    data = (
        b"The archive opened in March.\n\n"
        b"Chain of custody\n\n"
        b"Every file is copied and logged.\n\n"
        b"What now?\n\n"
        b"Nobody could say, and the volunteers kept\n\n"
        b"working through the night\n\n"
        b"until the morning.\n"
    )
    article = parse_one(tmp_path / "a.txt", data)
    assert "<h2>Chain of custody</h2>" in article.html
    assert article.html.count("<h2>") == 1
    assert "<p>What now?</p>" in article.html
    assert "<p>working through the night</p>" in article.html


def test_long_lead_sentence_gives_a_shortened_title(tmp_path: Path) -> None:
    lead = (
        "The regional council announced on Thursday that the long-delayed bridge across the "
        "river will finally open next spring, after years of disputes over funding and design."
    )
    article = parse_one(tmp_path / "a.txt", f"{lead}\n\nSecond paragraph.\n".encode())
    assert article.title.endswith("…")
    assert len(article.title) <= 110
    assert article.text.startswith(lead)


def test_header_fields(tmp_path: Path) -> None:
    data = (
        b"Title: Bridge Opens\nAuthor: Jane Doe\nSource: Harbour Gazette\n"
        b"URL: https://example.com/bridge\nDate: 2024-03-05\nTags: bridges, council; transport\n\n"
        b"The bridge opened on Tuesday.\n"
    )
    article = parse_one(tmp_path / "a.txt", data)
    assert article.title == "Bridge Opens"
    assert article.author == "Jane Doe"
    assert article.source == "Harbour Gazette"
    assert article.url == "https://example.com/bridge"
    assert article.published == "2024-03-05"
    assert article.tags == ("bridges", "council", "transport")
    assert article.text == "The bridge opened on Tuesday."


def test_a_first_line_that_only_resembles_a_header_stays_text(tmp_path: Path) -> None:
    data = b"Date: yesterday, after lunch.\n\nWe walked to the harbour.\n"
    article = parse_one(tmp_path / "a.txt", data)
    assert article.published == ""
    assert article.text.startswith("Date: yesterday, after lunch.")


def test_hard_wrapped_paragraphs_are_joined_and_verse_is_kept(tmp_path: Path) -> None:
    wrapped = (
        "The regional council announced on Thursday that the long-delayed\n"
        "bridge across the river will finally open next spring, after years\n"
        "of disputes over funding and design.\n"
    )
    verse = "Roses are red,\nViolets are blue.\n"
    article = parse_one(tmp_path / "a.txt", f"{wrapped}\n{verse}".encode())
    first, second = article.text.split("\n\n")
    assert first == " ".join(wrapped.split())
    assert second == "Roses are red,\nViolets are blue."
    assert "<p>Roses are red,<br>Violets are blue.</p>" in article.html


def test_windows_line_endings_and_trailing_spaces(tmp_path: Path) -> None:
    data = b"Bridge Opens  \r\n\r\nThe bridge opened.   \r\n\r\nTraffic was light.\r\n"
    article = parse_one(tmp_path / "a.txt", data)
    assert article.title == "Bridge Opens"
    assert article.text == "The bridge opened.\n\nTraffic was light."


RUSSIAN = """Москва объявила о новых мерах

Правительство России в понедельник объявило о новых мерах поддержки семей с детьми. \
По словам министра, программа начнёт работать уже в следующем месяце.

Эксперты считают, что эти меры помогут тысячам семей по всей стране.
"""

FRENCH = """L'été dernier, le ministère de la Santé a annoncé une réforme générale des hôpitaux. \
Les médecins ont exprimé leur inquiétude à propos des délais.

« Nous sommes très préoccupés », a déclaré un représentant du syndicat. \
La réforme entrera en vigueur à la fin de l'année.
"""


def test_cp1251_russian(tmp_path: Path) -> None:
    article = parse_one(tmp_path / "ru.txt", RUSSIAN.encode("cp1251"))
    assert article.title == "Москва объявила о новых мерах"
    assert "программа начнёт работать" in article.text
    assert article.extra["encoding"].replace("-", "").lower() in {"cp1251", "windows1251"}


def test_latin1_french(tmp_path: Path) -> None:
    article = parse_one(tmp_path / "fr.txt", FRENCH.encode("latin-1"))
    assert article.title == (
        "L'été dernier, le ministère de la Santé a annoncé une réforme générale des hôpitaux"
    )
    assert "« Nous sommes très préoccupés »" in article.text
    assert article.extra["encoding"]


def test_utf16_with_bom(tmp_path: Path) -> None:
    article = parse_one(tmp_path / "a.txt", RUSSIAN.encode("utf-16"))
    assert article.title == "Москва объявила о новых мерах"
    assert article.extra["encoding"] == "utf-16"
    assert not article.text.startswith("\ufeff")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    png = tmp_path / "x.png"
    write_png(png)
    with pytest.raises(ImportFailed):
        parse(tmp_path / "x.txt", png.read_bytes())
    with pytest.raises(ImportFailed):
        parse(tmp_path / "x.txt", bytes(range(256)) * 8)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\u2003\n\u00a0\n".encode()])
def test_empty_or_whitespace_is_not_an_article(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(NotAnArticle, match="empty"):
        parse(tmp_path / "a.txt", data)


# The keys of a "Key: value" header are markup, not words of the article.
_HEADER_KEYS = {"title", "author", "by", "source", "url", "date", "published", "tags"}


def _words(text: str) -> set[str]:
    # Leading zeros go: a header date "2024-3" is kept as "2024-03-01".
    return {w.casefold().lstrip("0") or "0" for w in re.findall(r"\w+", text)}


def _article_words(article: ParsedArticle) -> set[str]:
    fields = [article.title, article.text, article.author, article.source, article.url]
    fields += [article.published, *article.tags]
    for image in article.images:
        fields += [image.title, image.alt, image.caption, image.credit]
    return _words(" ".join(fields))


_line = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[A-Z][a-z]+( [A-Za-z]+){0,6}[.!?]?", fullmatch=True),
    st.sampled_from(
        ["Jane Doe/Reuters", "Photo: AP", "Title: Bridge", "Date: 2024-3", "(Reuters)"]
    ),
)
_document = st.one_of(st.text(), st.lists(_line, max_size=12).map("\n".join))


@settings(max_examples=300, deadline=None)
@given(_document)
def test_parse_never_crashes_and_never_loses_words(document: str) -> None:
    try:
        articles = parse(Path("/nonexistent/doc.txt"), document.encode("utf-8"))
    except (ImportFailed, NotAnArticle):
        return
    (article,) = articles
    assert _words(document) - _HEADER_KEYS <= _article_words(article)


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("TOLVANY, 21 October 2020 — Volunteers met at the works.", "2020-10-21"),
        ("KYIV, June 18, 2019 (Reuters) - Officials said on Tuesday.", "2019-06-18"),
        ("WASHINGTON, Sept. 3, 2023 — The agency said.", "2023-09-03"),
        ("Hello, 3 May 2020 — this is not a dateline.", ""),
        ("LONDON — No date in this dateline.", ""),
    ],
)
def test_a_dateline_gives_the_published_date(tmp_path: Path, opening: str, expected: str):
    path = tmp_path / "wire.txt"
    path.write_text(f"Headline of the wire story\n\n{opening}\n\nSecond paragraph.\n", "utf-8")
    (article,) = parse(path, path.read_bytes())
    assert article.published == expected
    assert article.text.startswith(opening)  # the dateline stays part of the text
