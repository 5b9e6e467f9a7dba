"""Searches kept by name in the catalog: the request as JSON, without paging.

Names match without regard to case (the column is COLLATE NOCASE), as tags do.
The archive checks names and raises its own errors; this module reads and
writes rows.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from typing import get_args

from archive_app.core.catalog import Catalog
from archive_app.core.models import SavedSearch, SearchRequest, SortOrder

KEPT_FIELDS = ("query", "topics", "tags", "sources", "since", "until", "sort")


def clean_name(name: str) -> str:
    """Trimmed, inner runs of white space made single: the name as kept."""
    return " ".join(name.split())


def without_paging(request: SearchRequest) -> SearchRequest:
    defaults = SearchRequest()
    return replace(
        request, limit=defaults.limit, offset=defaults.offset, snippets=defaults.snippets
    )


def encode(request: SearchRequest) -> str:
    data = {name: getattr(request, name) for name in KEPT_FIELDS}
    return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in data.items()})


def decode(text: str) -> SearchRequest:
    """The request kept as JSON; values of the wrong kind fall back to the defaults."""
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    values: dict[str, object] = {}
    for name in ("query", "since", "until"):
        if isinstance(data.get(name), str):
            values[name] = data[name]
    for name in ("topics", "tags", "sources"):
        items = data.get(name)
        if isinstance(items, list):
            values[name] = tuple(str(item) for item in items)
    if data.get("sort") in get_args(SortOrder):
        values["sort"] = data["sort"]
    return SearchRequest(**values)


def all_saved(catalog: Catalog) -> list[SavedSearch]:
    return [
        SavedSearch(r["name"], decode(r["request"]), r["created_at"])
        for r in catalog.query(
            "SELECT name, request, created_at FROM saved_searches ORDER BY name COLLATE NOCASE"
        )
    ]


def find(catalog: Catalog, name: str) -> str | None:
    """The name as kept, for a name written in any capitals; None when there is none."""
    value = catalog.scalar("SELECT name FROM saved_searches WHERE name = ?", (clean_name(name),))
    return None if value is None else str(value)


def store(conn: sqlite3.Connection, name: str, request: SearchRequest, created_at: str) -> None:
    """Insert, replacing a search of the same name (capitals ignored)."""
    conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
    conn.execute(
        "INSERT INTO saved_searches(name, request, created_at) VALUES (?, ?, ?)",
        (name, encode(request), created_at),
    )


def rename(conn: sqlite3.Connection, old: str, new: str) -> None:
    conn.execute("UPDATE saved_searches SET name = ? WHERE name = ?", (new, old))


def delete(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
