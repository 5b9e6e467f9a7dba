"""Text analysis for the index: words, lower-cased, accent-folded, stop words out, stemmed.

Whoosh's usual chain (tokenizer | lowercase | charset | stop | stem) runs five
generator stages per token. Real text repeats its words, so this analyzer does
all five steps in one pass and remembers each distinct word's result: indexing
spends its time on postings instead of on re-analysing "the" and "children".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

WORD_PATTERN = r"\w+(?:\.?\w+)*"
LETTERS_PATTERN = r"[^\W\d_]{2,}"
_CACHE_LIMIT = 300_000
_english_stem: Callable[[str], str] = stemmer_for_language("en")


class NormalizingTokenizer(Tokenizer):
    """A whole analyzer in one tokenizer: usable wherever Whoosh takes an analyzer."""

    def __init__(self, *, stem: bool = True, stop: bool = True, pattern: str = WORD_PATTERN):
        self.stem = stem
        self.stop = stop
        self.pattern = pattern
        self._setup()

    def _setup(self) -> None:
        self._expression = re.compile(self.pattern)
        self._cache: dict[str, str] = {}

    # The schema is pickled into the index: keep the settings, not the cache.
    def __getstate__(self) -> dict[str, Any]:
        return {"stem": self.stem, "stop": self.stop, "pattern": self.pattern}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NormalizingTokenizer) and (
            self.__getstate__() == other.__getstate__()
        )

    def __hash__(self) -> int:
        return hash((self.stem, self.stop, self.pattern))

    def normalize(self, word: str) -> str:
        """The indexed form of one word; "" for a stop word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        folded = word.lower().translate(accent_map)
        if self.stop and (len(folded) < 2 or folded in STOP_WORDS):
            result = ""
        else:
            result = _english_stem(folded) if self.stem else folded
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = result
        return result

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
            matches: Any = [_Whole(value)]
        else:
            matches = self._expression.finditer(value)
        normalize = self.normalize
        for pos, match in enumerate(matches):
            word = match.group(0)
            text = normalize(word)
            if not text:
                if removestops:
                    continue
                token.stopped = True
                text = word.lower().translate(accent_map)
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


def text_analyzer() -> NormalizingTokenizer:
    """Lower-case, accent-folded, stemmed: `deportations` and `Déportation` meet `deport`."""
    return NormalizingTokenizer()


def spelling_analyzer() -> NormalizingTokenizer:
    """Whole words, folded but not stemmed: the dictionary for "did you mean"."""
    return NormalizingTokenizer(stem=False, stop=False, pattern=LETTERS_PATTERN)
