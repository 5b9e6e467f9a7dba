"""Quality and speed of the HTML importer on the Readability test pages.

    python bench/import_quality.py [--corpus ../shared/corpus] [--verbose] [--check]
        [--case NAME ...]

Runs ``html.parse(path, bytes)`` on every ``readability/<case>/source.html`` of
the shared corpus and scores the result against the reader-view output stored
with each page (see the corpus README for the measures):

- title: exact match after whitespace normalisation, over cases with a title;
- byline: lenient match (lowercased, punctuation and a leading "By" dropped,
  one name's words contained in the other's), over cases with a byline;
- date: the same calendar day as ``publishedTime``, where given;
- text: bag-of-words F1 against ``expected.txt`` (median, share >= 0.9);
- images: the share of ``<img>`` sources in ``expected.html`` the import kept,
  compared by URL resolved against ``http://fakehost/test/page.html`` (the
  address the pages were served from), a local path as the page-relative URL it
  stands for (also one reaching above the page's folder, ``../../x.jpg``), and
  data: URIs by their bytes. A source that was relative in the page (so on the
  fakehost host in the reader view) also matches by path and query, because the
  importer rightly resolves it against the page's own canonical or base address;
  a source the page gave as an absolute URL must match exactly;
- throughput: pages per second.

Prints a Markdown table for the real pages and for all cases next to the
reference scores and the targets; ``--verbose`` lists the failing cases per
measure. ``--check`` exits with status 1 when a real-page score misses a target.

``--through-archive [COPIES]`` measures instead the web pages imported through
the archive: the pages, COPIES times (4 unless given), each copy with one extra
paragraph of its own so none is a duplicate, go through ``Archive.import_paths``
into a fresh temporary archive (parsed in one helper process per core).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive_app.core.importers import html  # noqa: E402
from archive_app.core.importers.base import ImportFailed, ParsedArticle  # noqa: E402

PAGE_URL = "http://fakehost/test/page.html"
PAGE_HOST = urlsplit(PAGE_URL).netloc
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

REFERENCE = {  # trafilatura 2.3.1 as is, all 130 cases (corpus README)
    "title": 0.646,
    "byline": 0.737,
    "date": 0.939,
    "f1_median": 0.989,
    "f1_share": 0.885,
    "images": 0.725,
}
TARGETS = {
    "title": 0.85,
    "byline": 0.85,
    "date": 0.97,
    "f1_share": 0.95,
    "images": 0.95,
}
_WORD = re.compile(r"\w+", re.UNICODE)
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


@dataclass
class CaseResult:
    case: str
    kind: str
    seconds: float
    error: str = ""
    title: tuple[str, str] | None = None  # (expected, got) when the case has a title
    title_ok: bool = False
    byline: tuple[str, str] | None = None
    byline_ok: bool = False
    date: tuple[str, str] | None = None
    date_ok: bool = False
    f1: float = 0.0
    images_expected: int = 0
    images_kept: int = 0
    images_missed: list[str] = field(default_factory=list)


def _norm_space(value: str | None) -> str:
    return " ".join((value or "").split())


def byline_words(value: str) -> list[str]:
    value = unicodedata.normalize("NFKC", value).casefold()
    words = _PUNCT.sub(" ", value).split()
    if words and words[0] == "by":
        words = words[1:]
    return words


def byline_matches(expected: str, got: str) -> bool:
    a, b = set(byline_words(expected)), set(byline_words(got))
    if not a or not b:
        return False
    return a <= b or b <= a


def same_day(expected: str, got: str) -> bool:
    day = re.match(r"\d{4}-\d{2}-\d{2}", expected.strip())
    return bool(day) and got.strip()[:10] == day[0]


def bag_f1(expected: str, got: str) -> float:
    a = Counter(w.casefold() for w in _WORD.findall(expected))
    b = Counter(w.casefold() for w in _WORD.findall(got))
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(b.values()), common / sum(a.values())
    return 2 * precision * recall / (precision + recall)


def _data_bytes(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote(payload))
        return unquote_to_bytes(payload)
    except ValueError:
        return b""


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{_path_key(url)}"


def _path_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{unquote(parts.path)}?{parts.query}"


@dataclass
class KeptImages:
    """What an import kept, in the forms an expected source is compared by."""

    urls: set[str] = field(default_factory=set)  # host, path and query
    paths: set[str] = field(default_factory=set)  # path and query, any host
    blobs: set[bytes] = field(default_factory=set)  # inline images' bytes

    def holds(self, src: str) -> bool:
        if src.startswith("data:"):
            return _data_bytes(src) in self.blobs
        if _url_key(src) in self.urls:
            return True
        # Relative in the page: the importer may rightly have resolved it against the
        # page's canonical or base address instead of where the page was served from.
        return urlsplit(src).netloc.lower() == PAGE_HOST and _path_key(src) in self.paths


def page_url_of(path: Path, folder: Path) -> str:
    """The URL a saved page's local image path stands for, relative to the page."""
    path, folder = path.resolve(), folder.resolve()
    try:
        relative = path.relative_to(folder).as_posix()
    except ValueError:
        # Above the page's folder ("../../gazou/x.jpg"): urljoin clamps at the root
        # as a browser does.
        relative = Path(os.path.relpath(path, folder)).as_posix()
    return urljoin(PAGE_URL, relative)


