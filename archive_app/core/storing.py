"""Writing one imported article into the archive: blobs, then one catalog transaction.

The index is not touched here: the transaction queues the article in
`index_queue`, and the archive applies the queue in batches.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable

from archive_app import __version__
from archive_app.core import audit_log, classification, fingerprints
from archive_app.core.blobs import BlobStore
from archive_app.core.catalog import Catalog
from archive_app.core.dates import normalize_date
from archive_app.core.importing import PreparedArticle, PreparedFile, captions_of, write_blobs
from archive_app.core.topics import TopicRules


class StoreError(Exception):
    """The article cannot be stored; the message says why."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def safe_date(value: str) -> str:
    try:
        return normalize_date(value)
    except ValueError:
        return ""


def find_identity(catalog: Catalog, identity: str) -> str | None:
    row = catalog.query_one("SELECT id FROM articles WHERE identity_sha256 = ?", (identity,))
    return None if row is None else row[0]


def new_id(catalog: Catalog, identity: str) -> str:
    for length in (12, 16, 20, 64):
        candidate = identity[:length]
        if catalog.query_one("SELECT 1 FROM articles WHERE id = ?", (candidate,)) is None:
            return candidate
    raise StoreError(f"cannot allocate an id for {identity}")


def store_article(
    catalog: Catalog,
    blobs: BlobStore,
    rules: TopicRules,
    prepared: PreparedFile,
    article: PreparedArticle,
    *,
    unindexed: set[str] | None = None,
) -> str:
    """Store one article; returns its id.

    `unindexed` collects the ids the index cannot hold yet: a new id with no
    index work pending. Its index write may skip looking for an older copy,
    which at 100,000 articles means a lookup in each of a hundred segments.
    """
    parsed = article.parsed
    # Blobs first: content-addressed, so a crash here leaves only orphans that check removes.
    write_blobs(prepared, blobs)
    article_id = new_id(catalog, article.identity_sha256)
    text_sha = article.text_sha256
    sketch = list(article.sketch)
    published = safe_date(parsed.published)
    stamp = now()
    title = parsed.title.strip() or prepared.path.stem
    links = duplicate_links(catalog, article_id, text_sha, sketch)
    scores = article.topic_scores
    if scores is None:
        scores = rules.classify(parsed.title, parsed.text, captions_of(article.images))
    with catalog.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, kind, created_at) VALUES (?,?,?,?)",
            (prepared.sha256, prepared.size, "original", stamp),
        )
        conn.execute(
            "INSERT INTO articles(id, identity_sha256, title, author, source, url, published,"
            " language, text, html, text_sha256, sketch, original_sha256, original_filename,"
            " original_size, record, imported_at, importer, app_version, warnings, extra)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article_id,
                article.identity_sha256,
                title,
                parsed.author.strip(),
                parsed.source.strip(),
                parsed.url.strip(),
                published,
                article.language or parsed.language.strip(),
                parsed.text,
                parsed.html,
                text_sha,
                fingerprints.pack(sketch),
                prepared.sha256,
                prepared.path.name,
                prepared.size,
                parsed.record_locator,
                stamp,
                prepared.importer,
                __version__,
                json.dumps(list(article.warnings), ensure_ascii=False),
                json.dumps(parsed.extra, ensure_ascii=False, default=str),
            ),
        )
        for position, image in enumerate(article.images):
            if image.sha256 is not None and image.info is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO blobs(sha256, size, kind, created_at) VALUES (?,?,?,?)",
                    (image.sha256, image.size, "image", stamp),
                )
                conn.execute(
                    "INSERT OR IGNORE INTO images(sha256, width, height, format) VALUES (?,?,?,?)",
                    (image.sha256, image.info.width, image.info.height, image.info.format),
                )
            source = image.parsed
            url = source.url or (str(source.path) if source.path and not image.sha256 else "")
            conn.execute(
                "INSERT INTO article_images(article_id, position, sha256, url, alt, title,"
                " caption, credit, role) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    article_id,
                    position,
                    image.sha256,
                    url,
                    source.alt,
                    source.title,
                    source.caption,
                    source.credit,
                    source.role,
                ),
            )
        for tag in parsed.tags:
            attach_tag(conn, article_id, tag)
        classification.store_automatic(conn, article_id, scores)
        for other, kind, similarity in links:
            a, b = sorted((article_id, other))
            conn.execute(
                "INSERT OR IGNORE INTO duplicates(a, b, kind, similarity) VALUES (?,?,?,?)",
                (a, b, kind, similarity),
            )
        conn.executemany(
            "INSERT OR IGNORE INTO text_sketches(value, article_id) VALUES (?, ?)",
            [(fingerprints.to_signed(v), article_id) for v in sketch[: fingerprints.LOOKUP_KEYS]],
        )
        # A pending `delete` means the index may still hold an article once stored
        # under this id (deleted, its removal from the index not yet applied).
        pending = conn.execute(
            "SELECT 1 FROM index_queue WHERE article_id = ?", (article_id,)
        ).fetchone()
        conn.execute(
            "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'upsert')",
            (article_id,),
        )
        # The provenance, chained into the audit log with the article it describes.
        audit_log.append(
            conn,
            "import",
            article_id,
            {
                "sha256": prepared.sha256,
                "filename": prepared.path.name,
                "size": prepared.size,
                "record": parsed.record_locator,
                "importer": prepared.importer,
                "app_version": __version__,
                "url": parsed.url.strip(),
                "title": title,
                "tags": sorted({normalize_tag(t) for t in parsed.tags} - {""}),
            },
            at=stamp,
        )
    if unindexed is not None and pending is None:
        unindexed.add(article_id)
    return article_id


