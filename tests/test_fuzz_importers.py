"""Arbitrary and malformed input never breaks an importer or the query parser.

Every importer, given any bytes (random, or shaped like its format with every
field random), either returns articles whose stored HTML is safe or raises its
own errors: `ImportFailed` or `NotAnArticle`. The query parser raises only
`QuerySyntaxError`. `TARGETS` is shared with `bench/fuzz_campaign.py`, which runs
the same properties with a far larger budget; here the budget stays small
(`FUZZ_EXAMPLES` raises it).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_corpus import unsafe_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_app.core.importers import ImportFailed, NotAnArticle, ParsedArticle, importer_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0") or 0)
FOLDER = Path("/nonexistent/fuzz")  # images named by the input are never found, never read


def check_articles(articles: object) -> None:
    assert isinstance(articles, list) and articles
    for article in articles:
        assert isinstance(article, ParsedArticle)
        assert isinstance(article.text, str) and isinstance(article.title, str)
        assert not unsafe_html(article.html), unsafe_html(article.html)
        for image in article.images:
            assert image.path is None or image.path.is_absolute()


def run_importer(suffix: str, data: bytes) -> None:
    """The property: only the importer's own errors, and safe HTML when it succeeds."""
    parse = importer_for(Path(f"page{suffix}"))
    assert parse is not None
    try:
        articles = parse(FOLDER / f"input{suffix}", data)
    except (ImportFailed, NotAnArticle) as exc:
        assert str(exc), "an import error must say why"
        return
    check_articles(articles)


# -- strategies: random bytes, and bytes shaped like each format ----------------------

_words = st.text(
    alphabet=st.sampled_from("abcdefghij klmnop ÄéжїЖ—“”'\"<>&;:/\\\n\t\r\x00\u2028\ufeff"),
    max_size=40,
)
_urls = st.sampled_from(
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "http://evil.example/x.png",
        "//evil.example/x.png",
        "https://evil.example/s.css",
        "file:///etc/passwd",
        "../../etc/passwd",
        "/etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/html,<script>alert(1)</script>",
        "cid:part1",
        "image:0",
        "photo.jpg",
        "",
        "\x00",
        "vbscript:msgbox",
    ]
)
_tags = st.sampled_from(
    [
        "p", "div", "article", "main", "script", "style", "iframe", "object", "embed", "svg",
        "img", "a", "meta", "link", "base", "figure", "figcaption", "noscript", "template",
        "form", "table", "td", "h1", "h2", "ul", "li", "math", "frameset", "frame", "b",
    ]
)  # fmt: skip
_attributes = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "src",
                "href",
                "onload",
                "onerror",
                "onclick",
                "style",
                "http-equiv",
                "content",
                "srcset",
                "data",
                "alt",
                "class",
                "id",
                "xlink:href",
                "background",
                "action",
            ]
        ),
        st.one_of(_urls, _words, st.just("refresh"), st.just("0;url=http://evil.example/")),
    ),
    max_size=3,
)


@st.composite
def html_soup(draw: st.DrawFn, depth: int = 0) -> str:
    """Tag soup: nested, unclosed and hostile elements with words between them."""
    parts = []
    for _ in range(draw(st.integers(0, 5 if depth < 3 else 1))):
        kind = draw(st.integers(0, 3))
        if kind == 0 or depth >= 4:
            parts.append(draw(_words))
            continue
        tag = draw(_tags)
        attrs = "".join(f' {k}="{v}"' for k, v in draw(_attributes))
        inner = draw(html_soup(depth + 1))
        close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "/>"]))
        parts.append(f"<{tag}{attrs}>{inner}{close}")
    return "".join(parts)


def _page(soup: str, title: str) -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{soup}</body></html>"


_encodings = st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1251", "koi8-r", "utf-8-sig"])


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes:
    """Text in some encoding, sometimes with a stray invalid byte or a NUL spliced in."""
    value = draw(text)
    encoding = draw(_encodings)
    data = value.encode(encoding, "replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\x00", b"\xc3", b"\xed\xa0\x80"]))
            + (data[at:])
        )
    return data