def expected_images(folder: Path) -> list[str]:
    """The distinct image sources of the reader view, resolved."""
    tree = lxml.html.fromstring((folder / "expected.html").read_bytes())
    sources = []
    for img in tree.iter("img"):
        src = (img.get("src") or "").strip()
        if src:
            sources.append(src if src.startswith("data:") else urljoin(PAGE_URL, src))
    return list(dict.fromkeys(sources))


def kept_images(article: ParsedArticle, folder: Path) -> KeptImages:
    """The imported images as resolved URL keys, plus the bytes of inline ones."""
    kept = KeptImages()
    for image in article.images:
        if image.data:
            kept.blobs.add(image.data)
        urls = [image.url] if image.url else []
        if image.path is not None:
            page_url = page_url_of(image.path, folder)
            urls.append(page_url)
            # A page-relative source and a root-relative one land on the same local path.
            relative = page_url.removeprefix(PAGE_URL.rsplit("/", 1)[0] + "/")
            if relative != page_url:
                urls.append(urljoin(PAGE_URL, "/" + relative))
        for url in urls:
            kept.urls.add(_url_key(url))
            kept.paths.add(_path_key(url))
    return kept


def score_case(folder: Path, kind: str) -> CaseResult:
    meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    source = folder / "source.html"
    data = source.read_bytes()
    start = time.perf_counter()
    error = ""
    try:
        article = html.parse(source, data)[0]
    except ImportFailed as exc:
        article, error = None, str(exc) or "import failed"
    result = CaseResult(folder.name, kind, time.perf_counter() - start, error)

    got_title = article.title if article else ""
    got_author = article.author if article else ""
    got_date = article.published if article else ""
    if title := _norm_space(meta.get("title")):
        result.title = (title, _norm_space(got_title))
        result.title_ok = title == _norm_space(got_title)
    if byline := _norm_space(meta.get("byline")):
        result.byline = (byline, got_author)
        result.byline_ok = byline_matches(byline, got_author)
    if published := _norm_space(meta.get("publishedTime")):
        result.date = (published, got_date)
        result.date_ok = same_day(published, got_date)

    expected_text = (folder / "expected.txt").read_text(encoding="utf-8")
    result.f1 = bag_f1(expected_text, article.text if article else "")

    wanted = expected_images(folder)
    kept_by_import = kept_images(article, folder) if article else KeptImages()
    result.images_expected = len(wanted)
    for src in wanted:
        if kept_by_import.holds(src):
            result.images_kept += 1
        else:
            result.images_missed.append(src[:100])
    return result


@dataclass
class Summary:
    pages: int
    title: float | None
    byline: float | None
    date: float | None
    f1_median: float
    f1_share: float
    images: float | None
    pages_per_second: float
    counts: dict[str, tuple[int, int]]


def _share(ok: int, total: int) -> float | None:
    return ok / total if total else None


