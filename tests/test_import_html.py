"""The HTML importer: metadata, body text and html, images, and bad input."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_app.core.importers import ImportFailed, NotAnArticle, importer_for
from archive_app.core.importers.base import ParsedArticle, ParsedImage
from archive_app.core.importers.html import parse

PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>River levels rise after storm | The Valley Courier</title>
<link rel="canonical" href="https://courier.example.org/2023/03/river-levels">
<meta property="og:site_name" content="The Valley Courier">
<meta property="og:title" content="River levels rise after storm">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2023-03-17T09:30:00Z">
<meta name="description" content="Flood barriers went up overnight.">
<script>var tracker = "HEAD_SCRIPT_MARKER";</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>River levels rise after storm</h1>
<figure>
  <img src="images/river.jpg" alt="The river at dawn" width="800" height="600">
  <figcaption>Water covers the towpath near the mill. Photo: John Smith/Reuters</figcaption>
</figure>
<p>Flood barriers went up overnight along the river as water levels rose after the
weekend storm, the council said on Friday morning.</p>
<p>Residents in the lower town were advised to move valuables upstairs. The
<strong>emergency</strong> services said they were <em>ready</em> for the peak.</p>
<script>document.write("BODY_SCRIPT_MARKER");</script>
<p>The river last reached this level in 2007, when hundreds of homes were flooded
and the old bridge was closed for a month.</p>
<img src="https://cdn.example.org/photos/bridge.jpg" alt="The old bridge">
<p>Engineers inspected the new bridge on Thursday and found it sound. Traffic will
continue to flow unless the water rises above the warning mark.</p>
<img src="data:image/png;base64,{png}" alt="Chart of the river level">
<p>Volunteers filled sandbags at the community centre throughout the afternoon,
and a rest centre was opened at the school.</p>
<img src="https://tracker.example.com/pixel.gif" width="1" height="1" alt="">
</article>
<footer>Copyright The Valley Courier</footer>
</body>
</html>
""".replace("{png}", base64.b64encode(PNG_1X1).decode())


def write_page(folder: Path, markup: str = ARTICLE_PAGE, name: str = "river.html") -> Path:
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "river.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    page = folder / name
    page.write_text(markup, encoding="utf-8")
    return page


def import_page(page: Path):
    articles = parse(page, page.read_bytes())
    assert len(articles) == 1
    return articles[0]


def test_registered_for_html_extensions() -> None:
    for name in ("a.html", "a.HTM", "a.xhtml"):
        assert importer_for(Path(name)) is parse


def test_metadata(tmp_path: Path) -> None:
    article = import_page(write_page(tmp_path))
    assert article.title == "River levels rise after storm"
    assert article.author == "Jane Doe"
    assert article.published == "2023-03-17"
    assert article.source == "The Valley Courier"
    assert article.url == "https://courier.example.org/2023/03/river-levels"
    assert article.language == "en-GB"
    assert article.record is None  # the whole file is the article
    assert article.extra["description"] == "Flood barriers went up overnight."
    assert all(isinstance(v, str) for v in article.extra.values())


def test_text_and_html(tmp_path: Path) -> None:
    article = import_page(write_page(tmp_path))
    paragraphs = article.text.split("\n\n")
    assert "Flood barriers went up overnight along the river" in article.text
    assert any(p.startswith("Residents in the lower town") for p in paragraphs)
    assert "Volunteers filled sandbags" in paragraphs[-1]
    # Navigation and footer are not the article.
    assert "Home" not in article.text
    assert "Copyright" not in article.text
    assert "<strong>emergency</strong>" in article.html
    assert "<em>ready</em>" in article.html
    # The title is stored apart, not repeated as the body's first line.
    assert not article.text.startswith("River levels rise after storm")


def test_no_script_survives(tmp_path: Path) -> None:
    article = import_page(write_page(tmp_path))
    for field in (article.text, article.html):
        assert "SCRIPT_MARKER" not in field
        assert "<script" not in field.lower()
        assert "document.write" not in field


