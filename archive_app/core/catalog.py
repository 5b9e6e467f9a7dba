"""The SQLite catalog: the archive's source of truth.

Schema changes are an ordered list of migrations keyed on PRAGMA user_version;
the catalog file is copied aside before any migration runs.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from archive_app.core import backups

DEFAULT_TOPICS = (
    (
        "child-welfare",
        "Child welfare",
        "The wellbeing, protection, abuse, neglect, displacement, deportation, adoption, "
        "education, health or rights of children.",
    ),
    (
        "war-crimes",
        "War crimes",
        "Atrocities and violations of the laws of war, crimes against humanity, genocide, "
        "and their documentation, investigation and prosecution.",
    ),
)

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('original', 'image')),
    created_at TEXT NOT NULL
);

CREATE TABLE images (
    sha256 TEXT PRIMARY KEY REFERENCES blobs(sha256),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT NOT NULL
);

-- Values as extracted by the importer; a person's edits live in article_edits.
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    identity_sha256 TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    html TEXT NOT NULL DEFAULT '',
    text_sha256 TEXT NOT NULL,
    sketch BLOB NOT NULL DEFAULT x'',
    original_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    original_filename TEXT NOT NULL,
    original_size INTEGER NOT NULL,
    record TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    importer TEXT NOT NULL,
    app_version TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX articles_text_sha ON articles(text_sha256);
CREATE INDEX articles_original ON articles(original_sha256);

CREATE TABLE article_edits (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    field TEXT NOT NULL CHECK (field IN ('title', 'author', 'source', 'url', 'published')),
    value TEXT NOT NULL,
    edited_at TEXT NOT NULL,
    PRIMARY KEY (article_id, field)
);

CREATE TABLE article_images (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT REFERENCES images(sha256),
    url TEXT NOT NULL DEFAULT '',
    alt TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'inline',
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_images_sha ON article_images(sha256);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE article_tags (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags(tag_id);

CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

-- assigned = 1 puts the topic on the article, 0 records a manual removal
-- (so a later automatic pass cannot bring it back).
CREATE TABLE article_topics (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
    assigned INTEGER NOT NULL DEFAULT 1,
    score REAL,
    PRIMARY KEY (article_id, topic_id)
);
CREATE INDEX article_topics_topic ON article_topics(topic_id);

CREATE TABLE duplicates (
    a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    similarity REAL NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX duplicates_b ON duplicates(b);

-- Near-duplicate lookup keys: each article's smallest shingle hashes (see fingerprints.py).
CREATE TABLE text_sketches (
    value INTEGER NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (value, article_id)
) WITHOUT ROWID;
CREATE INDEX text_sketches_article ON text_sketches(article_id);

-- Journal of index work still to do: written in the same transaction as the
-- catalog change, cleared once the index has committed it.
CREATE TABLE index_queue (
    article_id TEXT PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
);
"""

# v2: a person's own note on an article (plain text, indexed with it).
_NOTES_V2 = """
CREATE TABLE article_notes (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# v3: searches kept by name; `request` is the SearchRequest as JSON, without paging.
_SAVED_SEARCHES_V3 = """
CREATE TABLE saved_searches (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    request TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

# v4: the append-only, hash-chained audit log (see audit_log.py). No foreign key to
# articles: deleting an article must leave its entries. Triggers refuse changing or
# removing entries and inserting out of order. An archive that already holds
# something gets a first `log-started` entry, stored without a hash (SQL has no
# SHA-256); audit_log computes it from the entry's content.
_AUDIT_LOG_V4 = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    article_id TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_article ON audit_log(article_id)
    WHERE article_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_log_shared ON audit_log(seq) WHERE article_id IS NULL;
CREATE TRIGGER IF NOT EXISTS audit_log_in_order BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: a new entry must follow the newest one');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its entries cannot be changed');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its entries cannot be deleted');
END;
INSERT INTO audit_log(seq, at, action, article_id, details, prev_hash, hash)
SELECT 1, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), 'log-started', NULL,
    json_object('articles', (SELECT count(*) FROM articles),
        'last_article_seq', (SELECT coalesce(max(seq), 0) FROM articles)),
    '0000000000000000000000000000000000000000000000000000000000000000', ''
WHERE NOT EXISTS (SELECT 1 FROM audit_log)
    AND (EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM meta));
INSERT OR REPLACE INTO meta(key, value)
SELECT 'audit_log_head', json_object('seq', 1, 'hash', '')
WHERE (SELECT count(*) FROM audit_log) = 1 AND (SELECT hash FROM audit_log) = '';
"""

MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _NOTES_V2, _SAVED_SEARCHES_V3, _AUDIT_LOG_V4)
SCHEMA_VERSION = len(MIGRATIONS)


class CatalogError(Exception):
    """The catalog is damaged or from a newer version of the app."""


class CatalogDamaged(CatalogError):
    """SQLite cannot read the catalog file; nothing has been written to it."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(
            f"the catalog {path} is damaged (SQLite says: {reason}). Nothing was written to it."
            f" Restore the last good backup with: archive-app --archive {path.parent}"
            " backups restore"
        )


