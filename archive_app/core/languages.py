"""Which language an article is written in, found from its text at import.

Detection uses Lingua (``lingua-language-detector``), restricted to the languages
this archive's sources are written in, in its low-accuracy mode: that mode keeps
only trigram models in memory (about 30 MB instead of 350 MB per process, and
the import runs one helper process per core). It reads the title and the first
few hundred characters of the text, well under a millisecond an article: the
import's parsing helpers share two cores with the process that indexes, so
every millisecond there is felt. It tells Ukrainian from Russian by the
letters each alphabet has alone as well as by the words.

An importer may know the language already (HTML ``lang``, front matter, a PDF's
``/Lang``). That declaration is kept unless the text clearly contradicts it:
the detector is sure of another language and gives the declared one almost no
chance, on enough text to judge (a page template that says ``lang="en"`` over a
Ukrainian article, or ``ru`` over Ukrainian).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# The languages the detector chooses among: the field's sources, plus their neighbours
# that would otherwise be mistaken for one of them.
DETECTED = ("en", "uk", "ru", "de", "fr", "es", "it", "pl", "pt", "nl")
CYRILLIC = frozenset({"uk", "ru", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"})
SAMPLE_CHARS = 400  # detection reads the title and the start of the text (60 words or so)
MIN_LETTERS = 3  # below this there is nothing to judge
SURE = 0.6  # below this confidence the language is left unknown ("") ...
SHORT_LETTERS = 40  # ... and a text shorter than this needs SURE_SHORT, unless Cyrillic:
SURE_SHORT = 0.95  # a few Latin words often read as several languages at once
OVERRULE = 0.9  # a declared language yields only to a detection at least this sure ...
DECLARED_CHANCE = 0.02  # ... that gives the declared language less than this ...
OVERRULE_LETTERS = 80  # ... on at least this many letters of text
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u052f]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Detection:
    language: str  # ISO 639-1 code, "" when the text does not say
    confidence: float  # 0..1, of that language
    chances: tuple[tuple[str, float], ...] = ()  # every candidate, most likely first


def base_language(code: str) -> str:
    """The language part of a tag, lower case: "en-GB" → "en", "uk_UA" → "uk"."""
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower() if code.strip() else ""


def is_language_code(code: str) -> bool:
    """A language tag as people and importers write them: "uk", "en-GB", "pt_BR", "deu"."""
    return _LANGUAGE_TAG.fullmatch(code.strip()) is not None


def detect(text: str) -> Detection:
    """The language of a text ("" when too short or too mixed to say)."""
    sample = text[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return Detection("", 0.0)
    chances = _chances(sample)
    if not chances:
        return Detection("", 0.0)
    language, confidence = chances[0]
    short = letters < SHORT_LETTERS and language not in CYRILLIC
    if confidence < (SURE_SHORT if short else SURE):
        return Detection("", confidence, chances)
    return Detection(language, confidence, chances)


def article_language(declared: str, title: str, text: str) -> str:
    """The language to store: the importer's when plausible, else the detected one."""
    declared = declared.strip()
    sample = f"{title}\n{text[:SAMPLE_CHARS]}"
    found = detect(sample)
    if not declared or not is_language_code(declared):
        return found.language
    if _clearly_wrong(base_language(declared), found, sample):
        return found.language
    return declared


def _clearly_wrong(declared: str, found: Detection, sample: str) -> bool:
    if not found.language or found.language == declared or found.confidence < OVERRULE:
        return False
    letters = len(_LETTER.findall(sample))
    if letters < OVERRULE_LETTERS:
        return False
    cyrillic_text = len(_CYRILLIC_LETTER.findall(sample)) > letters / 2
    if (declared in CYRILLIC) != cyrillic_text:
        return True  # "en" over a Cyrillic text, "ru" over a Latin one
    if declared not in DETECTED:
        return False  # a language the detector does not know: nothing to go on
    return dict(found.chances).get(declared, 0.0) < DECLARED_CHANCE


def _chances(sample: str) -> tuple[tuple[str, float], ...]:
    detector = _detector()
    if detector is None:
        return _chances_by_letters(sample)
    return tuple(
        (value.language.iso_code_639_1.name.lower(), float(value.value))
        for value in detector.compute_language_confidence_values(sample)
    )


@cache
def _detector():
    """Built once per process, on first use (about 0.1 s)."""
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    except ImportError:  # a source checkout without its dependencies: letters only
        return None
    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTED
    ]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def _chances_by_letters(sample: str) -> tuple[tuple[str, float], ...]:
    """Without Lingua: Ukrainian or Russian by the letters only one of them has."""
    lowered = sample.lower()
    ukrainian = sum(lowered.count(ch) for ch in "іїєґ")
    russian = sum(lowered.count(ch) for ch in "ыэъё")
    if ukrainian == russian:
        return ()
    return (("uk", 1.0), ("ru", 0.0)) if ukrainian > russian else (("ru", 1.0), ("uk", 0.0))
