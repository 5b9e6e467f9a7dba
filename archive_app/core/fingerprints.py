"""Text fingerprints for finding the same article in different files.

An exact fingerprint (the normalised text's SHA-256) catches the same text
re-saved with other bytes. For near copies each text keeps a bottom-k MinHash
sketch of its word-3-shingle hashes: the smallest few serve as lookup keys
(near copies share some of them), and comparing two whole sketches estimates
the shingle Jaccard, and how much of one text the other holds, without
re-reading either text.

Two texts are versions of one another when they share at least half of their
shingles (Jaccard ≥ 0.5: a story with a few sentences rewritten, a paragraph
added or dropped, paragraphs moved), or when nearly all of one is in the other
and it is at least half as long (a wire story trimmed). Different articles on
one topic share almost no three-word runs (Jaccard about 0.01), so the margin
is wide; bench/bench_compare.py measures it on constructed pairs.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
import zlib
from array import array
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")  # accents left apart by NFKD
SHINGLE = 3
SKETCH_SIZE = 64  # stored per article; the estimate's error is about 1/sqrt(64)
LOOKUP_KEYS = 8  # of the sketch's smallest values, indexed for candidate lookup
MIN_SHARED_KEYS = 2  # versions share about Jaccard × 8 of them; different texts none
NEAR_DUPLICATE_JACCARD = 0.5
NEAR_DUPLICATE_CONTAINMENT = 0.8  # of the shorter text found in the longer (a trimmed copy)


def words(text: str) -> list[str]:
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded)


@dataclass(frozen=True)
class TextFingerprint:
    sha256: str  # of the normalised text: the same text re-saved with other bytes
    sketch: tuple[int, ...]  # bottom-k of the word-3-shingle hashes, ascending


def fingerprint(text: str) -> TextFingerprint:
    """Both fingerprints of a text, splitting it into words once."""
    found = words(text)
    return TextFingerprint(_words_sha256(found), tuple(_sketch_of_words(found)))


def shingles(text: str) -> set[int]:
    """64-bit hashes of every run of three words (or of the whole text when shorter)."""
    return set(_shingle_hashes(words(text)).tolist())


def _words_sha256(found: list[str]) -> str:
    return hashlib.sha256(" ".join(found).encode("utf-8")).hexdigest()


def _sketch_of_words(found: list[str], size: int = SKETCH_SIZE) -> list[int]:
    """heapq.nsmallest(size, set(hashes)): sorted, then each value once."""
    hashes = np.sort(_shingle_hashes(found))
    if len(hashes) > 1:
        hashes = hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]
    return hashes[:size].tolist()


_MUL_FIRST = np.uint64(0x9E3779B97F4A7C15)
_MUL_SECOND = np.uint64(0xC2B2AE3D27D4EB4F)
_MUL_FINAL = np.uint64(0x165667B19E3779F9)
_SHIFT = np.uint64(29)


def _shingle_hashes(found: list[str]) -> np.ndarray:
    """The hash of each run of three words, in text order (repeats kept), as uint64.

    Multiply-and-add with odd 64-bit constants spreads three 32-bit word hashes
    over 64 bits; stable across runs and machines, unlike hash(). uint64 array
    arithmetic wraps modulo 2**64, so these are the values the sketches already
    stored in archives hold (the tests keep the plain integer formula).
    """
    if not found:
        return np.empty(0, dtype=np.uint64)
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, found)), dtype=np.uint64, count=len(found))
    if len(hashes) < SHINGLE:  # the whole text is one shingle, padded with zeros
        hashes = np.concatenate([hashes, np.zeros(SHINGLE - len(hashes), dtype=np.uint64)])
    value = hashes[:-2] * _MUL_FIRST + hashes[1:-1]
    value = value * _MUL_SECOND + hashes[2:]
    return (value ^ (value >> _SHIFT)) * _MUL_FINAL


def pack(values: list[int]) -> bytes:
    return array("Q", values).tobytes()


def unpack(data: bytes) -> list[int]:
    values = array("Q")
    values.frombytes(data)
    return values.tolist()


def estimate_jaccard(a: list[int], b: list[int], size: int = SKETCH_SIZE) -> float:
    """Bottom-k estimate: the share of the union's k smallest hashes found in both."""
    if not a and not b:
        return 1.0
    union = heapq.nsmallest(size, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for v in union if v in both) / len(union)


def estimate_containment(a: list[int], b: list[int], size: int = SKETCH_SIZE) -> float:
    """Estimated share of one text's shingles that the other holds (the larger way), 0..1.

    A full sketch holds every value of its text up to its largest, so the
    other sketch's values up to there are known to be in that text or not,
    and the share found estimates the containment. The shorter text's share
    is estimated only when at least half of its sketch falls in that range,
    that is when it is at least about half as long as the other: a paragraph
    quoted in a long article scores about their length ratio, not 1.
    """
    best = 0.0
    for part, whole in ((a, b), (b, a)):
        if not part or not whole:
            continue
        limit = whole[-1] if len(whole) >= size else None  # a short text's sketch is all of it
        decidable = [v for v in part if limit is None or v <= limit]
        if len(decidable) * 2 < len(part):
            continue
        held = set(whole)
        best = max(best, sum(1 for v in decidable if v in held) / len(decidable))
    return best


def near_duplicate(a: list[int], b: list[int]) -> float | None:
    """The estimated Jaccard of two sketches when their texts are versions of one another."""
    if not _may_be_near(a, b):
        return None
    jaccard = estimate_jaccard(a, b)
    if jaccard >= NEAR_DUPLICATE_JACCARD:
        return jaccard
    if estimate_containment(a, b) >= NEAR_DUPLICATE_CONTAINMENT:
        return jaccard
    return None


def _may_be_near(a: list[int], b: list[int]) -> bool:
    """False when the sketches share too few values for either estimate to pass.

    Most candidates an article's lookup keys find are other texts on the same
    subject that share a stock phrase or two: counting the shared values rules
    them out at a fraction of the cost of both estimates. Both count shared
    values only: Jaccard over at least the shorter sketch's length of values
    (sketches hold at most SKETCH_SIZE values, each once), containment over at
    least half of the shorter sketch.
    """
    if not a or not b:
        return True  # an empty sketch: the estimates decide
    shared = len(set(a).intersection(b))
    share = min(NEAR_DUPLICATE_JACCARD, NEAR_DUPLICATE_CONTAINMENT / 2)
    return shared >= share * min(len(a), len(b))


def to_signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - (1 << 64) if value >= 1 << 63 else value