def test_images(tmp_path: Path) -> None:
    article = import_page(write_page(tmp_path))
    local, remote, inline = article.images  # the tracking pixel is left out

    assert local.path == (tmp_path / "images" / "river.jpg").resolve()
    assert local.path.is_file()
    assert local.url is None and local.data is None
    assert local.alt == "The river at dawn"
    assert local.caption == "Water covers the towpath near the mill."
    assert "John Smith/Reuters" in local.credit
    assert local.role == "lead"

    assert remote.url == "https://cdn.example.org/photos/bridge.jpg"
    assert remote.path is None and remote.data is None
    assert remote.role == "inline"

    assert inline.data == PNG_1X1
    assert inline.alt == "Chart of the river level"

    assert not any("tracker.example.com" in (im.url or "") for im in article.images)
    # The body refers to images only by index, never to a remote address.
    assert re.findall(r'<img src="([^"]*)"', article.html) == ["image:0", "image:1", "image:2"]
    assert "cdn.example.org" not in article.html
    assert "<figcaption>Water covers the towpath near the mill." in article.html


def test_missing_local_image_becomes_a_reference_when_the_page_has_an_address(
    tmp_path: Path,
) -> None:
    page = write_page(tmp_path)
    (tmp_path / "images" / "river.jpg").unlink()
    article = import_page(page)
    assert article.images[0].path is None
    assert article.images[0].url == "https://courier.example.org/2023/03/images/river.jpg"


def test_missing_local_image_without_an_address_stays_a_path(tmp_path: Path) -> None:
    markup = ARTICLE_PAGE.replace(
        '<link rel="canonical" href="https://courier.example.org/2023/03/river-levels">', ""
    )
    page = write_page(tmp_path, markup)
    (tmp_path / "images" / "river.jpg").unlink()
    article = import_page(page)
    # The archive reports the missing file; the importer says where it was expected.
    assert article.images[0].path == (tmp_path / "images" / "river.jpg").resolve()
    assert article.images[0].url is None
    assert article.url == ""


def test_lazy_loaded_image_uses_its_real_source(tmp_path: Path) -> None:
    markup = ARTICLE_PAGE.replace(
        '<img src="https://cdn.example.org/photos/bridge.jpg" alt="The old bridge">',
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
        'data-src="https://cdn.example.org/photos/bridge.jpg" alt="The old bridge">',
    )
    article = import_page(write_page(tmp_path, markup))
    assert article.images[1].url == "https://cdn.example.org/photos/bridge.jpg"


def test_bad_date_is_ignored(tmp_path: Path) -> None:
    markup = ARTICLE_PAGE.replace("2023-03-17T09:30:00Z", "sometime last spring")
    article = import_page(write_page(tmp_path, markup))
    # Imported all the same; the date is whatever else the page offers, or unknown.
    assert article.title == "River levels rise after storm"
    assert article.published == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}\S*", article.published)


def test_plain_text_in_an_html_file_fails_clearly(tmp_path: Path) -> None:
    page = tmp_path / "notes.html"
    page.write_text("Just some notes, 3 < 4 and 5 > 2.\nNo markup here at all.\n")
    with pytest.raises(ImportFailed, match="not HTML: no markup found"):
        parse(page, page.read_bytes())


def test_binary_in_an_html_file_fails_clearly(tmp_path: Path) -> None:
    page = tmp_path / "photo.html"
    page.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(ImportFailed, match="binary"):
        parse(page, page.read_bytes())


def test_empty_file_is_not_an_article(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_bytes(b"  \n")
    with pytest.raises(NotAnArticle):
        parse(page, page.read_bytes())


def test_page_without_article_text_fails(tmp_path: Path) -> None:
    page = tmp_path / "blank.html"
    page.write_text("<html><head><title>Nothing</title></head><body><div></div></body></html>")
    with pytest.raises(ImportFailed, match="no article text found in the page"):
        parse(page, page.read_bytes())


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(),
        st.builds(
            lambda a, b: f"<html><body><p>{a}</p><img src='{b}'></body></html>",
            st.text(),
            st.text(),
        ),
    )
)
def test_arbitrary_text_fails_only_cleanly(tmp_path: Path, text: str) -> None:
    page = tmp_path / "page.html"
    try:
        articles = parse(page, text.encode("utf-8"))
    except (ImportFailed, NotAnArticle):
        return
    assert articles and all(a.text for a in articles)


