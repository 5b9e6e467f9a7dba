"""A hostile corpus, generated: every kind of broken or malicious input the importers meet.

`write_corpus(folder)` writes each case into `folder` and returns what is expected
of it. Nothing here is committed as a binary blob; the large cases are written
only when asked for (`heavy=True`), sparse where the content does not matter.

Run as a script it imports one path into an archive and prints the report and
the process's peak memory as JSON: the heavy cases run that way, in a child
process with a time bound, so a case that hangs or swells cannot take the test
run down with it.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import resource
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import lxml.html

MB = 1024 * 1024

# -- what stored HTML must never hold ------------------------------------------------

_FORBIDDEN_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "frame", "frameset", "style", "link", "meta",
     "base", "form", "svg", "math", "applet", "audio", "video", "source", "track", "noscript"}
)  # fmt: skip
_URL_ATTRIBUTES = ("href", "src", "srcset", "background", "action", "data", "poster", "xlink:href")
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
# Browsers drop ASCII whitespace and control characters inside a URL ("java\tscript:").
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")


def unsafe_html(html: str) -> list[str]:
    """What in a stored fragment the reader could run, or load from outside the archive.

    Parsed, not pattern-matched: "onion=" in a paragraph is text, `<p onclick>` is not.
    Links (`<a href="https://…">`) are allowed: nothing loads them until a person clicks.
    """
    if not html.strip():
        return []
    try:
        elements = lxml.html.fragments_fromstring(html)
    except Exception as exc:  # lxml refuses some fragments: then nothing can be vouched for
        return [f"unparseable fragment ({exc})"]
    found: list[str] = []
    for top in elements:
        if isinstance(top, str):
            continue
        for element in top.iter():
            if not isinstance(element.tag, str):
                continue
            tag = element.tag.lower()
            if tag in _FORBIDDEN_TAGS:
                found.append(f"<{tag}>")
            for name, value in element.attrib.items():
                name = name.lower()
                if name.startswith("on"):
                    found.append(f"{tag} {name}=")
                elif name == "style":
                    found.append(f"{tag} style=")
                elif name in _URL_ATTRIBUTES:
                    value = value.strip()
                    if tag == "img" and name == "src":
                        if not re.fullmatch(r"image:\d+", value):
                            found.append(f"img src={value!r}")
                    elif tag == "a" and name == "href":
                        # A relative link loads nothing either; a scheme must be a safe one.
                        bare = _INVISIBLE.sub("", value)
                        if _SCHEME.match(bare) and not _SAFE_LINK.match(bare):
                            found.append(f"a href={value!r}")
                    else:
                        found.append(f"{tag} {name}={value!r}")
    return found


# -- the cases -----------------------------------------------------------------------

IMPORTED = "imported"  # imported, its stored HTML safe
FAILED = "failed"  # reported failed, the reason naming what is wrong
SKIPPED = "skipped"  # reported skipped, the reason naming what is wrong
IMAGE_REFUSED = "image refused"  # the article imported, the image not stored, a warning says why
EITHER = "imported or failed"  # imported safely, or failed or skipped with a reason


@dataclass(frozen=True)
class HostileCase:
    name: str
    path: Path
    threat: str  # what the file tries
    expect: str  # one of the outcomes above
    reason: tuple[str, ...] = ()  # words the reason or warning contains (any of them, lower case)
    heavy: bool = False  # run in a child process with memory and time bounds
    memory_mb: int = 0  # peak resident memory allowed for the whole child process (heavy cases)


ARTICLE = (
    "Officials in the river district confirmed on Tuesday that the bridge will reopen. "
    "Engineers inspected every span after the spring floods and found no lasting damage."
)


def _page(body: str, head: str = "", title: str = "Bridge reopens") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><article><h1>{title}</h1>{body}<p>{ARTICLE}</p><p>{ARTICLE}</p></article>"
        "</body></html>"
    )


def _png(width: int, height: int, pixel_data: bytes | None = None) -> bytes:
    """A PNG with the given header size and (by default) a tiny image data chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(pixel_data if pixel_data is not None else b"\x00\x00\x00\x00", 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _zlib_bomb_png() -> bytes:
    """A 9,500×9,500 RGB PNG (90 megapixels) of zeros: small on disk, 270 MB decoded."""
    side = 9_500
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * side * 3
    out = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", out) + chunk(b"IEND", b"")


def _small_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((160, 120), 80).convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _gzip_bomb(size: int) -> bytes:
    """gzip of `size` zero bytes, written in pieces (about 1 KB per MB)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as stream:
        block = b"\x00" * MB
        for _ in range(size // MB):
            stream.write(block)
    return out.getvalue()


def _warc_record(url: str, http: bytes, length: int | None = None) -> bytes:
    length = len(http) if length is None else length
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-03-01T10:00:00Z\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )
    return head.encode() + http + b"\r\n\r\n"


def _http(body: bytes, content_type: str = "text/html; charset=utf-8", extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _mhtml(html: str, parts: list[tuple[str, str, bytes]]) -> bytes:
    """A saved page: the HTML part, then (content type, location, bytes) parts in base64."""
    boundary = "----=_Part_0_hostile"
    lines = [
        "From: <Saved by a browser>",
        "Snapshot-Content-Location: https://news.example/bridge",
        "Subject: Bridge reopens",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/related; type="text/html"; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "Content-Location: https://news.example/bridge",
        "",
        html,
    ]
    for content_type, location, data in parts:
        encoded = base64.encodebytes(data).decode()
        lines += [
            f"--{boundary}",
            f"Content-Type: {content_type}",
            "Content-Transfer-Encoding: base64",
            f"Content-Location: {location}",
            "",
            encoded,
        ]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines).encode("utf-8")


def write_corpus(folder: Path, *, heavy: bool = False) -> list[HostileCase]:
    """Write every hostile case into `folder`; the heavy ones only when asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[HostileCase] = []

    def add(name: str, content: bytes | str, threat: str, expect: str, *reason: str, **kw) -> Path:
        path = folder / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        cases.append(HostileCase(path.name, path, threat, expect, tuple(reason), **kw))
        return path

    # A plain article: whatever the others do, it imports.
    add("control.txt", f"Title: Control article\n\n{ARTICLE}\n", "nothing", IMPORTED)

    # Script and active content in web pages.
    add(
        "script.html",
        _page(
            "<script>document.title='owned'</script><p>Before<script>alert(1)</script>after.</p>",
            head="<script src='https://evil.example/x.js'></script>",
        ),
        "<script> in head and body",
        IMPORTED,
    )
    add(
        "handlers.html",
        _page(
            '<p onclick="alert(1)" onmouseover="steal()">Click here.</p>'
            '<img src="local.jpg" onerror="alert(2)" onload="alert(3)" alt="handler image">',
        ).replace("<body>", '<body onload="alert(0)">'),
        "on*= event handlers",
        IMPORTED,
    )
    (folder / "local.jpg").write_bytes(_small_jpeg())  # a real image: the reader asks for it
    add(
        "javascript-urls.html",
        _page(
            '<p><a href="javascript:alert(1)">a link</a> and <a href=" JaVaScRiPt:alert(2)">'
            'another</a>.</p><img src="javascript:alert(3)" alt="js image">'
            '<form action="javascript:alert(4)"><input value="x"></form>'
        ),
        "javascript: URLs in links, images and forms",
        IMPORTED,
    )
    add(
        "frames.html",
        _page(
            '<iframe src="https://evil.example/frame"></iframe>'
            '<object data="https://evil.example/x.swf"></object>'
            '<embed src="https://evil.example/x.swf"><frameset><frame src="x"></frameset>'
        ),
        "<iframe>, <object>, <embed>",
        IMPORTED,
    )
    add(
        "remote-resources.html",
        _page(
            '<figure><img src="https://tracker.example/pixel.png" width="600" height="400" '
            'alt="remote photo"><figcaption>Remote photo. Photo: Jane Roe/Wire</figcaption>'
            "</figure>"
            '<p style="background:url(https://evil.example/bg.png)">Styled paragraph text.</p>'
            '<div background="https://evil.example/bg2.png">Old-style background.</div>'
            '<img srcset="https://evil.example/a.png 1x, https://evil.example/b.png 2x" alt="s">',
            head='<link rel="stylesheet" href="https://evil.example/s.css">'
            "<style>body{background:url('https://evil.example/c.png')}"
            "@import url('https://evil.example/i.css');</style>"
            '<link rel="preload" href="https://evil.example/font.woff2">',
        ),
        "remote <img>, <link>, CSS url() and @import",
        IMPORTED,
    )
    add(
        "meta-refresh.html",
        _page("", head='<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
        "<meta http-equiv=refresh>",
        IMPORTED,
    )
    add(
        "svg-script.html",
        _page(
            '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
            '<image href="https://evil.example/x.png"/><a xlink:href="javascript:alert(3)">'
            "<text>svg link</text></a></svg>"
            '<img src="evil.svg" alt="an svg with a script">'
        ),
        "inline SVG with script; an SVG image holding a script",
        IMPORTED,
    )
    (folder / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
        '<image href="https://evil.example/x.png"/></svg>',
        encoding="utf-8",
    )
    add(
        "svg-image.md",
        "# SVG image\n\n![an svg](evil.svg)\n\n" + ARTICLE + "\n",
        "an .svg image with a script, referenced from Markdown",
        IMAGE_REFUSED,
        "not an image",
    )

    # Images that lead out of the imported folder.
    outside = Path("/etc/passwd")
    link = folder / "passwd-link.png"
    link.symlink_to(outside)
    add(
        "escape.md",
        "# Paths out\n\n![a](../../../../../../etc/passwd)\n\n![b](/etc/passwd)\n\n"
        "![c](file:///etc/passwd)\n\n![d](passwd-link.png)\n\n" + ARTICLE + "\n",
        "image paths ../../etc/passwd, absolute, file:// and a symlink out of the tree",
        IMAGE_REFUSED,
        "outside the article's folder",
    )
    add(
        "escape.html",
        _page(
            '<img src="../../../../../../etc/passwd" alt="a"><img src="/etc/passwd" alt="b">'
            '<img src="file:///etc/passwd" alt="c"><img src="passwd-link.png" alt="d">'
        ),
        "the same paths from a web page",
        EITHER,
        "outside the article's folder",
    )
    add(
        "escape.json",
        json.dumps(
            {
                "title": "Paths out",
                "text": ARTICLE,
                "images": [{"path": "../../../../../../etc/passwd"}, {"path": "/etc/passwd"}],
            }
        ),
        "image paths out of the tree in a bulk JSON record",
        IMAGE_REFUSED,
        "outside the article's folder",
    )

    # Broken and hostile images.
    images = folder / "images"
    images.mkdir(exist_ok=True)
    (images / "claims-huge.png").write_bytes(_png(100_000, 100_000))
    (images / "truncated.jpg").write_bytes(_small_jpeg()[:1500])
    for name, image, words in (
        ("bomb-header.md", "images/claims-huge.png", ("megapixels", "decompression bomb")),
        ("truncated-image.md", "images/truncated.jpg", ("truncated",)),
    ):
        add(
            name,
            f"# {name}\n\n![picture]({image})\n\n{ARTICLE}\n",
            f"image {image}",
            IMAGE_REFUSED,
            *words,
        )

    # Deep nesting.
    depth = 10_000
    add(
        "deep.html",
        _page("<div>" * depth + "<p>Deep inside.</p>" + "</div>" * depth),
        "10,000-deep nested tags",
        EITHER,
        "nested",
        "not html",
        "no article",
    )
    add(
        "deep.json",
        '{"title": "Deep", "text": "x", "extra": ' + "[" * depth + "]" * depth + "}",
        "10,000-deep nested JSON",
        FAILED,
        "nested too deeply",
    )
    add(
        "deep.md",
        "# Deep\n\n" + ">" * depth + " quoted\n\n" + "- " * 2_000 + "item\n\n" + ARTICLE,
        "10,000-deep nested Markdown quotes",
        EITHER,
        "no article text",
    )

    # Containers: a gzip bomb in a web archive, a PNG bomb in MHTML, a zip bomb as EPUB.
    bomb_gz = _gzip_bomb(64 * MB)

    def page(title: str) -> bytes:
        return _page("<p>Captured page.</p>", title=title).encode()

    add(
        "gzip-bomb.warc",
        _warc_record("https://news.example/bridge", _http(page("Captured bridge")))
        + _warc_record(
            "https://news.example/bomb.png",
            _http(bomb_gz, "image/png", "Content-Encoding: gzip\r\n"),
        ),
        "an HTTP body that inflates to 64 MB inside a web archive",
        IMPORTED,
    )
    add(
        "record-bomb.warc.gz",
        gzip.compress(_warc_record("https://news.example/ferry", _http(page("Captured ferry"))))
        + gzip.compress(
            _warc_record("https://news.example/zeros", _http(b"", "application/x-zeros")),
        )
        + _gzip_record_of_zeros(64 * MB),
        "a gzip member of a web archive that inflates to 64 MB",
        EITHER,
        "web archive",
    )
    add(
        "png-bomb.mhtml",
        _mhtml(
            _page('<img src="https://news.example/bomb.png" alt="bomb">'),
            [("image/png", "https://news.example/bomb.png", _zlib_bomb_png())],
        ),
        "a 90-megapixel PNG of zeros inside MHTML (a decompression bomb)",
        IMPORTED,
    )
    bomb_zip = io.BytesIO()
    with zipfile.ZipFile(bomb_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("OEBPS/zeros.xhtml", b"\x00" * (64 * MB))
    add("zip-bomb.epub", bomb_zip.getvalue(), "a zip bomb as an EPUB", SKIPPED, "unsupported")
    add(
        "zip-bomb.html",
        bomb_zip.getvalue(),
        "a zip bomb named .html",
        FAILED,
        "binary",
        "not html",
        "not valid",
    )

    # Encodings and NUL bytes.
    mixed = (
        "Заголовок новини\n\n".encode()
        + "Це речення у кодуванні cp1251.\n\n".encode("cp1251")
        + "Ceci est écrit en latin-1.\n\n".encode("latin-1")
        + ("Back to UTF-8 text: " + ARTICLE + "\n").encode()
    )
    add(
        "mixed-encodings.txt",
        mixed,
        "mixed encodings: UTF-8, cp1251 and latin-1 in one file",
        EITHER,
        "binary",
    )
    add(
        "odd-utf16.txt",
        b"\xff\xfe" + "Half a character follows".encode("utf-16-le") + b"\x41",
        "a UTF-16 byte order mark and an odd number of bytes",
        FAILED,
        "not valid utf-16",
    )
    add(
        "lying-charset.html",
        _page("<p>Écrit en UTF-8 mais déclaré autrement.</p>")
        .replace("charset='utf-8'", "charset='utf-16'")
        .encode("utf-8")
        + b"\xc3\x28\xed\xa0\x80",
        "a page declaring UTF-16, written in UTF-8 with invalid sequences",
        IMPORTED,
    )
    add("nul-start.txt", b"\x00\x00Title\x00\n\n" + ARTICLE.encode(), "NUL bytes", FAILED, "binary")
    add(
        "nul-late.txt",
        (ARTICLE + "\n\n").encode() * 100 + b"A NUL\x00in the middle.\n",
        "a NUL byte after the first 8 KB",
        IMPORTED,
    )
    add(
        "nul.json",
        json.dumps(
            {"title": "NUL\u0000title", "text": "Text with a NUL \u0000 inside. " + ARTICLE}
        ),
        "NUL characters in JSON strings",
        IMPORTED,
    )
    add(
        "surrogates.json",
        '{"title": "Lone \\ud800 surrogate", "text": "Text \\udfff here. ' + ARTICLE + '"}',
        "lone surrogates in JSON strings (valid JSON, not valid text)",
        IMPORTED,
    )

    # JSON with wrong types and lengths claiming a gigabyte.
    add(
        "wrong-types.json",
        json.dumps({"title": 42, "text": ["not", "text"], "tags": {"a": 1}, "images": "x"}),
        "JSON fields of the wrong types",
        FAILED,
        "must be a string",
    )
    add(
        "gigabyte-claims.json",
        json.dumps(
            [
                {"title": "Claims", "text": ARTICLE, "length": 1 << 30, "size": "1073741824"},
                {
                    "title": "Image claims",
                    "text": ARTICLE + " Second.",
                    "images": [{"path": "images/claims-huge.png", "size": 1 << 30}],
                },
                {"title": 1e308, "text": None},
            ]
        ),
        "records claiming gigabyte sizes, and a float title",
        IMPORTED,
    )
    add(
        "gigabyte-length.warc",
        _warc_record("https://news.example/quay", _http(page("Captured quay")), length=1 << 30),
        "a WARC record whose Content-Length claims 1 GB",
        EITHER,
        "web archive",
        "ends in the middle",
    )
    add(
        "gigabyte-length.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
        b"4 0 obj << /Length 1073741824 >> stream\nBT (x) Tj ET\nendstream endobj\n"
        b"trailer << /Root 1 0 R /Size 5 >>\n%%EOF\n",
        "a PDF stream whose /Length claims 1 GB",
        FAILED,
        "pdf",
    )

    # File names: a newline, bytes that are not UTF-8.
    for raw, threat in (
        (b"new\nline.txt", "a newline in the file name"),
        (b"latin-\xe9t\xe9-\xff.txt", "a file name that is not UTF-8"),
    ):
        path = folder / os.fsdecode(raw)
        path.write_bytes(f"Title: Named oddly\n\n{threat}. {ARTICLE}\n".encode())
        cases.append(HostileCase(path.name, path, threat, IMPORTED))

    if heavy:
        cases += write_heavy(folder)
    return cases


def _gzip_record_of_zeros(size: int) -> bytes:
    """One gzip member holding a WARC record of `size` zero bytes."""
    head = (
        "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://news.example/zeros\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as stream:
        stream.write(head)
        block = b"\x00" * MB
        for _ in range(size // MB):
            stream.write(block)
        stream.write(b"\r\n\r\n")
    return out.getvalue()


def write_heavy(folder: Path) -> list[HostileCase]:
    """The 200 MB files: sparse (zeros after a header), so writing them costs nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, head, expect, reason, memory in (
        # Refused unread: a text that long exceeds the text limit whatever its encoding.
        ("huge.txt", b"Title: Huge\n\n" + ARTICLE.encode(), FAILED, ("longest text",), 400),
        # Read, then refused by the page extractor's cap, before any parsing.
        ("huge.html", _page("<p>Huge page.</p>").encode(), FAILED, ("too large",), 700),
    ):
        path = folder / name
        with open(path, "wb") as out:
            out.write(head)
            out.truncate(200 * MB)
        cases.append(
            HostileCase(name, path, "a 200 MB file", expect, reason, heavy=True, memory_mb=memory)
        )
    return cases


# -- one import in a child process ----------------------------------------------------


def import_in_this_process(archive_dir: Path, paths: list[Path]) -> dict:
    """Import into a new archive; the report (names readable) and this process's peak memory."""
    from archive_app.cli import import_report_json
    from archive_app.core.archive import Archive

    Archive.parallel_import = False
    with Archive.open(archive_dir) as archive:
        report = import_report_json(archive.import_paths(paths))
        report["check_ok"] = archive.check().ok
    report["peak_rss_mb"] = _peak_rss_kb() / 1024
    return report


def _peak_rss_kb() -> int:
    """This process's own peak resident memory.

    Linux's `ru_maxrss` survives exec, so in a child forked from a large test
    process it reports the parent's size; VmHWM belongs to this program alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    # hostile_corpus.py ARCHIVE_DIR PATH...
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    result = import_in_this_process(Path(sys.argv[1]), [Path(arg) for arg in sys.argv[2:]])
    json.dump(result, sys.stdout, ensure_ascii=True)
