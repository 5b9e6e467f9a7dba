"""The web archive importer: HTML pages of a WARC as articles, with their captured images."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive_app.core.importers import ImportFailed, importer_for
from archive_app.core.importers.captured import url_key as normalize_url
from archive_app.core.importers.warc import parse

SITE = "http://news.example.org"
DATE = "2024-05-02T10:00:00Z"

STORY = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour wall repaired</title></head>
<body>
<nav><a href="/">Home</a></nav>
<article>
<h1>Harbour wall repaired after winter storms</h1>
<p>Work on the old harbour wall finished on Thursday, three months after the winter
storms tore a gap in the stone wall and flooded the quay.</p>
<figure><img src="/img/wall.png" alt="The repaired wall" width="300" height="200">
<figcaption>The repaired wall at low tide.</figcaption></figure>
<p>The council said the repairs cost less than expected because the original stone
could be used again, and the fishing boats returned to their moorings on Friday.</p>
<img src="https://news.example.org/img/again.png#top" alt="The wall again" width="300" height="200">
<p>Engineers will inspect the wall again in the autumn before the next storm season
begins, and the harbour master thanked the volunteers who helped clear the quay.</p>
<img src="{SITE}/img/moved.png" alt="Boats in the harbour" width="300" height="200">
<p>Residents gathered on the quay to watch the last stones set in place, and the
harbour cafe stayed open late to celebrate the end of the work.</p>
<img src="/img/never-captured.png" alt="Not in the archive" width="300" height="200">
</article>
</body></html>
"""

NOT_FOUND = "<html><head><title>Not found</title></head><body><h1>404</h1></body></html>"


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (seed * 40 % 256, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


class WarcBuilder:
    def __init__(self, gzip: bool = True) -> None:
        self.out = io.BytesIO()
        self.writer = WARCWriter(self.out, gzip=gzip)
        self.digests: dict[str, str] = {}

    def response(
        self,
        url: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        status: str = "200 OK",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        http = StatusAndHeaders(
            status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": DATE},
        )
        self.writer.write_record(record)
        self.digests[url] = record.rec_headers.get_header("WARC-Payload-Digest")

    def revisit(self, url: str, original: str, content_type: str = "image/png") -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            url, self.digests[original], original, DATE, http_headers=http
        )
        self.writer.write_record(record)

    def redirect(self, url: str, location: str) -> None:
        self.response(url, b"", "text/html", "302 Found", headers=(("Location", location),))

    def save(self, path: Path) -> Path:
        path.write_bytes(self.out.getvalue())
        return path


@pytest.fixture
def images() -> dict[str, bytes]:
    return {"wall": png(1), "moved": png(2)}


@pytest.fixture
def story_warc(tmp_path: Path, images: dict[str, bytes]) -> Path:
    build = WarcBuilder()
    build.response(f"{SITE}/story", STORY.encode())
    # Captured over https with a trailing slash: the page asks for http without one.
    build.response("https://news.example.org/img/wall.png/", images["wall"], "image/png")
    build.revisit(f"{SITE}/img/again.png", "https://news.example.org/img/wall.png/")
    build.redirect(f"{SITE}/img/moved.png", "/img/final.png")
    build.response(f"{SITE}/img/final.png", images["moved"], "image/png")
    build.redirect(f"{SITE}/old-story", f"{SITE}/story")
    build.response(f"{SITE}/missing", NOT_FOUND.encode(), status="404 Not Found")
    return build.save(tmp_path / "story.warc.gz")


def test_registry_picks_the_warc_importer(tmp_path: Path) -> None:
    assert importer_for(tmp_path / "a.warc.gz") is parse
    assert importer_for(tmp_path / "a.warc") is parse


def test_normalize_url() -> None:
    assert normalize_url("https://Example.org/a/#x") == normalize_url("http://example.org/a")
    assert normalize_url("http://example.org:80/") == normalize_url("https://example.org")
    assert normalize_url("http://example.org/a?q=1") != normalize_url("http://example.org/a")


def test_page_with_captured_images(story_warc: Path, images: dict[str, bytes]) -> None:
    (article,) = parse(story_warc, story_warc.read_bytes())
    assert article.title.startswith("Harbour wall repaired")
    assert "fishing boats returned" in article.text
    assert article.url == f"{SITE}/story"
    assert article.published == ""  # the capture date is not a publication date
    by_alt = {image.alt: image for image in article.images}
    assert by_alt["The repaired wall"].data == images["wall"]
    assert by_alt["The repaired wall"].url == f"{SITE}/img/wall.png"
    assert by_alt["The wall again"].data == images["wall"]  # a revisit record
    assert by_alt["Boats in the harbour"].data == images["moved"]  # followed the redirect
    missing = by_alt["Not in the archive"]
    assert missing.data is None and missing.url == f"{SITE}/img/never-captured.png"

    assert article.record == STORY.encode()
    assert article.record_locator == f"{SITE}/story @ {DATE}"
    assert article.extra["capture_url"] == f"{SITE}/story"
    assert article.extra["captured_at"] == DATE
    assert article.extra["warc_record_id"].startswith("urn:uuid:")
    skipped = [w for w in article.warnings if w.startswith("skipped ")]
    assert any(f"{SITE}/old-story" in w and "redirect" in w for w in skipped)
    assert any(f"{SITE}/missing" in w and "404" in w for w in skipped)


def test_uncompressed_warc(tmp_path: Path) -> None:
    build = WarcBuilder(gzip=False)
    build.response(f"{SITE}/story", STORY.encode())
    path = build.save(tmp_path / "plain.warc")
    (article,) = parse(path, path.read_bytes())
    assert "harbour master" in article.text


def test_only_an_error_page_fails(tmp_path: Path) -> None:
    build = WarcBuilder()
    build.response(f"{SITE}/missing", NOT_FOUND.encode(), status="404 Not Found")
    path = build.save(tmp_path / "404.warc.gz")
    with pytest.raises(ImportFailed, match=r"no article pages .*1 HTML pages.*404"):
        parse(path, path.read_bytes())


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc"
    path.write_bytes(b"this is not a web archive at all\n" * 20)
    with pytest.raises(ImportFailed, match="not a readable web archive"):
        parse(path, path.read_bytes())


def test_truncated_warc_keeps_what_was_read(tmp_path: Path, images: dict[str, bytes]) -> None:
    build = WarcBuilder()
    build.response(f"{SITE}/story", STORY.encode())
    build.response(f"{SITE}/img/wall.png", images["wall"], "image/png")
    noise = Image.effect_noise((300, 300), 80)
    big = io.BytesIO()
    noise.save(big, format="PNG")
    build.response(f"{SITE}/img/noise.png", big.getvalue(), "image/png")
    data = build.out.getvalue()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - 5000])
    try:
        articles = parse(path, path.read_bytes())
    except ImportFailed as exc:  # acceptable too, as long as it says why
        assert "damaged" in str(exc) or "readable" in str(exc)
        return
    (article,) = articles
    assert "harbour master" in article.text
    assert any("the web archive is damaged after record" in w for w in article.warnings)