COMMON_KEY_ARTICLES = 100  # a lookup key held by more articles is not used to find candidates


def duplicate_links(
    catalog: Catalog, article_id: str, text_sha: str, sketch: list[int]
) -> list[tuple[str, str, float]]:
    """Articles with the same or nearly the same text, found before storing this one."""
    links: dict[str, tuple[str, float]] = {}
    for row in catalog.query("SELECT id FROM articles WHERE text_sha256 = ? LIMIT 50", (text_sha,)):
        links[row[0]] = ("same-text", 1.0)
    keys = [fingerprints.to_signed(v) for v in sketch[: fingerprints.LOOKUP_KEYS]]
    if len(keys) < fingerprints.MIN_SHARED_KEYS:
        return [(other, kind, sim) for other, (kind, sim) in links.items()]
    marks = ",".join("?" * len(keys))
    # A key that many articles hold is a stock phrase ("said in a statement"):
    # grouping all its rows would cost milliseconds at 100,000 articles and say
    # little. Candidates must hold one of the rarer keys; all keys count towards
    # the shared ones.
    # Each key's holders are counted only up to the limit, so a stock phrase
    # held by thousands costs no more than a rare one.
    counted = " UNION ALL ".join(
        "SELECT ?, (SELECT count(*) FROM (SELECT 1 FROM text_sketches WHERE value = ? LIMIT ?))"
        for _ in keys
    )
    held = dict(catalog.query(counted, [x for k in keys for x in (k, k, COMMON_KEY_ARTICLES + 1)]))
    seeds = [k for k in keys if held[k] <= COMMON_KEY_ARTICLES]
    if not seeds:
        seeds = [min(keys, key=lambda k: held[k])]
    # `+value`: the articles holding a seed are found first (through the article_id
    # index) and only their keys counted, never every holder of a stock phrase's key.
    candidates = catalog.query(
        f"SELECT a.id, a.sketch FROM articles a JOIN ("
        f" SELECT article_id, count(*) AS shared FROM text_sketches WHERE +value IN ({marks})"
        f" AND article_id IN (SELECT article_id FROM text_sketches"
        f" WHERE value IN ({','.join('?' * len(seeds))}))"
        f" GROUP BY article_id HAVING shared >= ? ORDER BY shared DESC LIMIT 20"
        f") c ON c.article_id = a.id",
        [*keys, *seeds, fingerprints.MIN_SHARED_KEYS],
    )
    for row in candidates:
        if row["id"] in links or row["id"] == article_id:
            continue
        similarity = fingerprints.near_duplicate(sketch, fingerprints.unpack(row["sketch"]))
        if similarity is not None:
            links[row["id"]] = ("near", round(similarity, 4))
    return [(other, kind, sim) for other, (kind, sim) in links.items()]


def attach_tag(conn: sqlite3.Connection, article_id: str, tag: str) -> None:
    name = normalize_tag(tag)
    if not name:
        return
    conn.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (name,))
    conn.execute(
        "INSERT OR IGNORE INTO article_tags(article_id, tag_id)"
        " SELECT ?, id FROM tags WHERE name = ?",
        (article_id, name),
    )


def normalize_tag(tag: str) -> str:
    """`Region / Kherson ` → `Region/Kherson`: trimmed parts, single spaces, no empty levels."""
    parts = [" ".join(p.split()) for p in tag.split("/")]
    return "/".join(p for p in parts if p)


# -- tag administration: rename, merge, delete (levels match without regard to case) --


def tags_at_or_below(conn: sqlite3.Connection, name: str) -> list[tuple[int, str]]:
    """The tag rows named `name` or below it: `region` gives `Region`, `region/kherson`."""
    return matching_tags(conn.execute("SELECT id, name FROM tags ORDER BY id"), name)


