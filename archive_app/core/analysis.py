"""Text analysis for the index: words, lower-cased, accent-folded, stop words out, stemmed.

Whoosh's usual chain (tokenizer | lowercase | charset | stop | stem) runs five
generator stages per token. Real text repeats its words, so this analyzer does
all five steps in one pass and remembers each distinct word's result: indexing
spends its time on postings instead of on re-analysing "the" and "children".

Each word is analysed by its script and the article's language:

- Latin-script words get the Snowball stemmer of the article's language
  (English, German, French, Spanish, Italian, Portuguese, Dutch and the others
  Whoosh ships), English when the article is in a language without one or in a
  Cyrillic one (English names and quotes in a Ukrainian article).
- Cyrillic words in a Ukrainian article are lemmatised with pymorphy3's
  Ukrainian dictionary (Харкові, Харкова → харків), in a Russian one stemmed
  with Snowball's Russian stemmer. A word's own letters overrule the article
  (і, ї, є, ґ are Ukrainian; ы, э, ъ, ё Russian), and in an article of another
  language the letters of the whole text decide.

A query does not know its language, so a query word is looked up in every form
the languages in the archive would have given it (:func:`query_forms`).

A second, *shadow* field holds the capitalised Cyrillic words (names, places,
organisations) romanised and reduced to name keys (``core/transliteration.py``),
so that a query in Latin letters finds them, and the reverse.

The article's language reaches the analyzer with the text itself: the index
writes each text field as a :class:`TaggedText`, a ``str`` that carries it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang import has_stemmer, stemmer_for_language
from whoosh.lang.snowball.russian import RussianStemmer
from whoosh.support.charset import accent_map

from archive_app.core.transliteration import (
    cyrillic_language,
    has_cyrillic,
    name_key,
    name_keys,
    romanize,
)

WORD_PATTERN = r"\w+(?:\.?\w+)*"
LETTERS_PATTERN = r"[^\W\d_]{2,}"
WORD = re.compile(WORD_PATTERN)
_CACHE_LIMIT = 300_000
ANALYSIS_VERSION = 2  # part of the schema: a change here rebuilds existing indexes
DEFAULT_LATIN = "en"
DEFAULT_CYRILLIC = "ru"
# Latin-script languages whose words are stemmed (Whoosh's Snowball stemmers) ...
_LATIN_CANDIDATES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "hu", "ro", "tr",
)  # fmt: skip
STEMMED_LATIN = frozenset(code for code in _LATIN_CANDIDATES if has_stemmer(code))
# ... and those whose words are only folded (no stemmer shipped).
FOLDED_LATIN = frozenset({"pl", "cs", "sk", "sl", "hr", "lt", "lv", "et", "ca", "eu", "ga"})
CYRILLIC_ANALYSED = ("uk", "ru")
_NAMES_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
_UK_TO_RU = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г"})
_LEXEME_LIMIT = 60  # inflected forms a query word is expanded to, at most
_latin_stemmers: dict[str, Callable[[str], str]] = {
    code: stemmer_for_language(code) for code in STEMMED_LATIN
}
_russian = RussianStemmer()


class TaggedText(str):
    """A field value that carries its article's language (ISO 639-1, or "")."""

    language: str

    def __new__(cls, text: str, language: str) -> TaggedText:
        tagged = super().__new__(cls, text)
        tagged.language = language
        return tagged


def language_profile(language: str, text: str = "") -> tuple[str, str]:
    """(Latin, Cyrillic) analysis languages for a text in `language`.

    A Cyrillic article's Latin words are English; in any other article the
    Cyrillic words are Ukrainian or Russian by the letters of the whole text.
    """
    code = language.split("-")[0].split("_")[0].lower()
    latin = code if code in STEMMED_LATIN or code in FOLDED_LATIN else DEFAULT_LATIN
    if code in CYRILLIC_ANALYSED:
        return latin, code
    cyrillic = DEFAULT_CYRILLIC
    if text and has_cyrillic(text):
        lowered = text.lower()
        ukrainian = sum(lowered.count(ch) for ch in "іїєґ")
        russian = sum(lowered.count(ch) for ch in "ыэъё")
        cyrillic = "uk" if ukrainian > russian else DEFAULT_CYRILLIC
    return latin, cyrillic


def fold(word: str) -> str:
    """Lower case, accents off Latin letters (Cyrillic letters are kept), ё as е."""
    folded = word.lower().translate(accent_map)
    return folded.replace("ё", "е") if "ё" in folded else folded


def is_stop(folded: str) -> bool:
    return len(folded) < 2 or folded in STOP_WORDS


def latin_stem(folded: str, language: str) -> str:
    stemmer = _latin_stemmers.get(language)
    return stemmer(folded) if stemmer is not None else folded


