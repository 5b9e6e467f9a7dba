"""Spelling variants of names: Kyiv, Kiev, Київ and Киев are one city to a search.

Transliteration (``core/transliteration.py``) makes spellings of one name in
two scripts meet, and smooths over conventions (Odesa, Odessa). Names whose
spellings differ in more than that (Kyiv and Kiev, Mykolaiv and Nikolaev, a
surname spelled two ways by two agencies) come from a list: the archive's
``variants.toml``, copied from ``resources/variants.toml`` when the archive is
created and the person's to edit, as ``topics.toml`` is.

The list is applied when a query is parsed: a query word that is one of the
spellings of a name also searches for the others. Query words and listed
spellings are compared by their Latin skeleton (``transliteration.skeleton``),
Cyrillic through both romanisations and the word's dictionary form, so
"Києві" finds the entry for Київ and "kiev" the one for Kyiv.

The file: tables of names, each name with its other spellings::

    [places]
    Kyiv = ["Kiev", "Київ", "Киев"]
    "Lvova-Belova" = ["Lvova-Byelova", "Львова-Белова"]

Entries that share a spelling are merged. A mistake in the file is reported
with its line, and the archive keeps the list it had (on opening: the shipped one).
"""

from __future__ import annotations

import itertools
import re
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archive_app.core.analysis import WORD, fold, russian_lemma, ukrainian_lemma
from archive_app.core.locations import resources_dir
from archive_app.core.transliteration import (
    cyrillic_language,
    has_cyrillic,
    romanizations,
    romanize,
    skeleton,
)

VARIANTS_FILE = "variants.toml"
MAX_KEYS = 8  # spelling keys of a several-word name, at most


class VariantsError(Exception):
    """A variants file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Variants:
    """Groups of spellings of one name, and a lookup from any spelling to its groups."""

    groups: tuple[tuple[str, ...], ...] = ()
    _by_key: Mapping[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, groups: list[list[str]]) -> Variants:
        """Groups sharing a spelling (by key) become one, in first-seen order."""
        merged: list[list[str]] = []
        owner: dict[str, int] = {}
        for group in groups:
            keys = {k for name in group for k in _listed_keys(name)}
            targets = sorted({owner[k] for k in keys if k in owner})
            if targets:
                into = targets[0]
                for other in targets[1:]:  # this group joins two earlier ones
                    merged[into].extend(merged[other])
                    merged[other] = []
                merged[into].extend(group)
            else:
                into = len(merged)
                merged.append(list(group))
            for name in merged[into]:
                for key in _listed_keys(name):
                    owner[key] = into
        final = [tuple(dict.fromkeys(g)) for g in merged if g]
        by_key: dict[str, list[int]] = {}
        for number, group in enumerate(final):
            for name in group:
                for key in _listed_keys(name):
                    if number not in by_key.setdefault(key, []):
                        by_key[key].append(number)
        return cls(tuple(final), {k: tuple(v) for k, v in by_key.items()})

    def __len__(self) -> int:
        return len(self.groups)

    def spellings(self, word: str) -> tuple[str, ...]:
        """The word first, then the other spellings of every name it is a spelling of."""
        found: dict[str, None] = {word: None}
        written = fold(word)
        for number in self._groups_of(word):
            for name in self.groups[number]:
                if fold(name) != written:
                    found.setdefault(name, None)
        return tuple(found)

    def _groups_of(self, word: str) -> list[int]:
        numbers: dict[int, None] = {}
        for key in spelling_keys(word):
            for number in self._by_key.get(key, ()):
                numbers[number] = None
        return list(numbers)


def spelling_keys(name: str, *, inflected: bool = True) -> tuple[str, ...]:
    """How a spelling is compared: the skeleton of each word, Cyrillic in both romanisations.

    A query word (`inflected`) also gives the skeleton of its dictionary form,
    so an inflected form (Києві, Харькове) finds the name listed in the
    nominative; the listed names are taken as written, which keeps reading the
    list free of the dictionaries (and a Latin-script search from loading them).
    """
    per_word = [_word_keys(w, inflected) for w in WORD.findall(name)]
    if not per_word:
        return ()
    combos = itertools.islice(itertools.product(*per_word), MAX_KEYS)
    return tuple(dict.fromkeys(" ".join(c) for c in combos))


def _listed_keys(name: str) -> tuple[str, ...]:
    return spelling_keys(name, inflected=False)


def _word_keys(word: str, inflected: bool) -> tuple[str, ...]:
    folded = fold(word)
    if not has_cyrillic(folded):
        return (skeleton(folded),)
    keys = [skeleton(r) for r in romanizations(folded)]
    if not inflected:
        return tuple(dict.fromkeys(k for k in keys if k))
    own = cyrillic_language(folded)
    if own != "ru":
        keys.append(skeleton(romanize(ukrainian_lemma(folded), "uk")))
    if own != "uk":
        keys.append(skeleton(romanize(russian_lemma(folded), "ru")))
    return tuple(dict.fromkeys(k for k in keys if k))


def parse_variants(text: str, source: str = VARIANTS_FILE) -> Variants:
    """Read a variants file; raises VariantsError naming the line of the first mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VariantsError(f"{source}: {exc}") from exc
    lines = text.splitlines()
    groups: list[list[str]] = []

    def fail(problem: str, key: str, table: str | None) -> VariantsError:
        line = _line_of(lines, key, table)
        where = f"{source}, line {line}" if line else source
        return VariantsError(f"{where}: {key!r}: {problem}")

    def read_entry(name: str, value: object, table: str | None) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(
                'expected a list of spellings in quotes, like Kyiv = ["Kiev", "Київ"]',
                name,
                table,
            )
        spellings = [name.strip(), *(v.strip() for v in value)]
        for spelling in spellings:
            if not WORD.search(spelling):
                raise fail(f"{spelling!r} is not a name (no letters)", name, table)
        groups.append(spellings)

    for key, value in data.items():
        if isinstance(value, dict):
            for name, spellings in value.items():
                read_entry(name, spellings, key)
        else:
            read_entry(key, value, None)
    return Variants.of(groups)


