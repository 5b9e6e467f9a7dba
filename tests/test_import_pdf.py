"""The PDF importer: text cleaning, metadata, page images, and bad input."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from archive_app.core.importers import ImportFailed, NotAnArticle, importer_for
from archive_app.core.importers.pdf import ENCRYPTED, NO_TEXT, parse

HEADER = "Annual Report 2023"
REPORT_PAGES = [
    [
        HEADER,
        "River Survey Findings",
        "The survey of the river found that the depor-",
        "tation of sediment increased sharply in the",
        "lower reaches during the spring floods.",
        "Methods",
        "Samples were taken at ten sites every month.",
        "1",
    ],
    [
        HEADER,
        "The sediment load doubled compared with the",
        "previous year, and the banks eroded further.",
        "2",
    ],
]
REPORT_INFO = {
    "Title": "River Sediment Survey",
    "Author": "Jane Doe",
    "CreationDate": "D:20230317093000Z",
    "Producer": "Some PDF Library 1.0",
}


def make_pdf(
    pages: list[list[str]], info: dict[str, str] | None = None, lang: str | None = None
) -> bytes:
    """A minimal valid PDF: one Helvetica text stream per page, one line per entry."""
    objects: list[bytes] = [b"", b""]  # the catalog and the page tree, filled in last
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for lines in pages:
        ops = ["BT /F1 11 Tf 14 TL 72 750 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        objects.append(page.encode())
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    lang_entry = f" /Lang ({lang})" if lang else ""
    objects[0] = f"<< /Type /Catalog /Pages 2 0 R{lang_entry} >>".encode()
    info_ref = ""
    if info:
        objects.append(("<< " + " ".join(f"/{k} ({v})" for k, v in info.items()) + " >>").encode())
        info_ref = f" /Info {len(objects)} 0 R"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info_ref} >>\n"
    out.write(trailer.encode() + f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def image_pdf_page(size: tuple[int, int] = (120, 80)):
    """A page showing one image, as Pillow writes it."""
    image = Image.new("RGB", size, (40, 90, 160))
    ImageDraw.Draw(image).rectangle((2, 2, size[0] // 2, size[1] // 2), fill=(250, 200, 0))
    out = io.BytesIO()
    image.save(out, "PDF")
    return PdfReader(io.BytesIO(out.getvalue())).pages[0]


def with_image(data: bytes, page_index: int, size: tuple[int, int] = (120, 80)) -> bytes:
    """The PDF with an image drawn onto one of its pages."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.pages[page_index].merge_page(image_pdf_page(size))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def parse_one(path: Path):
    articles = parse(path, path.read_bytes())
    assert len(articles) == 1
    return articles[0]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return write(tmp_path, make_pdf(REPORT_PAGES, REPORT_INFO, lang="en-GB"))


def test_registered_for_pdf_files():
    assert importer_for(Path("x.PDF")) is parse


def test_metadata(report: Path):
    article = parse_one(report)
    assert article.title == "River Sediment Survey"
    assert article.author == "Jane Doe"
    assert article.published == "2023-03-17T09:30:00+00:00"
    assert article.language == "en-GB"
    assert article.source == ""  # the producer is software, not a source
    assert article.extra["pages"] == "2"
    assert article.warnings == ()


def test_text_is_cleaned(report: Path):
    article = parse_one(report)
    assert HEADER not in article.text
    assert "deportation of sediment increased sharply in the lower reaches" in article.text
    assert "depor-" not in article.text
    paragraphs = article.text.split("\n\n")
    assert "Methods" in paragraphs
    assert "Samples were taken at ten sites every month." in paragraphs
    assert paragraphs[-1] == (
        "The sediment load doubled compared with the previous year, and the banks eroded further."
    )
    assert not any(p.strip() in {"1", "2"} for p in paragraphs)


def test_html_has_paragraphs_per_page(report: Path):
    article = parse_one(report)
    assert article.html.count("<hr>") == 1
    assert "<p>Methods</p>" in article.html
    assert "<h2>" not in article.html
    assert HEADER not in article.html


def test_title_from_first_prominent_line(tmp_path: Path):
    info = {"Title": "Microsoft Word - report_final.docx", "Author": "user"}
    article = parse_one(write(tmp_path, make_pdf(REPORT_PAGES, info)))
    assert article.title == "River Survey Findings"
    assert article.author == ""
    assert not article.text.startswith("River Survey Findings")
    assert article.text.startswith("The survey of the river")


