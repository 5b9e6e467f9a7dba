"""Benchmarks for comparing articles: alignment, near-duplicates at import, related articles.

    .venv/bin/python bench/bench_compare.py [--runs 20] [--pairs 300]
        [--lookup-articles 100000] [--lookup-texts 1000]
        [--related-archive bench/out/compare-archive-10000] [--skip align,pairs,lookup,related]

1. **align**: `comparing.align` on two 5,000-word articles, an edited copy
   (one sentence in ten rewritten, two paragraphs swapped, one dropped) and an
   unrelated article on the same subject; median and p95 over `--runs` runs.
2. **pairs**: near-duplicate precision and recall on constructed pairs. Base
   articles (generated, and the real pages of ../shared/corpus/readability when
   present) are stored in a fresh catalog; each is then changed (1, 3 or 10
   sentences rewritten, paragraphs reordered, a paragraph added or removed, the
   last third cut) and looked up with `storing.duplicate_links`, as an import
   does. A different article on the same subject is looked up too: any link
   it gets is a false one, as is a link from a changed copy to any other base.
3. **lookup**: `storing.duplicate_links` per imported article in a catalog of
   `--lookup-articles` articles. The catalog rows (articles with their sketches,
   and the lookup keys) are inserted directly with executemany from generated
   texts, not imported, and kept in bench/out/compare-lookup-<N>/ for the next
   run. 1,000 new texts: half changed copies of stored articles, half new.
4. **related**: `Archive.related` on `--related-archive`, made by copying
   bench/out/archive-10000 (without its write.lock) when missing; the first
   open may rebuild the index.

Writes every figure to bench/out/bench_compare.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import hashlib
import inspect
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import gen_corpus  # noqa: E402

from archive_app.core import comparing, fingerprints, storing  # noqa: E402
from archive_app.core.archive import Archive  # noqa: E402
from archive_app.core.catalog import Catalog  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?])\s+")
STAMP = "2026-01-01T00:00:00+00:00"


# -- texts ----------------------------------------------------------------------


def generated(
    key: str, words: int | None = None, subject: str | None = None
) -> tuple[str, list[str]]:
    """A generated article's subject and paragraphs (headings are paragraphs too)."""
    rng = random.Random(f"compare:{key}")
    subject = subject or gen_corpus.pick_weighted(rng, gen_corpus.TOPIC_WEIGHTS)
    writer = gen_corpus.Writer(rng, subject, dt.date(2020, 1, 1))
    blocks = writer.body(words or rng.randint(300, 1200))
    return subject, [block for _, block in blocks]


def real_pages(minimum_words: int = 150) -> list[tuple[str, list[str]]]:
    """(case, paragraphs) of the corpus's real pages with at least `minimum_words` words."""
    folder = CORPUS / "readability"
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return []
    pages = []
    for case in json.loads(manifest.read_text("utf-8"))["cases"]:
        if case["kind"] != "real-page":
            continue
        text = (folder / case["case"] / "expected.txt").read_text("utf-8")
        paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        if len(text.split()) >= minimum_words and len(paragraphs) >= 3:
            pages.append((case["case"], paragraphs))
    return pages


def sentences_of(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in SENTENCE.split(p) if len(s.split()) >= 5]


def rewrite_sentences(
    paragraphs: list[str], count: int, rng: random.Random, donor: list[str]
) -> list[str]:
    """`count` sentences (of five words or more) replaced by sentences of another article."""
    split = [SENTENCE.split(p) for p in paragraphs]
    places = [
        (i, k) for i, parts in enumerate(split) for k, s in enumerate(parts) if len(s.split()) >= 5
    ]
    replacements = sentences_of(donor)
    for i, k in rng.sample(places, min(count, len(places))):
        split[i][k] = rng.choice(replacements)
    return [" ".join(parts) for parts in split]


