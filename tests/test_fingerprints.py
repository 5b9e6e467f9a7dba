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
    assert found.sha256 == reference_text_fingerprint(text) == fingerprints.text_fingerprint(text)


def test_a_sketch_keeps_the_smallest_distinct_hashes():
    text = " ".join(f"w{i % 50}" for i in range(2000))  # many repeated shingles
    found = fingerprints.fingerprint(text)
    assert len(found.sketch) == len(set(found.sketch)) == 50
    assert list(found.sketch) == sorted(reference_shingles(text))


def test_a_long_text_keeps_a_full_sketch():
    text = " ".join(f"word{i}" for i in range(500))
    sketch = fingerprints.fingerprint(text).sketch
    assert len(sketch) == SKETCH_SIZE
    assert list(sketch) == fingerprints.sketch(reference_shingles(text))
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