@pytest.mark.parametrize("title", ["untitled", "report", "scan0001.pdf", "  "])
def test_placeholder_titles_are_ignored(tmp_path: Path, title: str):
    pages = [["Water quality in 2023", "The water was clean at most sites this year."]]
    article = parse_one(write(tmp_path, make_pdf(pages, {"Title": title})))
    assert article.title == "Water quality in 2023"


def test_title_derived_from_text_when_no_heading(tmp_path: Path):
    pages = [["The water was clean at most sites. Fish returned to the upper river."]]
    article = parse_one(write(tmp_path, make_pdf(pages)))
    assert article.title == "The water was clean at most sites"
    assert article.published == ""
    assert article.language == ""


def test_company_is_the_source(tmp_path: Path):
    info = {"Title": "Water quality", "Company": "River Trust"}
    article = parse_one(write(tmp_path, make_pdf([["Some text here."]], info)))
    assert article.source == "River Trust"


def test_page_image(tmp_path: Path):
    data = with_image(make_pdf(REPORT_PAGES, REPORT_INFO), page_index=1)
    article = parse_one(write(tmp_path, data))
    assert len(article.images) == 1
    image = article.images[0]
    assert image.caption == "Page 2"
    assert image.role == "inline"
    with Image.open(io.BytesIO(image.data)) as decoded:
        assert decoded.size == (120, 80)
    first, second = article.html.split("<hr>")
    assert "image:" not in first
    assert second.endswith(
        '<figure><img src="image:0" alt=""><figcaption>Page 2</figcaption></figure>'
    )
    assert "The sediment load doubled" in article.text


def test_tiny_images_are_skipped(tmp_path: Path):
    data = with_image(make_pdf(REPORT_PAGES, REPORT_INFO), page_index=0, size=(8, 8))
    article = parse_one(write(tmp_path, data))
    assert article.images == ()
    assert article.warnings == ()


def test_image_only_pdf_imports_with_a_warning(tmp_path: Path):
    writer = PdfWriter()
    writer.add_page(image_pdf_page())
    writer.add_metadata({"/Title": "Site photograph"})
    out = io.BytesIO()
    writer.write(out)
    article = parse_one(write(tmp_path, out.getvalue(), "photo.pdf"))
    assert article.title == "Site photograph"
    assert article.text == ""
    assert len(article.images) == 1
    assert NO_TEXT in article.warnings


def test_image_only_pdf_without_title_uses_the_file_name(tmp_path: Path):
    writer = PdfWriter()
    writer.add_page(image_pdf_page())
    out = io.BytesIO()
    writer.write(out)
    article = parse_one(write(tmp_path, out.getvalue(), "site_photo_2023.pdf"))
    assert article.title == "site photo 2023"


def test_pdf_without_text_or_images_fails(tmp_path: Path):
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ImportFailed, match="OCR"):
        parse_one(write(tmp_path, out.getvalue()))


def test_encrypted_pdf_fails(tmp_path: Path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(REPORT_PAGES, REPORT_INFO))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ImportFailed) as raised:
        parse_one(write(tmp_path, out.getvalue()))
    assert str(raised.value) == ENCRYPTED


def test_truncated_pdf_fails(tmp_path: Path):
    data = make_pdf(REPORT_PAGES, REPORT_INFO)
    with pytest.raises(ImportFailed, match="cannot be read"):
        parse_one(write(tmp_path, data[: len(data) // 2]))


def test_empty_file_is_skipped(tmp_path: Path):
    with pytest.raises(NotAnArticle):
        parse_one(write(tmp_path, b""))


def test_imports_are_quiet(report: Path, capsys, caplog):
    data = make_pdf(REPORT_PAGES, REPORT_INFO)
    with pytest.raises(ImportFailed):
        parse(report, data[: len(data) // 2])
    shifted = data[:9] + b"% offsets now point at the wrong bytes\n" + data[9:]
    assert parse(report, shifted)[0].title == "River Sediment Survey"  # repaired, silently
    out, err = capsys.readouterr()
    assert out == err == ""
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_fail_cleanly(tail: bytes):
    with contextlib.suppress(ImportFailed, NotAnArticle):
        parse(Path("random.pdf"), b"%PDF-1.4\n" + tail)


def test_import_through_the_archive(archive, tmp_path: Path):
    data = with_image(make_pdf(REPORT_PAGES, REPORT_INFO), page_index=1)
    path = write(tmp_path, data)
    report = archive.import_paths([path])
    assert not report.failed
    assert len(report.imported) == 1
    stored = archive.get(report.imported[0].id)
    assert stored.title == "River Sediment Survey"
    assert "deportation of sediment" in stored.text
    assert HEADER not in stored.text
    assert len(stored.images) == 1
    assert (stored.images[0].width, stored.images[0].height) == (120, 80)