def russian_stem(folded: str) -> str:
    try:
        return _russian.stem(folded) or folded
    except Exception:  # an odd mix of scripts inside one word: keep it whole
        return folded


@lru_cache(maxsize=200_000)
def ukrainian_lemma(folded: str) -> str:
    """The dictionary form, preferring common nouns (Харкові → харків, not the surname Харко).

    Without pymorphy3, a light stemmer: Ukrainian letters mapped to their
    nearest Russian ones, then Snowball's Russian stemmer.
    """
    parse = _preferred_parse("uk", folded)
    if parse is None:
        return russian_stem(folded.translate(_UK_TO_RU))
    return parse.normal_form.replace("ё", "е")


@lru_cache(maxsize=200_000)
def russian_lemma(folded: str) -> str:
    """The dictionary form of a Russian word (for name keys; the index itself stems)."""
    parse = _preferred_parse("ru", folded)
    return folded if parse is None else parse.normal_form.replace("ё", "е")


def cyrillic_form(folded: str, language: str) -> str:
    """The indexed form of a folded Cyrillic word: its letters overrule `language`."""
    if "'" in folded or "’" in folded:
        folded = folded.replace("’", "'")
    own = cyrillic_language(folded) or language
    return ukrainian_lemma(folded) if own == "uk" else russian_stem(folded)


@cache
def _morphology(language: str):
    try:
        import pymorphy3
    except ImportError:
        return None
    try:
        return pymorphy3.MorphAnalyzer(lang=language)
    except Exception:  # the dictionary package is missing: stem instead
        return None


def _preferred_parse(language: str, folded: str):
    morph = _morphology(language)
    if morph is None:
        return None
    parses = morph.parse(folded)
    if not parses:
        return None

    def rank(numbered) -> tuple[int, int, int]:
        number, parse = numbered
        pos = parse.tag.POS
        kind = 0 if pos == "NOUN" else 1 if pos in ("ADJF", "ADJS", "PRTF", "PRTS") else 2
        return kind, int(bool(_NAMES_GRAMMEMES & parse.tag.grammemes)), number

    return min(enumerate(parses), key=rank)[1]


@lru_cache(maxsize=20_000)
def _lexeme(language: str, folded: str) -> tuple[str, ...]:
    """Every inflected form of the word's preferred reading (a query word's paradigm).

    Only for words the dictionary knows: for others pymorphy guesses a paradigm
    from the ending, and a misspelling would find words it only resembles.
    """
    morph = _morphology(language)
    if morph is None or not morph.word_is_known(folded):
        return ()
    parse = _preferred_parse(language, folded)
    if parse is None:
        return ()
    forms = dict.fromkeys(f.word.replace("ё", "е") for f in parse.lexeme)
    return tuple(forms)[:_LEXEME_LIMIT]


class _Memo(dict):
    """A dictionary that computes a missing value once: lookups of known words stay in C.

    It keeps at most `limit` values; past that a new word is computed each time.
    """

    def __init__(self, compute: Callable[[str], str], limit: int = _CACHE_LIMIT) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: str) -> str:
        value = self.compute(key)
        if len(self) < self.limit:
            self[key] = value
        return value


