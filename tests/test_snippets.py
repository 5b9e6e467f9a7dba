"""Excerpts with the query's words marked."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive_app.core.index import index_form
from archive_app.core.snippets import excerpt, find_matches, mark

TEXT = (
    "The council met on Monday. Nothing was decided about the bridge. "
    + "Filler sentence about the weather and the harvest. " * 20
    + "Officials said eleven children were deported last autumn; the deportations "
    "were documented by volunteers. " + "More filler about trains and timetables. " * 20
)


def test_matches_use_the_index_form_of_words():
    terms = {index_form("deportation"), index_form("children")}
    found = [TEXT[m.start : m.end] for m in find_matches(TEXT, terms, index_form)]
    assert found == ["children", "deported", "deportations"]


def test_excerpt_centres_on_the_richest_passage():
    terms = {index_form("deportation"), index_form("children")}
    snippet = excerpt(TEXT, find_matches(TEXT, terms, index_form), max_chars=220)
    assert '<mark class="match">children</mark>' in snippet
    assert '<mark class="match">deported</mark>' in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet) < 400


def test_excerpt_without_matches_is_the_opening():
    snippet = excerpt("A short <b>text</b> & more.", [])
    assert snippet == "A short &lt;b&gt;text&lt;/b&gt; &amp; more."


def test_mark_escapes_everything_outside_and_inside_marks():
    assert mark("<x> a&b", [(4, 7)]) == '&lt;x&gt; <mark class="match">a&amp;b</mark>'


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sets(st.sampled_from(["war", "child", "a", "x"]), max_size=3))
def test_excerpt_never_emits_markup_from_the_text(text: str, words: set[str]):
    terms = {index_form(w) for w in words}
    snippet = excerpt(text, find_matches(text, terms, index_form))
    stripped = snippet.replace('<mark class="match">', "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def _matches_word_by_word(text: str, terms: set[str], normalize) -> list[tuple[int, int, str]]:
    """What find_matches must find: every WORD token whose normal form is a term."""
    from archive_app.core.snippets import SCAN_CHARS, WORD

    found = []
    for m in WORD.finditer(text, 0, min(len(text), SCAN_CHARS)):
        if (term := normalize(m.group())) in terms:
            found.append((m.start(), m.end(), term))
    return found


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            ["war", "War", "wars", "U.S", "a", "é", "x1", "war.crimes", "crimes", "x.", ".", " "]
        )
        | st.text(alphabet="wa.r -_,'\n", max_size=4),
        max_size=40,
    ).map("".join),
    st.sets(st.sampled_from(["war", "crime", "us", "a", "e", "x1", "war.crim"]), min_size=1),
)
@example("x.war war U.S.war", {"war"})
@example("war.x war", {"war"})
def test_matches_are_the_words_a_word_by_word_scan_finds(text: str, terms: set[str]):
    found = [(m.start, m.end, m.term) for m in find_matches(text, terms, index_form)]
    assert found == _matches_word_by_word(text, terms, index_form)