def test_truncated_before_any_record_fails(tmp_path: Path) -> None:
    build = WarcBuilder()
    build.response(f"{SITE}/story", STORY.encode())
    data = build.out.getvalue()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailed):
        parse(path, path.read_bytes())


def test_import_into_the_archive(archive, story_warc: Path) -> None:
    report = archive.import_paths([story_warc])
    assert not report.failed, report.failed
    (item,) = report.imported
    article = archive.get(item.id)
    stored = [image for image in article.images if image.sha256]
    assert len(stored) == 3
    assert all("news.example.org/img/" in image.url for image in stored)
    assert any(image.sha256 is None and "never-captured" in image.url for image in article.images)
    assert article.provenance.record == f"{SITE}/story @ {DATE}"

    again = archive.import_paths([story_warc])
    assert not again.imported and len(again.duplicates) == 1


# -- the shared corpus --------------------------------------------------------


def _html_pages(path: Path) -> list[str]:
    """The URLs of the HTML responses of a WARC, read independently of the importer."""
    urls = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
                urls.append(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


def _corpus_warcs(corpus: Path) -> list[Path]:
    warcs = sorted((corpus / "warc").glob("*.warc.gz"))
    if not warcs:
        pytest.skip("no web archives in the corpus")
    return warcs


def test_corpus_every_html_page_is_imported_or_skipped(corpus: Path) -> None:
    for path in _corpus_warcs(corpus):
        articles = parse(path, path.read_bytes())
        pages = _html_pages(path)
        imported = [a.extra["capture_url"] for a in articles]
        skipped = [w for w in articles[0].warnings if w.startswith("skipped ")]
        assert len(imported) + len(skipped) == len(pages), path.name
        for line in skipped:
            url, _, reason = line.removeprefix("skipped ").rpartition(": ")
            assert url in pages and reason, line
        for article in articles:
            assert article.record and article.record_locator
            assert article.extra["captured_at"].startswith(("19", "20"))


def test_corpus_mona_lisa(corpus: Path) -> None:
    path = corpus / "warc" / "ukwa-wikipedia-mona-lisa.warc.gz"
    if not path.is_file():
        pytest.skip("Mona Lisa web archive not in the corpus")
    articles = parse(path, path.read_bytes())
    article = next(a for a in articles if "Mona Lisa" in a.title)
    assert "Leonardo" in article.text
    assert article.extra["capture_url"] == "http://en.wikipedia.org/wiki/Mona_Lisa"
    assert article.extra["captured_at"]
    stored = [image for image in article.images if image.data]
    assert len(stored) >= 10
    assert all(image.url for image in stored)


def test_truncated_uncompressed_warc(tmp_path: Path, images: dict[str, bytes]) -> None:
    build = WarcBuilder(gzip=False)
    build.response(f"{SITE}/story", STORY.encode())
    build.response(f"{SITE}/img/wall.png", images["wall"], "image/png")
    data = build.out.getvalue()
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: len(data) - 40])
    (article,) = parse(path, path.read_bytes())
    assert "harbour master" in article.text
    assert any("damaged after record 1" in w for w in article.warnings)
    wall = next(image for image in article.images if image.alt == "The repaired wall")
    assert wall.data is None  # the cut image record is not used