def check_damage(path: Path, *, thorough: bool = False) -> None:
    """Raise CatalogDamaged when SQLite cannot read the file (header, schema; all pages if
    thorough, with PRAGMA quick_check).

    A read-only connection of its own: one that opened the file for writing
    would checkpoint its WAL into the damaged file when closed.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            problems = (
                [r[0] for r in conn.execute("PRAGMA quick_check").fetchall() if r[0] != "ok"]
                if thorough
                else []
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogDamaged(path, str(exc)) from exc
    if problems:
        raise CatalogDamaged(path, "; ".join(problems[:3]))


class Catalog:
    """One SQLite connection shared by the archive's threads, guarded by a lock.

    SQLite serialises writers anyway; the lock keeps a transaction from one
    thread from interleaving with statements of another on the same connection.
    """

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        refusal: Callable[[], Exception] | None = None,
        thorough_check: bool = False,
    ) -> None:
        """`refusal` makes the exception a write on a read-only catalog raises;
        `thorough_check` reads every page first (PRAGMA quick_check)."""
        self.path = path
        self.read_only = read_only
        self._refusal = refusal
        if path.exists():
            check_damage(path, thorough=thorough_check)
        uri = f"file:{path}?mode=ro" if read_only else f"file:{path}?mode=rwc"
        self._conn = sqlite3.connect(
            uri, uri=True, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        # Held by a thread writing (a transaction, or a `group` of them), so that
        # another thread's transaction waits rather than joining an open one.
        self._writing = threading.RLock()
        self._conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @property
    def version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise CatalogError(
                f"{self.path} was written by a newer archive-app (schema {current}, "
                f"this version knows {SCHEMA_VERSION})"
            )
        if current == SCHEMA_VERSION:
            return
        if self.read_only:
            raise CatalogError(f"{self.path} needs an upgrade, which read-only access cannot do")
        if current > 0:
            # Refuses (BackupError) rather than upgrade without a verified copy.
            check_damage(self.path, thorough=True)
            backups.create_backup(
                self.path,
                backups.backup_folder(self.path.parent),
                f"{backups.BEFORE_UPGRADE}{SCHEMA_VERSION}",
            )
        for version in range(current, SCHEMA_VERSION):
            with self.transaction() as conn:
                for statement in _split_statements(MIGRATIONS[version]):
                    conn.execute(statement)
                if version == 0:
                    conn.executemany(
                        "INSERT INTO topics(id, label, description) VALUES (?, ?, ?)",
                        DEFAULT_TOPICS,
                    )
                conn.execute(f"PRAGMA user_version = {version + 1}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception.

        Inside a `group` of this thread it is a savepoint instead: all of it or
        none of it is kept, and it commits with the group.
        """
        self._require_writable()
        with self._writing, self._lock:
            nested = self._conn.in_transaction
            self._conn.execute("SAVEPOINT one" if nested else "BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if nested:
                    self._conn.execute("ROLLBACK TO one")
                    self._conn.execute("RELEASE one")
                else:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("RELEASE one" if nested else "COMMIT")

    @contextlib.contextmanager
    def group(
        self, before_commit: Callable[[], None] | None = None
    ) -> Iterator[Callable[[], None]]:
        """Commit this thread's transactions together, at the end and whenever the function
        given is called: a long run of small writes (an import) then pays for one
        commit, not one each. Each transaction inside stays whole or absent; what
        the group holds when an exception ends it is committed, as it would have
        been without the group. Other threads' reads see it at once (one connection),
        their transactions wait for the group's end.

        `before_commit` runs before each commit, the last one too: what the rows
        refer to outside the catalog is made durable there. If it raises, the
        rows since the last commit are rolled back.
        """
        self._require_writable()
        with self._writing:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")

            def commit_now() -> None:
                if before_commit is not None:
                    before_commit()
                self._conn.execute("COMMIT")

            def commit() -> None:
                with self._lock:
                    commit_now()
                    self._conn.execute("BEGIN IMMEDIATE")

            try:
                yield commit
            finally:
                with self._lock:
                    try:
                        commit_now()
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise

    def _require_writable(self) -> None:
        if self.read_only:
            raise (
                self._refusal()
                if self._refusal is not None
                else CatalogError(f"{self.path} is open for reading only")
            )

    def query(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | list = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: tuple | list = ()) -> object:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    @staticmethod
    def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
        """Inside the caller's transaction, so the value commits with what it describes."""
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def integrity_problems(self) -> list[str]:
        with self._lock:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
            fk = self._conn.execute("PRAGMA foreign_key_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in fk]
        return problems


def _split_statements(script: str) -> list[str]:
    """The script's statements, for execute() inside our own transaction.

    executescript() would COMMIT first, breaking all-or-nothing migrations.
    """
    statements, buffer = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            buffer = []
    return [s for s in statements if s]
