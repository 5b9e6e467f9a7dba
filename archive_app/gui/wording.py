"""Small helpers for the sentences the app shows: counts with their nouns, capitals, dates."""

from __future__ import annotations

import datetime as dt


def count_noun(n: int, one: str, many: str) -> str:
    """ "1 article", "1,204 articles"."""
    return f"{n:,} {one if n == 1 else many}"


def capitalised(text: str) -> str:
    """The text stripped, with its first letter made a capital (the rest untouched)."""
    text = text.strip()
    return text[:1].upper() + text[1:]


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def readable_date(published: str, *, short: bool = False) -> str:
    """A stored date as people write it; what cannot be read is shown as it is.

    "2024-02-06" → "6 February 2024" ("6 Feb 2024" when `short`); a partial date
    "2023-05" → "May 2023"; a time of day is kept ("…, 14:30") unless `short`.
    Month names are spelled here, not by the locale, so every view reads alike.
    """
    if not published:
        return ""
    numbers = _date_numbers(published[:10])
    if numbers is None:
        return published
    if len(numbers) == 1:
        return str(numbers[0])
    month = _MONTHS[numbers[1] - 1]
    month = month[:3] if short else month
    if len(numbers) == 2:
        return f"{month} {numbers[0]}"
    day = f"{numbers[2]} {month} {numbers[0]}"
    if short or len(published) <= 10:
        return day
    try:
        value = dt.datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return day
    return f"{day}, {value:%H:%M}" if value.hour or value.minute else day


def _date_numbers(text: str) -> tuple[int, ...] | None:
    """(year,), (year, month) or (year, month, day) of a valid ISO date, else None."""
    parts = text.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    numbers = tuple(int(p) for p in parts)
    if len(numbers) >= 2 and not 1 <= numbers[1] <= 12:
        return None
    if len(numbers) == 3:
        try:
            dt.date(*numbers)
        except ValueError:
            return None
    return numbers
