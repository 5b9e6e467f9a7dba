"""Copies of the catalog kept in `<archive>/backups/`, and putting one back.

Each copy is made with SQLite's online backup API (a consistent snapshot even
while the archive is being written, WAL included) and verified with
`PRAGMA integrity_check` before it counts; a copy that fails is deleted.

Kept: every copy made before a schema upgrade for 90 days, the newest seven
daily copies, and every copy a person asked for (until they delete it).

Restoring moves the current catalog (and its -wal/-shm files) aside, never
deleting it, puts the copy in its place and removes the search index, which the
next open rebuilds from the restored catalog. Stored files the restored catalog
does not know (imported after the copy was made) are moved to
`<archive>/recovered/`, so that `check --repair` cannot take them for orphans.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BACKUP_FOLDER = "backups"
RECOVERED_FOLDER = "recovered"
CATALOG_FILE = "catalog.sqlite3"
DAILY = "daily"
MANUAL = "manual"
BEFORE_UPGRADE = "before-v"  # followed by the schema version being upgraded to
KEEP_DAILY = 7
KEEP_UPGRADE_DAYS = 90
DAILY_INTERVAL = timedelta(hours=24)
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^catalog-(?P<stamp>\d{8}T\d{6}Z)-(?P<reason>[a-z0-9-]+?)(?:-\d+)?\.sqlite3$")
# Enough of a stored file's first bytes to give a recovered original a usable name.
_SIGNATURES = (
    (b"%PDF", ".pdf"),
    (b"\x89PNG", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF8", ".gif"),
    (b"RIFF", ".webp"),
    (b"WARC/", ".warc"),
    (b"MIME-Version", ".mhtml"),
    (b"{", ".json"),
    (b"[", ".json"),
    (b"<", ".html"),
)
_IMAGE_SUFFIXES = {".png", ".jpg", ".gif", ".webp"}

Clock = Callable[[], datetime]


class BackupError(Exception):
    """A backup could not be made, verified or restored; the message names the file."""


@dataclass(frozen=True)
class Backup:
    path: Path
    created_at: datetime  # UTC
    reason: str  # daily, manual, before-v4
    size: int  # bytes
    articles: int | None  # None when the copy cannot be read

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class RestoreReport:
    restored: Backup
    replaced: Path | None  # where the catalog that was in use now is
    recovered: tuple[Path, ...]  # stored files the restored catalog does not know
    recovered_folder: Path | None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def backup_folder(root: Path) -> Path:
    return root / BACKUP_FOLDER


def create_backup(catalog: Path, folder: Path, reason: str, *, now: Clock = _utc_now) -> Backup:
    """A verified copy of the catalog file in `folder`; raises BackupError if it is not good."""
    folder.mkdir(parents=True, exist_ok=True)
    created = now().replace(microsecond=0)
    target = _free_name(folder, created, reason)
    partial = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                # A self-contained file: no -wal beside it, restorable by a plain copy.
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        problems = integrity_problems(partial)
    except sqlite3.Error as exc:
        _remove(partial)
        raise BackupError(f"could not copy {catalog} to {target}: {exc}") from exc
    if problems:
        _remove(partial)
        raise BackupError(
            f"the copy of {catalog} failed its integrity check and was deleted: {problems[0]}"
        )
    partial.replace(target)
    return _describe(target)


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """What `PRAGMA integrity_check` (or quick_check) finds wrong in a SQLite file."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [r[0] for r in rows if r[0] != "ok"]


def list_backups(folder: Path, *, count_articles: bool = True) -> list[Backup]:
    """The archive's catalog copies, newest first.

    Counting a copy's articles opens it; callers that only choose or prune by
    name and time pass count_articles=False (`articles` is then None).
    """
    if not folder.is_dir():
        return []
    found = [_describe(p, count_articles) for p in folder.iterdir() if _NAME.match(p.name)]
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def backup_due(folder: Path, *, now: Clock = _utc_now) -> bool:
    """Whether the newest copy (of any kind) is older than a day, or there is none."""
    newest = max((_stamp_of(p) for p in _names(folder)), default=None)
    return newest is None or now() - newest >= DAILY_INTERVAL


def prune(folder: Path, *, now: Clock = _utc_now) -> list[Path]:
    """Delete copies no longer kept (see the module docstring); returns what went."""
    removed = []
    daily_seen = 0
    for backup in list_backups(folder, count_articles=False):
        if backup.reason == DAILY:
            daily_seen += 1
            keep = daily_seen <= KEEP_DAILY
        elif backup.reason.startswith(BEFORE_UPGRADE):
            keep = now() - backup.created_at <= timedelta(days=KEEP_UPGRADE_DAYS)
        else:
            keep = True
        if not keep:
            _remove(backup.path)
            removed.append(backup.path)
    for leftover in folder.glob("*.partial") if folder.is_dir() else ():
        _remove(leftover)  # a copy interrupted by a crash
    return removed


