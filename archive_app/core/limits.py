"""Import limits a person may change: the largest file, the largest image, the longest text.

They live in the archive's `archive.json` under "limits", in the units a person
thinks in (megabytes, megapixels, characters). A value that is missing keeps
its default; a value that is unknown or out of range also keeps its default,
with a warning, so a hand-edited file never stops the archive from opening.

Caps that protect the program rather than express a choice (how large a web
page the extractor is given, how deep a document may nest) stay constants in
the modules that need them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

MEGABYTE = 1024 * 1024
MEGAPIXEL = 1_000_000
LIMITS_KEY = "limits"
MARKER = "archive.json"

# The smallest and largest value each setting accepts.
RANGES: dict[str, tuple[int, int]] = {
    # A file is read whole into memory (and hashed), so the top is what a desktop can hold.
    "max_file_mb": (1, 16_384),
    # Pillow refuses images above about 179 megapixels as possible decompression bombs.
    "max_image_megapixels": (1, 178),
    "max_text_chars": (1_000, 500_000_000),
}

# What each setting is called on the command line, for messages that say how to change it.
OPTIONS = {
    "max_file_mb": "--max-file-mb",
    "max_image_megapixels": "--max-image-megapixels",
    "max_text_chars": "--max-text-chars",
}

LABELS = {
    "max_file_mb": "largest file (MB)",
    "max_image_megapixels": "largest image (megapixels)",
    "max_text_chars": "longest article text (characters)",
}


class LimitsError(ValueError):
    """A limit given by a person is not acceptable; the message names it and the range."""


@dataclass(frozen=True)
class Limits:
    """What an import accepts. Hitting a limit fails that file (or that image) only."""

    # Far above any article, report or saved page; a bigger file is a dump or a disk image.
    max_file_mb: int = 512
    # Far above any photograph or scanned page, far below what exhausts memory when decoded.
    max_image_megapixels: int = 80
    # War and Peace is about 3.2 million characters and a 500-page report about 1.5 million;
    # beyond 5 million a "text" is a data dump, and indexing, comparing and the reader's
    # layout all grow with it.
    max_text_chars: int = 5_000_000

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * MEGABYTE

    @property
    def max_image_pixels(self) -> int:
        return self.max_image_megapixels * MEGAPIXEL

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_LIMITS = Limits()


def validated(limits: Limits) -> Limits:
    """The limits unchanged, or LimitsError naming the first value out of range."""
    for name, value in limits.as_dict().items():
        low, high = RANGES[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise LimitsError(
                f"{LABELS[name]} must be a whole number from {low:,} to {high:,}, got {value!r}"
            )
    return limits


def changed(limits: Limits, **values: int | None) -> Limits:
    """The limits with the given values replaced (None keeps one), checked."""
    unknown = set(values) - set(RANGES)
    if unknown:
        raise LimitsError(f"no such limit: {', '.join(sorted(unknown))}")
    return validated(replace(limits, **{k: v for k, v in values.items() if v is not None}))


def from_json(data: object) -> tuple[Limits, tuple[str, ...]]:
    """Limits from the "limits" object of archive.json, and warnings for what was ignored."""
    if data is None:
        return DEFAULT_LIMITS, ()
    if not isinstance(data, dict):
        return DEFAULT_LIMITS, (f"limits in {MARKER} ignored: not an object; defaults used",)
    values: dict[str, int] = {}
    warnings: list[str] = []
    for name, value in data.items():
        if name not in RANGES:
            warnings.append(f"unknown limit {name!r} in {MARKER} ignored")
            continue
        try:
            validated(replace(DEFAULT_LIMITS, **{name: value}))
        except LimitsError as exc:
            default = getattr(DEFAULT_LIMITS, name)
            warnings.append(f"{exc} in {MARKER}; the default {default:,} is used")
            continue
        values[name] = value
    return replace(DEFAULT_LIMITS, **values), tuple(warnings)


def load(root: Path) -> tuple[Limits, tuple[str, ...]]:
    """The archive's limits and warnings about values that were ignored; never raises."""
    try:
        info = json.loads((root / MARKER).read_text("utf-8"))
    except FileNotFoundError:
        return DEFAULT_LIMITS, ()
    except (OSError, ValueError) as exc:
        return DEFAULT_LIMITS, (f"limits not read from {root / MARKER} ({exc}); defaults used",)
    if not isinstance(info, dict):
        return DEFAULT_LIMITS, (f"{root / MARKER} is not a JSON object; default limits used",)
    return from_json(info.get(LIMITS_KEY))


def save(root: Path, limits: Limits) -> None:
    """Write the limits into archive.json, keeping its other keys; whole or not at all."""
    validated(limits)
    marker = root / MARKER
    try:
        info = json.loads(marker.read_text("utf-8"))
    except FileNotFoundError:
        info = {}
    if not isinstance(info, dict):
        raise LimitsError(f"{marker} is not a JSON object; limits not saved")
    info[LIMITS_KEY] = limits.as_dict()
    tmp = marker.with_name(marker.name + ".limits.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(json.dumps(info, indent=2) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, marker)


# -- messages when a limit is hit ------------------------------------------------


def how_to_change(name: str) -> str:
    return f"change it with `archive-app limits {OPTIONS[name]}`"


def file_too_large(size: int, limits: Limits) -> str:
    return (
        f"file is {_megabytes(size)}; the largest file imported is {limits.max_file_mb:,} MB "
        f"({how_to_change('max_file_mb')})"
    )


def image_too_large(width: int, height: int, limits: Limits) -> str:
    return (
        f"image is {width:,}×{height:,} pixels ({width * height / MEGAPIXEL:,.1f} megapixels); "
        f"the largest image imported is {limits.max_image_megapixels:,} megapixels "
        f"({how_to_change('max_image_megapixels')})"
    )


def text_too_long(chars: int, limits: Limits, *, at_least: bool = False) -> str:
    more = "at least " if at_least else ""
    return (
        f"text is {more}{chars:,} characters; the longest text imported is "
        f"{limits.max_text_chars:,} characters ({how_to_change('max_text_chars')})"
    )


def _megabytes(size: int) -> str:
    mb = size / MEGABYTE
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:,.1f} MB"