def changed_copies(
    paragraphs: list[str], rng: random.Random, donor: list[str]
) -> Iterator[tuple[str, list[str]]]:
    total = len(sentences_of(paragraphs))
    for count in (1, 3, 10):
        label = f"{count} sentence{'s' if count > 1 else ''} rewritten"
        if count == 10:  # in a short article that is most of it: tell the two apart
            label += " (under 1/3 of its sentences)" if count * 3 < total else " (1/3 or more)"
        yield label, rewrite_sentences(paragraphs, count, rng, donor)
    moved = paragraphs[:]
    while moved == paragraphs:
        rng.shuffle(moved)
    yield "paragraphs reordered", moved
    k = rng.randrange(len(paragraphs))
    yield "a paragraph removed", paragraphs[:k] + paragraphs[k + 1 :]
    extra = max(donor, key=lambda p: len(p.split()))
    k = rng.randrange(len(paragraphs) + 1)
    yield "a paragraph added", [*paragraphs[:k], extra, *paragraphs[k:]]
    words = sum(len(p.split()) for p in paragraphs)
    kept, count = [], 0
    for paragraph in paragraphs:  # whole paragraphs up to two thirds of the words
        if count >= words * 2 // 3:
            break
        kept.append(paragraph)
        count += len(paragraph.split())
    yield "last third cut", kept