def choose_backup(folder: Path, name: str | None) -> Backup:
    """The named copy (file name, or its stamp), else the newest one that passes its check."""
    backups = list_backups(folder, count_articles=False)
    if not backups:
        raise BackupError(f"there are no catalog backups in {folder}")
    if name and name != "latest":
        matches = [b for b in backups if b.name == name or b.name.startswith(f"catalog-{name}")]
        if len(matches) != 1:
            known = ", ".join(b.name for b in backups[:5])
            which = "no backup" if not matches else "more than one backup"
            raise BackupError(f"{which} in {folder} is called {name!r} (newest: {known})")
        problems = integrity_problems(matches[0].path)
        if problems:
            raise BackupError(f"{matches[0].path} is damaged too: {problems[0]}")
        return _describe(matches[0].path)
    for backup in backups:
        if not integrity_problems(backup.path):
            return _describe(backup.path)
    raise BackupError(f"every catalog backup in {folder} fails its integrity check")


def restore_backup(root: Path, backup: Backup, *, now: Clock = _utc_now) -> RestoreReport:
    """Put `backup` in place of the archive's catalog. The caller holds the write lock."""
    catalog = root / CATALOG_FILE
    stamp = now().strftime(_STAMP)
    replaced = None
    if catalog.exists():
        replaced = catalog.with_name(f"{CATALOG_FILE}.replaced-{stamp}")
    staged = catalog.with_name(f"{CATALOG_FILE}.restoring")
    shutil.copyfile(backup.path, staged)
    known_files = _stored_in(staged)
    names = _original_names(catalog) if catalog.exists() else {}
    # The -wal belongs to the catalog being replaced: left in place, SQLite would
    # replay it over the restored copy.
    for suffix in ("", "-wal", "-shm"):
        current = catalog.with_name(catalog.name + suffix)
        if current.exists() and replaced is not None:
            current.replace(replaced.with_name(replaced.name + suffix))
    staged.replace(catalog)
    shutil.rmtree(root / "index", ignore_errors=True)  # rebuilt on next open
    recovered, folder = _recover_unknown_files(root, known_files, names, stamp)
    return RestoreReport(backup, replaced, recovered, folder)


def _recover_unknown_files(
    root: Path, known: set[str], names: dict[str, str], stamp: str
) -> tuple[tuple[Path, ...], Path | None]:
    blobs = root / "blobs"
    unknown = sorted(
        p for p in blobs.glob("*/*") if p.is_file() and len(p.name) == 64 and p.name not in known
    )
    if not unknown:
        return (), None
    folder = root / RECOVERED_FOLDER / stamp
    folder.mkdir(parents=True, exist_ok=True)
    moved = []
    for blob in unknown:
        name = names.get(blob.name) or blob.name[:12] + _suffix_of(blob)
        place = folder / "images" if Path(name).suffix in _IMAGE_SUFFIXES else folder
        place.mkdir(exist_ok=True)
        target = place / name
        if target.exists():
            target = place / f"{blob.name[:12]}-{name}"
        shutil.move(blob, target)
        moved.append(target)
    # Beside the folder, not in it: importing the folder must not import the note.
    readme = folder.parent / "README.txt"
    with readme.open("a", encoding="utf-8") as note:
        note.write(
            f"{stamp}/: stored in the archive after the catalog backup restored on {stamp},"
            " so the restored catalog does not list them. Import them again with:"
            f"  archive-app --archive {root} import {folder}"
            "  (pictures of web pages are in images/; a page imported again brings its own)\n"
        )
    return tuple(moved), folder


def _stored_in(catalog: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT sha256 FROM blobs")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{catalog} cannot be read: {exc}") from exc
    finally:
        conn.close()


def _original_names(catalog: Path) -> dict[str, str]:
    """File names of originals, from the catalog being replaced when it can still be read."""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT original_sha256, original_filename FROM articles")
            return {sha: Path(name).name for sha, name in rows if Path(name).name}
        finally:
            conn.close()
    return {}


def _suffix_of(blob: Path) -> str:
    with blob.open("rb") as handle:
        head = handle.read(64).lstrip()
    return next((suffix for magic, suffix in _SIGNATURES if head.startswith(magic)), ".txt")


def _describe(path: Path, count_articles: bool = True) -> Backup:
    found = _NAME.match(path.name)
    assert found is not None
    return Backup(
        path=path,
        created_at=datetime.strptime(found["stamp"], _STAMP).replace(tzinfo=UTC),
        reason=found["reason"],
        size=path.stat().st_size,
        articles=_article_count(path) if count_articles else None,
    )


def _article_count(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _names(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if _NAME.match(p.name)] if folder.is_dir() else []


def _stamp_of(path: Path) -> datetime:
    found = _NAME.match(path.name)
    assert found is not None
    return datetime.strptime(found["stamp"], _STAMP).replace(tzinfo=UTC)


def _free_name(folder: Path, created: datetime, reason: str) -> Path:
    base = f"catalog-{created.strftime(_STAMP)}-{reason}"
    target, n = folder / f"{base}.sqlite3", 2
    while target.exists():
        target, n = folder / f"{base}-{n}.sqlite3", n + 1
    return target


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def restore(root: Path, name: str | None = None, *, now: Clock = _utc_now) -> RestoreReport:
    """Restore the named copy, or the newest good one, holding the archive's write lock.

    Refused (ArchiveLocked) while another process has the archive open for changes.
    """
    from archive_app.core.locking import WriteLock

    if not (root / "archive.json").exists():
        raise BackupError(f"{root} is not an archive (no archive.json)")
    lock = WriteLock(root / "write.lock")
    lock.acquire()
    try:
        return restore_backup(root, choose_backup(backup_folder(root), name), now=now)
    finally:
        lock.release()
