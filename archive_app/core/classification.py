"""Topics in the catalog: loading the archive's rules, assigning, explaining, reclassifying.

Automatic assignments are rows with source 'auto'; a person's decisions are rows
with source 'manual' (assigned 1 or 0) and always win: reclassifying replaces
only automatic rows, and never where a manual row exists for that topic.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from archive_app.core.catalog import Catalog
from archive_app.core.topics import TopicRules, TopicRulesError, TopicScore, default_rules_path

RULES_FILE = "topics.toml"
LAST_GOOD_KEY = "topic_rules_last_good"
APPLIED_KEY = "topic_rules_applied_sha256"


@dataclass(frozen=True)
class LoadedRules:
    rules: TopicRules
    sha256: str
    error: str  # why the archive's topics.toml was not used ("" when it was)


@dataclass(frozen=True)
class TopicExplanation:
    score: TopicScore
    manual: bool | None  # True/False: set/removed by hand; None: automatic
    assigned: bool  # what the article has now


@dataclass(frozen=True)
class TopicCount:
    id: str
    label: str
    description: str
    automatic: int
    manual: int  # set by hand
    removed: int  # removed by hand
    total: int  # articles that have it


@dataclass(frozen=True)
class ReclassifyReport:
    articles: int
    changed: int
    cancelled: bool


def load_rules(root: Path, catalog: Catalog, *, record: bool = True) -> LoadedRules:
    """The archive's rules; when its topics.toml is broken, the last rules that worked.

    A new archive gets a copy of the shipped rules to edit. With `record`
    false (an archive open for reading only) nothing is written: no copy, and
    the rules are not remembered as the last that worked.
    """
    path = root / RULES_FILE
    if record and not path.exists():
        shutil.copyfile(default_rules_path(), path)
    try:
        text = path.read_text("utf-8", errors="replace")
        rules = TopicRules.parse(text, source=str(path))
    except (OSError, TopicRulesError) as exc:
        fallback = catalog.meta(LAST_GOOD_KEY) or default_rules_path().read_text("utf-8")
        return LoadedRules(
            TopicRules.parse(fallback, source="the last rules that worked"),
            _sha(fallback),
            f"{exc}; the archive keeps using its previous topic rules",
        )
    if not record:
        return LoadedRules(rules, _sha(text), "")
    with catalog.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (LAST_GOOD_KEY, text))
        for topic in rules.topics:
            conn.execute(
                "INSERT INTO topics(id, label, description) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET label = excluded.label,"
                " description = excluded.description",
                (topic.id, topic.label, topic.description),
            )
    return LoadedRules(rules, _sha(text), "")


def store_automatic(
    conn: sqlite3.Connection, article_id: str, scores: Iterable[TopicScore]
) -> bool:
    """Replace the article's automatic topics; True when its topics changed."""
    before = _assigned(conn, article_id)
    conn.execute(
        "DELETE FROM article_topics WHERE article_id = ? AND source = 'auto'", (article_id,)
    )
    conn.executemany(
        "INSERT OR IGNORE INTO article_topics(article_id, topic_id, source, assigned, score)"
        " VALUES (?, ?, 'auto', 1, ?)",
        [(article_id, s.topic, round(s.score, 3)) for s in scores if s.assigned],
    )
    return _assigned(conn, article_id) != before


def _assigned(conn: sqlite3.Connection, article_id: str) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT topic_id FROM article_topics WHERE article_id = ? AND assigned = 1",
            (article_id,),
        )
    }


def manual_decisions(catalog: Catalog, article_id: str) -> dict[str, bool]:
    return {
        r[0]: bool(r[1])
        for r in catalog.query(
            "SELECT topic_id, assigned FROM article_topics"
            " WHERE article_id = ? AND source = 'manual'",
            (article_id,),
        )
    }


def topic_counts(catalog: Catalog) -> list[TopicCount]:
    rows = catalog.query(
        "SELECT t.id, t.label, t.description,"
        " sum(at.source = 'auto' AND at.assigned = 1) AS automatic,"
        " sum(at.source = 'manual' AND at.assigned = 1) AS manual,"
        " sum(at.source = 'manual' AND at.assigned = 0) AS removed"
        " FROM topics t LEFT JOIN article_topics at ON at.topic_id = t.id"
        " GROUP BY t.id ORDER BY t.rowid"
    )
    return [
        TopicCount(
            id=r["id"],
            label=r["label"],
            description=r["description"],
            automatic=r["automatic"] or 0,
            manual=r["manual"] or 0,
            removed=r["removed"] or 0,
            total=(r["automatic"] or 0) + (r["manual"] or 0),
        )
        for r in rows
    ]


def reclassify(
    catalog: Catalog,
    rules: LoadedRules,
    classify_article: Callable[[str], tuple[TopicScore, ...]],
    queue_index: Callable[[sqlite3.Connection, str], None],
    flush_index: Callable[[], None],
    *,
    batch: int = 200,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
) -> ReclassifyReport:
    """Apply the rules to every article, a batch per transaction.

    Searching goes on meanwhile: each batch is its own short transaction, and
    only articles whose topics changed are re-indexed.
    """
    ids = [r[0] for r in catalog.query("SELECT id FROM articles ORDER BY seq")]
    changed = 0
    for start in range(0, len(ids), batch):
        if cancel is not None and cancel.is_set():
            return ReclassifyReport(len(ids), changed, cancelled=True)
        chunk = ids[start : start + batch]
        scores = {article_id: classify_article(article_id) for article_id in chunk}
        with catalog.transaction() as conn:
            for article_id, article_scores in scores.items():
                if store_automatic(conn, article_id, article_scores):
                    changed += 1
                    queue_index(conn, article_id)
        flush_index()
        if progress is not None:
            progress(min(start + batch, len(ids)), len(ids))
    with catalog.transaction() as conn:
        Catalog.set_meta(conn, APPLIED_KEY, rules.sha256)
    return ReclassifyReport(len(ids), changed, cancelled=False)


def rules_outdated(catalog: Catalog, rules: LoadedRules) -> bool:
    """True when articles were classified with other rules than the current ones."""
    applied = catalog.meta(APPLIED_KEY)
    if applied is None:
        return bool(catalog.scalar("SELECT count(*) FROM articles"))
    return applied != rules.sha256


def mark_applied_if_empty(catalog: Catalog, rules: LoadedRules) -> None:
    """An empty archive is classified with whatever rules it has."""
    if not catalog.scalar("SELECT count(*) FROM articles"):
        with catalog.transaction() as conn:
            Catalog.set_meta(conn, APPLIED_KEY, rules.sha256)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