def text_of(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


# -- catalog rows without importing ----------------------------------------------


def insert_articles(catalog: Catalog, rows: list[tuple[str, str, list[int]]]) -> None:
    """Catalog rows for (id, text sha256, sketch), with their lookup keys, as an import writes.

    The text itself is not stored (the lookup never reads it); the original
    each row names is a placeholder blob row.
    """
    with catalog.transaction() as conn:
        conn.executemany(
            "INSERT INTO blobs(sha256, size, kind, created_at) VALUES (?, 0, 'original', ?)",
            [(f"original-{article_id}", STAMP) for article_id, _, _ in rows],
        )
        conn.executemany(
            "INSERT INTO articles(id, identity_sha256, title, text, text_sha256, sketch,"
            " original_sha256, original_filename, original_size, imported_at, importer,"
            " app_version) VALUES (?, ?, ?, '', ?, ?, ?, 'bench.txt', 0, ?, 'bench', 'bench')",
            [
                (
                    article_id,
                    f"identity-{article_id}",
                    article_id,
                    text_sha,
                    fingerprints.pack(sketch),
                    f"original-{article_id}",
                    STAMP,
                )
                for article_id, text_sha, sketch in rows
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO text_sketches(value, article_id) VALUES (?, ?)",
            [
                (fingerprints.to_signed(v), article_id)
                for article_id, _, sketch in rows
                for v in sketch[: fingerprints.LOOKUP_KEYS]
            ],
        )


def fingerprint(text: str) -> tuple[str, list[int]]:
    found = fingerprints.fingerprint(text)
    return found.sha256, list(found.sketch)


# -- measures -------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timings(fn: Callable[[], object], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
    }


def bench_align(runs: int) -> dict:
    subject, paragraphs = generated("align-a", 5000)
    _, donor = generated("align-donor", 2000, subject)
    _, unrelated = generated("align-b", 5000, subject)
    rng = random.Random(7)
    edited = rewrite_sentences(paragraphs, len(sentences_of(paragraphs)) // 10, rng, donor)
    edited[2], edited[5] = edited[5], edited[2]
    del edited[len(edited) // 2]
    a = text_of(paragraphs)
    results = {}
    for name, b in (("edited copy", text_of(edited)), ("unrelated", text_of(unrelated))):
        shared, similarity = comparing.align(a, b)
        results[name] = {
            "words": [len(a.split()), len(b.split())],
            "passages": len(shared),
            "similarity": round(similarity, 3),
            **timings(lambda b=b: comparing.align(a, b), runs),
        }
    return results


def bench_pairs(count: int) -> dict:
    """Recall per kind of change and the false links, looked up as an import does."""
    # (id, kind, paragraphs, donor of new sentences, a different article on the subject)
    bases: list[tuple[str, str, list[str], list[str], list[str] | None]] = []
    for n in range(count):
        subject, paragraphs = generated(f"base-{n}")
        _, donor = generated(f"donor-{n}", subject=subject)
        _, other = generated(f"other-{n}", subject=subject)
        bases.append((f"generated-{n:05d}", "generated", paragraphs, donor, other))
    pages, seen = [], set()
    for case, paragraphs in real_pages():  # two captures of one page are one base
        key = fingerprints.fingerprint(text_of(paragraphs)).sha256
        if key not in seen:
            seen.add(key)
            pages.append((case, paragraphs))
    for n, (case, paragraphs) in enumerate(pages):
        # Every page is stored, so none is left to stand for a different article.
        donor = pages[(n + 1) % len(pages)][1]
        bases.append((f"page-{case}", "real page", paragraphs, donor, None))
    found: dict[tuple[str, str], list[int]] = {}
    false_links = 0
    probes = 0
    false_examples: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        catalog = Catalog(Path(folder) / "catalog.sqlite3")
        insert_articles(
            catalog, [(article_id, *fingerprint(text_of(p))) for article_id, _, p, _, _ in bases]
        )
        for article_id, kind, paragraphs, donor, other in bases:
            rng = random.Random(article_id)
            for change, copy in changed_copies(paragraphs, rng, donor):
                links = {
                    o
                    for o, _, _ in storing.duplicate_links(
                        catalog, "new", *fingerprint(text_of(copy))
                    )
                }
                found.setdefault((kind, change), []).append(int(article_id in links))
                probes += 1
                wrong = links - {article_id}
                false_links += len(wrong)
                false_examples += [f"{change} of {article_id} -> {w}" for w in sorted(wrong)][:3]
            if other is None:
                continue
            links = {
                o
                for o, _, _ in storing.duplicate_links(catalog, "new", *fingerprint(text_of(other)))
            }
            label = "different article, same subject (must not link)"
            found.setdefault((kind, label), []).append(int(bool(links)))
            probes += 1
            false_links += len(links)
            false_examples += [f"{label} for {article_id} -> {w}" for w in sorted(links)][:3]
        catalog.close()
    true_links = sum(sum(v) for (_, change), v in found.items() if "must not" not in change)
    return {
        "bases": {"generated": count, "real pages": len(pages)},
        "rates": {
            f"{kind}: {change}": {"found": sum(v), "of": len(v), "rate": round(sum(v) / len(v), 3)}
            for (kind, change), v in found.items()
        },
        "true_links": true_links,
        "false_links": false_links,
        "precision": round(true_links / max(1, true_links + false_links), 4),
        "probes": probes,
        "false_examples": false_examples[:10],
        "thresholds": {
            "jaccard": fingerprints.NEAR_DUPLICATE_JACCARD,
            "containment": fingerprints.NEAR_DUPLICATE_CONTAINMENT,
            "min_shared_keys": fingerprints.MIN_SHARED_KEYS,
        },
    }


def lookup_catalog(articles: int) -> Catalog:
    """A catalog with `articles` generated articles' sketches, built once and kept."""
    folder = OUT / f"compare-lookup-{articles}"
    path = folder / "catalog.sqlite3"
    version = hashlib.sha256(
        inspect.getsource(fingerprints).encode() + inspect.getsource(gen_corpus).encode()
    ).hexdigest()[:16]
    if path.exists():
        catalog = Catalog(path)
        if catalog.meta("bench_compare") == version:
            return catalog
        catalog.close()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    catalog = Catalog(path)
    started = time.perf_counter()
    batch: list[tuple[str, str, list[int]]] = []
    for n in range(articles):
        batch.append((f"stored-{n:06d}", *fingerprint(text_of(generated(f"stored-{n}")[1]))))
        if len(batch) == 5000:
            insert_articles(catalog, batch)
            batch = []
            print(
                f"  {n + 1:,} articles stored ({time.perf_counter() - started:.0f} s)", flush=True
            )
    insert_articles(catalog, batch)
    with catalog.transaction() as conn:
        Catalog.set_meta(conn, "bench_compare", version)
    return catalog


def bench_lookup(articles: int, texts: int) -> dict:
    started = time.perf_counter()
    catalog = lookup_catalog(articles)
    built = time.perf_counter() - started
    rng = random.Random(11)
    probes: list[tuple[str, str | None]] = []  # text, the stored id it copies (None: new)
    for n in range(texts):
        if n % 2 == 0:
            stored = rng.randrange(articles)
            subject, paragraphs = generated(f"stored-{stored}")
            _, donor = generated(f"lookup-donor-{n}", subject=subject)
            copy = rewrite_sentences(paragraphs, 2, rng, donor)
            probes.append((text_of(copy), f"stored-{stored:06d}"))
        else:
            probes.append((text_of(generated(f"lookup-new-{n}")[1]), None))
    prints = [(fingerprint(text), copies) for text, copies in probes]
    storing.duplicate_links(catalog, "new", *prints[0][0])  # warm the page cache
    times, found, wrong = [], 0, 0
    for (text_sha, sketch), copies in prints:
        start = time.perf_counter()
        links = storing.duplicate_links(catalog, "new", text_sha, sketch)
        times.append((time.perf_counter() - start) * 1000)
        ids = {other for other, _, _ in links}
        found += int(copies in ids)
        wrong += len(ids - {copies})
    catalog.close()
    return {
        "articles": articles,
        "texts": texts,
        "catalog_ready_s": round(built, 1),
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(percentile(times, 95), 3),
        "max_ms": round(max(times), 3),
        "copies_found": f"{found}/{sum(1 for _, c in probes if c)}",
        "false_links": wrong,
    }


def bench_related(folder: Path, runs: int) -> dict:
    if not folder.exists():
        source = OUT / "archive-10000"
        if not source.exists():
            return {"skipped": f"{folder} missing and no {source} to copy (run bench_core.py)"}
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns("write.lock"))
    started = time.perf_counter()
    archive = Archive.open(folder, create=False)
    opened = time.perf_counter() - started
    try:
        ids = sorted(r[0] for r in archive.catalog.query("SELECT id FROM articles"))
        chosen = random.Random(5).sample(ids, min(runs + 10, len(ids)))
        for article_id in chosen[:10]:  # warm-up: caches of postings and lengths
            archive.related(article_id)
        subjects = generated_subjects(archive)
        times, counts, same = [], [], []
        for article_id in chosen[10:]:
            start = time.perf_counter()
            found = archive.related(article_id)
            times.append((time.perf_counter() - start) * 1000)
            counts.append(len(found.related))
            if subjects and found.related:
                mine = subjects[article_id]
                share = sum(subjects.get(r.id) == mine for r in found.related)
                same.append(share / len(found.related))
        # The share one would get by drawing related articles at random.
        shares = [n / len(subjects) for n in Counter(subjects.values()).values()]
        sample = archive.related(chosen[-1])
        return {
            "archive": str(folder.relative_to(ROOT)),
            "articles": len(ids),
            "open_s": round(opened, 1),
            "runs": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2),
            "max_ms": round(max(times), 2),
            "related_per_article": round(statistics.fmean(counts), 1),
            "same_subject_share": round(statistics.fmean(same), 3) if same else None,
            "same_subject_by_chance": round(sum(p * p for p in shares), 3),
            "example": {
                "id": sample.id,
                "title": archive.get(sample.id).title,
                "related": [(r.title, r.score) for r in sample.related[:3]],
            },
        }
    finally:
        archive.close()


def generated_subjects(archive: Archive) -> dict[str, str]:
    """The subject gen_corpus.py gave each article (its first draw), by article id.

    The file name starts with the article's number; the corpus of the bench
    archives is seed 1. Empty when the archive was not made from such a corpus.
    """
    subjects = {}
    for article_id, filename in archive.catalog.query("SELECT id, original_filename FROM articles"):
        number = filename[:5]
        if not number.isdigit():
            return {}
        rng = random.Random(f"1:{int(number)}")
        subjects[article_id] = gen_corpus.pick_weighted(rng, gen_corpus.TOPIC_WEIGHTS)
    return subjects


# -- running ----------------------------------------------------------------------


def hold_run_lock() -> object:
    """One run at a time: two would time each other."""
    OUT.mkdir(parents=True, exist_ok=True)
    handle = (OUT / "bench_compare.lock").open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit("another bench_compare.py run is in progress; wait for it") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle


CHANGES = (
    "1 sentence",
    "3 sentences",
    "10 sentences rewritten (under",
    "10 sentences rewritten (1/3",
    "paragraphs",
    "a paragraph removed",
    "a paragraph added",
    "last third",
    "different",
)


def report_order(name: str) -> tuple[str, int]:
    kind, change = name.split(": ", 1)
    return kind, next(i for i, prefix in enumerate(CHANGES) if change.startswith(prefix))


def print_report(data: dict) -> None:
    if "align" in data:
        print("\n| align (5,000 words each) | words | passages | similarity | median | p95 |")
        print("|---|---|---|---|---|---|")
        for name, r in data["align"].items():
            print(
                f"| {name} | {r['words'][0]:,} / {r['words'][1]:,} | {r['passages']} |"
                f" {r['similarity']} | {r['median_ms']} ms | {r['p95_ms']} ms |"
            )
    if "pairs" in data:
        p = data["pairs"]
        print(f"\nNear-duplicates on constructed pairs ({p['bases']}): found / pairs")
        print("| base | change | found | rate |")
        print("|---|---|---|---|")
        for name, r in sorted(p["rates"].items(), key=lambda item: report_order(item[0])):
            kind, change = name.split(": ", 1)
            print(f"| {kind} | {change} | {r['found']}/{r['of']} | {r['rate']:.0%} |")
        print(
            f"precision {p['precision']} ({p['true_links']} true links, {p['false_links']} false)"
            f"; thresholds {p['thresholds']}"
        )
        for example in p["false_examples"]:
            print(f"  false link: {example}")
    if "lookup" in data:
        r = data["lookup"]
        print(
            f"\nduplicate_links at {r['articles']:,} articles ({r['texts']:,} texts):"
            f" median {r['median_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms;"
            f" copies found {r['copies_found']}, false links {r['false_links']}"
            f" (catalog ready in {r['catalog_ready_s']} s)"
        )
    if "related" in data:
        r = data["related"]
        if "skipped" in r:
            print(f"\nrelated: skipped: {r['skipped']}")
        else:
            print(
                f"\nrelated() at {r['articles']:,} articles ({r['runs']} runs): median"
                f" {r['median_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms"
                f" (open {r['open_s']} s); related articles on the article's own subject:"
                f" {r['same_subject_share']} (by chance {r['same_subject_by_chance']})"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measure")
    parser.add_argument("--pairs", type=int, default=300, help="generated base articles")
    parser.add_argument("--lookup-articles", type=int, default=100_000)
    parser.add_argument("--lookup-texts", type=int, default=1000)
    parser.add_argument("--related-archive", type=Path, default=OUT / "compare-archive-10000")
    parser.add_argument("--related-runs", type=int, default=100)
    parser.add_argument("--skip", default="", help="comma-separated: align,pairs,lookup,related")
    parser.add_argument(
        "--thresholds",
        metavar="J,C,K",
        help="try other near-duplicate settings: Jaccard, containment, shared lookup keys",
    )
    parser.add_argument("--json", type=Path, default=OUT / "bench_compare.json")
    args = parser.parse_args(argv)
    if args.thresholds:
        jaccard, containment, keys = args.thresholds.split(",")
        fingerprints.NEAR_DUPLICATE_JACCARD = float(jaccard)
        fingerprints.NEAR_DUPLICATE_CONTAINMENT = float(containment)
        fingerprints.MIN_SHARED_KEYS = int(keys)
    skip = set(filter(None, args.skip.split(",")))
    run_lock = hold_run_lock()  # noqa: F841 (held until the process ends)
    data: dict = {"started": time.strftime("%Y-%m-%d %H:%M"), "load_start": os.getloadavg()}
    if "align" not in skip:
        data["align"] = bench_align(args.runs)
    if "pairs" not in skip:
        data["pairs"] = bench_pairs(args.pairs)
    if "lookup" not in skip:
        data["lookup"] = bench_lookup(args.lookup_articles, args.lookup_texts)
    if "related" not in skip:
        data["related"] = bench_related(args.related_archive, args.related_runs)
    data["load_end"] = os.getloadavg()
    print_report(data)
    args.json.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
