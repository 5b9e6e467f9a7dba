"""Archive: the one facade the command line and the desktop app call.

Data safety rules (see docs/architecture.md): blobs first, then one catalog
transaction per article, then the index. The catalog is the truth; the index
journal (`index_queue`) is written in the same transaction as the catalog
change, so an index that missed a commit is brought up to date on next open.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh.query import Every

from archive_app import __version__
from archive_app.core import (
    audit_log,
    backups,
    classification,
    comparing,
    related,
    saved_searches,
    storing,
)
from archive_app.core import limits as limit_settings
from archive_app.core.analysis import TermMatcher
from archive_app.core.blobs import BlobStore
from archive_app.core.catalog import Catalog, CatalogDamaged
from archive_app.core.dates import normalize_date
from archive_app.core.images import make_thumbnail
from archive_app.core.importers import ImportFailed, NotAnArticle
from archive_app.core.importing import (
    prepare_all,
    resolved,
    walk,
    write_blobs,
)
from archive_app.core.index import (
    IndexBuildCancelled,
    IndexDamaged,
    IndexDocument,
    QuerySyntaxError,
    SearchIndex,
    source_key,
    worth_a_helper,
)
from archive_app.core.index_build import IndexBuildFailed, SegmentHelper
from archive_app.core.languages import SAMPLE_CHARS, base_language, detect, is_language_code
from archive_app.core.locking import ArchiveLocked, WriteLock
from archive_app.core.models import (
    Article,
    BundleReport,
    CheckReport,
    Comparison,
    DuplicateItem,
    Facets,
    Hit,
    ImageRef,
    ImportedItem,
    ImportReport,
    LogEntry,
    Problem,
    Provenance,
    Related,
    RelatedArticle,
    RestoreReport,
    ResultIds,
    SavedSearch,
    SearchPage,
    SearchRequest,
    TagCount,
    Topic,
    TopicAssignment,
)
from archive_app.core.variants import (
    VARIANTS_FILE,
    LoadedVariants,
    Variants,
    ensure_variants_file,
    load_variants,
)

Progress = Callable[[int, int], None]
ImportProgress = Callable[[int, int, str], None]  # done, total, the file in hand
EDITABLE_FIELDS = ("title", "author", "source", "url", "published")
COMPARED_FIELDS = ("title", "author", "source", "published", "url")
ARCHIVE_FORMAT = 1
BLOB_WRITES_MARKER = "blob-writes-in-progress"  # see Archive._blob_writes
INDEX_BATCH = 500  # index work applied per commit
IMPORT_BATCH = 1000  # during a large import: fewer segments, each sorted in memory
IMPORT_COMMIT = 100  # articles an import stores per catalog commit
ROW_BATCH = 500  # ids per catalog query when reading result rows
LANGUAGES_DETECTED_KEY = "languages_detected"  # meta: articles from before detection have theirs


@dataclass(frozen=True)
class _SentBatch:
    """Index work handed to the import's segment helper: its queue rows and documents."""

    rows: list
    docs: list[IndexDocument]


class ArchiveError(Exception):
    """An operation on the archive cannot be done; the message says why."""


class ArticleNotFound(ArchiveError):
    pass


class InvalidValue(ArchiveError):
    """A value given by the person is not acceptable (a malformed date, an unknown topic)."""


class ArchiveReadOnly(ArchiveError):
    """The archive is open for reading only here; the message says why."""


OPEN_MODES = ("auto", "write", "read")
CATALOG_FILE = "catalog.sqlite3"


