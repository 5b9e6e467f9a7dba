"""Aligning two texts: shared passages, their offsets, and the similarity figure."""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_app.core.comparing import MIN_PASSAGE_WORDS, align, tokenize
from archive_app.core.fingerprints import words
from archive_app.core.models import SharedPassage

BRIDGE = (
    "The regional council voted on Thursday to fund the harbour bridge at Carrow Point, "
    "ending a dispute that had delayed the project for three years. Engineers said the "
    "first span could be lifted into place before the autumn storms arrive."
)
FERRY = (
    "Residents of the northern shore have waited a decade for a crossing. The ferry that "
    "links the two halves of the town runs every forty minutes and stops entirely when the "
    "wind rises above gale force, which happened on nineteen days last winter."
)
LOAN = (
    "The council's finance committee approved a loan from the regional development bank "
    "to cover the rising cost of steel. Opposition members asked why the original estimate "
    "had been so low and demanded an independent review of the tendering process."
)
BOATS = (
    "Fishermen who moor their boats under the planned route asked for a temporary harbour "
    "on the southern side while the piers are built. The harbour master promised a "
    "meeting with every skipper before the end of the month."
)
STORY = "\n\n".join((BRIDGE, FERRY, LOAN, BOATS))
CONCERT = (
    "The county orchestra gave its first concert in the restored assembly rooms on Saturday "
    "evening, playing a programme of overtures and folk songs arranged for strings. Tickets "
    "sold out within a day of going on sale, and the conductor thanked the volunteers who "
    "had spent two winters repainting the ceiling and mending the velvet seats."
)
UKRAINIAN = (
    "Обласна рада в четвер проголосувала за фінансування мосту через гавань у Карров-Пойнт, "
    "завершивши суперечку, яка затримувала проєкт на три роки. Інженери сказали, що перший "
    "проліт можна встановити до осінніх штормів."
)


def quoted(text: str, passage: SharedPassage) -> tuple[str, str]:
    return text[passage.a.start : passage.a.end], passage


def test_identical_texts_are_one_exact_passage_covering_everything():
    shared, similarity = align(STORY, STORY)

    assert similarity == 1.0
    assert len(shared) == 1
    (passage,) = shared
    assert passage.exact
    assert (passage.a.start, passage.a.end) == (0, len(STORY))
    assert (passage.b.start, passage.b.end) == (0, len(STORY))


def test_identical_short_texts_are_shared_too():
    shared, similarity = align("Kherson, 12 May.", "kherson 12 MAY")

    assert similarity == 1.0
    assert len(shared) == 1 and shared[0].exact


def test_reordered_paragraphs_are_all_shared_in_several_passages():
    reordered = "\n\n".join((LOAN, BRIDGE, BOATS, FERRY))

    shared, similarity = align(STORY, reordered)

    assert similarity > 0.99
    assert len(shared) == 4
    assert all(p.exact for p in shared)
    # In a's order; each paragraph pairs with the same paragraph in b.
    assert [p.a.start for p in shared] == sorted(p.a.start for p in shared)
    for passage in shared:
        assert STORY[passage.a.start : passage.a.end] == reordered[passage.b.start : passage.b.end]
    assert {STORY[p.a.start : p.a.end] for p in shared} == {BRIDGE, FERRY, LOAN, BOATS}


def test_an_edited_sentence_stays_one_passage_that_is_not_exact():
    edited = STORY.replace("voted on Thursday", "voted on Friday").replace(
        "Carrow Point", "Carow Point"
    )

    shared, similarity = align(STORY, edited)

    assert len(shared) == 1
    (passage,) = shared
    assert not passage.exact
    assert STORY[passage.a.start : passage.a.end] == STORY
    assert edited[passage.b.start : passage.b.end] == edited
    assert similarity == 1.0  # the changed words lie inside the passage


def test_an_edit_at_the_start_of_a_sentence_keeps_the_whole_sentence():
    a = f"{BRIDGE} {FERRY}"
    b = a.replace("The regional council voted", "The county council voted")

    (passage,) = align(a, b)[0]

    assert passage.a.start == 0 and passage.b.start == 0
    assert not passage.exact


