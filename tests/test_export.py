"""Exporting articles: CSV, JSON and a self-contained HTML report, whole or not at all."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from archive_app.core.archive import Archive
from archive_app.core.exporting import CSV_FIELDS, UnknownFormat, export_articles
from archive_app.core.models import ExportReport, SearchRequest

NOTE = 'Ask the "ministry" <about> this & that.\nSecond line.'


def _children(archive: Archive) -> list[str]:
    return list(archive.search_ids(SearchRequest(query="children")).ids)


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_article(sample_archive: Archive, tmp_path: Path):
    ids = _children(sample_archive)
    sample_archive.set_note(ids[0], NOTE)
    target = tmp_path / "out.csv"
    report = export_articles(sample_archive, ids, target, "csv", query="children")
    assert report == ExportReport(path=str(target), format="csv", count=len(ids))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheet programs
    with target.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(CSV_FIELDS)
    rows = _read_csv(target)
    assert [r["id"] for r in rows] == ids
    for row in rows:
        article = sample_archive.get(row["id"])
        assert row["title"] == article.title
        assert row["author"] == article.author
        assert row["source"] == article.source
        assert row["published"] == article.published
        assert row["url"] == article.url
        assert row["topics"].split(";") == [t.topic for t in article.topics] or not article.topics
        assert row["tags"] == ";".join(article.tags)
        assert row["original_filename"] == article.provenance.filename
        assert row["original_sha256"] == article.provenance.sha256
        assert row["note"] == article.note
        assert "children" in row["snippet"].lower()
        assert "<mark" not in row["snippet"] and "&amp;" not in row["snippet"]
    assert rows[0]["note"] == NOTE


def test_csv_defuses_spreadsheet_formulas(sample_archive: Archive, tmp_path: Path):
    article_id = _children(sample_archive)[0]
    sample_archive.set_note(article_id, '=HYPERLINK("http://x")')
    export_articles(sample_archive, [article_id], tmp_path / "out.csv", "csv")
    (row,) = _read_csv(tmp_path / "out.csv")
    assert row["note"] == '\'=HYPERLINK("http://x")'


def test_snippet_without_a_query_is_the_start_of_the_text(sample_archive: Archive, tmp_path):
    article_id = _children(sample_archive)[0]
    export_articles(sample_archive, [article_id], tmp_path / "out.csv", "csv")
    (row,) = _read_csv(tmp_path / "out.csv")
    start = " ".join(sample_archive.get(article_id).text.split())[:40]
    assert row["snippet"].startswith(start)


def test_json_export(sample_archive: Archive, tmp_path: Path):
    ids = list(sample_archive.search_ids(SearchRequest()).ids)
    sample_archive.set_note(ids[1], NOTE)
    target = tmp_path / "out.json"
    report = export_articles(sample_archive, ids, target, "json", query="")
    data = json.loads(target.read_text("utf-8"))
    assert set(data) == {"exported_at", "query", "count", "articles"}
    assert data["query"] == "" and data["count"] == report.count == len(ids)
    assert [a["id"] for a in data["articles"]] == ids
    for record in data["articles"]:
        article = sample_archive.get(record["id"])
        assert set(record) == {*CSV_FIELDS, "images"}
        assert record["published"] == (article.published or None)
        assert record["topics"] == [t.topic for t in article.topics]
        assert record["tags"] == list(article.tags)
        assert record["note"] == article.note
        assert record["images"] == [
            {"sha256": i.sha256, "caption": i.caption, "credit": i.credit, "url": i.url or None}
            for i in article.images
        ]
    assert data["articles"][1]["note"] == NOTE
    assert any(a["images"] for a in data["articles"])
    assert any(a["published"] is None for a in data["articles"])


@pytest.mark.parametrize("fmt", ["csv", "json", "html"])
def test_an_empty_export_is_still_a_valid_file(archive: Archive, tmp_path: Path, fmt: str):
    target = tmp_path / f"out.{fmt}"
    assert export_articles(archive, [], target, fmt).count == 0
    text = target.read_text("utf-8-sig")
    if fmt == "json":
        assert json.loads(text)["articles"] == []
    elif fmt == "csv":
        assert _read_csv(target) == []
    else:
        assert "</html>" in text


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "article",
    "span", "mark", "div", "strong", "br", "figure", "img", "figcaption",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k.lower(): v or "" for k, v in attrs}))


def _tags_in(text: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(text)
    return parser.found


def _data_images(text: str) -> list[tuple[str, Image.Image]]:
    found = []
    for mime, payload in re.findall(r'src="data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)"', text):
        found.append((mime, Image.open(io.BytesIO(base64.b64decode(payload)))))
    return found


def test_html_report_is_self_contained(sample_archive: Archive, tmp_path: Path):
    ids = _children(sample_archive)
    sample_archive.set_note(ids[0], "<script>alert('x')</script> & <img src=http://evil/>")
    target = tmp_path / "out.html"
    export_articles(sample_archive, ids, target, "html", query="children")
    text = target.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<h1>Search: children</h1>" in text
    tags = _tags_in(text)
    assert "script" not in {tag for tag, _ in tags}
    assert {tag for tag, _ in tags} <= ALLOWED_TAGS
    for tag, attrs in tags:
        assert all(not name.startswith("on") for name in attrs)  # no event handlers
        assert "href" not in attrs
        if "src" in attrs:
            assert tag == "img" and attrs["src"].startswith("data:image/")
    assert "url(" not in text and "@import" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "<mark>children</mark>" in text
    for article_id in ids:
        article = sample_archive.get(article_id)
        assert article.provenance.sha256 in text
        assert article.title.replace("'", "&#x27;").replace('"', "&quot;") in text
    stored = {
        i.sha256 for a in map(sample_archive.get, ids) for i in a.images if i.sha256 is not None
    }
    images = _data_images(text)
    assert len(images) == len(
        [i for a in map(sample_archive.get, ids) for i in a.images if i.sha256]
    )
    assert stored and images


def test_html_images_are_downscaled(archive: Archive, tmp_path: Path, make_image):
    folder = tmp_path / "in"
    make_image(folder / "wide.jpg", (2400, 1000), "JPEG", seed=1)
    make_image(folder / "small.png", (300, 200), "PNG", seed=2)
    clear = Image.new("RGBA", (1600, 3000), (0, 0, 0, 0))
    clear.save(folder / "clear.png")
    (folder / "pictures.md").write_text(
        '---\ntitle: Pictures & <friends>\n---\n\n![wide](wide.jpg "A wide photo. Photo: Ann")'
        "\n\n![small](small.png)\n\n![clear](clear.png)\n\nHarbour pictures.\n",
        encoding="utf-8",
    )
    archive.import_paths([folder])
    ids = list(archive.search_ids(SearchRequest()).ids)
    export_articles(archive, ids, tmp_path / "out.html", "html")
    text = (tmp_path / "out.html").read_text("utf-8")
    assert "Pictures &amp; &lt;friends&gt;" in text
    (wide_mime, wide), (small_mime, small), (clear_mime, clear_out) = _data_images(text)
    assert (wide_mime, wide.size) == ("image/jpeg", (1200, 500))
    assert (small_mime, small.size) == ("image/png", (300, 200))
    assert clear_mime == "image/png" and max(clear_out.size) == 1200
    assert clear_out.mode == "RGBA"
    assert "A wide photo." in text


def test_ids_no_longer_in_the_archive_are_left_out(sample_archive: Archive, tmp_path: Path):
    ids = _children(sample_archive)
    sample_archive.delete(ids[1])
    report = export_articles(sample_archive, [*ids, "0123456789ab"], tmp_path / "o.json", "json")
    data = json.loads((tmp_path / "o.json").read_text("utf-8"))
    assert report.count == data["count"] == len(ids) - 1
    assert [a["id"] for a in data["articles"]] == [ids[0], *ids[2:]]


def test_progress_is_reported_per_article(sample_archive: Archive, tmp_path: Path):
    ids = _children(sample_archive)
    seen: list[tuple[int, int]] = []
    export_articles(
        sample_archive, ids, tmp_path / "o.csv", "csv", progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(n, len(ids)) for n in range(len(ids) + 1)]


@pytest.mark.parametrize("fmt", ["csv", "json", "html"])
def test_cancel_leaves_nothing_behind(sample_archive: Archive, tmp_path: Path, fmt: str):
    ids = _children(sample_archive)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / f"out.{fmt}"
    cancel = threading.Event()

    def progress(done: int, _total: int) -> None:
        if done == 3:
            cancel.set()

    report = export_articles(sample_archive, ids, target, fmt, progress=progress, cancel=cancel)
    assert report.cancelled and report.count == 0
    assert list(folder.iterdir()) == []


def test_cancel_keeps_an_earlier_file_at_the_target(sample_archive: Archive, tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.csv"
    target.write_text("earlier export", encoding="utf-8")
    cancel = threading.Event()
    cancel.set()
    report = export_articles(
        sample_archive, _children(sample_archive), target, "csv", cancel=cancel
    )
    assert report.cancelled
    assert target.read_text("utf-8") == "earlier export"
    assert sorted(p.name for p in folder.iterdir()) == ["out.csv"]


def test_a_failure_midway_leaves_no_half_file(sample_archive: Archive, tmp_path: Path, monkeypatch):
    ids = _children(sample_archive)
    real_get = sample_archive.get
    calls = []

    def failing_get(article_id: str):
        calls.append(article_id)
        if len(calls) == 4:
            raise OSError("disk went away")
        return real_get(article_id)

    monkeypatch.setattr(sample_archive, "get", failing_get)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(OSError, match="disk went away"):
        export_articles(sample_archive, ids, folder / "out.html", "html")
    assert list(folder.iterdir()) == []


def test_an_unknown_format_is_refused(sample_archive: Archive, tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(UnknownFormat, match="csv, json, html"):
        export_articles(sample_archive, [], folder / "out.xls", "xls")
    assert list(folder.iterdir()) == []
