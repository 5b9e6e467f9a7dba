"""Articles related to one another: versions of the same text, and titles for lists of them.

Near-duplicate links are found at import (`storing.duplicate_links`) and kept
in the catalog's `duplicates` table, one row per pair with the smaller id in
`a`; these queries read them in both directions.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive_app.core.catalog import Catalog
from archive_app.core.models import NearDuplicate

IN_BATCH = 500  # ids per `IN (...)`, well below SQLite's limit on parameters


def near_duplicates(catalog: Catalog, article_id: str) -> tuple[NearDuplicate, ...]:
    """The article's versions (same or nearly the same text), most similar first."""
    rows = catalog.query(
        "SELECT b AS other, similarity FROM duplicates WHERE a = ?"
        " UNION ALL SELECT a, similarity FROM duplicates WHERE b = ?",
        (article_id, article_id),
    )
    found = {r["other"]: float(r["similarity"]) for r in rows}
    names = titles(catalog, list(found))
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return tuple(NearDuplicate(other, sim, names.get(other, "")) for other, sim in ranked)


def titles(catalog: Catalog, ids: Sequence[str]) -> dict[str, str]:
    """Each article's title as read (the person's edit if any), by id."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), IN_BATCH):
        chunk = unique[start : start + IN_BATCH]
        marks = ",".join("?" * len(chunk))
        for article_id, title in catalog.query(
            f"SELECT a.id, coalesce(e.value, a.title) FROM articles a"
            f" LEFT JOIN article_edits e ON e.article_id = a.id AND e.field = 'title'"
            f" WHERE a.id IN ({marks})",
            chunk,
        ):
            found[article_id] = title
    return found