# Real pages: captured news and blog pages with Mozilla Readability's reader view as reference.
READABILITY_CASES = [
    "bbc-1",
    "guardian-1",
    "nytimes-1",
    "wikipedia",
    "medium-1",
    "lemonde-1",
    "ars-1",
    "wapo-1",
]


def bag_of_words_f1(found: str, expected: str) -> float:
    def words(text: str) -> Counter[str]:
        return Counter(re.findall(r"\w+", text.lower()))

    a, b = words(found), words(expected)
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.corpus
@pytest.mark.parametrize("case", READABILITY_CASES)
def test_real_pages(corpus: Path, case: str) -> None:
    folder = corpus / "readability" / case
    if not folder.is_dir():
        pytest.skip(f"readability case {case} not in the corpus")
    source = folder / "source.html"
    article = import_page(source)
    expected = (folder / "expected.txt").read_text(encoding="utf-8")
    assert article.title.strip()
    assert bag_of_words_f1(article.text, expected) >= 0.8
    metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    if metadata.get("publishedTime") and article.published:
        assert article.published[:4] == metadata["publishedTime"][:4]
    assert "<script" not in article.html.lower()


@pytest.mark.corpus
def test_saved_page_resolves_local_images(corpus: Path) -> None:
    folder = corpus / "saved_page" / "wikipedia-mona-lisa-2013"
    page = folder / "Mona_Lisa.html"
    if not page.is_file():
        pytest.skip("saved Mona Lisa page not in the corpus")
    article = import_page(page)
    assert article.title.startswith("Mona Lisa")
    assert "Leonardo da Vinci" in article.text
    local = [im for im in article.images if im.path is not None]
    assert len(local) >= 5
    files = (folder / "Mona_Lisa_files").resolve()
    for image in local:
        assert image.path.is_file()
        assert image.path.parent == files
    # The same file shown several times is one image.
    assert len({im.path for im in local}) == len(local)
    names = {im.path.name for im in local}
    assert "250px-Mona_Lisa__by_Leonardo_da_Vinci__from_C2RMF_natural_color.jpg" in names


