"""`check [--repair]`: every blob's SHA-256, catalog ↔ index agreement, references."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive_app.core.models import CheckReport

if TYPE_CHECKING:
    from archive_app.core.archive import Archive, Progress


def check_archive(
    archive: Archive, *, repair: bool, progress: Progress | None = None
) -> CheckReport:
    problems: list[str] = []
    repaired: list[str] = []
    unrepairable: list[str] = []
    catalog = archive.catalog

    for problem in catalog.integrity_problems():
        problems.append(f"catalog: {problem}")
        unrepairable.append(f"catalog: {problem}")

    known = {r[0]: r[1] for r in catalog.query("SELECT sha256, kind FROM blobs")}
    for done, (sha, kind) in enumerate(sorted(known.items())):
        if progress is not None and done % 200 == 0:
            progress(done, len(known))
        if not archive.blobs.verify(sha):
            state = "missing" if not archive.blobs.exists(sha) else "corrupt (hash mismatch)"
            users = ", ".join(_articles_using(archive, sha)) or "no article"
            message = f"{kind} blob {sha} is {state}; used by {users}"
            problems.append(message)
            unrepairable.append(message)

    for r in catalog.query(
        "SELECT id, original_sha256 FROM articles"
        " WHERE original_sha256 NOT IN (SELECT sha256 FROM blobs)"
    ):
        message = f"article {r[0]}: original {r[1]} is not in the catalog's blob list"
        problems.append(message)
        unrepairable.append(message)

    on_disk = set(archive.blobs.all_hashes())
    orphans = sorted(on_disk - set(known))
    leftovers = list(archive.blobs.temporary_files())
    for sha in orphans:
        problems.append(f"orphan blob {sha} (no catalog entry)")
    for path in leftovers:
        problems.append(f"unfinished write {path.name}")
    if repair:
        for sha in orphans:
            archive.blobs.delete(sha)
            repaired.append(f"removed orphan blob {sha}")
        for path in leftovers:
            path.unlink(missing_ok=True)
            repaired.append(f"removed unfinished write {path.name}")

    pending = int(catalog.scalar("SELECT count(*) FROM index_queue") or 0)
    indexed = archive.index.all_ids()
    cataloged = {r[0] for r in catalog.query("SELECT id FROM articles")}
    missing = sorted(cataloged - indexed)
    stale = sorted(indexed - cataloged)
    if pending:
        problems.append(f"{pending} index updates pending")
    for article_id in missing:
        problems.append(f"article {article_id} is not in the search index")
    for article_id in stale:
        problems.append(f"search index holds {article_id}, which is not in the catalog")
    if repair and (missing or stale or pending):
        with catalog.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'upsert')",
                [(i,) for i in missing],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO index_queue(article_id, op) VALUES (?, 'delete')",
                [(i,) for i in stale],
            )
        archive._drain_index_queue()
        repaired.append(
            f"search index brought up to date ({len(missing)} added, {len(stale)} removed)"
        )

    if progress is not None:
        progress(len(known), len(known))
    fixed = repair and not unrepairable
    return CheckReport(
        ok=not problems or fixed,
        problems=tuple(problems),
        repaired=tuple(repaired),
        unrepairable=tuple(unrepairable),
        articles=len(cataloged),
        blobs=len(known),
    )


def _articles_using(archive: Archive, sha: str) -> list[str]:
    rows = archive.catalog.query(
        "SELECT id FROM articles WHERE original_sha256 = ?"
        " UNION SELECT article_id FROM article_images WHERE sha256 = ? LIMIT 5",
        (sha, sha),
    )
    return [r[0] for r in rows]
