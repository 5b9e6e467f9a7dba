"""The MHTML importer: pages saved as a single file, their images from the file's parts."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from PIL import Image

from archive_app.core.importers import ImportFailed, NotAnArticle, importer_for
from archive_app.core.importers.mhtml import parse

PAGE_URL = "https://journal.example.net/2024/lighthouse"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The lighthouse keeper’s last winter</title>
</head><body>
<article>
<h1>The lighthouse keeper’s last winter</h1>
<p>For forty years the lighthouse on the point was kept by one family, and the last keeper
still remembers the storms of the long winter before the light was automated.</p>
<figure><img src="https://journal.example.net/img/light.png" alt="The lighthouse" width="300"
height="200"><figcaption>The lighthouse at dusk.</figcaption></figure>
<p>He climbed the hundred and twelve steps four times a night to wind the clockwork that
turned the great lens, and logged every ship that passed the point.</p>
<img src="cid:keeper@example.net" alt="The keeper" width="300" height="200">
<p>When the automatic lamp arrived he stayed on for a year to look after it, and then
moved to the village, where he still walks to the harbour every morning.</p>
<img src="/img/gone.png" alt="A missing picture" width="300" height="200">
<p>The lighthouse is now a museum, and the keeper’s logbooks are on show in the room
where he slept through the quiet summer afternoons.</p>
</article></body></html>
"""


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (seed * 50 % 256, 120, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def build_mhtml(*, with_light: bool = True, with_keeper: bool = True) -> bytes:
    message = EmailMessage()
    message["From"] = "<Saved by Blink>"
    message["Snapshot-Content-Location"] = PAGE_URL
    message["Subject"] = "The lighthouse keeper's last winter"
    message["MIME-Version"] = "1.0"
    message.make_related()
    message.set_param("type", "text/html")
    html = EmailMessage()
    html.set_content(PAGE, subtype="html", charset="utf-8", cte="quoted-printable")
    html["Content-Location"] = PAGE_URL
    message.attach(html)
    if with_light:
        part = EmailMessage()
        part.set_content(png(1), maintype="image", subtype="png", cte="base64")
        part["Content-Location"] = "http://journal.example.net/img/light.png"
        message.attach(part)
    if with_keeper:
        part = EmailMessage()
        part.set_content(png(2), maintype="image", subtype="png", cte="base64")
        part["Content-ID"] = "<keeper@example.net>"
        message.attach(part)
    return message.as_bytes(policy=default)


def write(tmp_path: Path, data: bytes, name: str = "page.mhtml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_registry_picks_the_mhtml_importer(tmp_path: Path) -> None:
    assert importer_for(tmp_path / "a.mhtml") is parse
    assert importer_for(tmp_path / "a.MHT") is parse


def test_page_and_images_from_parts(tmp_path: Path) -> None:
    data = build_mhtml()
    assert b"quoted-printable" in data.lower()
    path = write(tmp_path, data)
    (article,) = parse(path, data)
    assert "lighthouse keeper’s last winter" in article.title
    assert "hundred and twelve steps" in article.text
    assert "’" in article.text  # the quoted-printable UTF-8 decoded
    assert article.url == PAGE_URL
    assert article.record is None
    by_alt = {image.alt: image for image in article.images}
    assert by_alt["The lighthouse"].data == png(1)  # Content-Location, https vs http
    assert by_alt["The lighthouse"].url == "https://journal.example.net/img/light.png"
    assert by_alt["The keeper"].data == png(2)  # cid:
    missing = by_alt["A missing picture"]
    assert missing.data is None and missing.url == "https://journal.example.net/img/gone.png"


def test_missing_part_stays_a_reference(tmp_path: Path) -> None:
    data = build_mhtml(with_light=False)
    (article,) = parse(write(tmp_path, data), data)
    by_alt = {image.alt: image for image in article.images}
    assert by_alt["The lighthouse"].data is None
    assert by_alt["The lighthouse"].url == "https://journal.example.net/img/light.png"
    assert by_alt["The keeper"].data == png(2)


def test_page_url_from_the_snapshot_header(tmp_path: Path) -> None:
    data = build_mhtml().replace(f"Content-Location: {PAGE_URL}\n".encode(), b"X-Removed: 1\n", 1)
    data = data.replace(f"Content-Location: {PAGE_URL}\r\n".encode(), b"X-Removed: 1\r\n", 1)
    (article,) = parse(write(tmp_path, data), data)
    assert article.url == PAGE_URL
    assert any(image.data == png(1) for image in article.images)


def test_not_mime(tmp_path: Path) -> None:
    data = b"Just some notes about a lighthouse.\nNothing more.\n"
    with pytest.raises(ImportFailed, match="not an MHTML file"):
        parse(write(tmp_path, data, "notes.mht"), data)


def test_plain_html_is_not_mhtml(tmp_path: Path) -> None:
    data = PAGE.encode()
    with pytest.raises(ImportFailed, match="not an MHTML file"):
        parse(write(tmp_path, data), data)


def test_no_html_part(tmp_path: Path) -> None:
    message = EmailMessage()
    message["MIME-Version"] = "1.0"
    message.make_related()
    part = EmailMessage()
    part.set_content(png(1), maintype="image", subtype="png")
    message.attach(part)
    data = message.as_bytes(policy=default)
    with pytest.raises(ImportFailed, match="no HTML part"):
        parse(write(tmp_path, data), data)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(NotAnArticle):
        parse(write(tmp_path, b"  \n"), b"  \n")


def test_import_into_the_archive(archive, tmp_path: Path) -> None:
    path = write(tmp_path, build_mhtml(with_light=False))
    report = archive.import_paths([path])
    assert not report.failed, report.failed
    (item,) = report.imported
    article = archive.get(item.id)
    assert any(image.sha256 for image in article.images)
    light = next(image for image in article.images if image.alt == "The lighthouse")
    assert light.sha256 is None and light.url == "https://journal.example.net/img/light.png"
