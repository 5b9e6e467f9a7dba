"""Excerpts with the query's words marked."""

from __future__ import annotations

from hypothesis import given, settings
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
