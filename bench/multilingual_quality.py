"""Search quality across languages and scripts, with and without analysis by language.

    .venv/bin/python bench/multilingual_quality.py [--verbose] [--scale 2000] [--json FILE]

Imports the development set (`multilingual_devset.jsonl`: short passages written
for the project in English, Ukrainian, Russian, German, French, Spanish and
Italian) into a new archive and runs the queries of `multilingual_queries.jsonl`,
each with the passages it should find. Reported per query kind and overall:

- recall@10: the share of a query's relevant passages among its first ten hits;
- nDCG@10: the same ten hits weighted by rank (binary relevance);

for the archive as it is ("with": analysis by language, transliteration,
spelling variants), for the same without its list of spelling variants ("no
list": what languages and transliteration do alone) and for the analysis it
replaced ("without": one English analyzer for every word, content and title
only, Whoosh's parser), indexed from the same passages. The passages and the
shipped variants list were written together, so "with" flatters; the held-out
set of real articles measures the same on text nobody tuned for. Also the share
of passages whose language was detected as written.

`--scale N` also imports N longer articles made from the passages (each joins
eight passages of one language, about 300 words, mostly Cyrillic) and reports
the import rate and the search latency over the query set, snippets included:
the cost of detection, lemmatising and transliteration where they work hardest.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import fields, index, qparser  # noqa: E402
from whoosh.analysis import (  # noqa: E402
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map  # noqa: E402

from archive_app.core.analysis import WORD_PATTERN  # noqa: E402
from archive_app.core.archive import Archive  # noqa: E402
from archive_app.core.languages import base_language  # noqa: E402
from archive_app.core.models import SearchRequest  # noqa: E402
from archive_app.core.variants import VARIANTS_FILE  # noqa: E402

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "multilingual_devset.jsonl"
QUERIES = HERE / "multilingual_queries.jsonl"
TOP = 10


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_passages(passages: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for p in passages:
        (folder / f"{p['id']}.txt").write_text(f"{p['title']}\n\n{p['text']}\n", "utf-8")


# -- the two systems ----------------------------------------------------------------------


class WithLanguages:
    """The archive as it is."""

    def __init__(self, passages: list[dict], work: Path, *, variants: bool = True) -> None:
        write_passages(passages, work / "in")
        self.archive = Archive.open(work / ("archive" if variants else "archive-no-list"))
        if not variants:
            (self.archive.root / VARIANTS_FILE).write_text("# no variants\n", "utf-8")
        report = self.archive.import_paths([work / "in"])
        self.names = {i.id: Path(i.path).stem for i in report.imported}
        self.languages = {
            Path(i.path).stem: self.archive.get(i.id).language for i in report.imported
        }

    def search(self, query: str) -> list[str]:
        page = self.archive.search(SearchRequest(query=query, limit=TOP, snippets=False))
        return [self.names[h.id] for h in page.hits]

    def close(self) -> None:
        self.archive.close()


class WithoutLanguages:
    """The analysis before this change: fold, English stop words and English stems, for all."""

    def __init__(self, passages: list[dict], work: Path) -> None:
        analyzer = (
            RegexTokenizer(WORD_PATTERN)
            | LowercaseFilter()
            | CharsetFilter(accent_map)
            | StopFilter()
            | StemFilter(lang="en")
        )
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=analyzer),
            content=fields.TEXT(analyzer=analyzer),
        )
        folder = work / "plain-index"
        folder.mkdir(parents=True)
        self.ix = index.create_in(str(folder), schema)
        with self.ix.writer() as writer:
            for p in passages:
                writer.add_document(
                    id=p["id"], title=p["title"], content=f"{p['title']}\n{p['text']}"
                )
        self.parser = qparser.MultifieldParser(
            ["content", "title"], schema, fieldboosts={"title": 2.0}
        )
        self.searcher = self.ix.searcher()

    def search(self, query: str) -> list[str]:
        hits = self.searcher.search(self.parser.parse(query), limit=TOP)
        return [hit["id"] for hit in hits]

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


# -- measures -------------------------------------------------------------------------------


def recall(ranked: list[str], relevant: set[str]) -> float:
    return len(set(ranked[:TOP]) & relevant) / len(relevant)


def ndcg(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(ranked[:TOP]) if r in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), TOP)))
    return dcg / ideal


def evaluate(system, queries: list[dict], verbose: bool, label: str) -> dict[str, dict]:
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for q in queries:
        relevant = set(q["relevant"])
        ranked = system.search(q["query"])
        r, n = recall(ranked, relevant), ndcg(ranked, relevant)
        by_kind[q["kind"]].append((r, n))
        by_kind["all"].append((r, n))
        if verbose and r < 1.0:
            missed = sorted(relevant - set(ranked))
            print(f"  [{label}] {q['query']!r}: recall {r:.2f}, missed {missed}")
    return {
        kind: {
            "queries": len(scores),
            "recall@10": statistics.fmean(s[0] for s in scores),
            "ndcg@10": statistics.fmean(s[1] for s in scores),
        }
        for kind, scores in by_kind.items()
    }


# -- throughput -------------------------------------------------------------------------------


def scaled_articles(passages: list[dict], count: int, folder: Path) -> None:
    """`count` articles, each eight passages of one language joined, each one distinct."""
    by_language: dict[str, list[dict]] = defaultdict(list)
    for p in passages:
        by_language[p["language"]].append(p)
    order = sorted(passages, key=lambda p: p["id"])
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        lead = order[n % len(order)]
        same = by_language[lead["language"]]
        start = (n // len(order)) % len(same)
        body = "\n\n".join(same[(start + k) % len(same)]["text"] for k in range(8))
        (folder / f"a{n:05d}.txt").write_text(
            f"{lead['title']}\n\n{body}\n\nReference {n}.\n", "utf-8"
        )


def throughput(passages: list[dict], queries: list[dict], count: int, work: Path) -> dict:
    scaled_articles(passages, count, work / "scaled")
    with Archive.open(work / "scaled-archive") as archive:
        start = time.perf_counter()
        report = archive.import_paths([work / "scaled"])
        seconds = time.perf_counter() - start
        requests = [SearchRequest(query=q["query"]) for q in queries]
        for request in requests:  # warm-up
            archive.search(request)
        times = []
        for _ in range(3):
            for request in requests:
                t = time.perf_counter()
                archive.search(request)
                times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "articles": len(report.imported),
        "import_seconds": round(seconds, 1),
        "articles_per_second": round(len(report.imported) / seconds, 1),
        "search_p50_ms": round(statistics.median(times), 1),
        "search_p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "searches": len(times),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list the queries that miss")
    parser.add_argument("--scale", type=int, default=0, help="also time N scaled articles")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    passages, queries = read_jsonl(DEVSET), read_jsonl(QUERIES)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        new = WithLanguages(passages, work)
        unlisted = WithLanguages(passages, work, variants=False)
        old = WithoutLanguages(passages, work)
        results = {
            "with": evaluate(new, queries, args.verbose, "with"),
            "no list": evaluate(unlisted, queries, args.verbose, "no list"),
            "without": evaluate(old, queries, args.verbose, "without"),
        }
        unlisted.close()
        detected = sum(base_language(new.languages[p["id"]]) == p["language"] for p in passages)
        new.close()
        old.close()
        results["detection"] = {"passages": len(passages), "correct": detected}
        if args.scale:
            results["scale"] = throughput(passages, queries, args.scale, work)
    print(f"{len(passages)} passages, {len(queries)} queries\n")
    systems = ("without", "no list", "with")
    print(
        "| Queries | n | "
        + " | ".join(f"recall@10 {s}" for s in systems)
        + " | "
        + " | ".join(f"nDCG@10 {s}" for s in systems)
        + " |"
    )
    print("|---|---|" + "---|" * (2 * len(systems)))
    for kind in sorted(results["with"], key=lambda k: (k == "all", k)):
        name = "**all**" if kind == "all" else kind
        recalls = " | ".join(f"{results[s][kind]['recall@10']:.3f}" for s in systems)
        ndcgs = " | ".join(f"{results[s][kind]['ndcg@10']:.3f}" for s in systems)
        print(f"| {name} | {results['with'][kind]['queries']} | {recalls} | {ndcgs} |")
    d = results["detection"]
    print(f"\nLanguage detected as written: {d['correct']} of {d['passages']} passages")
    if "scale" in results:
        s = results["scale"]
        print(
            f"\nScaled import: {s['articles']} articles in {s['import_seconds']} s ="
            f" {s['articles_per_second']} articles/s; search p50 / p95"
            f" {s['search_p50_ms']} / {s['search_p95_ms']} ms ({s['searches']} searches)"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
