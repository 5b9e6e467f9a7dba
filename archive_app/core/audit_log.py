"""The archive's audit log: an append-only, hash-chained record of every change.

Each import (with the article's provenance), edit, tag change, topic decision,
note, language correction, deletion and saved-search change adds an entry to
the catalog's `audit_log` table, in the same transaction as the change itself:
a crash can leave neither a change without its entry nor an entry without its
change.

An entry's `hash` is the SHA-256 of `[seq, at, action, article_id, details,
prev_hash]` as compact ASCII JSON (`details` as the exact stored text), and
`prev_hash` is the hash of the entry before it (64 zeros for the first). The
catalog refuses UPDATE and DELETE of entries, and any insert that does not
follow the newest entry (triggers from migration v4).

What `verify` detects, and what it does not:

- An entry changed in the file (triggers dropped, a row edited): its content
  no longer matches its hash, or, if the hash was recomputed too, the next
  entry's `prev_hash` no longer matches. Reported by seq.
- An entry removed from the middle: a gap in `seq` and a broken `prev_hash`.
- The newest entries removed (tail truncation, which leaves a valid chain):
  the catalog's meta row `audit_log_head` holds the newest entry's seq and
  hash, written in the same transaction as every entry, so it cannot fall
  behind the log by itself; a log shorter than its head is reported. And every
  article imported since the log started must have its import entry, whose
  provenance must match the article's row: truncating an import is reported
  even if the head was rewritten as well.
- Not detected: someone who edits the file knowing this scheme can rewrite
  the head along with the tail, or recompute every hash after a change. The
  chain holds no secret and nothing outside the catalog, so it proves that
  the log was not changed by accident or by ordinary tools, not that it was
  not rewritten on purpose. Keeping a copy of `log --verify`'s head (seq and
  hash) elsewhere closes that gap for everything before it.

Two changes are not in the same transaction as their entry: `reclassify`
writes one summary entry after its run, whose batches commit one by one so
that searching goes on (a run cut short by a crash leaves automatic topic
changes without an entry), and the language detected once, on opening, for
articles stored before detection existed is not logged at all.

An archive from before the log (schema 3) gets a first `log-started` entry
from the migration, with the article count and the highest article seq then
present: articles up to that seq predate the log, every later one must have an
import entry. The migration is plain SQL and cannot compute a SHA-256, so that
one entry is stored with an empty hash and its hash is computed from its
content wherever it is read; the next entry's `prev_hash` seals it.

`verify` reads only the catalog (the log, `articles` and the meta head), so a
bundle that copies every catalog table verbatim (rows in seq order, articles
with their seq, meta with `audit_log_head`) verifies in its new archive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from archive_app.core.catalog import Catalog
from archive_app.core.models import LogEntry

GENESIS_HASH = "0" * 64
HEAD_KEY = "audit_log_head"  # meta: {"seq": …, "hash": …} of the newest entry
STARTED = "log-started"
IMPORT_ACTIONS = ("import", "restore")  # an article's arrival in this archive
# Entries about many articles at once keep them in details["articles"].
SHARED_ENTRY_ARTICLES = "articles"
_COLUMNS = "seq, at, action, article_id, details, prev_hash, hash"
# Provenance kept in an import entry, with the articles column it must match.
PROVENANCE_COLUMNS = {
    "sha256": "original_sha256",
    "filename": "original_filename",
    "size": "original_size",
    "record": "record",
    "importer": "importer",
    "app_version": "app_version",
}

Details = Mapping[str, Any]


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def canonical(details: Details) -> str:
    """Sorted keys, no spaces, ASCII only: one text for one value, whatever wrote it."""
    return json.dumps(dict(details), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(
    seq: int, at: str, action: str, article_id: str | None, details: str, prev_hash: str
) -> str:
    payload = json.dumps(
        [seq, at, action, article_id, details, prev_hash],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


# -- writing (always inside the caller's transaction) ---------------------------------


def append(
    conn: sqlite3.Connection,
    action: str,
    article_id: str | None = None,
    details: Details | None = None,
    *,
    at: str | None = None,
) -> LogEntry:
    """Add one entry after the newest; call inside the transaction that makes the change."""
    return append_many(conn, [(action, article_id, details or {})], at=at)[0]


def append_many(
    conn: sqlite3.Connection,
    entries: Iterable[tuple[str, str | None, Details]],
    *,
    at: str | None = None,
) -> list[LogEntry]:
    """Add entries in order, chained, with one statement; the head moves to the last one.

    The previous hash is read inside the caller's transaction (BEGIN IMMEDIATE,
    one writer), so no other entry can slip in between.
    """
    stamp = at or now()
    last = conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (0, GENESIS_HASH) if last is None else (last[0], _effective_hash(last))
    written: list[LogEntry] = []
    for action, article_id, details in entries:
        seq += 1
        text = canonical(details)
        digest = entry_hash(seq, stamp, action, article_id, text, prev)
        written.append(LogEntry(seq, stamp, action, article_id, json.loads(text), prev, digest))
        prev = digest
    if not written:
        return written
    conn.executemany(
        f"INSERT INTO audit_log({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (e.seq, e.at, e.action, e.article_id, canonical(e.details), e.prev_hash, e.hash)
            for e in written
        ],
    )
    newest = written[-1]
    Catalog.set_meta(conn, HEAD_KEY, json.dumps({"seq": newest.seq, "hash": newest.hash}))
    return written


def tags_of(conn: sqlite3.Connection, article_id: str) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
            " WHERE at.article_id = ?",
            (article_id,),
        )
    }


def record_tag_change(conn: sqlite3.Connection, article_id: str, before: set[str]) -> None:
    """A `tag` entry for the tags the article gained, an `untag` entry for those it lost."""
    after = tags_of(conn, article_id)
    changes: list[tuple[str, str | None, Details]] = []
    if after - before:
        changes.append(("tag", article_id, {"tags": sorted(after - before)}))
    if before - after:
        changes.append(("untag", article_id, {"tags": sorted(before - after)}))
    append_many(conn, changes)


def record_tags_many(
    conn: sqlite3.Connection, action: str, changed_by_tag: Mapping[str, set[str]]
) -> None:
    """One entry per article changed, naming the tags it gained (`tag`) or lost (`untag`)."""
    names_by_article: dict[str, list[str]] = {}
    for name, article_ids in changed_by_tag.items():
        for article_id in article_ids:
            names_by_article.setdefault(article_id, []).append(name)
    append_many(
        conn,
        [
            (action, article_id, {"tags": sorted(names)})
            for article_id, names in sorted(names_by_article.items())
        ],
    )


def record_note(conn: sqlite3.Connection, article_id: str, new: str) -> None:
    """Before the note is written: a `note` entry with the old and new text, if they differ."""
    row = conn.execute("SELECT text FROM article_notes WHERE article_id = ?", (article_id,))
    found = row.fetchone()
    old = "" if found is None else found[0]
    if new != old:
        append(conn, "note", article_id, {"old": old, "new": new})


def record_language(conn: sqlite3.Connection, article_id: str, new: str) -> None:
    """Before the language is written: a `language` entry with the old and new code."""
    row = conn.execute("SELECT language FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is not None and row[0] != new:
        append(conn, "language", article_id, {"old": row[0], "new": new})


def record_many(
    conn: sqlite3.Connection, action: str, details: Details, article_ids: Iterable[str]
) -> None:
    """One entry for a change to many articles, naming them; none when nothing changed."""
    changed = sorted(article_ids)
    if changed:
        append(conn, action, None, {**details, SHARED_ENTRY_ARTICLES: changed})


def record_edits(
    conn: sqlite3.Connection, article_id: str, old: Mapping[str, str], new: Mapping[str, str]
) -> None:
    """One `edit` entry per field whose value as read changed."""
    append_many(
        conn,
        [
            ("edit", article_id, {"field": field, "old": old[field], "new": new[field]})
            for field in sorted(old)
            if old[field] != new[field]
        ],
    )


def deleted_details(conn: sqlite3.Connection, article_id: str) -> dict[str, Any]:
    """What stays known of an article once it is gone: read before deleting it."""
    row = conn.execute(
        "SELECT a.title, e.value, a.original_sha256, a.original_filename, a.record,"
        " a.imported_at FROM articles a"
        " LEFT JOIN article_edits e ON e.article_id = a.id AND e.field = 'title'"
        " WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return {}
    return {
        "title": row[1] if row[1] is not None else row[0],
        "sha256": row[2],
        "filename": row[3],
        "record": row[4],
        "imported_at": row[5],
    }


# -- reading ------------------------------------------------------------------------


def entries(catalog: Catalog, article_id: str | None = None, limit: int = 100) -> list[LogEntry]:
    """Newest first; for one article, its own entries and those naming it among many."""
    limit = max(0, limit)
    if article_id is None:
        rows = catalog.query(
            f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?", (limit,)
        )
    else:
        rows = catalog.query(
            f"SELECT {_COLUMNS} FROM audit_log WHERE article_id = ?"
            f" UNION ALL SELECT {_COLUMNS} FROM audit_log"
            " WHERE article_id IS NULL AND instr(details, ?) > 0"
            " ORDER BY seq DESC LIMIT ?",
            (article_id, json.dumps(article_id), limit),
        )
    return [_entry(r) for r in rows]


def logged_ids(catalog: Catalog, prefix: str) -> list[str]:
    """Article ids the log names: this one, or those starting with it (two at most)."""
    if catalog.query_one("SELECT 1 FROM audit_log WHERE article_id = ?", (prefix,)):
        return [prefix]
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [
        r[0]
        for r in catalog.query(
            "SELECT DISTINCT article_id FROM audit_log WHERE article_id LIKE ? ESCAPE '\\' LIMIT 2",
            (escaped + "%",),
        )
    ]


def head(catalog: Catalog) -> tuple[int, str] | None:
    """The newest entry's seq and hash as the catalog recorded them, if it did."""
    text = catalog.meta(HEAD_KEY)
    if text is None:
        return None
    try:
        value = json.loads(text)
        return int(value["seq"]), str(value["hash"])
    except (ValueError, TypeError, KeyError):
        return -1, text


