"""Word-level text normalisation shared by the topic rules and the text they match.

Rule terms and article text go through the same functions, so a rule written as
``Déportation`` matches ``deportations`` and a rule written in one inflection of a
Russian or Ukrainian word matches the others that share its stem:

- :func:`words` finds words with a Unicode word regex. Inside Latin-script words an
  apostrophe separates words (``l'enfance`` is ``l`` + ``enfance``) and an English
  possessive ``'s`` is dropped; inside Cyrillic words it is part of the word
  (Ukrainian ``сім'я``).
- :func:`fold` casefolds and strips accents from Latin letters only. Cyrillic keeps
  its letters (``й`` stays ``й``, ``ї`` stays ``ї``); only ``ё`` becomes ``е``, as
  Russian spelling itself does most of the time.
- :func:`stem` applies the Snowball English (Porter2) stemmer to Latin-script
  words and the Snowball Russian stemmer to Cyrillic words, after mapping the
  Ukrainian letters і, ї, є, ґ to their nearest Russian ones so that Ukrainian
  inflections are stripped too. Other scripts are left as they are.

All three are cached; the vocabulary of a news archive is small.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh.lang.snowball.english import EnglishStemmer
from whoosh.lang.snowball.russian import RussianStemmer

# A word: letters and digits (no underscore), possibly joined by apostrophes.
WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHES = re.compile(r"['’ʼ]")

# Sentence ends: . ! ? … (with closing quotes or brackets) before whitespace, or a
# line break (headings, captions and paragraphs are sentences of their own).
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|\s*\n\s*")

_LATIN_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})
_UK_TO_RU = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "'": ""})

_english = EnglishStemmer()
_russian = RussianStemmer()


def _is_latin(ch: str) -> bool:
    o = ord(ch)
    return o < 0x0250 or 0x1E00 <= o <= 0x1EFF


def _is_cyrillic(ch: str) -> bool:
    return 0x0400 <= ord(ch) <= 0x052F


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Casefold; strip accents from Latin letters only; ё → е."""
    w = word.casefold()
    if w.isascii():
        return w
    w = w.replace("ё", "е")
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", w):
        if out and unicodedata.combining(ch) and _is_latin(out[-1]):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).translate(_LATIN_EXTRA)


@lru_cache(maxsize=200_000)
def stem(folded: str) -> str:
    """The stem of an already folded word (see module docstring)."""
    if not folded:
        return folded
    first = folded[0]
    try:
        if _is_cyrillic(first):
            return _russian.stem(folded.translate(_UK_TO_RU)) or folded
        if first.isalpha() and _is_latin(first):
            return _english.stem(folded) or folded
    except Exception:  # a stemmer choking on an odd mix of scripts: keep the word
        return folded
    return folded


@lru_cache(maxsize=200_000)
def split_word(raw: str) -> tuple[str, ...]:
    """The folded words in one regex match (apostrophes handled per script)."""
    if not _APOSTROPHES.search(raw):
        return (fold(raw),)
    if any(_is_cyrillic(ch) for ch in raw):
        return (fold(_APOSTROPHES.sub("'", raw)),)
    parts = _APOSTROPHES.split(raw)
    if len(parts) > 1 and parts[-1].casefold() == "s":  # English possessive
        parts = parts[:-1]
    return tuple(fold(p) for p in parts if p)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) for every word in ``text``.

    A Latin word split at an apostrophe yields its parts with the span of the
    whole match, which is precise enough for pointing at a sentence.
    """
    for m in WORD_RE.finditer(text):
        start, end = m.span()
        for w in split_word(m.group()):
            yield start, end, w


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence, in order."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        _add_span(text, pos, m.start() + len(m.group().rstrip()), spans)
        pos = m.end()
    _add_span(text, pos, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