def summarise(results: list[CaseResult]) -> Summary:
    titles = [r for r in results if r.title]
    bylines = [r for r in results if r.byline]
    dates = [r for r in results if r.date]
    f1s = [r.f1 for r in results]
    wanted = sum(r.images_expected for r in results)
    kept = sum(r.images_kept for r in results)
    seconds = sum(r.seconds for r in results)
    counts = {
        "title": (sum(r.title_ok for r in titles), len(titles)),
        "byline": (sum(r.byline_ok for r in bylines), len(bylines)),
        "date": (sum(r.date_ok for r in dates), len(dates)),
        "f1": (sum(f >= 0.9 for f in f1s), len(f1s)),
        "images": (kept, wanted),
    }
    return Summary(
        pages=len(results),
        title=_share(*counts["title"]),
        byline=_share(*counts["byline"]),
        date=_share(*counts["date"]),
        f1_median=statistics.median(f1s) if f1s else 0.0,
        f1_share=_share(*counts["f1"]) or 0.0,
        images=_share(*counts["images"]),
        pages_per_second=len(results) / seconds if seconds else 0.0,
        counts=counts,
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(real: Summary, every: Summary) -> str:
    def row(name: str, s: Summary) -> str:
        c = s.counts
        return (
            f"| {name} | {_pct(s.title)} ({c['title'][0]}/{c['title'][1]}) "
            f"| {_pct(s.byline)} ({c['byline'][0]}/{c['byline'][1]}) "
            f"| {_pct(s.date)} ({c['date'][0]}/{c['date'][1]}) "
            f"| {s.f1_median:.3f} | {_pct(s.f1_share)} ({c['f1'][0]}/{c['f1'][1]}) "
            f"| {_pct(s.images)} ({c['images'][0]}/{c['images'][1]}) "
            f"| {s.pages_per_second:.1f} |"
        )

    ref, tgt = REFERENCE, TARGETS
    lines = [
        "| run | title exact | byline lenient | date same day | F1 median | F1 >= 0.9 "
        "| image recall | pages/s |",
        "|---|---|---|---|---|---|---|---|",
        row(f"importer, real pages ({real.pages})", real),
        row(f"importer, all cases ({every.pages})", every),
        f"| reference: trafilatura 2.3.1 as is (all 130) | {_pct(ref['title'])} "
        f"| {_pct(ref['byline'])} | {_pct(ref['date'])} | {ref['f1_median']:.3f} "
        f"| {_pct(ref['f1_share'])} | {_pct(ref['images'])} | |",
        f"| target | >= {_pct(tgt['title'])} | >= {_pct(tgt['byline'])} "
        f"| >= {_pct(tgt['date'])} | | >= {_pct(tgt['f1_share'])} "
        f"| >= {_pct(tgt['images'])} | |",
    ]
    return "\n".join(lines)


def failures(results: list[CaseResult]) -> str:
    out = []
    sections = [
        ("title", lambda r: r.title and not r.title_ok, lambda r: r.title),
        ("byline", lambda r: r.byline and not r.byline_ok, lambda r: r.byline),
        ("date", lambda r: r.date and not r.date_ok, lambda r: r.date),
    ]
    for name, failed, pair in sections:
        rows = [r for r in results if failed(r)]
        out.append(f"\n### {name}: {len(rows)} failing\n")
        for r in rows:
            expected, got = pair(r)
            out.append(f"- `{r.case}` ({r.kind}): expected {expected!r}, got {got!r}")
    rows = sorted((r for r in results if r.f1 < 0.9), key=lambda r: r.f1)
    out.append(f"\n### text F1 < 0.9: {len(rows)}\n")
    out.extend(f"- `{r.case}` ({r.kind}): F1 {r.f1:.3f} {r.error}" for r in rows)
    rows = [r for r in results if r.images_missed]
    out.append(f"\n### images missed: {sum(len(r.images_missed) for r in rows)}\n")
    for r in rows:
        out.append(f"- `{r.case}` ({r.kind}): {r.images_kept}/{r.images_expected} kept")
        out.extend(f"  - {src}" for src in r.images_missed)
    errors = [r for r in results if r.error]
    if errors:
        out.append(f"\n### import errors: {len(errors)}\n")
        out.extend(f"- `{r.case}`: {r.error}" for r in errors)
    return "\n".join(out)


def through_archive(cases: list[Path], copies: int) -> str:
    """Pages per second of `Archive.import_paths` on `copies` copies of every page."""
    from archive_app.core.archive import Archive  # only this measure needs the archive

    with tempfile.TemporaryDirectory(prefix="import-quality-") as scratch:
        pages = Path(scratch) / "pages"
        for copy in range(copies):
            for case in cases:
                data = (case / "source.html").read_bytes()
                extra = f"<p>Copy {copy + 1} of {case.name}.</p>".encode()
                at = data.lower().rfind(b"</body>")
                data = data + extra if at < 0 else data[:at] + extra + data[at:]
                target = pages / f"copy-{copy + 1}" / case.name / "source.html"
                target.parent.mkdir(parents=True)
                target.write_bytes(data)
        with Archive.open(Path(scratch) / "archive") as archive:
            start = time.perf_counter()
            report = archive.import_paths([pages])
            seconds = time.perf_counter() - start
    total = copies * len(cases)
    return (
        f"{total} pages ({len(cases)} x {copies}) through the archive in {seconds:.1f} s: "
        f"{total / seconds:.1f} pages/s; imported {len(report.imported)}, "
        f"duplicates {len(report.duplicates)}, failed {len(report.failed)}, "
        f"skipped {len(report.skipped)} ({os.cpu_count()} cores)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list failing cases")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--case", action="append", default=[], help="only these cases")
    parser.add_argument(
        "--through-archive",
        type=int,
        nargs="?",
        const=4,
        metavar="COPIES",
        help="measure import speed through the archive on COPIES copies of the pages",
    )
    args = parser.parse_args(argv)

    folder = args.corpus / "readability"
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        print(f"corpus not found: {manifest_path}", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    kinds = {c["case"]: c["kind"] for c in manifest["cases"]}
    cases = args.case or sorted(kinds)
    if args.through_archive:
        print(through_archive([folder / case for case in cases], args.through_archive))
        return 0
    results = [score_case(folder / case, kinds[case]) for case in cases]
    real = summarise([r for r in results if r.kind == "real-page"])
    every = summarise(results)
    print(table(real, every))
    if args.verbose:
        print(failures(results))
    if args.check:
        missed = [
            name
            for name, target in TARGETS.items()
            if (getattr(real, name) or 0.0) < target and getattr(real, name) is not None
        ]
        if missed:
            print(f"\ntargets missed on the real pages: {', '.join(missed)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