def _entry(row: sqlite3.Row | tuple) -> LogEntry:
    try:
        details = json.loads(row[4])
    except ValueError:
        details = {"unreadable": row[4]}
    return LogEntry(
        seq=row[0],
        at=row[1],
        action=row[2],
        article_id=row[3],
        details=details if isinstance(details, dict) else {"value": details},
        prev_hash=row[5],
        hash=_effective_hash(row),
    )


def _is_unsealed_start(row: sqlite3.Row | tuple) -> bool:
    """The migration's first entry, stored without a hash (SQL cannot compute one)."""
    return row[6] == "" and row[0] == 1 and row[2] == STARTED and row[5] == GENESIS_HASH


def _computed_hash(row: sqlite3.Row | tuple) -> str:
    return entry_hash(row[0], row[1], row[2], row[3], row[4], row[5])


def _effective_hash(row: sqlite3.Row | tuple) -> str:
    return _computed_hash(row) if _is_unsealed_start(row) else row[6]


# -- verifying ----------------------------------------------------------------------


def verify(catalog: Catalog) -> list[str]:
    """Problems with the log (empty when intact): the chain, its head, the articles' imports.

    Each problem names the entry by its seq; the first is the first bad entry.
    """
    rows = catalog.query(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
    problems = _chain_problems(rows)
    problems += _head_problems(catalog, rows)
    problems += _import_problems(catalog, rows)
    return problems


def _chain_problems(rows: list) -> list[str]:
    problems: list[str] = []
    expected, prev = 1, GENESIS_HASH
    for row in rows:
        seq, at, action, stored_prev, stored = row[0], row[1], row[2], row[5], row[6]
        name = f"entry {seq} ({action}, {at})"
        if seq != expected:
            missing = str(expected) if seq == expected + 1 else f"{expected}–{seq - 1}"
            problems.append(f"entry {missing} missing: the log goes from {expected - 1} to {seq}")
        if stored_prev != prev:
            problems.append(
                f"{name}: prev_hash {_short(stored_prev)} is not the hash of the entry before it"
                f" ({_short(prev)}): an entry before it was removed or rewritten"
            )
        if not _is_unsealed_start(row):
            computed = _computed_hash(row)
            if stored != computed:
                problems.append(
                    f"{name}: its content does not match its hash (stored {_short(stored)},"
                    f" content gives {_short(computed)}): changed after it was written"
                )
        # The chain goes on from the stored hash, so one changed entry is reported once.
        prev, expected = _effective_hash(row), seq + 1
    return problems


def _head_problems(catalog: Catalog, rows: list) -> list[str]:
    recorded = head(catalog)
    if recorded is None:
        if rows:
            return [
                f"the catalog does not record the log's newest entry (meta {HEAD_KEY} is"
                f" missing), so entries removed from its end could not be noticed"
            ]
        return []
    seq, digest = recorded
    if seq < 0:
        return [f"the recorded newest entry is unreadable: {digest!r}"]
    if not rows:
        return [f"the log is empty, but the catalog recorded entry {seq} as its newest"]
    last = rows[-1]
    if seq > last[0]:
        missing = str(seq) if seq == last[0] + 1 else f"{last[0] + 1}–{seq}"
        return [
            f"entry {missing} missing from the end of the log: it ends at entry {last[0]},"
            f" but the catalog recorded entry {seq} as its newest"
        ]
    if seq != last[0] or digest != last[6]:
        return [
            f"the log ends at entry {last[0]} ({_short(last[6])}), but the catalog recorded"
            f" entry {seq} ({_short(digest)}) as its newest"
        ]
    return []


def _import_problems(catalog: Catalog, rows: list) -> list[str]:
    """Every article from after the log started has an import entry matching its provenance."""
    since = 0
    if rows and rows[0][2] == STARTED:
        try:
            since = int(json.loads(rows[0][4]).get("last_article_seq", 0))
        except (ValueError, TypeError, AttributeError):
            since = 0
    imports: dict[str, tuple] = {}
    for row in rows:
        if row[3] is not None and row[2] in IMPORT_ACTIONS:
            imports[row[3]] = row  # a later import (after a delete) replaces an earlier one
    problems: list[str] = []
    columns = ", ".join(PROVENANCE_COLUMNS.values())
    for article in catalog.query(
        f"SELECT id, imported_at, {columns} FROM articles WHERE seq > ? ORDER BY seq", (since,)
    ):
        entry = imports.get(article["id"])
        if entry is None:
            problems.append(f"article {article['id']} has no import entry in the log")
            continue
        try:
            logged = json.loads(entry[4])
        except ValueError:
            logged = {}
        if not isinstance(logged, dict):
            logged = {}
        differences = [
            f"{key} is {logged.get(key)!r} in the log but {article[column]!r} in the article"
            for key, column in PROVENANCE_COLUMNS.items()
            if key in logged and logged[key] != article[column]
        ]
        if entry[2] == "import" and entry[1] != article["imported_at"]:
            differences.append(
                f"imported at {entry[1]} in the log but {article['imported_at']} in the article"
            )
        if differences:
            problems.append(
                f"entry {entry[0]} ({entry[2]} of {article['id']}): " + "; ".join(differences)
            )
    return problems


def _short(digest: str) -> str:
    return f"{digest[:12]}…" if digest else "(none)"


# -- in words -----------------------------------------------------------------------


def describe(entry: LogEntry) -> str:
    """One line saying what an entry records, for the command line and the reader."""
    d = entry.details
    action = entry.action
    if action in IMPORT_ACTIONS:
        where = f", {d['record']}" if d.get("record") else ""
        size = f", {d['size']:,} bytes" if isinstance(d.get("size"), int) else ""
        sha = f", sha256 {_short(str(d['sha256']))}" if d.get("sha256") else ""
        return f"{d.get('title', '')} ({d.get('filename', '')}{where}{size}{sha})"
    if action == "edit":
        return f"{d.get('field')}: {_quoted(d.get('old'))} → {_quoted(d.get('new'))}"
    if action in ("tag", "untag"):
        return ", ".join(map(str, d.get("tags", [])))
    if action in ("tag-rename", "tag-merge"):
        sources = ", ".join(map(str, d.get("from", [])))
        return f"{sources} → {d.get('to')} ({_articles(d)})"
    if action == "tag-delete":
        return f"{d.get('tag')} ({_articles(d)})"
    if action == "topic":
        sign = {True: "+", False: "-", None: "="}.get(d.get("assigned"), "?")
        return f"{sign}{d.get('topic')}"
    if action == "note":
        if not d.get("new"):
            return "note removed"
        return f"note {'changed' if d.get('old') else 'added'}: {_quoted(d.get('new'))}"
    if action == "language":
        return f"{d.get('old') or '(none)'} → {d.get('new') or '(none)'}"
    if action == "delete":
        return (
            f"{d.get('title', '')} ({d.get('filename', '')}, sha256 {_short(d.get('sha256', ''))})"
        )
    if action == "reclassify":
        cut = ", cancelled" if d.get("cancelled") else ""
        return f"{d.get('changed')} of {d.get('articles')} articles changed topics{cut}"
    if action == "saved-search-rename":
        return f"{d.get('old')} → {d.get('new')}"
    if action.startswith("saved-search-"):
        return str(d.get("name", ""))
    if action == "restore":
        return f"restored from the bundle {d.get('bundle')} ({d.get('articles', 0)} articles)"
    if action == STARTED:
        return f"log started; {d.get('articles', 0)} articles were in the archive before it"
    return canonical(d)


def _articles(details: Details) -> str:
    count = len(details.get(SHARED_ENTRY_ARTICLES, []))
    return f"{count} article{'s' if count != 1 else ''}"


def _quoted(value: object, width: int = 60) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        return "(none)"
    return f"“{text if len(text) <= width else text[: width - 1] + '…'}”"