@st.composite
def html_bytes(draw: st.DrawFn) -> bytes:
    return draw(encoded(st.builds(_page, html_soup(), _words)))


def _json_values() -> st.SearchStrategy[object]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        _words,
        st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
        st.builds(_page, html_soup(), _words),
    )
    keys = st.sampled_from(
        ["title", "text", "html", "tags", "images", "published", "path", "url", "articles",
         "author", "source", "language", "length", "size", "caption", "role"]
    )  # fmt: skip
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)
        ),
        max_leaves=20,
    )


@st.composite
def json_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    value = draw(_json_values())
    suffix = draw(st.sampled_from([".json", ".jsonl", ".ndjson"]))
    # json.dumps writes lone surrogates as \ud800 escapes, which json.loads gives back.
    if suffix != ".json" and isinstance(value, list):
        text = "\n".join(json.dumps(item) for item in value)
    else:
        text = json.dumps(value, ensure_ascii=draw(st.booleans()))
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # cut off part-way
    return suffix, data


_header_value = st.one_of(
    _words,
    st.sampled_from(["0", "-1", "1073741824", "99999999999999999999", "abc", "", "12 34"]),
)


@st.composite
def warc_bytes(draw: st.DrawFn) -> bytes:
    """WARC records with random types, headers, lengths (some claiming a gigabyte) and bodies."""
    records = []
    for _ in range(draw(st.integers(1, 4))):
        body = draw(st.builds(_page, html_soup(), _words)).encode("utf-8")
        status = draw(st.sampled_from(["200", "301", "404", "abc", "", "999999"]))
        content_type = draw(
            st.sampled_from(["text/html", "image/png", "text/html; charset=koi8-r", "", "x/y"])
        )
        http = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
            f"Location: {draw(_urls)}\r\nContent-Encoding: "
            f"{draw(st.sampled_from(['identity', 'gzip', 'br', 'deflate', '']))}\r\n\r\n"
        ).encode("utf-8", "replace") + body
        length = draw(st.one_of(st.just(str(len(http))), _header_value))
        headers = {
            "WARC-Type": draw(st.sampled_from(["response", "revisit", "request", "resource", ""])),
            "WARC-Target-URI": draw(st.one_of(_urls, st.just("http://example.org/a"))),
            "WARC-Date": draw(st.sampled_from(["2024-01-02T03:04:05Z", "20240102030405", "x"])),
            "WARC-Record-ID": "<urn:uuid:1>",
            "WARC-Payload-Digest": draw(st.sampled_from(["sha1:AAAA", "", "x"])),
            "Content-Type": "application/http; msgtype=response",
            "Content-Length": length,
        }
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items() if draw(st.integers(0, 9)))
        record = f"WARC/1.0\r\n{head}\r\n".encode("utf-8", "replace") + http + b"\r\n\r\n"
        if draw(st.booleans()):
            record = gzip.compress(record)
        records.append(record)
    data = b"".join(records)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def mhtml_bytes(draw: st.DrawFn) -> bytes:
    """MIME multipart pages with random boundaries, encodings, parts and lengths."""
    boundary = draw(
        st.one_of(st.sampled_from(["----=_Part", "", "a", "--", 'p"q', "x" * 80]), _words)
    )
    lines = [
        "From: <Saved by a browser>",
        "MIME-Version: 1.0",
        f"Content-Type: {draw(st.sampled_from(['multipart/related', 'text/html', 'x/y']))};"
        f' boundary="{boundary}"; type="text/html"',
        "",
    ]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text/html", "image/png", "text/css", "application/x", ""]))
        encoding = draw(st.sampled_from(["quoted-printable", "base64", "8bit", "binary", "x", ""]))
        body = draw(st.one_of(st.builds(_page, html_soup(), _words), _words))
        lines += [
            f"--{boundary}",
            f"Content-Type: {kind}; charset={draw(st.sampled_from(['utf-8', 'koi8-r', 'x']))}",
            f"Content-Transfer-Encoding: {encoding}",
            f"Content-Location: {draw(_urls)}",
            f"Content-ID: <{draw(st.sampled_from(['part1', '', 'a@b']))}>",
            f"Content-Length: {draw(_header_value)}",
            "",
            body,
        ]
    if draw(st.booleans()):
        lines.append(f"--{boundary}--")
    data = "\r\n".join(lines).encode("utf-8", "replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def pdf_bytes(draw: st.DrawFn) -> bytes:
    """A PDF skeleton with random objects, stream lengths (some huge) and filters."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count "
        + draw(st.sampled_from([b"1", b"-5", b"1e9"]))
        + b" >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /MediaBox [0 0 600 800]"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1"
        b" /BaseFont /Helvetica >> >> >> >>",
    ]
    stream = draw(
        st.one_of(
            st.builds(
                lambda t: f"BT /F1 12 Tf 72 700 Td ({t}) Tj ET".encode("latin-1", "replace"), _words
            ),
            st.binary(max_size=200),
        )
    )
    length = draw(
        st.one_of(st.just(str(len(stream)).encode()), st.sampled_from([b"-1", b"1073741824", b"x"]))
    )
    filters = draw(
        st.sampled_from([b"", b"/Filter /FlateDecode", b"/Filter /LZWDecode", b"/Filter /X"])
    )
    objects.append(
        b"<< /Length " + length + b" " + filters + b" >>\nstream\n" + stream + b"\nendstream"
    )
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    if draw(st.booleans()):
        at = draw(st.integers(0, len(out)))
        out = out[:at] + draw(st.binary(max_size=20)) + out[at + draw(st.integers(0, 20)) :]
    return out


@st.composite
def text_bytes(draw: st.DrawFn) -> bytes:
    header = draw(
        st.lists(
            st.builds(
                lambda k, v: f"{k}: {v}",
                st.sampled_from(["Title", "Date", "Tags", "Author", "URL", "Source", "Note"]),
                _words,
            ),
            max_size=4,
        )
    )
    body = draw(st.lists(_words, max_size=8))
    return draw(encoded(st.just("\n".join(header) + "\n\n" + "\n\n".join(body))))


@st.composite
def markdown_bytes(draw: st.DrawFn) -> bytes:
    front = draw(
        st.one_of(
            st.just(""),
            st.builds(
                lambda body: f"---\n{body}\n---\n",
                st.one_of(
                    _words,
                    st.sampled_from(
                        [
                            "title: [1, 2",
                            "tags: {a: b}",
                            "date: 2024-13-45",
                            "!!python/object:x {}",
                            "a: &x [*x]",
                            "title: *undefined",
                            "published: 10000-01-01",
                        ]
                    ),
                ),
            ),
        )
    )
    pieces = st.sampled_from(
        ["# ", "![a](", "](", ")", "<script>", "[x]: javascript:alert(1)\n", "![x][x]", "\n\n",
         "<img src=x onerror=alert(1)>", "](../../etc/passwd)", "](data:image/png;base64,AAAA)"]
    )  # fmt: skip
    body = "".join(draw(st.lists(st.one_of(pieces, _words), max_size=12)))
    return draw(encoded(st.just(front + body)))


# -- the targets: name -> (strategy of (suffix, bytes), property) --------------------


@dataclass(frozen=True)
class Target:
    strategy: st.SearchStrategy
    check: Callable[..., None]
    examples: int  # in the test suite; the campaign runs far more


def _shaped(suffix: str, shaped: st.SearchStrategy[bytes]) -> st.SearchStrategy:
    return st.tuples(
        st.just(suffix), st.one_of(st.binary(max_size=600), shaped, shaped.map(lambda b: b[::-1]))
    )


TARGETS: dict[str, Target] = {
    "text": Target(_shaped(".txt", text_bytes()), run_importer, 60),
    "markdown": Target(_shaped(".md", markdown_bytes()), run_importer, 60),
    "html": Target(_shaped(".html", html_bytes()), run_importer, 25),
    "jsonbulk": Target(
        st.one_of(
            st.tuples(st.sampled_from([".json", ".jsonl"]), st.binary(max_size=400)), json_bytes()
        ),
        run_importer,
        60,
    ),
    "warc": Target(_shaped(".warc", warc_bytes()), run_importer, 25),
    "mhtml": Target(_shaped(".mhtml", mhtml_bytes()), run_importer, 25),
    "pdf": Target(_shaped(".pdf", pdf_bytes()), run_importer, 30),
}


def _budget(target: Target) -> settings:
    return settings(
        max_examples=EXAMPLES or target.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


def _importer_test(name: str) -> Callable[[], None]:
    target = TARGETS[name]

    @_budget(target)
    @given(target.strategy)
    def test(case: tuple[str, bytes]) -> None:
        target.check(*case)

    test.__name__ = f"test_{name}_importer_fails_only_cleanly"
    return test


test_text_importer_fails_only_cleanly = _importer_test("text")
test_markdown_importer_fails_only_cleanly = _importer_test("markdown")
test_html_importer_fails_only_cleanly = _importer_test("html")
test_jsonbulk_importer_fails_only_cleanly = _importer_test("jsonbulk")
test_warc_importer_fails_only_cleanly = _importer_test("warc")
test_mhtml_importer_fails_only_cleanly = _importer_test("mhtml")
test_pdf_importer_fails_only_cleanly = _importer_test("pdf")


def test_the_safety_check_sees_what_it_must() -> None:
    """The HTML property is only as good as this detector."""
    for bad in (
        "<script>x</script>",
        '<p onclick="x">',
        '<a href="javascript:x">',
        "<iframe src=x>",
        "<object data=x>",
        '<img src="http://evil.example/x.png">',
        '<meta http-equiv="refresh">',
        "<svg><script>x</script></svg>",
    ):
        assert unsafe_html(bad), bad
    assert not unsafe_html(
        '<p>on the table</p><img src="image:0" alt="a"><a href="https://x">x</a>'
    )


# -- the query parser ---------------------------------------------------------------

_query_pieces = st.sampled_from(
    ['"', "(", ")", "AND", "OR", "NOT", "*", "?", "~", "~2", "^", "^3", ":", "title:",
     "published:", "published:[", "published:2024-13-01", " TO ", "]", "{", "}", "[", "tag:",
     "topic:", "source:", "author:", "-", "+", "\\", "\x00", "жовтня", "Київ", "ab*", "/", "'",
     "published:>2024", "date:", "published:[2024 TO", "NEAR", "\u2028", " "]
)  # fmt: skip
query_text = st.one_of(
    st.text(max_size=60), st.lists(st.one_of(_query_pieces, _words), max_size=10).map(" ".join)
)


def run_query(archive, text: str) -> None:
    from archive_app.core.index import QuerySyntaxError
    from archive_app.core.models import SearchRequest

    try:
        archive.search(SearchRequest(query=text, limit=5))
        archive.search_ids(SearchRequest(query=text))
    except QuerySyntaxError as exc:
        assert str(exc)


def build_search_archive(root: Path):
    """A small archive to search: a few articles in two scripts, one with a date."""
    from archive_app.core.archive import Archive

    folder = root / "sources"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(
        "Title: Children moved from Kherson\nDate: 2023-04-05\n\n"
        "Officials said the children were moved to camps in Crimea.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Title: Діти з Херсона\n\nУ жовтні дітей вивезли до Криму, кажуть волонтери.\n",
        encoding="utf-8",
    )
    archive = Archive.open(root / "archive")
    archive.import_paths([folder])
    return archive


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory):
    archive = build_search_archive(tmp_path_factory.mktemp("fuzz"))
    yield archive
    archive.close()


@settings(
    max_examples=EXAMPLES or 150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(query_text)
def test_any_query_fails_only_with_a_syntax_error(searchable, text: str) -> None:
    run_query(searchable, text)