class NormalizingTokenizer(Tokenizer):
    """A whole analyzer in one tokenizer: usable wherever Whoosh takes an analyzer."""

    def __init__(self, *, stem: bool = True, stop: bool = True, pattern: str = WORD_PATTERN):
        self.stem = stem
        self.stop = stop
        self.pattern = pattern
        self.languages = ANALYSIS_VERSION
        self._setup()

    def _setup(self) -> None:
        self._expression = re.compile(self.pattern)
        self._caches: dict[tuple[str, str], _Memo] = {}

    # The schema is pickled into the index: keep the settings, not the caches.
    def __getstate__(self) -> dict[str, Any]:
        return {
            "stem": self.stem,
            "stop": self.stop,
            "pattern": self.pattern,
            "languages": self.languages,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"languages": 0} | state)  # an index from before languages
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NormalizingTokenizer) and (
            self.__getstate__() == other.__getstate__()
        )

    def __hash__(self) -> int:
        return hash((self.stem, self.stop, self.pattern, self.languages))

    def normalize(self, word: str, language: str = "") -> str:
        """The indexed form of one word in an article of `language`; "" for a stop word."""
        return self.normalizer(language_profile(language, word))(word)

    def normalizer(self, profile: tuple[str, str]) -> Callable[[str], str]:
        """The cached word → indexed form function for a (Latin, Cyrillic) language profile."""
        return self._forms(profile).__getitem__

    def _forms(self, profile: tuple[str, str]) -> _Memo:
        forms = self._caches.get(profile)
        if forms is None:
            forms = self._caches[profile] = _Memo(self._form_function(profile))
        return forms

    def _form_function(self, profile: tuple[str, str]) -> Callable[[str], str]:
        latin, cyrillic = profile
        stem, stop = self.stem, self.stop

        def form(word: str) -> str:
            folded = fold(word)
            if stop and is_stop(folded):
                return ""
            if not stem:
                return folded
            if has_cyrillic(folded):
                return cyrillic_form(folded, cyrillic)
            return latin_stem(folded, latin)

        return form

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each indexed form in `value` with the word positions it occurs at.

        What indexing a text needs, in one loop: the same forms and positions
        as the tokens of `__call__` (stop words take a position and are left
        out), without a token object per word.
        """
        profile = language_profile(getattr(value, "language", ""), value)
        forms = self._forms(profile)
        if self._expression.groups:  # findall would give the groups, not the words
            words: list[str] = [m.group(0) for m in self._expression.finditer(value)]
        else:
            words = self._expression.findall(value)
        found: dict[str, list[int]] = {}
        for position, word in enumerate(words):
            form = forms[word]
            if form:
                at = found.get(form)
                if at is None:
                    found[form] = [position]
                else:
                    at.append(position)
        return found

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # A pattern (wildcard, prefix): folded, never stemmed.
            matches: Any = [_Whole(value)]
            normalize: Callable[[str], str] = fold
        else:
            matches = self._expression.finditer(value)
            profile = language_profile(getattr(value, "language", ""), value)
            normalize = self.normalizer(profile)
        for pos, match in enumerate(matches):
            word = match.group(0)
            text = normalize(word)
            if not text:
                if removestops:
                    continue
                token.stopped = True
                text = fold(word)
            else:
                token.stopped = False
            token.text = text
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class _Whole:
    """A stand-in for a regex match covering the whole value (tokenize=False)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self, _index: int) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


class NameKeyTokenizer(Tokenizer):
    """The shadow field: capitalised Cyrillic words as Latin name keys.

    Each such word gives the key of its romanised spelling and of its
    romanised dictionary form, at the word's own position (counted over every
    word, as the text field counts them), so phrases work here too.
    """

    def __init__(self) -> None:
        self.version = ANALYSIS_VERSION
        self._setup()

    def _setup(self) -> None:
        self._caches: dict[str, dict[str, tuple[str, ...]]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameKeyTokenizer) and self.version == other.version

    def __hash__(self) -> int:
        return hash(("names", self.version))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.text = name_key(fold(value)) if value else ""
            token.stopped = False
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            yield token
            return
        if not has_cyrillic(value):
            return  # the usual case in a Latin-script archive: nothing to do
        _, cyrillic = language_profile(getattr(value, "language", ""), value)
        cache_ = self._caches.setdefault(cyrillic, {})
        for pos, match in enumerate(WORD.finditer(value)):
            word = match.group(0)
            if not word[0].isupper():
                continue
            keys = cache_.get(word)
            if keys is None:
                keys = index_name_keys(word, cyrillic)
                if len(cache_) < _CACHE_LIMIT:
                    cache_[word] = keys
            for key in keys:
                token.text = key
                token.stopped = False
                token.boost = 1.0
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = start_pos + pos
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token


def index_name_keys(word: str, cyrillic: str) -> tuple[str, ...]:
    """The shadow keys of a capitalised word of a text: romanised as written and as its lemma."""
    if not has_cyrillic(word):
        return ()
    folded = fold(word)
    language = cyrillic_language(folded) or cyrillic
    lemma = ukrainian_lemma(folded) if language == "uk" else russian_lemma(folded)
    spellings = [romanize(folded, language)]
    if lemma != folded and has_cyrillic(lemma):
        spellings.append(romanize(lemma, language))
    return tuple(dict.fromkeys(name_key(s) for s in spellings if s))


# -- the query side ------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def query_forms(word: str, latin: tuple[str, ...]) -> frozenset[str]:
    """Every form a word may be indexed as, whatever the article's language.

    A Latin-script word: its stem in each of `latin` (the Latin-script
    languages of the archive). A Cyrillic word: its Ukrainian lemma and its
    Russian stem, and those of every inflected form of it (Киев is stemmed
    "ки" but Киеве "киев"; the paradigm finds both). Empty for a stop word.
    """
    folded = fold(word)
    if is_stop(folded):
        return frozenset()
    if not has_cyrillic(folded):
        return frozenset(latin_stem(folded, language) for language in latin or (DEFAULT_LATIN,))
    own = cyrillic_language(folded)
    forms = {cyrillic_form(folded, "uk"), cyrillic_form(folded, "ru")}
    if own != "ru":
        forms.update(ukrainian_lemma(f) for f in _lexeme("uk", folded))
    if own != "uk":
        forms.update(russian_stem(f) for f in _lexeme("ru", folded))
    forms.discard("")
    return frozenset(forms)