class Archive:
    # Parse files in a helper process during large imports (see importing.prepare_all).
    parallel_import = True

    def __init__(
        self,
        root: Path,
        catalog: Catalog,
        lock: WriteLock | None,
        *,
        read_only: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Use `Archive.open`. `read_only` is why this archive may not be changed here
        (None: it may); opening then writes nothing at all."""
        self.root = root
        self.catalog = catalog
        self.read_only = read_only
        self.backup_warning = ""  # why today's catalog backup could not be made
        self.daily_backup_due = False  # left to `make_daily_backup` by the opener
        self.blobs = BlobStore(root / "blobs")
        self._lock = lock
        self._write = threading.RLock()
        self._closed = False
        self._source_names: dict[str, str] | None = None  # facet key -> source as written
        self.topic_rules = classification.load_rules(root, catalog, record=read_only is None)
        self.limits, self.limits_warnings = limit_settings.load(root)
        if read_only is None:
            classification.mark_applied_if_empty(catalog, self.topic_rules)
            # The variants are read on the first search: a command that does not search skips it.
            ensure_variants_file(root)
        self._variants: LoadedVariants | None = None
        self._variants_stamp: tuple[int, int] | None = None
        if read_only is None:
            self._detect_missing_languages()
        self.index: SearchIndex | None = None
        self.index = self._open_index(progress) if read_only is None else self._index_to_read()

    # -- opening and closing ---------------------------------------------

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        create: bool = True,
        mode: str = "auto",
        progress: Progress | None = None,
        backup_now: bool = True,
    ) -> Archive:
        """Open (or create) the archive at `root`.

        mode "write" raises ArchiveLocked while another process has it open for
        changes; "auto" then opens it for reading only (`read_only` says why);
        "read" never writes. A catalog SQLite cannot read raises CatalogDamaged
        before anything is written. `progress` reports an index rebuild. With
        `backup_now` false, a daily catalog backup that is due is left for the
        caller to make with `make_daily_backup` (the window does it in the
        background, so a large catalog's copy never delays opening).
        """
        if mode not in OPEN_MODES:
            raise ValueError(f"mode must be one of {OPEN_MODES}, not {mode!r}")
        root = Path(root)
        marker = root / "archive.json"
        if mode == "read":
            if not marker.exists():
                raise ArchiveError(f"{root} is not an archive (no archive.json)")
            return cls._open_for_reading(root, "the archive was opened for reading only")
        if not marker.exists():
            if not create:
                raise ArchiveError(f"{root} is not an archive (no archive.json)")
            if root.exists() and any(root.iterdir()):
                raise ArchiveError(f"{root} is not empty and is not an archive")
            root.mkdir(parents=True, exist_ok=True)
        lock = WriteLock(root / "write.lock")
        try:
            lock.acquire()
        except ArchiveLocked as locked:
            # A second open in this same process is a mistake to report, not a reader.
            if mode == "write" or locked.held_by_this_process or not marker.exists():
                raise
            return cls._open_for_reading(
                root,
                f"the archive is open for changes in {locked.holder or 'another program'};"
                " searching works, changes are not possible here until it closes",
                holder=locked.holder,
            )
        catalog = None
        try:
            path = root / CATALOG_FILE
            if marker.exists():
                _require_catalog_file(path)
            # Once a day: read every page, then keep a verified copy, before anything writes.
            due = marker.exists() and backups.backup_due(backups.backup_folder(root))
            catalog = Catalog(path, thorough_check=due)
            # An upgrade just now made its own copy.
            due = due and backups.backup_due(backups.backup_folder(root))
            backup_warning = _daily_backup(path, catalog) if due and backup_now else ""
            if not marker.exists():
                _write_json(marker, {"format": ARCHIVE_FORMAT, "created_at": storing.now()})
            info = json.loads(marker.read_text("utf-8"))
            info.update({"app_version": __version__, "opened_at": storing.now()})
            _write_json(marker, info)
            archive = cls(root, catalog, lock, progress=progress)
            archive.backup_warning = backup_warning
            archive.daily_backup_due = due and not backup_now
            return archive
        except BaseException:
            if catalog is not None:
                catalog.close()
            lock.release()
            raise

    @classmethod
    def _open_for_reading(cls, root: Path, reason: str, holder: str = "") -> Archive:
        catalog = Catalog(
            root / CATALOG_FILE, read_only=True, refusal=lambda: ArchiveReadOnly(reason)
        )
        try:
            return cls(root, catalog, None, read_only=reason)
        except ArchiveLocked:
            catalog.close()
            raise
        except BaseException:
            catalog.close()
            if holder:  # most likely the writer is rebuilding something this side cannot read
                raise ArchiveLocked(
                    f"the archive at {root} is open in {holder}; close it there first"
                    " (it cannot be read here while it is being rebuilt)",
                    holder,
                ) from None
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.index is not None:
            self.index.close()
        self.catalog.close()
        if self._lock is not None:
            self._lock.release()

    def make_daily_backup(self) -> str:
        """Make the daily catalog backup `open(backup_now=False)` left; the problem as text."""
        self._require_writable()
        with self._write:
            self.backup_warning = _daily_backup(self.catalog.path, self.catalog)
            self.daily_backup_due = False
        return self.backup_warning

    def _require_writable(self) -> None:
        """Raise ArchiveReadOnly before anything is written when this side may only read."""
        if self.read_only is not None:
            raise ArchiveReadOnly(self.read_only)

    def _index_to_read(self) -> SearchIndex:
        """The index as the writing process keeps it: opened, never repaired from here."""
        folder = self.root / "index"
        index = SearchIndex(folder, self.variants) if SearchIndex.exists(folder) else None
        if index is None or not index.schema_is_current():
            if index is not None:
                index.close()
            raise ArchiveReadOnly(
                f"the search index at {folder} is missing or out of date, and cannot be"
                f" rebuilt here: {self.read_only}"
            )
        return index

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_index(self, progress: Progress | None = None) -> SearchIndex:
        """The index, checked quickly and brought up to date; rebuilt (with progress) if damaged.

        Also where a crash is cleaned up, since only the writer gets here: an
        interrupted rebuild's folders, and blobs an interrupted import wrote
        but never catalogued. Only then: a blob the catalog does not list found
        at any other time is reported by `check`, never removed unasked.
        """
        folder = self.root / "index"
        for leftover in ("index.new", "index.old"):  # an interrupted rebuild
            SearchIndex.destroy(self.root / leftover)
        if (self.root / BLOB_WRITES_MARKER).exists():
            # The last import, restore or delete stopped midway: its stray blobs go.
            self._remove_unstored_blobs()
            (self.root / BLOB_WRITES_MARKER).unlink()
        index = None
        try:
            index = SearchIndex(folder, self.variants) if SearchIndex.exists(folder) else None
            if index is not None:
                index.ensure_sound()  # cheap: hashes only files changed since their commit
            if index is not None and not index.schema_is_current():
                # Written by an earlier version (a field added since): rebuild it aside.
                index.close()
                index = None
            if index is not None and index.doc_count() != self._article_count():
                # A count mismatch means a crash between catalog and index: reconcile.
                self._queue_all_missing(index)
        except Exception:
            # A damaged or unreadable index is only a cache: rebuild it from the catalog.
            if index is not None:
                index.discard()
            index = None
        self.index = index if index is not None else self._build_index(progress)
        self._drain_index_queue()
        return self.index

    def _build_index(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> SearchIndex:
        """A new index from the catalog, built aside and then moved into place.

        Segments of 1,000 documents, written on both cores when there are two
        (index_build.py). Until the move, the old index (if any) stays whole,
        so an interrupted rebuild loses nothing.
        """
        fresh = self.root / "index.new"
        ids = [r[0] for r in self.catalog.query("SELECT id FROM articles ORDER BY seq")]

        def build(two_cores: bool | None) -> None:
            SearchIndex.destroy(fresh)
            docs = (doc for doc in map(self._index_document, ids) if doc is not None)
            SearchIndex.build(
                fresh, docs, total=len(ids), progress=progress, cancel=cancel, two_cores=two_cores
            )

        try:
            build(None)
        except IndexBuildFailed:
            build(False)  # the helper process could not do its share: all of it here
        folder, old = self.root / "index", self.root / "index.old"
        if getattr(self, "index", None) is not None:
            self.index.discard()  # it may be the damaged index this build replaces
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
        SearchIndex.destroy(old)
        with self.catalog.transaction() as conn:
            conn.execute("DELETE FROM index_queue")
        return SearchIndex(folder, self.variants)

    def _queue_all_missing(self, index: SearchIndex) -> None:
        indexed = index.all_ids()
        cataloged = {r[0] for r in self.catalog.query("SELECT id FROM articles")}
        with self.catalog.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'upsert')",
                [(i,) for i in cataloged - indexed],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'delete')",
                [(i,) for i in indexed - cataloged],
            )

    def _article_count(self) -> int:
        return int(self.catalog.scalar("SELECT count(*) FROM articles") or 0)

    # -- importing ---------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[Path],
        *,
        progress: ImportProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportReport:
        self._require_writable()  # blobs are written before any transaction
        found = walk([Path(p) for p in paths])
        imported: list[ImportedItem] = []
        duplicates: list[DuplicateItem] = []
        failed: list[Problem] = list(found.missing)
        skipped: list[Problem] = []
        if self._restore_bundles(found.skipped, imported, failed, skipped, progress, cancel):
            return ImportReport(tuple(imported), (), tuple(failed), tuple(skipped), True)
        used_images: set[Path] = set()
        unindexed: set[str] = set()  # stored here, not in the index yet: nothing to replace
        article_files = [f.path for f in found.files if not f.is_image]
        sent: list[_SentBatch] = []  # index work the segment helper is writing
        committed = 0  # articles imported when the catalog last committed
        cancelled = False
        # One helper per core: web pages cost far more to parse than to store, so the
        # main process idles unless both cores parse; for text it is the reverse,
        # and the extra helper just waits.
        workers = max(1, os.cpu_count() or 1) if self.parallel_import else 0
        # Large batches of new articles are indexed in another process, so that sorting
        # their postings never holds up this one (the window's).
        helper = SegmentHelper(self.index.folder) if self.parallel_import else None
        # Blobs the helpers wrote and left to be flushed to disk, all at once, before
        # the commit that catalogues them.
        to_flush: list[str] = []

        def flush_blobs() -> None:
            self.blobs.make_durable(to_flush)
            to_flush.clear()

        with (
            self._write,
            self._blob_writes(),
            helper or contextlib.nullcontext(),
            # Each article is stored whole or not at all (a savepoint), and committed
            # with the others of its group: before their index work, or every
            # IMPORT_COMMIT. One commit per article cost a tenth of its storing.
            self.catalog.group(before_commit=flush_blobs) as commit,
        ):
            # Classifying happens with the parsing, in the helper process when there is one.
            outcomes = prepare_all(
                article_files,
                workers=workers,
                rules=self.topic_rules.rules,
                blob_root=self.blobs.root,
                limits=self.limits,
            )
            for done, (path, prepared) in enumerate(outcomes):
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    outcomes.close()  # waits for the helper processes to stop
                    self._remove_unstored_blobs()
                    break
                if progress is not None:
                    progress(done, len(article_files), str(path))
                if isinstance(prepared, NotAnArticle):
                    skipped.append(Problem(str(path), str(prepared)))
                    continue
                if isinstance(prepared, ImportFailed):
                    failed.append(Problem(str(path), str(prepared)))
                    continue
                to_flush.extend(prepared.blobs_to_flush)
                used_images |= prepared.used_images
                skipped.extend(prepared.image_problems)
                for article in prepared.articles:
                    existing = storing.find_identity(self.catalog, article.identity_sha256)
                    if existing is not None:
                        # Writing the bytes again restores an original or image that
                        # `check` found missing or damaged; intact ones are left alone.
                        try:
                            write_blobs(prepared, self.blobs)
                        except OSError as exc:
                            failed.append(Problem(str(path), f"could not store: {exc}"))
                            continue
                        duplicates.append(
                            DuplicateItem(existing, str(path), article.parsed.record_locator)
                        )
                        continue
                    try:
                        article_id = storing.store_article(
                            self.catalog,
                            self.blobs,
                            self.topic_rules.rules,
                            prepared,
                            article,
                            unindexed=unindexed,
                        )
                    except (OSError, storing.StoreError) as exc:
                        failed.append(Problem(str(path), f"could not store: {exc}"))
                        continue
                    imported.append(
                        ImportedItem(
                            article_id,
                            str(path),
                            article.parsed.title,
                            article.warnings,
                            article.parsed.record_locator,
                        )
                    )
                if len(imported) >= committed + IMPORT_COMMIT:
                    commit()
                    committed = len(imported)
                unsent = self._queued_count() - IMPORT_BATCH * len(sent)
                # Near the end, up to two batches wait for `_index_import_tail`, which
                # writes them on both cores; sent on, one would be written alone at the end.
                hold = helper is not None and len(article_files) - done - 1 < IMPORT_BATCH
                if unsent >= IMPORT_BATCH * (2 if hold else 1):
                    commit()  # the index never holds an article the catalog might not
                    self._index_import_batch(helper, unindexed, sent)
            commit()
            self._index_import_tail(helper, unindexed, sent)
        if progress is not None and not cancelled:
            progress(len(article_files), len(article_files))
        for image in (f.path for f in found.files if f.is_image):
            if resolved(image) not in used_images:
                skipped.append(Problem(str(image), "image not referenced by any imported article"))
        return ImportReport(
            tuple(imported), tuple(duplicates), tuple(failed), tuple(skipped), cancelled
        )

    @contextlib.contextmanager
    def _blob_writes(self) -> Iterator[None]:
        """The span in which blobs are written or removed apart from their catalog rows.

        A marker file stands for it; one still there at the next open means the
        span was cut short (a crash, an error), and opening clears what it left.
        """
        marker = self.root / BLOB_WRITES_MARKER
        marker.write_text(f"pid {os.getpid()} since {storing.now()}\n", "utf-8")
        yield
        marker.unlink(missing_ok=True)

    def _restore_bundles(
        self,
        passed_over: Iterable[Problem],
        imported: list[ImportedItem],
        failed: list[Problem],
        skipped: list[Problem],
        progress: ImportProgress | None,
        cancel: threading.Event | None,
    ) -> bool:
        """Restore the bundles among the files `walk` passed over; True when cancelled.

        A zip file, named or inside a folder, can only be a bundle: restored
        before the other files, since only an empty archive takes one. The other
        passed-over files keep their reasons in `skipped`.
        """
        for problem in passed_over:
            path = Path(problem.path)
            if not (problem.path.lower().endswith(".zip") and path.is_file()):
                skipped.append(problem)
                continue
            # Loaded only for a zip: loading it (compiling it when there is no bytecode
            # cache, and the full garbage collection its new objects can set off) holds
            # the interpreter lock, and with it the window, for tens of milliseconds.
            from archive_app.core import bundle

            reason = bundle.not_a_bundle_reason(path)
            if reason is not None:
                skipped.append(Problem(str(path), reason))
                continue
            try:
                restored = self.restore_bundle(
                    path,
                    None if progress is None else lambda d, t, p=str(path): progress(d, t, p),
                    cancel,
                )
            except (ArchiveError, OSError) as exc:
                failed.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
                continue
            if restored.cancelled:
                return True
            imported.extend(restored.restored)
        return False

    def _remove_unstored_blobs(self) -> None:
        """Blobs written ahead (by helper processes, or before a crash) and never stored.

        Only the writer calls this, holding the archive's write lock, so nothing
        else can be between writing a blob and cataloguing it.
        """
        known = {r[0] for r in self.catalog.query("SELECT sha256 FROM blobs")}
        self.blobs.remove_unlisted(known)  # and `.tmp-` files of writes a crash cut short

    # -- the index journal -------------------------------------------------

    def _queued_count(self) -> int:
        return int(self.catalog.scalar("SELECT count(*) FROM index_queue") or 0)

    def _drain_index_queue(
        self,
        progress: Progress | None = None,
        *,
        batch: int = INDEX_BATCH,
        merge: bool = True,
        new_ids: set[str] | None = None,
    ) -> None:
        """Apply the catalog's pending index work in batches, then clear what was applied.

        `new_ids` (emptied as they are written) are articles known to be absent
        from the index: see storing.store_article.
        """
        total = self._queued_count()
        done = 0
        while True:
            rows = self.catalog.query(
                "SELECT article_id, op FROM index_queue ORDER BY rowid LIMIT ?", (batch,)
            )
            if not rows:
                break
            upserts = [r["article_id"] for r in rows if r["op"] == "upsert"]
            deletes = [r["article_id"] for r in rows if r["op"] == "delete"]
            docs = [doc for doc in map(self._index_document, upserts) if doc is not None]
            try:
                self.index.write(docs, deletes, merge=merge, new_ids=new_ids or frozenset())
            except IndexDamaged:
                # The catalog and its queue are whole: an index built from them holds this too.
                self.index = self._build_index(progress)
                if new_ids:
                    new_ids.clear()  # all indexed now: none may skip the lookup again
                return
            self._clear_queue_rows(rows)
            if new_ids:
                new_ids.difference_update(upserts)
            done += len(rows)
            if progress is not None:
                progress(min(done, total), total)

    def _index_import_batch(
        self, helper: SegmentHelper | None, new_ids: set[str], sent: list[_SentBatch]
    ) -> None:
        """During an import: the next batch of index work, sent to `helper` to write
        while this process goes on storing articles, or written here.

        The batch sent before is adopted first. Queue rows are cleared only once
        their documents are in the index: after a crash they are indexed at the
        next open.
        """
        self._receive_sent(helper, new_ids, sent)
        rows = self.catalog.query(
            "SELECT article_id, op FROM index_queue ORDER BY rowid LIMIT ?", (IMPORT_BATCH,)
        )
        upserts = [r["article_id"] for r in rows if r["op"] == "upsert"]
        if len(upserts) == len(rows):
            docs = [doc for doc in map(self._index_document, upserts) if doc is not None]
            if self.index.send(helper, docs, new_ids):
                sent.append(_SentBatch(rows, docs))
                return
        self._drain_index_queue(batch=IMPORT_BATCH, merge=False, new_ids=new_ids)

    def _index_import_tail(
        self, helper: SegmentHelper | None, new_ids: set[str], sent: list[_SentBatch]
    ) -> None:
        """At the end of an import: the index work left, on two cores when it is large.

        Half of a large remainder of new articles goes to `helper` (when it takes
        it: see SearchIndex.send) and the other half to a second process meanwhile
        (`SegmentHelper.write_beside`); both segments are then adopted, in catalog
        order. Anything else is written here by Whoosh's writer, which also merges
        the small segments earlier imports left.
        """
        self._receive_sent(helper, new_ids, sent)
        rows = self.catalog.query("SELECT article_id, op FROM index_queue ORDER BY rowid")
        upserts = [r["article_id"] for r in rows if r["op"] == "upsert"]
        if helper is not None and upserts and len(upserts) == len(rows):
            docs = [doc for doc in map(self._index_document, upserts) if doc is not None]
            half = len(docs) // 2
            if (
                len(docs) == len(rows)
                and worth_a_helper(docs[half:])
                and self.index.send(helper, docs[:half], new_ids)
            ):
                sent.append(_SentBatch(rows[:half], docs[:half]))
                try:
                    written_beside = helper.write_beside(docs[half:])
                finally:
                    self._receive_sent(helper, new_ids, sent)
                self.index.adopt(*written_beside)
                self._clear_queue_rows(rows[half:])
                new_ids.difference_update(upserts[half:])
        self._drain_index_queue(new_ids=new_ids)

    def _clear_queue_rows(self, rows: Sequence) -> None:
        """The index work in `rows` is done: the index holds it."""
        with self.catalog.transaction() as conn:
            conn.executemany(
                "DELETE FROM index_queue WHERE article_id = ? AND op = ?",
                [(r["article_id"], r["op"]) for r in rows],
            )

    def _receive_sent(
        self, helper: SegmentHelper | None, new_ids: set[str], sent: list[_SentBatch]
    ) -> None:
        """Adopt what `helper` wrote for the batches sent (writing here any it failed to),
        then clear their queue rows."""
        while sent:
            batch = sent.pop(0)
            if helper is None or not self.index.receive(helper):
                self.index.write(batch.docs, merge=False, new_ids=new_ids)
            self._clear_queue_rows(batch.rows)
            new_ids.difference_update(r["article_id"] for r in batch.rows)

    def _index_document(self, article_id: str) -> IndexDocument | None:
        row = self.catalog.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        if row is None:
            return None
        values = self._effective(row)
        return IndexDocument(
            id=article_id,
            title=values["title"],
            body=row["text"],
            captions=self._captions_of(article_id),
            author=values["author"],
            source=values["source"],
            published=values["published"],
            language=row["language"],
            tags=self._tags_of(article_id),
            topics=tuple(t.topic for t in self._topics_of(article_id)),
            note=self._note_of(article_id),
        )

    def _note_of(self, article_id: str) -> str:
        return str(
            self.catalog.scalar(
                "SELECT text FROM article_notes WHERE article_id = ?", (article_id,)
            )
            or ""
        )

    def _captions_of(self, article_id: str) -> str:
        return " ".join(
            " ".join(filter(None, (r["alt"], r["title"], r["caption"], r["credit"])))
            for r in self.catalog.query(
                "SELECT alt, title, caption, credit FROM article_images WHERE article_id = ?"
                " ORDER BY position",
                (article_id,),
            )
        )

    def _queue(self, conn, article_id: str, op: str = "upsert") -> None:
        conn.execute(
            "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, ?)", (article_id, op)
        )

    def rebuild_index(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> int:
        """Build the index again from the catalog; cancelling keeps the current one."""
        self._require_writable()
        with self._write:
            try:
                self.index = self._build_index(progress, cancel)
            except IndexBuildCancelled:
                SearchIndex.destroy(self.root / "index.new")
                raise
            return self.index.doc_count()

    def export_bundle(
        self, out: Path, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> BundleReport:
        """The whole archive in one zip file (core/bundle.py), written whole or not at all.

        Writes wait meanwhile, so the bundle holds one state of the archive.
        Cancelling removes the partial file and returns a report saying so.
        """
        from archive_app.core import bundle

        with self._write:
            try:
                return bundle.write_bundle(
                    self.root,
                    self.catalog.path,
                    self.blobs,
                    Path(out),
                    app_version=__version__,
                    created_at=storing.now(),
                    progress=progress,
                    cancel=cancel,
                )
            except bundle.BundleError as exc:
                raise ArchiveError(str(exc)) from None

    def restore_bundle(
        self,
        path: Path,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        limits=None,  # bundle.BundleLimits: how much a bundle may unpack to
    ) -> RestoreReport:
        """Restore a bundle into this archive, which must hold no articles.

        The bundle is checked whole before anything is written; a bad one raises
        ArchiveError naming the file and the reason, with the archive unchanged.
        Then the index is built from the restored catalog. Cancelling stops the
        restore until the catalog is written (the report says it was cancelled).
        """
        from archive_app.core import bundle

        self._require_writable()

        def settle(index_progress: Progress) -> None:
            # What opening an archive reads from its files, read again from the restored ones.
            self.topic_rules = classification.load_rules(self.root, self.catalog)
            self.limits, self.limits_warnings = limit_settings.load(self.root)
            self._variants = self._variants_stamp = None
            self._source_names = None
            self.index = self._build_index(index_progress)

        with self._write, self._blob_writes():
            try:
                return bundle.restore_bundle(
                    Path(path),
                    self.catalog,
                    self.blobs,
                    self.root,
                    limits=limits,
                    after=settle,
                    progress=progress,
                    cancel=cancel,
                )
            except bundle.BundleError as exc:
                raise ArchiveError(str(exc)) from None

    # -- reading -----------------------------------------------------------

    def resolve_id(self, article_id: str) -> str:
        """The full id for an id or an unambiguous prefix of at least 6 characters."""
        if self.catalog.query_one("SELECT 1 FROM articles WHERE id = ?", (article_id,)):
            return article_id
        if len(article_id) >= 6:
            rows = self.catalog.query(
                "SELECT id FROM articles WHERE id LIKE ? LIMIT 2", (article_id + "%",)
            )
            if len(rows) == 1:
                return rows[0][0]
            if len(rows) > 1:
                raise ArticleNotFound(f"id prefix {article_id!r} is ambiguous")
        raise ArticleNotFound(f"no article with id {article_id!r}")

    def get(self, article_id: str) -> Article:
        article_id = self.resolve_id(article_id)
        row = self.catalog.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        assert row is not None
        values = self._effective(row)
        edited = tuple(
            r[0]
            for r in self.catalog.query(
                "SELECT field FROM article_edits WHERE article_id = ? ORDER BY field",
                (article_id,),
            )
        )
        images = tuple(
            ImageRef(
                position=r["position"],
                sha256=r["sha256"],
                url=r["url"],
                width=r["width"],
                height=r["height"],
                format=r["format"] or "",
                caption=r["caption"],
                credit=r["credit"],
                alt=r["alt"],
                title=r["title"],
                role=r["role"],
            )
            for r in self.catalog.query(
                "SELECT ai.*, i.width, i.height, i.format FROM article_images ai"
                " LEFT JOIN images i ON i.sha256 = ai.sha256"
                " WHERE ai.article_id = ? ORDER BY ai.position",
                (article_id,),
            )
        )
        duplicates = tuple(
            r[0]
            for r in self.catalog.query(
                "SELECT b FROM duplicates WHERE a = ? UNION SELECT a FROM duplicates WHERE b = ?"
                " ORDER BY 1",
                (article_id, article_id),
            )
        )
        return Article(
            id=article_id,
            title=values["title"],
            author=values["author"],
            source=values["source"],
            url=values["url"],
            published=values["published"],
            language=row["language"],
            text=row["text"],
            html=row["html"],
            images=images,
            tags=self._tags_of(article_id),
            topics=self._topics_of(article_id),
            provenance=Provenance(
                sha256=row["original_sha256"],
                filename=row["original_filename"],
                size=row["original_size"],
                imported_at=row["imported_at"],
                importer=row["importer"],
                app_version=row["app_version"],
                record=row["record"],
            ),
            duplicates=duplicates,
            edited_fields=edited,
            warnings=tuple(json.loads(row["warnings"] or "[]")),
            note=self._note_of(article_id),
        )

    def _effective(self, row) -> dict[str, str]:
        """Extracted values with the person's edits laid over them."""
        values = {name: row[name] for name in EDITABLE_FIELDS}
        for edit in self.catalog.query(
            "SELECT field, value FROM article_edits WHERE article_id = ?", (row["id"],)
        ):
            values[edit["field"]] = edit["value"]
        return values

    def _tags_of(self, article_id: str) -> tuple[str, ...]:
        return tuple(
            r[0]
            for r in self.catalog.query(
                "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
                " WHERE at.article_id = ? ORDER BY t.name COLLATE NOCASE",
                (article_id,),
            )
        )

    def _topics_of(self, article_id: str) -> tuple[TopicAssignment, ...]:
        return tuple(
            TopicAssignment(r["topic_id"], r["source"], r["score"])
            for r in self.catalog.query(
                "SELECT topic_id, source, score FROM article_topics"
                " WHERE article_id = ? AND assigned = 1 ORDER BY topic_id",
                (article_id,),
            )
        )

    def extracted_values(self, article_id: str) -> dict[str, str]:
        """The editable fields as the importer found them, beneath the person's edits."""
        article_id = self.resolve_id(article_id)
        row = self.catalog.query_one(
            f"SELECT {', '.join(EDITABLE_FIELDS)} FROM articles WHERE id = ?", (article_id,)
        )
        return {name: row[name] or "" for name in EDITABLE_FIELDS}

    def original_path(self, article_id: str) -> Path:
        sha = self.get(article_id).provenance.sha256
        return self.blobs.path_for(sha)

    def image_path(self, sha256: str) -> Path:
        return self.blobs.path_for(sha256)

    def thumbnail(self, sha256: str) -> Path:
        """A cached thumbnail of a stored image, made on first use."""
        target = self.root / "thumbs" / sha256[:2] / f"{sha256}.thumb"
        if not target.exists():
            make_thumbnail(self.blobs.get(sha256), target)
        return target

    def article_count(self) -> int:
        return self._article_count()

    def get_meta(self, key: str) -> str | None:
        return self.catalog.meta(key)

    def set_meta(self, key: str, value: str) -> None:
        with self._write, self.catalog.transaction() as conn:
            Catalog.set_meta(conn, key, value)

    # -- searching ---------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        raw = self.index.search(
            request.query,
            **_index_filters(request),
            limit=max(0, request.limit),
            offset=max(0, request.offset),
        )
        ids = [h.id for h in raw.hits]
        rows = self._hit_rows(ids, with_text=request.snippets)
        marks = self._snippets(raw.query, ids, rows) if request.snippets else {}
        # An id indexed but gone from the catalog has no row; check --repair clears it.
        hits = tuple(
            _hit(h.id, rows[h.id], round(h.score, 4), marks.get(h.id, ""))
            for h in raw.hits
            if h.id in rows
        )
        return SearchPage(
            request, raw.total, hits, self._facets(raw.facets), self._suggestion(request.query)
        )

    def search_ids(self, request: SearchRequest) -> ResultIds:
        """Every hit's id in the request's order (limit and offset ignored), with facets.

        No catalog row is read: the desktop app's list holds the ids and asks
        `hits` for the rows it shows.
        """
        raw = self.index.search_ids(request.query, **_index_filters(request))
        return ResultIds(
            request, raw.total, raw.ids, self._facets(raw.facets), self._suggestion(request.query)
        )

    def hits(
        self, ids: Sequence[str], query: str = "", *, snippets: bool = True
    ) -> tuple[Hit, ...]:
        """Rows for the given ids in their order; ids no longer in the archive are left out.

        Snippets mark the words of `query` (parsed as `search` parses it); an
        empty or malformed query marks nothing. `score` is 0: order comes from
        `search_ids`.
        """
        ids = list(ids)
        rows = self._hit_rows(ids, with_text=snippets)
        marks: dict[str, str] = {}
        if snippets:
            try:
                parsed = self.index.parse(query)
            except QuerySyntaxError:
                parsed = Every()
            marks = self._snippets(parsed, ids, rows)
        return tuple(_hit(i, rows[i], 0.0, marks.get(i, "")) for i in ids if i in rows)

    def _snippets(self, parsed, ids: Iterable[str], rows: dict[str, dict]) -> dict[str, str]:
        texts = {i: rows[i]["text"] for i in ids if i in rows}
        notes = {i: rows[i]["note"] for i in texts if rows[i]["note"]}
        return self.index.snippets(parsed, texts, notes)

    def _suggestion(self, text: str) -> str | None:
        return self.index.suggest(text) if text.strip() else None

    def _facets(self, raw: dict[str, dict[str, int]]) -> Facets:
        return Facets(
            tags=raw.get("tags", {}),
            topics=raw.get("topics", {}),
            sources=self._source_labels(raw.get("sources", {})),
            years=dict(sorted(raw.get("years", {}).items(), reverse=True)),
        )

    def _hit_rows(self, ids: Sequence[str], *, with_text: bool) -> dict[str, dict]:
        """What a result row shows, by id: one query per table for each batch of ids."""
        unique = list(dict.fromkeys(ids))
        rows: dict[str, dict] = {}
        for start in range(0, len(unique), ROW_BATCH):
            rows.update(self._hit_rows_batch(unique[start : start + ROW_BATCH], with_text))
        return rows

    def _hit_rows_batch(self, ids: list[str], with_text: bool) -> dict[str, dict]:
        marks = ",".join("?" * len(ids))
        text = ", text" if with_text else ""
        # `versions`: the article's near-duplicate links, both ways (two index lookups a row).
        rows: dict[str, dict] = {
            r["id"]: dict(r) | {"tags": [], "topics": []}
            for r in self.catalog.query(
                f"SELECT id, {', '.join(EDITABLE_FIELDS)}{text},"
                " (SELECT count(*) FROM duplicates WHERE a = articles.id)"
                " + (SELECT count(*) FROM duplicates WHERE b = articles.id) AS versions"
                f" FROM articles WHERE id IN ({marks})",
                ids,
            )
        }
        # Another thread may import an article between these queries: rows
        # of an id the first query did not return are ignored (`spare`).
        spare: dict = {"tags": [], "topics": []}
        for r in self.catalog.query(
            f"SELECT article_id, field, value FROM article_edits WHERE article_id IN ({marks})",
            ids,
        ):
            rows.get(r[0], spare)[r[1]] = r[2]
        for r in self.catalog.query(
            "SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
            f" WHERE at.article_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
            ids,
        ):
            rows.get(r[0], spare)["tags"].append(r[1])
        for r in self.catalog.query(
            "SELECT article_id, topic_id FROM article_topics"
            f" WHERE assigned = 1 AND article_id IN ({marks}) ORDER BY topic_id",
            ids,
        ):
            rows.get(r[0], spare)["topics"].append(r[1])
        # SQLite takes the bare column from the row holding min(position).
        for r in self.catalog.query(
            "SELECT article_id, sha256, min(position) FROM article_images"
            f" WHERE sha256 IS NOT NULL AND article_id IN ({marks}) GROUP BY article_id",
            ids,
        ):
            rows.get(r[0], spare)["lead_image"] = r[1]
        if with_text:
            notes = dict(
                self.catalog.query(
                    f"SELECT article_id, text FROM article_notes WHERE article_id IN ({marks})",
                    ids,
                )
            )
            for article_id, row in rows.items():
                row["note"] = notes.get(article_id, "")
        return rows

    def _source_labels(self, counts: dict[str, int]) -> dict[str, int]:
        """Facet keys are normalised source names; show them as people wrote them."""
        if not counts:
            return {}
        labels = self._source_names
        if labels is None or any(k not in labels for k in counts):
            labels = {}
            for r in self.catalog.query(
                "SELECT DISTINCT coalesce(e.value, a.source) AS source FROM articles a"
                " LEFT JOIN article_edits e ON e.article_id = a.id AND e.field = 'source'"
            ):
                labels.setdefault(source_key(str(r[0])), r[0])
            self._source_names = labels
        return {labels.get(k, k): v for k, v in counts.items()}

    # -- comparing and related articles ----------------------------------------

    def compare(self, a_id: str, b_id: str) -> Comparison:
        """Shared passages (offsets into each article's `text`), similarity and differences.

        Metadata differences compare the values as read (a person's edits
        win), ignoring runs of white space; shared images are the stored
        images both articles hold, in `a`'s order.
        """
        a, b = self.get(a_id), self.get(b_id)
        shared, similarity = comparing.align(a.text, b.text)
        differences = {
            name: (getattr(a, name), getattr(b, name))
            for name in COMPARED_FIELDS
            if getattr(a, name).split() != getattr(b, name).split()
        }
        in_b = {image.sha256 for image in b.images if image.sha256}
        images = dict.fromkeys(i.sha256 for i in a.images if i.sha256 and i.sha256 in in_b)
        return Comparison(
            a=a.id,
            b=b.id,
            similarity=round(similarity, 4),
            shared=shared,
            metadata_differences=differences,
            shared_images=tuple(images),
        )

    def related(self, article_id: str, limit: int = 10) -> Related:
        """Articles like this one by their distinctive words, and its versions (near-duplicates)."""
        article_id = self.resolve_id(article_id)
        row = self.catalog.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        assert row is not None
        title = self._effective(row)["title"]
        found = self.index.more_like(article_id, f"{title}\n{row['text']}", top=max(0, limit))
        names = related.titles(self.catalog, [other for other, _ in found])
        # An id indexed but gone from the catalog has no title; check --repair clears it.
        alike = tuple(
            RelatedArticle(other, round(score, 4), names[other])
            for other, score in found
            if other in names
        )
        return Related(article_id, alike, related.near_duplicates(self.catalog, article_id))

    # -- languages and spellings -------------------------------------------------

    def set_language(self, article_id: str, language: str | None) -> Article:
        """Correct an article's language ("uk", "en-GB"); "" or None detects it again.

        The article is indexed again with the analysis of its new language.
        """
        article_id = self.resolve_id(article_id)
        code = (language or "").strip()
        if code and not is_language_code(code):
            raise InvalidValue(f"{language!r} is not a language code (such as uk, ru, en, de)")
        if code:
            code = base_language(code) + code[len(base_language(code)) :]
        else:
            row = self.catalog.query_one(
                "SELECT title, text FROM articles WHERE id = ?", (article_id,)
            )
            code = detect(f"{row['title']}\n{row['text'][:SAMPLE_CHARS]}").language
        with self._write, self.catalog.transaction() as conn:
            audit_log.record_language(conn, article_id, code)
            conn.execute("UPDATE articles SET language = ? WHERE id = ?", (code, article_id))
            self._queue(conn, article_id)
        self._drain_index_queue()
        return self.get(article_id)

    def _detect_missing_languages(self) -> None:
        """Articles stored before languages were detected at import get theirs, once."""
        if self.catalog.meta(LANGUAGES_DETECTED_KEY):
            return
        found = [
            (detect(f"{r['title']}\n{r['text'][:SAMPLE_CHARS]}").language, r["id"])
            for r in self.catalog.query("SELECT id, title, text FROM articles WHERE language = ''")
        ]
        with self._write, self.catalog.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET language = ? WHERE id = ?", [f for f in found if f[0]]
            )
            Catalog.set_meta(conn, LANGUAGES_DETECTED_KEY, "1")

    def variants(self) -> Variants:
        """The spelling variants in force: the archive's variants.toml, read again when edited."""
        path = self.root / VARIANTS_FILE
        loaded = self._variants
        stamp = _file_stamp(path)
        if loaded is None or stamp is None or stamp != self._variants_stamp:
            loaded = load_variants(self.root, loaded.variants if loaded is not None else None)
            self._variants, self._variants_stamp = loaded, _file_stamp(path)
        return loaded.variants

    @property
    def variants_error(self) -> str:
        """Why the archive's variants.toml is not in use ("" when it is)."""
        self.variants()
        return self._variants.error if self._variants is not None else ""

    def explain_query(self, query: str) -> str:
        """How a query is understood: its structure with each word's spellings and forms.

        Several lines of plain text, for "show query" in the search bar and
        `search --explain`. Raises QuerySyntaxError for a malformed query.
        """
        return self.index.explain(query)

    def query_matcher(self, query: str) -> TermMatcher:
        """What a query marks in an article: `.spans(text)` gives the matched words.

        It marks the spelling an article uses (Kharkov, Харків) when the query
        was another (Kharkiv). A malformed or empty query marks nothing.
        """
        try:
            parsed = self.index.parse(query)
        except QuerySyntaxError:
            return TermMatcher()
        return TermMatcher() if isinstance(parsed, Every) else self.index.matcher(parsed)

    # -- notes ---------------------------------------------------------------

    def set_note(self, article_id: str, text: str) -> None:
        """Keep the person's plain-text note on an article ("" removes it); it is searchable."""
        article_id = self.resolve_id(article_id)
        text = text.strip()
        with self._write:
            with self.catalog.transaction() as conn:
                audit_log.record_note(conn, article_id, text)
                if text:
                    conn.execute(
                        "INSERT OR REPLACE INTO article_notes(article_id, text, updated_at)"
                        " VALUES (?, ?, ?)",
                        (article_id, text, storing.now()),
                    )
                else:
                    conn.execute("DELETE FROM article_notes WHERE article_id = ?", (article_id,))
                self._queue(conn, article_id)
            self._drain_index_queue()

    # -- tags ----------------------------------------------------------------

    def tag(self, article_id: str, tags: Iterable[str]) -> tuple[str, ...]:
        article_id = self.resolve_id(article_id)
        with self._write, self.catalog.transaction() as conn:
            before = audit_log.tags_of(conn, article_id)
            for tag in tags:
                storing.attach_tag(conn, article_id, tag)
            audit_log.record_tag_change(conn, article_id, before)
            self._queue(conn, article_id)
        self._drain_index_queue()
        return self._tags_of(article_id)

    def untag(self, article_id: str, tags: Iterable[str]) -> tuple[str, ...]:
        article_id = self.resolve_id(article_id)
        with self._write, self.catalog.transaction() as conn:
            before = audit_log.tags_of(conn, article_id)
            for tag in tags:
                conn.execute(
                    "DELETE FROM article_tags WHERE article_id = ? AND tag_id ="
                    " (SELECT id FROM tags WHERE name = ?)",
                    (article_id, storing.normalize_tag(tag)),
                )
            conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)")
            audit_log.record_tag_change(conn, article_id, before)
            self._queue(conn, article_id)
        self._drain_index_queue()
        return self._tags_of(article_id)

    def tag_many(
        self, ids: Iterable[str], tags: Iterable[str], *, progress: Progress | None = None
    ) -> int:
        """Add the tags to every article given; returns how many articles changed.

        One transaction and one pass over the index; ids no longer in the
        archive are skipped.
        """
        names = self._tag_names(tags)
        if not names:
            raise InvalidValue("give at least one tag to add")
        existing = self._existing_ids(ids)
        with self._write:
            with self.catalog.transaction() as conn:
                added = {name: storing.attach_tag_to_many(conn, existing, name) for name in names}
                changed: set[str] = set().union(*added.values())
                audit_log.record_tags_many(conn, "tag", added)
                self._queue_many(conn, changed)
            self._drain_index_queue(progress)
        return len(changed)

    def untag_many(
        self, ids: Iterable[str], tags: Iterable[str], *, progress: Progress | None = None
    ) -> int:
        """Remove exactly these tags (not those below them); returns how many articles changed."""
        names = self._tag_names(tags)
        existing = self._existing_ids(ids)
        with self._write:
            with self.catalog.transaction() as conn:
                removed = {
                    name: storing.detach_tag_from_many(conn, existing, name) for name in names
                }
                changed: set[str] = set().union(*removed.values())
                audit_log.record_tags_many(conn, "untag", removed)
                storing.remove_unused_tags(conn)
                self._queue_many(conn, changed)
            self._drain_index_queue(progress)
        return len(changed)

    def rename_tag(self, old: str, new: str, *, progress: Progress | None = None) -> int:
        """Rename a tag and every tag below it (`region` → `place` makes `place/kherson`).

        If the new name exists already the tags merge. Returns how many articles changed.
        """
        return self.merge_tags([old], new, progress=progress)

    def merge_tags(
        self, sources: Iterable[str], target: str, *, progress: Progress | None = None
    ) -> int:
        """Rename each source (and the tags below it) into the target; returns articles changed."""
        target_name = storing.normalize_tag(target)
        if not target_name:
            raise InvalidValue(f"{target!r} is not a tag name")
        names = self._known_tags(sources)
        with self._write:
            with self.catalog.transaction() as conn:
                changed: set[str] = set()
                for name in names:
                    # An earlier source may have moved this one already (`a` before `a/b`).
                    if storing.tags_at_or_below(conn, name):
                        changed |= storing.move_tags(conn, name, target_name)
                action = "tag-rename" if len(names) == 1 else "tag-merge"
                audit_log.record_many(conn, action, {"from": names, "to": target_name}, changed)
                self._queue_many(conn, changed)
            self._drain_index_queue(progress)
        return len(changed)

    def delete_tag(self, name: str, *, progress: Progress | None = None) -> int:
        """Remove a tag and every tag below it from every article; returns articles changed."""
        (known,) = self._known_tags([name])
        with self._write:
            with self.catalog.transaction() as conn:
                changed = storing.remove_tags(conn, known)
                audit_log.record_many(conn, "tag-delete", {"tag": known}, changed)
                self._queue_many(conn, changed)
            self._drain_index_queue(progress)
        return len(changed)

    @staticmethod
    def _tag_names(tags: Iterable[str]) -> list[str]:
        """Normalised, without empties, each name once (capitals ignored)."""
        names: dict[str, str] = {}
        for tag in [tags] if isinstance(tags, str) else tags:
            name = storing.normalize_tag(tag)
            if name:
                names.setdefault(name.lower(), name)
        return list(names.values())

    def _known_tags(self, tags: Iterable[str]) -> list[str]:
        names = self._tag_names(tags)
        if not names:
            raise InvalidValue("give a tag name")
        rows = [(r[0], r[1]) for r in self.catalog.query("SELECT id, name FROM tags")]
        unknown = [n for n in names if not storing.matching_tags(rows, n)]
        if unknown:
            raise InvalidValue(
                f"no tag {', '.join(repr(n) for n in unknown)} in the archive (see `tags`)"
            )
        return names

    def _existing_ids(self, ids: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys([ids] if isinstance(ids, str) else ids))
        found: set[str] = set()
        for start in range(0, len(wanted), ROW_BATCH):
            chunk = wanted[start : start + ROW_BATCH]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.catalog.query(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        return [i for i in wanted if i in found]

    @staticmethod
    def _queue_many(conn, article_ids: Iterable[str]) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'upsert')",
            [(i,) for i in sorted(article_ids)],
        )

    def tags(self) -> list[TagCount]:
        """Every tag and every level above it, with counts that include the levels below.

        Levels are matched without regard to case (as the search filter does),
        shown as first written.
        """
        direct: dict[str, int] = {}
        articles_under: dict[str, set[str]] = {}
        shown: dict[str, str] = {}
        for r in self.catalog.query(
            "SELECT t.name, at.article_id FROM tags t JOIN article_tags at ON at.tag_id = t.id"
            " ORDER BY t.id"
        ):
            name, article_id = r[0], r[1]
            direct[name.lower()] = direct.get(name.lower(), 0) + 1
            parts = name.split("/")
            for i in range(1, len(parts) + 1):
                level = "/".join(parts[:i])
                key = level.lower()
                shown.setdefault(key, level)
                articles_under.setdefault(key, set()).add(article_id)
        return [
            TagCount(name=shown[key], count=len(ids), direct=direct.get(key, 0))
            for key, ids in sorted(articles_under.items())
        ]

    # -- saved searches ---------------------------------------------------------

    def saved_searches(self) -> list[SavedSearch]:
        """Every saved search, by name (capitals ignored)."""
        return saved_searches.all_saved(self.catalog)

    def save_search(self, name: str, request: SearchRequest) -> SavedSearch:
        """Keep the request under a name (limit and offset are not kept); a same name replaces."""
        name = self._saved_name(name)
        kept = SavedSearch(name, saved_searches.without_paging(request), storing.now())
        with self._write, self.catalog.transaction() as conn:
            saved_searches.store(conn, kept.name, kept.request, kept.created_at)
            request = json.loads(saved_searches.encode(kept.request))
            audit_log.append(conn, "saved-search-save", None, {"name": name, "request": request})
        return kept

    def rename_saved_search(self, old: str, new: str) -> None:
        current = self._known_saved_search(old)
        new = self._saved_name(new)
        existing = saved_searches.find(self.catalog, new)
        if existing is not None and existing.lower() != current.lower():
            raise InvalidValue(f"a saved search named {existing!r} exists already")
        with self._write, self.catalog.transaction() as conn:
            saved_searches.rename(conn, current, new)
            audit_log.append(conn, "saved-search-rename", None, {"old": current, "new": new})

    def delete_saved_search(self, name: str) -> None:
        current = self._known_saved_search(name)
        with self._write, self.catalog.transaction() as conn:
            saved_searches.delete(conn, current)
            audit_log.append(conn, "saved-search-delete", None, {"name": current})

    @staticmethod
    def _saved_name(name: str) -> str:
        cleaned = saved_searches.clean_name(name)
        if not cleaned:
            raise InvalidValue("a saved search needs a name")
        return cleaned

    def _known_saved_search(self, name: str) -> str:
        found = saved_searches.find(self.catalog, name)
        if found is None:
            raise InvalidValue(f"no saved search named {saved_searches.clean_name(name)!r}")
        return found

    # -- topics ---------------------------------------------------------------

    def topics(self) -> list[Topic]:
        return [
            Topic(r["id"], r["label"], r["description"])
            for r in self.catalog.query("SELECT * FROM topics ORDER BY rowid")
        ]

    def topic_counts(self) -> list[classification.TopicCount]:
        return classification.topic_counts(self.catalog)

    @property
    def topic_rules_error(self) -> str:
        """Why the archive's topics.toml is not in use ("" when it is)."""
        return self.topic_rules.error

    def topic_rules_outdated(self) -> bool:
        return classification.rules_outdated(self.catalog, self.topic_rules)

    def set_topic(self, article_id: str, topic: str, assigned: bool | None) -> None:
        """Set (True) or remove (False) a topic by hand; None hands it back to the rules."""
        article_id = self.resolve_id(article_id)
        if not self.catalog.query_one("SELECT 1 FROM topics WHERE id = ?", (topic,)):
            known = ", ".join(t.id for t in self.topics())
            raise InvalidValue(f"no topic {topic!r} (known topics: {known})")
        scores = self._classify(article_id) if assigned is None else ()
        with self._write, self.catalog.transaction() as conn:
            conn.execute(
                "DELETE FROM article_topics WHERE article_id = ? AND topic_id = ?",
                (article_id, topic),
            )
            if assigned is None:
                classification.store_automatic(conn, article_id, scores)
            else:
                conn.execute(
                    "INSERT INTO article_topics(article_id, topic_id, source, assigned, score)"
                    " VALUES (?, ?, 'manual', ?, NULL)",
                    (article_id, topic, int(assigned)),
                )
            # assigned: true (set by hand), false (removed by hand), null (left to the rules)
            audit_log.append(conn, "topic", article_id, {"topic": topic, "assigned": assigned})
            self._queue(conn, article_id)
        self._drain_index_queue()

    def explain_topics(self, article_id: str) -> tuple[classification.TopicExplanation, ...]:
        """Each topic's score against its threshold and what contributed, with manual overrides."""
        article_id = self.resolve_id(article_id)
        manual = classification.manual_decisions(self.catalog, article_id)
        assigned = {t.topic for t in self._topics_of(article_id)}
        return tuple(
            classification.TopicExplanation(score, manual.get(score.topic), score.topic in assigned)
            for score in self._classify(article_id)
        )

    def reclassify(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> classification.ReclassifyReport:
        """Apply the current rules to every article; manual decisions stay as they are."""
        with self._write:
            report = classification.reclassify(
                self.catalog,
                self.topic_rules,
                self._classify,
                self._queue,
                self._drain_index_queue,
                progress=progress,
                cancel=cancel,
            )
            # One summary for the run. Its batches commit separately (searching goes on),
            # so a run cut short by a crash leaves its automatic changes without this entry.
            with self.catalog.transaction() as conn:
                audit_log.append(
                    conn,
                    "reclassify",
                    None,
                    {
                        "articles": report.articles,
                        "changed": report.changed,
                        "cancelled": report.cancelled,
                        "rules_sha256": self.topic_rules.sha256,
                    },
                )
            return report

    def _classify(self, article_id: str):
        row = self.catalog.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        if row is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        title = self._effective(row)["title"]
        return self.topic_rules.rules.classify(title, row["text"], self._captions_of(article_id))

    # -- editing and deleting ----------------------------------------------------

    def edit(self, article_id: str, **changes: str | None) -> Article:
        """Record a person's values; None or "" clears an edit, restoring the extracted value."""
        article_id = self.resolve_id(article_id)
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidValue(f"cannot edit {', '.join(sorted(unknown))}")
        now = storing.now()
        with self._write, self.catalog.transaction() as conn:
            before = {field: value_of(conn, article_id, field) for field in changes}
            for field, value in changes.items():
                if value is None or value == "":
                    conn.execute(
                        "DELETE FROM article_edits WHERE article_id = ? AND field = ?",
                        (article_id, field),
                    )
                    continue
                if field == "published":
                    try:
                        value = normalize_date(value)
                    except ValueError as exc:
                        raise InvalidValue(f"published: {exc}") from None
                conn.execute(
                    "INSERT OR REPLACE INTO article_edits(article_id, field, value, edited_at)"
                    " VALUES (?, ?, ?, ?)",
                    (article_id, field, value.strip(), now),
                )
            if "title" in changes:  # title words weigh more in the topic rules
                title = value_of(conn, article_id, "title")
                row = conn.execute(
                    "SELECT text FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                classification.store_automatic(
                    conn,
                    article_id,
                    self.topic_rules.rules.classify(title, row[0], self._captions_of(article_id)),
                )
            after = {field: value_of(conn, article_id, field) for field in changes}
            audit_log.record_edits(conn, article_id, before, after)
            self._queue(conn, article_id)
        self._drain_index_queue()
        return self.get(article_id)

    def delete(self, article_id: str) -> None:
        """Remove an article; its blobs go when nothing else references them."""
        article_id = self.resolve_id(article_id)
        with self._write:
            row = self.catalog.query_one(
                "SELECT original_sha256 FROM articles WHERE id = ?", (article_id,)
            )
            images = [
                r[0]
                for r in self.catalog.query(
                    "SELECT sha256 FROM article_images WHERE article_id = ? AND sha256 IS NOT NULL",
                    (article_id,),
                )
            ]
            with self.catalog.transaction() as conn:
                # Title and provenance stay in the log: the article's rows go with it.
                details = audit_log.deleted_details(conn, article_id)
                audit_log.append(conn, "delete", article_id, details)
                conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
                conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)")
                self._queue(conn, article_id, "delete")
                unreferenced = self._unreferenced_blobs(conn, [row[0], *images] if row else images)
                conn.executemany(
                    "DELETE FROM images WHERE sha256 = ?", [(s,) for s in unreferenced]
                )
                conn.executemany("DELETE FROM blobs WHERE sha256 = ?", [(s,) for s in unreferenced])
            self._drain_index_queue()
            # Files go after the catalog no longer names them: a crash leaves orphans, not holes.
            with self._blob_writes():
                for sha in unreferenced:
                    self.blobs.delete(sha)

    @staticmethod
    def _unreferenced_blobs(conn, hashes: Iterable[str]) -> list[str]:
        out = []
        for sha in set(hashes):
            used = conn.execute(
                "SELECT 1 FROM articles WHERE original_sha256 = ?"
                " UNION ALL SELECT 1 FROM article_images WHERE sha256 = ? LIMIT 1",
                (sha, sha),
            ).fetchone()
            if used is None:
                out.append(sha)
        return out

    # -- import limits ------------------------------------------------------

    def set_limits(
        self,
        *,
        max_file_mb: int | None = None,
        max_image_megapixels: int | None = None,
        max_text_chars: int | None = None,
    ) -> limit_settings.Limits:
        """Change import limits (None keeps one); kept in archive.json for later imports."""
        self._require_writable()
        with self._write:
            try:
                new = limit_settings.changed(
                    self.limits,
                    max_file_mb=max_file_mb,
                    max_image_megapixels=max_image_megapixels,
                    max_text_chars=max_text_chars,
                )
                limit_settings.save(self.root, new)
            except limit_settings.LimitsError as exc:
                raise InvalidValue(str(exc)) from None
            except OSError as exc:
                marker = self.root / "archive.json"
                raise ArchiveError(f"limits not saved in {marker}: {exc}") from None
            self.limits, self.limits_warnings = new, ()
        return new

    # -- the audit log ---------------------------------------------------------

    def log(self, article_id: str | None = None, limit: int = 100) -> tuple[LogEntry, ...]:
        """The audit log, newest first; for one article (an id or prefix, deleted ones too)."""
        if article_id is not None:
            article_id = self._logged_id(article_id)
        return tuple(audit_log.entries(self.catalog, article_id, limit))

    def verify_log(self) -> list[str]:
        """What is wrong with the audit log (empty when its chain is intact)."""
        return audit_log.verify(self.catalog)

    def _logged_id(self, article_id: str) -> str:
        try:
            return self.resolve_id(article_id)
        except ArticleNotFound:
            # A deleted article is known only to the log.
            found = audit_log.logged_ids(self.catalog, article_id)
            if found == [article_id] or (len(found) == 1 and len(article_id) >= 6):
                return found[0]
            raise

    # -- checking -----------------------------------------------------------

    def check(self, *, repair: bool = False, progress: Progress | None = None) -> CheckReport:
        from archive_app.core.checking import check_archive

        if repair:
            self._require_writable()
        with self._write:
            return check_archive(self, repair=repair, progress=progress)


