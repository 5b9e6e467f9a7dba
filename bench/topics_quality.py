"""Quality and speed of the topic classifier on the labelled development set.

    python bench/topics_quality.py [--rules resources/topics.toml]
        [--devset bench/topics_devset.jsonl] [--runs 200] [--check]

Prints Markdown: precision, recall and F1 per topic and per language, every
misclassified passage with the evidence the classifier used, and the median time
to classify an article of about 1,000 words. ``--check`` exits with status 1 when
a topic misses the targets (precision >= 0.95, recall >= 0.90) or the median time
is 5 ms or more.

The development set (``bench/topics_devset.jsonl``) has one JSON object per line:
``{"id", "lang", "text", "title" (optional), "labels": [topic ids]}``. Its passages
were written for this purpose: clear positives for each topic, both, neither,
false friends ("child process", "price war", a crime novel) and hard negatives
that mention children or war only in passing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive_app.core.topics import TopicRules, TopicScore, default_rules_path  # noqa: E402

PRECISION_TARGET = 0.95
RECALL_TARGET = 0.90
TIME_TARGET_MS = 5.0
ARTICLE_WORDS = 1000


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, got: bool) -> None:
        if expected and got:
            self.tp += 1
        elif got:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


@dataclass
class Miss:
    passage: dict
    topic: str
    expected: bool
    score: TopicScore


@dataclass
class Report:
    topics: list[str]
    overall: dict[str, Counts] = field(default_factory=dict)
    by_lang: dict[str, dict[str, Counts]] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)


def load_devset(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: {e}") from None
    return rows


def evaluate(rules: TopicRules, rows: list[dict]) -> Report:
    topics = [t.id for t in rules.topics]
    report = Report(topics, {t: Counts() for t in topics})
    for row in rows:
        lang = row.get("lang", "?")
        per_lang = report.by_lang.setdefault(lang, {t: Counts() for t in topics})
        labels = set(row.get("labels", []))
        for score in rules.classify(row.get("title", ""), row["text"]):
            expected = score.topic in labels
            report.overall[score.topic].add(expected, score.assigned)
            per_lang[score.topic].add(expected, score.assigned)
            if expected != score.assigned:
                report.misses.append(Miss(row, score.topic, expected, score))
    return report


def timing(rules: TopicRules, rows: list[dict], runs: int) -> tuple[int, float, float, float]:
    """Words in the test article; median and 95th percentile wall-clock milliseconds;
    median CPU milliseconds (which a busy machine disturbs less)."""
    paragraphs: list[str] = []
    words = 0
    for row in rows:
        paragraphs.append(row["text"])
        words += len(row["text"].split())
        if words >= ARTICLE_WORDS:
            break
    title = next((r["title"] for r in rows if r.get("title")), "")
    text = "\n\n".join(paragraphs)
    rules.classify(title, text)  # warm the caches, as a long-running app would be
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        rules.classify(title, text)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return words, statistics.median(times), p95, statistics.median(cpu)


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def explain(score: TopicScore, limit: int = 4) -> str:
    parts = [f"{c.term} ×{c.count} = {c.points:g}" for c in score.contributions[:limit]]
    if len(score.contributions) > limit:
        parts.append(f"… {len(score.contributions) - limit} more")
    text = "; ".join(parts) or "nothing matched"
    if score.cancellations:
        cancelled = ", ".join(f"{c.term} ({c.context})" for c in score.cancellations)
        text += f"; cancelled: {cancelled}"
    return text


def print_report(
    report: Report, rows: int, timed: tuple[int, float, float, float], runs: int
) -> None:
    print(f"# Topic classifier on the development set ({rows} passages)\n")
    print("| topic | passages with it | TP | FP | FN | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for topic in report.topics:
        c = report.overall[topic]
        print(
            f"| {topic} | {c.tp + c.fn} | {c.tp} | {c.fp} | {c.fn} "
            f"| {fmt(c.precision)} | {fmt(c.recall)} | {fmt(c.f1)} |"
        )
    print(f"\nTargets: precision ≥ {PRECISION_TARGET}, recall ≥ {RECALL_TARGET} per topic.\n")

    print("## Per language\n")
    head = " | ".join(f"{t}: with it | P | R | F1" for t in report.topics)
    print(f"| language | passages | {head} |")
    print("|---|---|" + "---|" * (4 * len(report.topics)))
    for lang, counts in sorted(report.by_lang.items(), key=lambda kv: (kv[0] != "en", kv[0])):
        first = counts[report.topics[0]]
        n = first.tp + first.fp + first.fn + first.tn
        cells = " | ".join(
            f"{counts[t].tp + counts[t].fn} | {fmt(counts[t].precision)} "
            f"| {fmt(counts[t].recall)} | {fmt(counts[t].f1)}"
            for t in report.topics
        )
        print(f"| {lang} | {n} | {cells} |")
    print("\n(– : no passage of that language has, or was given, the topic)\n")

    print("## Misclassified\n")
    if not report.misses:
        print("None.\n")
    else:
        print("| passage | lang | topic | expected | got | score / threshold | evidence |")
        print("|---|---|---|---|---|---|---|")
        for m in report.misses:
            print(
                f"| {m.passage['id']} | {m.passage.get('lang', '?')} | {m.topic} "
                f"| {'yes' if m.expected else 'no'} | {'yes' if m.score.assigned else 'no'} "
                f"| {m.score.score:g} / {m.score.threshold:g} | {explain(m.score)} |"
            )
        print()

    words, median, p95, cpu = timed
    print("## Speed\n")
    print("| article | runs | median | 95th percentile | median CPU time | target (median) |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {words} words, all topics | {runs} | {median:.2f} ms | {p95:.2f} ms "
        f"| {cpu:.2f} ms | < {TIME_TARGET_MS:g} ms |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=default_rules_path())
    parser.add_argument("--devset", type=Path, default=ROOT / "bench" / "topics_devset.jsonl")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    rules = TopicRules.load(args.rules)
    rows = load_devset(args.devset)
    report = evaluate(rules, rows)
    timed = timing(rules, rows, max(1, args.runs))
    print_report(report, len(rows), timed, max(1, args.runs))

    if args.check:
        ok = timed[1] < TIME_TARGET_MS
        for topic in report.topics:
            c = report.overall[topic]
            ok = ok and (c.precision or 0) >= PRECISION_TARGET and (c.recall or 0) >= RECALL_TARGET
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