@dataclass(frozen=True)
class LoadedVariants:
    variants: Variants
    error: str  # why the archive's file is not in use ("" when it is)


def default_variants_path() -> Path:
    """The list shipped with the application (``resources/variants.toml``)."""
    return resources_dir() / VARIANTS_FILE


def ensure_variants_file(root: Path) -> Path:
    """The archive's variants file, copied from the shipped list when the archive has none."""
    path = root / VARIANTS_FILE
    if not path.exists():
        shutil.copyfile(default_variants_path(), path)
    return path


def load_variants(root: Path, previous: Variants | None = None) -> LoadedVariants:
    """The archive's variants; with a broken file, `previous` (or else the shipped list)."""
    path = ensure_variants_file(root)
    try:
        text = path.read_text("utf-8")
        return LoadedVariants(parse_variants(text, source=str(path)), "")
    except (OSError, UnicodeDecodeError, VariantsError) as exc:
        problem = exc if isinstance(exc, VariantsError) else f"{path}: cannot read: {exc}"
        if previous is None:
            shipped = default_variants_path()
            previous = parse_variants(shipped.read_text("utf-8"), source=str(shipped))
        return LoadedVariants(previous, f"{problem}; searches keep using the previous list")


def _line_of(lines: list[str], key: str, table: str | None) -> int | None:
    """The line (1-based) of `key =` in `table` (or at the top level), found in the text."""
    start = 0
    if table is not None:
        header = re.compile(rf"^\s*\[\s*(?:\"{re.escape(table)}\"|'{re.escape(table)}'|"
                            rf"{re.escape(table)})\s*\]")  # fmt: skip
        start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    k = re.escape(key)
    pattern = re.compile(rf"^\s*(?:\"{k}\"|'{k}'|{k})\s*=")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return None
