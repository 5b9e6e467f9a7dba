"""`check [--repair]`: every blob's SHA-256, references to blobs, catalog ↔ index agreement.

What can be fixed is fixed by `--repair`: orphan blobs and unfinished writes
are removed, a damaged index is rebuilt from the catalog, index documents
missing, stale or doubled are written again. What cannot be fixed (a missing
or altered original or image) is listed with the articles it belongs to and
the file whose re-import restores it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archive_app.core import audit_log
from archive_app.core.models import CheckReport

if TYPE_CHECKING:
    from archive_app.core.archive import Archive, Progress


@dataclass
class _Findings:
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unrepairable: list[str] = field(default_factory=list)

    def cannot_repair(self, problem: str, remedy: str = "") -> None:
        self.problems.append(problem)
        self.unrepairable.append(f"{problem}; {remedy}" if remedy else problem)


def check_archive(
    archive: Archive, *, repair: bool, progress: Progress | None = None
) -> CheckReport:
    found = _Findings()
    for problem in archive.catalog.integrity_problems():
        found.cannot_repair(f"catalog: {problem}")
    # The log cannot be repaired, only reported: mending it would hide the tampering.
    for problem in audit_log.verify(archive.catalog):
        found.cannot_repair(f"audit log: {problem}")
    blobs = _check_blobs(archive, found, progress)
    _check_references(archive, found)
    _check_leftovers(archive, found, repair)
    _check_index(archive, found, repair)
    if progress is not None:
        progress(blobs, blobs)
    fixed = repair and not found.unrepairable
    return CheckReport(
        ok=not found.problems or fixed,
        problems=tuple(found.problems),
        repaired=tuple(found.repaired),
        unrepairable=tuple(found.unrepairable),
        articles=archive.article_count(),
        blobs=blobs,
    )


def _check_blobs(archive: Archive, found: _Findings, progress: Progress | None) -> int:
    """Every catalogued blob is on disk and still hashes to its name; returns how many."""
    known = {r[0]: r[1] for r in archive.catalog.query("SELECT sha256, kind FROM blobs")}
    for done, (sha, kind) in enumerate(sorted(known.items())):
        if progress is not None and done % 200 == 0:
            progress(done, len(known))
        if not archive.blobs.verify(sha):
            state = "missing" if not archive.blobs.exists(sha) else "corrupt (hash mismatch)"
            users = ", ".join(_articles_using(archive, sha)) or "no article"
            found.cannot_repair(
                f"{kind} blob {sha} is {state}; used by {users}", _restored_by(archive, sha)
            )
    return len(known)


def _check_references(archive: Archive, found: _Findings) -> None:
    """Rows naming a blob the catalog does not list (the file could never be checked)."""
    catalog = archive.catalog
    for r in catalog.query(
        "SELECT id, original_sha256 FROM articles"
        " WHERE original_sha256 NOT IN (SELECT sha256 FROM blobs)"
    ):
        found.cannot_repair(
            f"article {r[0]}: original {r[1]} is not in the catalog's blob list",
            _restored_by(archive, r[1]),
        )
    for r in catalog.query(
        "SELECT article_id, position, sha256 FROM article_images"
        " WHERE sha256 IS NOT NULL AND sha256 NOT IN (SELECT sha256 FROM blobs)"
    ):
        found.cannot_repair(
            f"article {r[0]}: image {r[1]} refers to blob {r[2]}, which the catalog does not list",
            _restored_by(archive, r[2]),
        )


def _check_leftovers(archive: Archive, found: _Findings, repair: bool) -> None:
    """Blobs no catalog row names and unfinished writes: what an interrupted import leaves."""
    known = {r[0] for r in archive.catalog.query("SELECT sha256 FROM blobs")}
    on_disk = archive.blobs.scan()
    orphans = sorted(set(on_disk.hashes) - known)
    for sha in orphans:
        found.problems.append(f"orphan blob {sha} (no catalog entry)")
    for path in on_disk.leftovers:
        found.problems.append(f"unfinished write {path.name}")
    if repair:
        for sha in orphans:
            archive.blobs.delete(sha)
            found.repaired.append(f"removed orphan blob {sha}")
        for path in on_disk.leftovers:
            path.unlink(missing_ok=True)
            found.repaired.append(f"removed unfinished write {path.name}")


def _check_index(archive: Archive, found: _Findings, repair: bool) -> None:
    """The index's files are as written and readable, and it holds each article exactly once."""
    health = archive.index.health()
    for problem in health.problems:
        found.problems.append(f"search index: {problem}")
    if health.problems:
        # What it holds cannot be trusted, so its agreement with the catalog is not listed.
        if repair:
            count = archive.rebuild_index()
            found.repaired.append(f"search index rebuilt from the catalog ({count} articles)")
        return
    catalog = archive.catalog
    pending = int(catalog.scalar("SELECT count(*) FROM index_queue") or 0)
    counts = Counter(health.ids)
    indexed = set(counts)
    doubled = sorted(i for i, n in counts.items() if n > 1)
    cataloged = {r[0] for r in catalog.query("SELECT id FROM articles")}
    missing = sorted(cataloged - indexed)
    stale = sorted(indexed - cataloged)
    if pending:
        found.problems.append(f"{pending} index updates pending")
    for article_id in missing:
        found.problems.append(f"article {article_id} is not in the search index")
    for article_id in stale:
        found.problems.append(f"search index holds {article_id}, which is not in the catalog")
    for article_id in doubled:
        found.problems.append(f"search index holds {article_id} more than once")
    if repair and (missing or stale or doubled or pending):
        with catalog.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'upsert')",
                [(i,) for i in missing + doubled],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'delete')",
                [(i,) for i in stale],
            )
        archive._drain_index_queue()
        found.repaired.append(
            f"search index brought up to date ({len(missing)} added, {len(stale)} removed,"
            f" {len(doubled)} written once)"
        )


def _articles_using(archive: Archive, sha: str) -> list[str]:
    rows = archive.catalog.query(
        "SELECT id FROM articles WHERE original_sha256 = ?"
        " UNION SELECT article_id FROM article_images WHERE sha256 = ? LIMIT 5",
        (sha, sha),
    )
    return [r[0] for r in rows]


def _restored_by(archive: Archive, sha: str) -> str:
    """Which original files, imported again, bring the blob back (an original or its images)."""
    rows = archive.catalog.query(
        "SELECT DISTINCT a.id, a.original_filename FROM articles a"
        " LEFT JOIN article_images ai ON ai.article_id = a.id"
        " WHERE a.original_sha256 = ? OR ai.sha256 = ? LIMIT 5",
        (sha, sha),
    )
    if not rows:
        return ""
    names = ", ".join(f"{r[1]} (article {r[0]})" for r in rows)
    return f"importing the original file again restores it: {names}"
