"""Cyrillic in Latin letters, and the keys that let spellings in either script meet.

Romanisation follows the standards newsrooms use:

- Ukrainian: the national system (Cabinet of Ministers resolution 55 of 2010),
  the one in passports and on road signs: Київ → kyiv, Харків → kharkiv,
  Запоріжжя → zaporizhzhia; є, ї, й, ю, я are written ye, yi, y, yu, ya at the
  start of a word and ie, i, i, iu, ia elsewhere; зг is zgh; the soft sign and
  the apostrophe are left out.
- Russian: BGN/PCGN as the English-language press writes it, without the
  diacritics and apostrophes: Харьков → kharkov, Львова-Белова →
  lvova-belova, Запорожье → zaporozhye (ye after a soft or hard sign), and e
  after a vowel as well (Киев → kiev, not kiyev).

A romanised word is then reduced to a *name key* (:func:`name_key`) that smooths
over the choices the standards and the press disagree on: y, i and j are one
letter, doubled letters are one, ie is e, and a short case ending is dropped.
So Odesa and Odessa, Lysychansk and Lisichansk, Lvova-Belova and
Lvova-Byelova, Zaporizhzhia and Zaporizhia, Маріуполі and Mariupol share keys.
Pairs that differ in more than spelling conventions (Kyiv and Kiev, Kharkiv and
Kharkov) are the business of the variants list (``core/variants.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.support.charset import accent_map

_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ь": "", "ъ": "", "'": "", "’": "", "ʼ": "",
    # Belarusian, Serbian, Macedonian letters, so that no Cyrillic letter is lost
    "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz",
    "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip
_UKRAINIAN = _COMMON | {
    "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "i", "й": "i", "є": "ie", "ю": "iu",
    "я": "ia", "ы": "y", "э": "e", "ё": "io",
}  # fmt: skip
_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_RUSSIAN = _COMMON | {
    "г": "g", "ґ": "g", "и": "i", "і": "i", "ї": "yi", "й": "y", "є": "ye", "ю": "yu",
    "я": "ya", "ы": "y", "э": "e", "ё": "e",
}  # fmt: skip
_SIGNS = frozenset("ьъ")

UKRAINIAN_LETTERS = frozenset("іїєґ")
RUSSIAN_LETTERS = frozenset("ыэъё")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_APOSTROPHES = str.maketrans("", "", "'’ʼ`\"")
_DOUBLED = re.compile(r"(.)\1+")
# Case endings a romanised name may carry (after the y/i/j merge), longest first.
_ENDINGS = tuple(
    sorted(
        (
            "iami", "ami", "iakh", "akh", "ikh", "oho", "ogo", "eho", "ego", "omu", "emu",
            "oiu", "eiu", "iu", "ia", "om", "em", "im", "oi", "ei", "a", "e", "i", "o", "u",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
MIN_KEY = 3  # a key is never cut below three letters


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def cyrillic_language(word: str) -> str:
    """ "uk" or "ru" when the letters tell (і, ї, є, ґ or ы, э, ъ, ё), else ""."""
    letters = set(word.lower())
    if letters & UKRAINIAN_LETTERS:
        return "uk"
    if letters & RUSSIAN_LETTERS:
        return "ru"
    return ""


@lru_cache(maxsize=100_000)
def romanize(text: str, language: str) -> str:
    """Lower-case Latin letters for Cyrillic ones: Ukrainian ("uk") or Russian (any other)."""
    lowered = text.lower()
    if language == "uk":
        return _romanize_ukrainian(lowered)
    return _romanize_russian(lowered)


def _romanize_ukrainian(text: str) -> str:
    out: list[str] = []
    previous = ""
    for ch in text:
        initial = not previous or not (previous.isalpha() or previous in "'’ʼ")
        if ch == "г" and previous == "з":
            out.append("gh")  # зг: Zghurivka, not Zhurivka
        elif initial and ch in _UKRAINIAN_INITIAL:
            out.append(_UKRAINIAN_INITIAL[ch])
        else:
            out.append(_UKRAINIAN.get(ch, ch))
        previous = ch
    return "".join(out)


def _romanize_russian(text: str) -> str:
    out: list[str] = []
    previous = ""
    for ch in text:
        if ch == "е" and previous in _SIGNS:
            out.append("ye")  # Запорожье: Zaporozhye
        else:
            out.append(_RUSSIAN.get(ch, ch))
        previous = ch
    return "".join(out)


def romanizations(word: str) -> tuple[str, ...]:
    """The word in Latin letters by each standard its letters allow (one or two spellings)."""
    language = cyrillic_language(word)
    if language:
        return (romanize(word, language),)
    return tuple(dict.fromkeys((romanize(word, "uk"), romanize(word, "ru"))))


@lru_cache(maxsize=200_000)
def skeleton(latin: str) -> str:
    """A Latin spelling without the conventions romanisations disagree on.

    Lower case without accents or apostrophes; y, j and i are one letter;
    doubled letters are single (zhzh is zh); ie is e.
    """
    word = latin.lower().translate(accent_map).translate(_APOSTROPHES)
    word = word.replace("y", "i").replace("j", "i")
    word = _DOUBLED.sub(r"\1", word).replace("zhzh", "zh").replace("ie", "e")
    return _DOUBLED.sub(r"\1", word)


@lru_cache(maxsize=200_000)
def name_key(latin: str) -> str:
    """The skeleton of a Latin word without a short case ending: the shadow field's terms."""
    word = skeleton(latin)
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_KEY:
            return word[: -len(ending)]
    return word


def name_keys(word: str, language: str = "") -> tuple[str, ...]:
    """The name keys of a word in either script (Cyrillic by ``language`` or by both standards)."""
    if not has_cyrillic(word):
        return (name_key(word),)
    if language in ("uk", "ru"):
        return (name_key(romanize(word, language)),)
    return tuple(dict.fromkeys(name_key(r) for r in romanizations(word)))
