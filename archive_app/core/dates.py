"""Turning the many ways dates are written into ISO 8601 strings."""

from __future__ import annotations

import datetime as dt
import re

_YEAR_ONLY = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def normalize_date(value: object) -> str:
    """An ISO 8601 date ("2023-03-17") or date-time, or "" for nothing.

    Raises ValueError naming the value when it is not a date, so importers can
    say which field of which file was wrong.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return _iso_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if not text:
        return ""
    if _YEAR_ONLY.match(text):
        return f"{text}-01-01"
    if m := _YEAR_MONTH.match(text):
        return f"{int(m[1]):04d}-{int(m[2]):02d}-01"
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        if len(text) <= 10:
            return parsed.date().isoformat()
        return _iso_datetime(parsed)
    from email.utils import parsedate_to_datetime  # RFC 2822, as in feeds and mail

    try:
        return _iso_datetime(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"not a date: {value!r}") from None


def _iso_datetime(value: dt.datetime) -> str:
    if value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat(timespec="seconds")


def date_sort_key(iso: str) -> int:
    """yyyymmdd as an int (0 when unknown), for sorting and range filters."""
    if len(iso) < 10:
        return 0
    try:
        return int(iso[0:4] + iso[5:7] + iso[8:10])
    except ValueError:
        return 0