@lru_cache(maxsize=50_000)
def query_name_keys(word: str) -> frozenset[str]:
    """The shadow keys a query word looks for: its own, or its romanisations' and lemma's."""
    folded = fold(word)
    if not has_cyrillic(folded):
        return frozenset(name_keys(folded))
    keys = set(name_keys(folded))
    own = cyrillic_language(folded)
    for language in (own,) if own else CYRILLIC_ANALYSED:
        keys.update(index_name_keys(folded, language))
    keys.discard("")
    return frozenset(keys)


_PRESS = (
    (re.compile(r"yi$"), "y"),  # Zelenskyi: Zelensky
    (re.compile(r"ii$"), "iy"),  # Andrii: Andriy
    (re.compile(r"([aeiouy])\1+"), r"\1"),  # Mariia: Maria
    (re.compile(r"iy(?=[aeou])"), "i"),  # Mariya, Yuliya: Maria, Yulia
)


def latin_spellings(word: str) -> tuple[str, ...]:
    """A Cyrillic word as Latin-script texts would write it (both standards when unsure).

    Also as the English-language press writes most names, which drops the
    standards' doubled vowels and glides: Марія, Mariia by the standard, is
    Maria in the news; Мария (Mariya) too; Зеленський is Zelensky.
    """
    folded = fold(word)
    if not has_cyrillic(folded):
        return ()
    own = cyrillic_language(folded)
    spellings = [romanize(folded, lang) for lang in ((own,) if own else ("uk", "ru"))]
    for standard in list(spellings):
        press = standard
        for pattern, replacement in _PRESS:
            press = pattern.sub(replacement, press)
        spellings.append(press)
    return tuple(dict.fromkeys(spellings))


@dataclass(frozen=True)
class TermMatcher:
    """Which words of a text a query matched: for snippets and for marking the reader.

    Built from the terms a parsed query holds: indexed forms (`forms`), shadow
    name keys (`names`) and whole words a wildcard matched (`words`). A word is
    marked when any of its readings is among them, so the spelling variant or
    transliteration that matched is marked as it is written.
    """

    forms: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    latin: tuple[str, ...] = (DEFAULT_LATIN,)
    _seen: _Memo = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_seen", _Memo(self._term))

    def __bool__(self) -> bool:
        return bool(self.forms or self.names or self.words)

    @property
    def term(self) -> Callable[[str], str]:
        """word → the query term it matched, "" for none (the shape snippets.find_matches takes).

        A dictionary lookup once a word has been seen: snippets ask for every
        word of twenty texts on every search.
        """
        return self._seen.__getitem__

    def matches(self, word: str) -> bool:
        return bool(self._seen[word])

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every word of the text the query matched."""
        if not self:
            return []
        term = self.term
        return [(m.start(), m.end()) for m in WORD.finditer(text) if term(m.group())]

    def _term(self, word: str) -> str:
        folded, readings, names = _readings(word, self.latin)
        if folded in self.words:
            return folded
        for reading in readings:
            if reading in self.forms:
                return reading
        for key in names:
            if key in self.names:
                return key
        return ""


@lru_cache(maxsize=300_000)
def _readings(word: str, latin: tuple[str, ...]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A word of a text as a query may have matched it: folded, indexed forms, name keys.

    Cached across queries: the snippets of every search go over the same words.
    """
    folded = fold(word)
    if is_stop(folded):
        return folded, (), ()
    if not has_cyrillic(folded):
        return folded, tuple(dict.fromkeys(latin_stem(folded, lang) for lang in latin)), ()
    readings = tuple(dict.fromkeys(cyrillic_form(folded, lang) for lang in CYRILLIC_ANALYSED))
    if not word[:1].isupper():
        return folded, readings, ()
    names = dict.fromkeys(k for lang in CYRILLIC_ANALYSED for k in index_name_keys(word, lang))
    return folded, readings, tuple(names)


def text_analyzer() -> NormalizingTokenizer:
    """Lower-case, accent-folded, stemmed by language: `deportations` and `Déportation` meet."""
    return NormalizingTokenizer()


def spelling_analyzer() -> NormalizingTokenizer:
    """Whole words, folded but not stemmed: the dictionary for "did you mean"."""
    return NormalizingTokenizer(stem=False, stop=False, pattern=LETTERS_PATTERN)


def name_key_analyzer() -> NameKeyTokenizer:
    """Capitalised Cyrillic words as Latin name keys: the transliteration shadow field."""
    return NameKeyTokenizer()