def test_a_rewritten_sentence_splits_the_passages_and_lowers_similarity():
    rewritten = STORY.replace(
        "Residents of the northern shore have waited a decade for a crossing.",
        "Nobody on the far side of the water expected this vote to pass so soon.",
    )

    shared, similarity = align(STORY, rewritten)

    assert len(shared) == 2
    assert 0.8 < similarity < 0.99
    first, second = shared
    assert STORY[first.a.start : first.a.end] == BRIDGE
    assert STORY[second.a.start : second.a.end].startswith("The ferry that links")


def test_disjoint_texts_share_nothing():
    assert align(STORY, CONCERT) == ((), 0.0)


def test_stock_phrases_do_not_count_as_shared_passages():
    a = "Officials said the children were taken to a camp near the river last spring."
    b = "Parents told reporters the children were taken without any warning by soldiers."

    assert align(a, b) == ((), 0.0)


def test_one_or_both_texts_empty():
    assert align("", STORY) == ((), 0.0)
    assert align(STORY, "") == ((), 0.0)
    assert align("", "") == ((), 0.0)
    assert align("   \n", "!!") == ((), 0.0)


def test_different_languages_share_nothing():
    assert align(BRIDGE, UKRAINIAN) == ((), 0.0)


def test_accents_and_capitals_do_not_matter_and_offsets_stay_in_each_text():
    a = "The delegation from Kraków met the mayor of Lviv on Monday to discuss the evacuation."
    b = "THE DELEGATION FROM KRAKOW MET THE MAYOR OF LVIV ON MONDAY TO DISCUSS THE EVACUATION!"

    (passage,) = align(a, b)[0]

    assert passage.exact
    assert (passage.a.start, passage.a.end) == (0, len(a))
    assert (passage.b.start, passage.b.end) == (0, len(b))


def test_chinese_is_compared_character_by_character():
    a = "联合国儿童基金会今天表示，数千名儿童被迫离开家园。"
    b = "记者报道：联合国儿童基金会今天表示，数千名儿童被迫离开家园。"

    (passage,) = align(a, b)[0]

    assert a[passage.a.start : passage.a.end] == a
    assert b[passage.b.start : passage.b.end] == b[5:]


def test_a_passage_pairs_with_one_stretch_only():
    # b repeats the first paragraph: only one of the two copies pairs with it.
    shared, similarity = align(f"{BRIDGE}\n\n{FERRY}", f"{BRIDGE}\n\n{BRIDGE}\n\n{FERRY}")

    spans_b = sorted((p.b.start, p.b.end) for p in shared)
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans_b))
    words_a = len(tokenize(f"{BRIDGE}\n\n{FERRY}").ids)
    covered_a = sum(len(tokenize(f"{BRIDGE}\n\n{FERRY}"[p.a.start : p.a.end]).ids) for p in shared)
    assert covered_a == words_a
    assert similarity < 1.0


def test_passages_end_with_their_sentence_punctuation():
    a = f"Unrelated opening words here. {LOAN} Closing words of another kind entirely."
    b = f"Something else to begin with. {LOAN} And more words at the end of it."

    (passage,) = align(a, b)[0]

    assert a[passage.a.start : passage.a.end] == LOAN
    assert b[passage.b.start : passage.b.end] == LOAN


def test_quotes_around_a_shared_sentence_belong_to_it():
    said = "“We will rebuild every school that was destroyed in the shelling,” the minister said."
    a = f"On Monday in the capital. {said} Nothing else."
    b = f"A different opening line. {said} Other words."

    (passage,) = align(a, b)[0]

    assert a[passage.a.start : passage.a.end] == said


def long_text(rng: random.Random, vocabulary: list[str], words: int) -> list[str]:
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 25)
        sentence = [rng.choice(vocabulary) for _ in range(length)]
        sentences.append(" ".join(sentence).capitalize() + ".")
        count += length
    return sentences