def _hit(article_id: str, row: dict, score: float, snippet: str) -> Hit:
    return Hit(
        id=article_id,
        title=row["title"],
        source=row["source"],
        published=row["published"],
        tags=tuple(row["tags"]),
        topics=tuple(row["topics"]),
        score=score,
        snippet=snippet,
        author=row["author"],
        lead_image=row.get("lead_image"),
        versions=row.get("versions", 0),
    )


def _index_filters(request: SearchRequest) -> dict:
    """A request's filters and order, as the index's search calls take them."""
    return {
        "topics": request.topics,
        "tags": request.tags,
        "sources": request.sources,
        "since": storing.safe_date(request.since),
        "until": storing.safe_date(request.until),
        "sort": request.sort,
    }


def value_of(conn, article_id: str, field: str) -> str:
    """An article field as read: the person's edit if any, else the extracted value."""
    row = conn.execute(
        "SELECT value FROM article_edits WHERE article_id = ? AND field = ?", (article_id, field)
    ).fetchone()
    if row is not None:
        return row[0]
    return conn.execute(f"SELECT {field} FROM articles WHERE id = ?", (article_id,)).fetchone()[0]


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _require_catalog_file(path: Path) -> None:
    """An archive without its catalog (or with an empty one) is damaged, not new."""
    wal = path.with_name(path.name + "-wal")
    if not path.exists():
        raise CatalogDamaged(path, "the file is missing")
    if path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size):
        raise CatalogDamaged(path, "the file is empty")


def _daily_backup(path: Path, catalog: Catalog) -> str:
    """Keep today's verified copy of a catalog with articles; the problem, if any, as text."""
    if not catalog.scalar("SELECT count(*) FROM articles"):
        return ""
    folder = backups.backup_folder(path.parent)
    try:
        backups.create_backup(path, folder, backups.DAILY)
    except (backups.BackupError, OSError) as exc:
        return f"today's catalog backup could not be made: {exc}"
    backups.prune(folder)
    return ""


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    tmp.replace(path)
