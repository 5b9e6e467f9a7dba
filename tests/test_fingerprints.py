"""Fingerprints are stored in archives: the fast computation must give the very same values."""

from __future__ import annotations

import hashlib
import heapq
import zlib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive_app.core import fingerprints
from archive_app.core.fingerprints import SHINGLE, SKETCH_SIZE

_MASK = (1 << 64) - 1


def reference_mix(hashes: list[int], i: int) -> int:
    """The formula as first written, in Python integers."""
    value = (hashes[i] * 0x9E3779B97F4A7C15 + hashes[i + 1]) & _MASK
    value = (value * 0xC2B2AE3D27D4EB4F + hashes[i + 2]) & _MASK
    return (value ^ (value >> 29)) * 0x165667B19E3779F9 & _MASK


def reference_shingles(text: str) -> set[int]:
    hashes = [zlib.crc32(w.encode("utf-8")) for w in fingerprints.words(text)]
    if len(hashes) < SHINGLE:
        return {reference_mix(hashes + [0] * (SHINGLE - len(hashes)), 0)} if hashes else set()
    return {reference_mix(hashes, i) for i in range(len(hashes) - SHINGLE + 1)}


def reference_text_fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(fingerprints.words(text)).encode("utf-8")).hexdigest()


# Words from a small vocabulary repeat, as words in articles do; the rest is any text.
_VOCABULARY = ["the", "war", "Kinder", "straße", "дети", "сім'я", "ﬁnal", "É", "naïve", "日本", "1"]
_SEPARATORS = [" ", "  ", "\n", ", ", ". ", "_", "—", "'", "’"]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_VOCABULARY + _SEPARATORS), max_size=400).map("".join),
    st.lists(st.sampled_from(_VOCABULARY), max_size=3).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(texts)
@example("")
@example("   \n\t ")
@example("one")
@example("two words")
@example("exactly three words")
@example("ÉCOLE école ecole Ecole")
@example("Ünïcødé straße ǅ ﬁ 日本語のテキスト x_y_z")
def test_fast_fingerprints_equal_the_reference(text: str):
    expected_shingles = reference_shingles(text)
    assert fingerprints.shingles(text) == expected_shingles
    expected_sketch = heapq.nsmallest(SKETCH_SIZE, expected_shingles)
    found = fingerprints.fingerprint(text)
    assert list(found.sketch) == expected_sketch
    assert all(type(v) is int for v in found.sketch)  # packed and bound as Python ints
    assert found.sha256 == reference_text_fingerprint(text)


def test_a_sketch_keeps_the_smallest_distinct_hashes():
    text = " ".join(f"w{i % 50}" for i in range(2000))  # many repeated shingles
    found = fingerprints.fingerprint(text)
    assert len(found.sketch) == len(set(found.sketch)) == 50
    assert list(found.sketch) == sorted(reference_shingles(text))


def test_a_long_text_keeps_a_full_sketch():
    text = " ".join(f"word{i}" for i in range(500))
    sketch = fingerprints.fingerprint(text).sketch
    assert len(sketch) == SKETCH_SIZE
    assert list(sketch) == heapq.nsmallest(SKETCH_SIZE, reference_shingles(text))
    assert fingerprints.unpack(fingerprints.pack(list(sketch))) == list(sketch)


def test_known_values_do_not_change():
    # Literal values, so that a change to the reference above cannot slip through either.
    assert fingerprints.fingerprint("").sketch == ()
    assert fingerprints.fingerprint("The war crimes tribunal, the war.").sketch == (
        1832535214222085236,
        2245068793158505472,
        16695973199554588480,
        18103371459301714962,
    )
    assert fingerprints.fingerprint("Дети").sketch == (16288725713596675269,)


def reference_near_duplicate(a: list[int], b: list[int]) -> float | None:
    """Both estimates, always computed: what `near_duplicate` decides without its shortcut."""
    jaccard = fingerprints.estimate_jaccard(a, b)
    if jaccard >= fingerprints.NEAR_DUPLICATE_JACCARD:
        return jaccard
    if fingerprints.estimate_containment(a, b) >= fingerprints.NEAR_DUPLICATE_CONTAINMENT:
        return jaccard
    return None


# Sketches as stored: distinct values, ascending, at most SKETCH_SIZE of them, drawn
# from a small range so that two sketches share anything from none to all of them.
sketches = st.lists(
    st.integers(min_value=0, max_value=3 * SKETCH_SIZE), unique=True, max_size=SKETCH_SIZE
).map(sorted)


@settings(max_examples=500)
@given(sketches, sketches)
# A short text found whole in a long one, though only half of its sketch is
# comparable: containment 1.0 from as few shared values as the shortcut allows.
@example(list(range(0, 40, 2)) + list(range(100, 120)), list(range(SKETCH_SIZE)))
# ... and at the very threshold: 16 of the 20 comparable values of 40 held.
@example(
    sorted([*range(0, 32, 2), 1, 3, 5, 7, *range(200, 220)]),
    list(range(0, 2 * SKETCH_SIZE, 2)),
)
def test_near_duplicate_decides_as_both_estimates_do(a: list[int], b: list[int]) -> None:
    assert fingerprints.near_duplicate(a, b) == reference_near_duplicate(a, b)


@settings(max_examples=300)
@given(sketches, st.data())
def test_near_duplicate_decides_as_both_estimates_do_for_versions_of_a_text(
    a: list[int], data: st.DataObject
) -> None:
    # A version keeps most of the values and adds a few: the cases near the thresholds.
    kept = data.draw(st.lists(st.sampled_from(a), unique=True) if a else st.just([]))
    added = data.draw(st.lists(st.integers(3 * SKETCH_SIZE + 1, 4 * SKETCH_SIZE), unique=True))
    b = sorted(kept + added)[:SKETCH_SIZE]
    assert fingerprints.near_duplicate(a, b) == reference_near_duplicate(a, b)
    assert fingerprints.near_duplicate(b, a) == reference_near_duplicate(b, a)