def test_very_long_texts_with_edits_and_moves():
    rng = random.Random(3)
    vocabulary = [
        f"{syllable}{n}" for syllable in ("ka", "lo", "mi", "ter", "vos") for n in range(400)
    ]
    sentences = long_text(rng, vocabulary, 5000)
    edited = list(sentences)
    for i in range(0, len(edited), 25):  # one word changed in every 25th sentence
        parts = edited[i].split()
        parts[len(parts) // 2] = "changed"
        edited[i] = " ".join(parts)
    half = len(edited) // 2
    edited = edited[half:] + edited[:half]  # the two halves swapped
    a, b = " ".join(sentences), " ".join(edited)

    shared, similarity = align(a, b)

    assert similarity > 0.98
    assert 2 <= len(shared) <= 4
    assert not all(p.exact for p in shared)
    unrelated = " ".join(long_text(random.Random(4), vocabulary, 5000))
    assert align(a, unrelated)[1] < 0.02


# -- properties: whatever the texts, passages are well formed ------------------------

WORDS = st.sampled_from(
    [
        "the",
        "children",
        "were",
        "taken",
        "from",
        "school",
        "by",
        "soldiers",
        "in",
        "kherson",
        "and",
        "mariupol",
        "last",
        "spring",
        "officials",
        "said",
        "families",
        "are",
        "searching",
        "for",
        "them",
        "with",
        "help",
        "of",
        "volunteers",
    ]
)


@st.composite
def related_texts(draw) -> tuple[str, str]:
    """Two texts: b is made of a's sentences copied, moved, edited, dropped or added to."""
    sentences = draw(st.lists(st.lists(WORDS, min_size=3, max_size=14), min_size=1, max_size=12))
    b_sentences = []
    for sentence in sentences:
        action = draw(st.sampled_from(["copy", "copy", "edit", "drop", "new"]))
        if action == "copy":
            b_sentences.append(list(sentence))
        elif action == "edit":
            changed = list(sentence)
            changed[draw(st.integers(0, len(changed) - 1))] = draw(WORDS).upper() + "X"
            b_sentences.append(changed)
        elif action == "new":
            b_sentences.append(draw(st.lists(WORDS, min_size=3, max_size=14)))
    b_sentences = draw(st.permutations(b_sentences))
    punctuation = st.sampled_from([". ", "! ", ", ", "\n\n", " — "])

    def join(parts: list[list[str]]) -> str:
        return "".join(" ".join(words) + draw(punctuation) for words in parts)

    return join(sentences), join(b_sentences)


def assert_well_formed(a: str, b: str) -> None:
    shared, similarity = align(a, b)
    assert 0.0 <= similarity <= 1.0
    for text, side in ((a, "a"), (b, "b")):
        spans = sorted((getattr(p, side).start, getattr(p, side).end) for p in shared)
        for start, end in spans:
            assert 0 <= start < end <= len(text)
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, "passages overlap"
    assert [p.a.start for p in shared] == sorted(p.a.start for p in shared)
    vocabulary: dict[str, int] = {}
    for passage in shared:
        words_a = tokenize(a[passage.a.start : passage.a.end], vocabulary).ids
        words_b = tokenize(b[passage.b.start : passage.b.end], vocabulary).ids
        whole = len(shared) == 1 and similarity == 1.0  # the same words, however few
        assert whole or min(len(words_a), len(words_b)) >= MIN_PASSAGE_WORDS
        if passage.exact:
            assert words_a == words_b
        else:
            in_both = sum((Counter(words_a) & Counter(words_b)).values())
            assert in_both >= 0.5 * max(len(words_a), len(words_b))


@settings(max_examples=200, deadline=None)
@given(related_texts())
def test_passages_are_well_formed_for_edited_copies(pair: tuple[str, str]):
    assert_well_formed(*pair)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_text_aligns_without_error(a: str, b: str):
    assert_well_formed(a, a + b)
    assert_well_formed(b, a)


# -- real pages: the reader view against what the importer extracts ------------------


@pytest.mark.corpus
def test_real_pages_align_with_their_reader_view(corpus: Path):
    from archive_app.core.importers.html import parse

    folder = corpus / "readability"
    cases = sorted(p for p in folder.iterdir() if (p / "source.html").is_file())
    if not cases:
        pytest.skip("no readability cases in the corpus")
    similarities = []
    for case in cases:
        expected = (case / "expected.txt").read_text(encoding="utf-8")
        (article,) = parse(case / "source.html", (case / "source.html").read_bytes())
        shared, similarity = align(expected, article.text)
        for passage in shared:
            assert words(expected[passage.a.start : passage.a.end])
            assert words(article.text[passage.b.start : passage.b.end])
        similarities.append(similarity)
    assert statistics.median(similarities) > 0.95
    assert sum(s > 0.8 for s in similarities) >= 0.85 * len(similarities)
