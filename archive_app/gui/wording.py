"""Small helpers for the sentences the app shows: counts with their nouns, capitals."""

from __future__ import annotations


def count_noun(n: int, one: str, many: str) -> str:
    """ "1 article", "1,204 articles"."""
    return f"{n:,} {one if n == 1 else many}"


def capitalised(text: str) -> str:
    """The text stripped, with its first letter made a capital (the rest untouched)."""
    text = text.strip()
    return text[:1].upper() + text[1:]
