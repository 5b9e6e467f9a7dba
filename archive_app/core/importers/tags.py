"""Tags as files give them: a list, or one comma-separated string."""

from __future__ import annotations

import re
from collections.abc import Callable


def tag_values(
    value: object, describe: Callable[[object], str], *, allow_numbers: bool = False
) -> tuple[str, ...]:
    """Trimmed tags in their order, without repeats or blanks.

    Raises ValueError saying what was wrong ("must be …, not <describe(value)>");
    the importer adds where (a record, the front matter).
    """
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(re.split(r"[,;]", value))
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(
            f"'tags' must be a list or a comma-separated string, not {describe(value)}"
        )
    tags: dict[str, None] = {}
    for number, item in enumerate(items, 1):
        is_number = isinstance(item, int | float) and not isinstance(item, bool)
        if not isinstance(item, str) and not (allow_numbers and is_number):
            raise ValueError(f"'tags' item {number} is {describe(item)}, not text")
        if tag := " ".join(str(item).split()):
            tags.setdefault(tag)
    return tuple(tags)