def test_page_keywords_become_tags(tmp_path: Path):
    page = tmp_path / "tagged.html"
    page.write_text(
        "<html><head><title>Inquiry opens</title>"
        '<meta name="keywords" content="region/kherson, type/news, region/kherson">'
        "</head><body><article><h1>Inquiry opens</h1>"
        + "<p>The tribunal opened an inquiry into the shelling of the market square.</p>" * 5
        + "</article></body></html>",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    assert article.tags == ("region/kherson", "type/news")


# Metadata the page states in several places; each case needs a different source
# (JSON-LD headline over og:title, a byline element, a date in the page's own zone).
METADATA_FLOOR = {
    "bbc-1": ("Obama admits US gun laws are his 'biggest frustration'", "BBC News", "2015-07-24"),
    "theverge": (
        "Apple’s Vision Pro hands-on: the Retina display moment for headsets",
        "Alex Heath",
        "2023-06-07",
    ),
    "folha": (
        "Tite diz que errou ao levar taça da Libertadores a Lula em 2012",
        "Bruno (Henrique Zecchin) Rodrigues",
        "2018-12-21",
    ),
    "wapo-1": ("Attack stokes instability fears in North Africa", "Erin Cunningham", ""),
    "topicseed-1": (
        "Content Depth — Write Comprehensively About Your Core Topics",
        "",
        "2018-06-12",
    ),
    "wikipedia": ("Mozilla - Wikipedia", "", ""),
}


@pytest.mark.corpus
@pytest.mark.parametrize("case", sorted(METADATA_FLOOR))
def test_real_page_metadata_floor(corpus: Path, case: str) -> None:
    folder = corpus / "readability" / case
    if not folder.is_dir():
        pytest.skip(f"readability case {case} not in the corpus")
    article = import_page(folder / "source.html")
    title, author, day = METADATA_FLOOR[case]
    assert article.title == title
    if author:
        assert article.author == author
    if day:
        assert article.published[:10] == day


@pytest.mark.corpus
@pytest.mark.parametrize(("case", "least"), [("lazy-image-1", 9), ("ehow-1", 11)])
def test_real_page_lazy_and_dropped_images_are_kept(corpus: Path, case: str, least: int) -> None:
    folder = corpus / "readability" / case
    if not folder.is_dir():
        pytest.skip(f"readability case {case} not in the corpus")
    article = import_page(folder / "source.html")
    urls = {image.url for image in article.images}
    expected_html = (folder / "expected.html").read_text(encoding="utf-8")
    wanted = set(re.findall(r'<img[^>]* src="(https?://[^"]+)"', expected_html))
    assert len(wanted & {u.replace("&", "&amp;") for u in urls if u}) >= least


def test_json_ld_and_byline_element_win_over_guesses(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        """<html><head><title>Short title | Example News</title>
<meta property="og:title" content="A sharing title">
<script type="application/ld+json">{"@context": "https://schema.org",
 "@type": "NewsArticle", "headline": "The real headline of the story",
 "datePublished": "2021-05-04T23:30:00-04:00"}</script></head>
<body><article><h1>The real headline of the story</h1>
<p class="byline">By Ana Lima</p>
<p>Ferries stopped running on Tuesday after the harbour wall cracked in two
places, the port authority said, and repairs will take most of the month.</p>
<p>Commuters were told to use the coastal road, where extra buses ran from dawn
and the police kept one lane clear for emergency vehicles.</p>
</article></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    assert article.title == "The real headline of the story"
    assert article.author == "Ana Lima"
    assert article.published == "2021-05-04"  # the day the page states, not UTC's


def test_noscript_image_replaces_its_placeholder(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        """<html><body><article>
<p>Ferries stopped running on Tuesday after the harbour wall cracked in two
places, the port authority said, and repairs will take most of the month.</p>
<figure><img class="lazy" width="800" height="600"><noscript><img
 src="https://cdn.example.org/harbour.jpg" width="800" height="600"></noscript>
<figcaption>The cracked wall.</figcaption></figure>
<p>Commuters were told to use the coastal road, where extra buses ran from dawn
and the police kept one lane clear for emergency vehicles.</p>
</article></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    assert [image.url for image in article.images] == ["https://cdn.example.org/harbour.jpg"]


def test_lazy_image_takes_the_largest_srcset_candidate(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        """<html><body><article>
<p>Ferries stopped running on Tuesday after the harbour wall cracked in two
places, the port authority said, and repairs will take most of the month.</p>
<figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
 data-srcset="https://cdn.example.org/c_fill,w_80/wall.jpg 80w,
 https://cdn.example.org/c_fit,w_1600/wall.jpg 1600w,
 https://cdn.example.org/c_fit,w_800/wall.jpg 800w">
<figcaption>The cracked wall.</figcaption></figure>
<p>Commuters were told to use the coastal road, where extra buses ran from dawn
and the police kept one lane clear for emergency vehicles.</p>
</article></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    assert [image.url for image in article.images] == [
        "https://cdn.example.org/c_fit,w_1600/wall.jpg"
    ]


def test_a_huge_page_fails_clearly_and_quickly(tmp_path: Path):
    page = tmp_path / "huge.html"
    page.write_bytes(b"<html><body>" + b"<p>filler text for the page</p>" * 1_700_000 + b"</body>")
    with pytest.raises(ImportFailed, match="page too large"):
        parse(page, page.read_bytes())


MONA_LISA_ARTICLE_IMAGES = {
    "250px-Mona_Lisa__by_Leonardo_da_Vinci__from_C2RMF_natural_color.jpg",  # infobox
    "220px-Mona_Lisa_margin_scribble.jpg",  # thumbnails in <div class="thumb">
    "170px-Leonardo_da_Vinci_-_Self-Portrait_-_WGA12798.jpg",
    "220px-Mona_Lisa_stolen-1911.jpg",
    "170px-Mona_Lisa_detail_background_right.jpg",
    "220px-Mona_Lisa_detail_hands.jpg",
    "220px-Mona-lisa_in_the_Louvre.jpg",
    "220px-ARC194219.png",
    "100px-Sapeck-La_Joconde_fumant_la_pipe.jpg",  # gallery
    "100px-Marcel_Duchamp_Mona_Lisa_LHOOQ.jpg",
}


@pytest.mark.corpus
def test_saved_wikipedia_page_keeps_every_article_image(corpus: Path) -> None:
    page = corpus / "saved_page" / "wikipedia-mona-lisa-2013" / "Mona_Lisa.html"
    if not page.is_file():
        pytest.skip("saved Mona Lisa page not in the corpus")
    (article,) = parse(page, page.read_bytes())
    stored = {im.path for im in article.images if im.path is not None and im.path.is_file()}
    names = {path.name for path in stored}
    assert names >= MONA_LISA_ARTICLE_IMAGES
    # The footer buttons, the search icon and the page-protection padlock are the
    # site's, not the article's; the magnifier and Commons icons sit in the article.
    assert not names & {"poweredby_mediawiki_88x31.png", "wikimedia-button.png", "search-ltr.png"}
    assert len(stored) == 13


@pytest.mark.corpus
def test_teasers_after_the_article_are_cut(corpus: Path) -> None:
    """Linked headlines of other columns, each followed by its summary, end the page."""
    source = corpus / "readability" / "herald-sun-1" / "source.html"
    if not source.is_file():
        pytest.skip("readability case herald-sun-1 not in the corpus")
    article = import_page(source)
    assert article.text.endswith("LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR")
    assert "Other Opinion Columns" not in article.text


STORY_PARAGRAPHS = "\n".join(
    f"<p>Paragraph {n} of the harbour story: the wall cracked in two places on Tuesday, "
    f"the ferries stopped, and the port authority said repairs would take a month.</p>"
    for n in range(1, 9)
)


def test_a_figcaption_written_after_its_figure_captions_the_image(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        f"""<html><body><article>
<p>Ferries stopped running on Tuesday after the harbour wall cracked in two
places, the port authority said, and repairs will take most of the month.</p>
<figure><img src="https://cdn.example.org/wall.jpg" width="800" height="600"></figure>
<figcaption>The cracked wall at low tide (Ana Lima)</figcaption>
{STORY_PARAGRAPHS}
</article></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    (image,) = article.images
    assert image.url == "https://cdn.example.org/wall.jpg"
    assert image.caption == "The cracked wall at low tide (Ana Lima)"
    assert "The cracked wall at low tide" in article.text
    assert "<figcaption>The cracked wall at low tide (Ana Lima)</figcaption>" in article.html


def test_a_figure_without_any_caption_takes_none_from_the_next_figure(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        f"""<html><body><article>
{STORY_PARAGRAPHS}
<figure><img src="https://cdn.example.org/one.jpg" width="800" height="600"></figure>
<p>Between the pictures, the harbour master explained what had gone wrong.</p>
<figure><img src="https://cdn.example.org/two.jpg" width="800" height="600">
<figcaption>The second picture.</figcaption></figure>
</article></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    captions = {image.url.rsplit("/", 1)[-1]: image.caption for image in article.images}
    assert captions == {"one.jpg": "", "two.jpg": "The second picture."}


@pytest.mark.corpus
def test_a_long_link_list_ends_the_article_and_the_slideshow_after_it_goes(
    corpus: Path,
) -> None:
    """A list of related stories follows the article, then a slideshow whose long
    captions are not links: both are the page's, not the article's."""
    source = corpus / "readability" / "salon-1" / "source.html"
    if not source.is_file():
        pytest.skip("readability case salon-1 not in the corpus")
    article = import_page(source)
    assert article.text.endswith("the soul of a society is sold cheap.")
    assert "More Related Stories" not in article.text
    assert "slideshow" not in article.text


def test_lead_image_is_read_from_the_article_holding_the_text(tmp_path: Path) -> None:
    """Menus show teasers as <article>s too; the lead is the story's own, and a
    standfirst paragraph above it does not hide it."""
    page = tmp_path / "page.html"
    page.write_text(
        f"""<html><body>
<nav><article><a href="/other"><figure><img src="https://cdn.example.org/menu.jpg"
 width="300" height="170"></figure><figcaption>A story from the menu</figcaption></a>
</article></nav>
<main><article>
<header><h1>The harbour wall</h1>
<p class="standfirst">A short summary of the story.</p>
<figure><img src="https://cdn.example.org/lead.jpg" width="900" height="600">
<figcaption>The wall at dawn.</figcaption></figure></header>
<section>{STORY_PARAGRAPHS}</section>
</article></main></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    urls = [image.url for image in article.images]
    assert urls[0] == "https://cdn.example.org/lead.jpg"
    assert "https://cdn.example.org/menu.jpg" not in urls
    assert "A story from the menu" not in article.text


COAST_STORIES = [
    ("harbour-wall", "Harbour wall to be rebuilt by spring",
     "Engineers say the cracked wall needs new foundations before the winter storms."),
    ("ferry-timetable", "Ferry timetable changes from Monday",
     "Three crossings a day are cut while the south quay is closed for repairs."),
    ("school-roof", "School roof repaired after the gale",
     "Pupils return to their classrooms after two weeks of lessons in the village hall."),
    ("lifeboat-rescue", "Lifeboat crew rescues two kayakers",
     "The pair were found clinging to a buoy a mile off the point late on Sunday."),
    ("market-hall", "Market hall reopens with new stalls",
     "Twelve traders have signed up, from a cheesemonger to a bicycle repair shop."),
    ("bus-routes", "Council votes on the new coast road buses",
     "Villages on the coast road would get an hourly service under the plan."),
    ("pier-lights", "Pier lights switched back on",
     "The lamps were restored by volunteers with parts from a scrapyard in Leeds."),
    ("beach-clean", "Hundreds join the winter beach clean",
     "Four tonnes of plastic were collected along the bay in a single morning."),
]  # fmt: skip
_PLACEHOLDER_GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


def coast_teaser(number: int, slug: str, headline: str, summary: str) -> str:
    # Every other picture is loaded by a script: a placeholder in src, the photo in data-src.
    photo = f"https://cdn.example.org/photos/{slug}.jpg"
    source = f'src="{photo}"' if number % 2 else f'src="{_PLACEHOLDER_GIF}" data-src="{photo}"'
    return f"""<article>
<figure><a href="/news/{slug}"><img {source} alt="" width="600" height="400"></a>
<figcaption>Photo: Ana Lima</figcaption></figure>
<div><p class="kicker">Coast</p><h2><a href="/news/{slug}">{headline}</a></h2>
<p>{summary}</p><p>By <span>Tom Reed</span></p></div>
</article>"""


def coast_teasers(stories: list[tuple[str, str, str]]) -> str:
    return "".join(coast_teaser(n, *story) for n, story in enumerate(stories))


SECTION_FRONT = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Coast news | The Valley Courier</title>
<link rel="canonical" href="https://courier.example.org/coast"></head><body>
<header><nav><a href="/">Home</a> <a href="/coast">Coast</a> <a href="/sport">Sport</a></nav>
</header>
<main>
<section><h2>Top stories</h2>{coast_teasers(COAST_STORIES[:4])}</section>
<section><h2>More from the coast</h2>{coast_teasers(COAST_STORIES[4:])}</section>
</main>
<footer><a href="/about">About the Courier</a> Copyright The Valley Courier</footer>
</body></html>"""


def test_a_section_front_imports_as_its_list_of_teasers(tmp_path: Path) -> None:
    """A page of teasers is no one article: the list is kept whole, each teaser's
    picture (a script-loaded one by its real source), headline, summary and byline."""
    page = tmp_path / "coast.html"
    page.write_text(SECTION_FRONT, encoding="utf-8")
    (article,) = parse(page, page.read_bytes())
    assert [image.url for image in article.images] == [
        f"https://cdn.example.org/photos/{slug}.jpg" for slug, _, _ in COAST_STORIES
    ]
    assert all(image.credit == "Photo: Ana Lima" for image in article.images)
    positions = []
    for _, headline, summary in COAST_STORIES:
        assert headline in article.text and summary in article.text
        positions.append(article.text.index(headline))
    assert positions == sorted(positions)  # in page order
    assert article.text.count("By Tom Reed") == len(COAST_STORIES)
    assert "More from the coast" in article.text
    assert "About the Courier" not in article.text and "Sport" not in article.text
    # Each headline still leads to its story; pictures come before their headlines.
    assert '<a href="https://courier.example.org/news/harbour-wall"' in article.html
    assert article.html.index('src="image:1"') < article.html.index("Ferry timetable")


def test_an_article_with_related_teasers_after_it_stays_the_article(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(
        f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>The harbour wall | The Valley Courier</title></head><body>
<nav><a href="/">Home</a> <a href="/coast">Coast</a></nav>
<main><article><h1>The harbour wall</h1>
<figure><img src="https://cdn.example.org/lead.jpg" width="900" height="600">
<figcaption>The wall at dawn.</figcaption></figure>
{STORY_PARAGRAPHS}
</article>
<section><h2>Related stories</h2>{coast_teasers(COAST_STORIES[:6])}</section>
</main></body></html>""",
        encoding="utf-8",
    )
    (article,) = parse(page, page.read_bytes())
    assert article.text.index("The wall at dawn.") < article.text.index("Paragraph 1 ")
    assert all(f"Paragraph {n} of the harbour story" in article.text for n in range(1, 9))
    assert [image.url for image in article.images] == ["https://cdn.example.org/lead.jpg"]
    assert "Lifeboat crew rescues two kayakers" not in article.text


@pytest.mark.corpus
def test_a_real_section_front_keeps_its_teasers_pictures(corpus: Path) -> None:
    """nytimes-5 is a section front: the reader view keeps its list of teasers."""
    folder = corpus / "readability" / "nytimes-5"
    if not folder.is_dir():
        pytest.skip("readability case nytimes-5 not in the corpus")
    article = import_page(folder / "source.html")
    urls = {image.url for image in article.images}
    expected_html = (folder / "expected.html").read_text(encoding="utf-8")
    wanted = set(re.findall(r'<img[^>]* src="(https?://[^"]+)"', expected_html))
    assert len(wanted) == 22
    assert len(wanted & urls) >= 15
    assert "El día que renuncié a los Beatles" in article.text


def load_quality_bench():
    """bench/import_quality.py as a module (bench/ is no package)."""
    path = Path(__file__).resolve().parents[1] / "bench" / "import_quality.py"
    spec = importlib.util.spec_from_file_location("import_quality_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up by name while the class is being made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_quality_bench_maps_saved_paths_and_relative_sources_fairly(tmp_path: Path) -> None:
    bench = load_quality_bench()
    case = tmp_path / "readability" / "some-case"
    case.mkdir(parents=True)
    # A saved page's source reaching above its folder stands for the page-relative URL.
    above = (case / "../../../gazou/pc/dog.gif").resolve()
    assert bench.page_url_of(above, case) == "http://fakehost/gazou/pc/dog.gif"
    assert bench.page_url_of(case / "img" / "a.png", case) == "http://fakehost/test/img/a.png"
    parsed = ParsedArticle(
        title="t",
        text="x",
        images=(
            ParsedImage(path=above),
            ParsedImage(url="https://blog.example.com/cms/diagram.png?w=720"),
        ),
    )
    kept = bench.kept_images(parsed, case)
    assert kept.holds("http://fakehost/gazou/pc/dog.gif")
    # Relative in the page: the importer resolved it against the page's own address.
    assert kept.holds("http://fakehost/cms/diagram.png?w=720")
    assert not kept.holds("http://fakehost/cms/diagram.png?w=1440")
    # Absolute in the page: only the same URL counts.
    assert not kept.holds("https://cdn.example.net/cms/diagram.png?w=720")


@pytest.mark.parametrize(
    ("head", "extensive"),
    [
        ('<meta property="article:published_time" content="2024-01-02T08:00:00Z">', False),
        ("", True),
    ],
)
def test_dates_are_looked_for_in_the_text_only_when_the_page_states_none(
    tmp_path: Path, monkeypatch, head: str, extensive: bool
):
    from archive_app.core.importers import html as html_importer

    seen = []
    extract = html_importer.trafilatura.bare_extraction

    def recording(*args, **options):
        seen.append(options["date_extraction_params"]["extensive_search"])
        return extract(*args, **options)

    monkeypatch.setattr(html_importer.trafilatura, "bare_extraction", recording)
    body = "<p>Officials said the children returned home on Friday after months away.</p>" * 5
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>Home</title>{head}</head><body>{body}</body></html>")
    article = parse(page, page.read_bytes())[0]
    assert seen == [extensive]
    assert article.published == ("2024-01-02" if head else "")