def matching_tags(rows: Iterable[tuple[int, str]], name: str) -> list[tuple[int, str]]:
    wanted = [level.lower() for level in name.split("/")]
    return [
        (tag_id, tag)
        for tag_id, tag in rows
        if [level.lower() for level in tag.split("/")[: len(wanted)]] == wanted
    ]


def move_tags(conn: sqlite3.Connection, old: str, new: str) -> set[str]:
    """Rename `old` and every tag below it to sit under `new`; returns the articles changed.

    When a new name exists already the two merge: an article with both keeps one.
    Old rows are removed before new ones are added, so a rename that only
    changes capitals takes effect.
    """
    rows = tags_at_or_below(conn, old)
    depth = len(old.split("/"))
    renamed = {tag_id: "/".join([new, *tag.split("/")[depth:]]) for tag_id, tag in rows}
    if all(renamed[tag_id] == tag for tag_id, tag in rows):
        return set()
    links = _links_of(conn, list(renamed))
    _delete_tag_rows(conn, list(renamed))
    by_name: dict[str, list[str]] = {}
    for article_id, tag_id in links:
        by_name.setdefault(renamed[tag_id], []).append(article_id)
    for name, article_ids in by_name.items():
        conn.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (name,))
        tag_id = conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
        conn.executemany(
            "INSERT OR IGNORE INTO article_tags(article_id, tag_id) VALUES (?, ?)",
            [(article_id, tag_id) for article_id in article_ids],
        )
    return {article_id for article_id, _ in links}


def remove_tags(conn: sqlite3.Connection, name: str) -> set[str]:
    """Remove `name` and every tag below it from every article; returns the articles changed."""
    tag_ids = [tag_id for tag_id, _ in tags_at_or_below(conn, name)]
    links = _links_of(conn, tag_ids)
    _delete_tag_rows(conn, tag_ids)
    return {article_id for article_id, _ in links}


def attach_tag_to_many(conn: sqlite3.Connection, article_ids: list[str], tag: str) -> set[str]:
    """Tag every article (all of which exist); returns those that did not have the tag."""
    conn.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (tag,))
    tag_id = conn.execute("SELECT id FROM tags WHERE name = ?", (tag,)).fetchone()[0]
    had = {a for a, _ in _links_of(conn, [tag_id], article_ids)}
    added = [a for a in dict.fromkeys(article_ids) if a not in had]
    conn.executemany(
        "INSERT INTO article_tags(article_id, tag_id) VALUES (?, ?)", [(a, tag_id) for a in added]
    )
    return set(added)


def detach_tag_from_many(conn: sqlite3.Connection, article_ids: list[str], tag: str) -> set[str]:
    """Remove exactly this tag (not those below it); returns the articles that had it."""
    row = conn.execute("SELECT id FROM tags WHERE name = ?", (tag,)).fetchone()
    if row is None:
        return set()
    had = {a for a, _ in _links_of(conn, [row[0]], article_ids)}
    conn.executemany(
        "DELETE FROM article_tags WHERE article_id = ? AND tag_id = ?", [(a, row[0]) for a in had]
    )
    return had


def remove_unused_tags(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)")


IN_BATCH = 500  # values per `IN (...)`, well below SQLite's limit on parameters


def _links_of(
    conn: sqlite3.Connection, tag_ids: list[int], article_ids: list[str] | None = None
) -> list[tuple[str, int]]:
    """(article, tag) pairs for these tags, optionally only for these articles."""
    links: list[tuple[str, int]] = []
    for start in range(0, len(tag_ids), IN_BATCH):
        tags = tag_ids[start : start + IN_BATCH]
        tag_marks = ",".join("?" * len(tags))
        if article_ids is None:
            links += conn.execute(
                f"SELECT article_id, tag_id FROM article_tags WHERE tag_id IN ({tag_marks})", tags
            ).fetchall()
            continue
        for first in range(0, len(article_ids), IN_BATCH):
            chunk = article_ids[first : first + IN_BATCH]
            links += conn.execute(
                f"SELECT article_id, tag_id FROM article_tags WHERE tag_id IN ({tag_marks})"
                f" AND article_id IN ({','.join('?' * len(chunk))})",
                [*tags, *chunk],
            ).fetchall()
    return [(a, t) for a, t in links]


def _delete_tag_rows(conn: sqlite3.Connection, tag_ids: list[int]) -> None:
    conn.executemany("DELETE FROM article_tags WHERE tag_id = ?", [(t,) for t in tag_ids])
    conn.executemany("DELETE FROM tags WHERE id = ?", [(t,) for t in tag_ids])
