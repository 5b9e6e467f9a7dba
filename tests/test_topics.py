"""Topic rules and the classifier (core, no Qt)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_app.core.textnorm import fold, sentence_spans, stem, words
from archive_app.core.topics import (
    Cancellation,
    Contribution,
    TopicDefinition,
    TopicRules,
    TopicRulesError,
    TopicScore,
    default_rules_path,
)

CW, WC = "child-welfare", "war-crimes"


@pytest.fixture(scope="module")
def rules() -> TopicRules:
    return TopicRules.load(default_rules_path())


def rule_set(body: str, threshold: float = 1, extra: str = "", **top: object) -> TopicRules:
    """A one-topic rule set "t" with the given [topic.terms] body."""
    head = "".join(f"{k} = {v}\n" for k, v in top.items())
    return TopicRules.parse(
        f'{head}[[topic]]\nid = "t"\nthreshold = {threshold}\n[topic.terms]\n{body}\n{extra}'
    )


def score(rules: TopicRules, text: str, title: str = "", topic: str = "t") -> TopicScore:
    return next(s for s in rules.classify(title, text) if s.topic == topic)


def contribution(s: TopicScore, term: str) -> Contribution:
    found = [c for c in s.contributions if c.term == term]
    assert found, f"{term!r} not among {[c.term for c in s.contributions]}"
    return found[0]


def terms_of(s: TopicScore) -> set[str]:
    return {c.term for c in s.contributions}


# -- normalisation ------------------------------------------------------------------


def test_stemming_joins_inflections():
    assert stem("deportations") == stem("deported") == stem("deportation") == stem("deport")
    assert stem(fold("дітей")) == stem(fold("діти"))  # Ukrainian
    assert stem(fold("депортации")) == stem(fold("депортация"))  # Russian


def test_accents_folded_for_latin_script_only():
    assert fold("Déportation") == "deportation"
    assert fold("Völkermord") == "volkermord"
    assert fold("niños") == "ninos"
    assert fold("Kinderschutz") == "kinderschutz"
    assert fold("й") == "й"  # Cyrillic keeps its letters
    assert fold("Їжак") == "їжак"
    assert fold("ребёнок") == "ребенок"  # except ё, as Russian spelling itself does


def test_words_and_sentences():
    assert [w for _, _, w in words("The children's rights; l'enfance")] == [
        "the",
        "children",
        "rights",
        "l",
        "enfance",
    ]
    assert [w for _, _, w in words("сім'я")] == ["сім'я"]  # a Ukrainian apostrophe
    text = "First sentence. Second one!\nA heading\nThird?"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "First sentence.",
        "Second one!",
        "A heading",
        "Third?",
    ]


# -- matching -----------------------------------------------------------------------


def test_stemmed_terms_match_every_inflection():
    r = rule_set('"deportation" = 1')
    for text in ("Deportations rose.", "They were deported.", "A deportation order.", "DEPORT"):
        assert contribution(score(r, text), "deportation").count == 1, text


def test_accent_folded_terms():
    r = rule_set('"déportation" = 1\n"Völkermord" = 1')
    s = score(r, "La deportation. Der VOLKERMORD.")
    assert terms_of(s) == {"déportation", "Völkermord"}


def test_phrase_matches_words_in_a_row_within_a_sentence():
    r = rule_set('"child protection" = 1')
    assert score(r, "Child Protection services were called.").score == 1
    assert score(r, "The protection of a child.").score == 0
    assert score(r, "He was a child. Protection came later.").score == 0


def test_prefix_terms_match_word_beginnings_without_stemming():
    r = rule_set('"Kinderschutz*" = 1\n"deportat*" = 1\n"діт*" = 1')
    s = score(r, "Der Kinderschutzbund. The deportations. Депортація дітей.")
    assert terms_of(s) == {"Kinderschutz*", "deportat*", "діт*"}
    assert score(r, "A report on kindness and deportment.").score == 0


def test_exact_word_terms():
    r = rule_set('"=kind" = 1')
    assert score(r, "Das Kind spielt.").score == 1
    assert score(r, "All kinds of things.").score == 0


def test_longer_term_claims_its_words():
    r = rule_set('"child protection" = 5\n"child" = 1\n"protection" = 1')
    s = score(r, "Child protection matters.")
    assert terms_of(s) == {"child protection"}
    assert s.score == 5


TOGETHER = """
[[topic.together]]
name = "kids + taken"
terms = ["children", "kids"]
near = ["deport*", "abduct*", "forcibly transferred"]
weight = 4
window = 5
"""


def test_together_counts_words_of_both_lists_in_one_sentence():
    r = rule_set('"unrelated" = 1', extra=TOGETHER)
    s = score(r, "The children, according to many sources and officials, were later deported.")
    assert contribution(s, "kids + taken").points == 4
    assert score(r, "Kids were forcibly transferred.").score == 4


def test_together_within_window_across_sentences_but_not_beyond():
    r = rule_set('"unrelated" = 1', extra=TOGETHER)
    assert score(r, "Children left. They were deported.").score == 4
    far = "Children left. Then one two three four five six seven eight. Deported."
    assert score(r, far).score == 0


def test_together_needs_both_lists():
    r = rule_set('"unrelated" = 1', extra=TOGETHER)
    assert score(r, "Children play. Children sing.").score == 0


def test_together_does_not_count_a_pair_inside_one_term():
    r = rule_set('"deported children" = 2', extra=TOGETHER)
    s = score(r, "Deported children.")
    assert terms_of(s) == {"deported children"}


def test_cancel_rule_masks_false_friend():
    extra = """
[[topic.cancel]]
terms = ["child"]
context = ["process*", "element*"]
window = 1
"""
    r = rule_set('"child" = 1', extra=extra)
    s = score(r, "The child process exited. A child element. A child was born.")
    assert contribution(s, "child").count == 1
    assert {(c.term, c.context, c.count) for c in s.cancellations} == {
        ("child", "process*", 1),
        ("child", "element*", 1),
    }
    assert s.cancellations[0].sentences == ("The child process exited.",)


def test_threshold_and_min_terms():
    r = TopicRules.parse(
        '[[topic]]\nid = "t"\nthreshold = 3\nmin_terms = 2\n[topic.terms]\n"a" = 3\n"b" = 0.5\n'
    )
    assert not score(r, "a").assigned  # 3 points from one term only
    s = score(r, "a b")
    assert s.assigned and s.score == 3.5 and s.threshold == 3
    assert not score(r, "b b b").assigned


def test_diminishing_returns():
    r = rule_set('"war" = 2', threshold=10)
    for n in (1, 2, 3, 10):
        s = score(r, " ".join(["war"] * n))
        c = contribution(s, "war")
        assert c.count == n
        assert c.points == pytest.approx(2 * (1 + math.log(n)), abs=1e-3)
    assert not score(r, " ".join(["war"] * 40)).assigned  # 2 × (1 + ln 40) ≈ 9.4


def test_title_counts_twice():
    r = rule_set('"genocide" = 2')
    in_title = contribution(score(r, "", title="Genocide"), "genocide")
    assert in_title.count == 1
    assert in_title.points == pytest.approx(2 * (1 + math.log(2)), abs=1e-3)


def test_long_texts_need_more_evidence():
    r = rule_set('"genocide" = 3', threshold=3, reference_words=100)
    assert score(r, "Genocide. " + "word " * 50).assigned
    long = score(r, "Genocide. " + "word " * 400)
    assert long.threshold == pytest.approx(3 * (1 + math.log(401 / 100)), abs=1e-3)
    assert not long.assigned
    flat = rule_set('"genocide" = 3', threshold=3, reference_words=0)
    assert score(flat, "Genocide. " + "word " * 400).assigned


def test_negative_weights_never_make_a_negative_score():
    r = rule_set('"fiction" = -5\n"war" = 1')
    s = score(r, "war fiction")
    assert s.score == 0 and not s.assigned


# -- the default rules ----------------------------------------------------------------


def test_default_rules_topics(rules):
    assert [t.id for t in rules.topics] == [CW, WC]
    assert all(isinstance(t, TopicDefinition) and t.threshold > 0 for t in rules.topics)
    assert rules.topics[0].label == "Child welfare"
    assert "deportation" in rules.topics[0].description


@pytest.mark.parametrize(
    ("text", "topic", "term"),
    [
        ("Депортація дітей триває.", CW, "депортац* дітей"),
        ("Викрадення дітей з Херсона.", CW, "викраден* дітей"),
        ("Это военные преступления.", WC, "военн* преступлен*"),
        ("Депортация детей продолжается.", CW, "депортац* детей"),
        ("Der Kinderschutz versagt.", CW, "Kinderschutz*"),
        ("Es sind Kriegsverbrechen.", WC, "Kriegsverbrech*"),
        ("Der Völkermord von Srebrenica.", WC, "Völkermord*"),
        ("Des crimes de guerre.", WC, "crim* de guerre"),
        ("La protection de l'enfance est en crise.", CW, "protection de l'enfance"),
        ("Crímenes de guerra en Ucrania.", WC, "crím* de guerra"),
        ("La protección infantil falla.", CW, "protección infantil"),
        ("Crimini di guerra in Sudan.", WC, "crimin* di guerra"),
        ("La tutela dei minori.", CW, "tutela dei minori"),
        ("The IStGH in Den Haag.", WC, "IStGH"),
        ("Ордер МУС на арешт.", WC, "МУС"),
        ("La CPI a émis un mandat.", WC, "CPI"),
    ],
)
def test_non_english_terms(rules, text, topic, term):
    assert term in terms_of(score(rules, text, topic=topic))


@pytest.mark.parametrize(
    ("text", "term", "context"),
    [
        ("The parent waits for its child process to exit.", "child", "process*"),
        ("Select the first child element of the list.", "child", "element*"),
        ("Supermarkets are locked in a price war.", "war", "price*"),
        ("Fifty years of the war on drugs.", "war", "drugs"),
        ("The managers traded insults in a war of words.", "war", "words"),
        ("The trade war escalated with new tariffs.", "war", "trade"),
        ("Library books are the latest front in the culture war.", "war", "culture*"),
        ("A new Star Wars series arrives on Friday.", "war", "star"),
        ("Contracts for post-war reconstruction.", "war", "post"),
        ("Her crime novel opens with a body in a canal.", "crime", "novel"),
        ("The ICC announced the cricket World Cup schedule.", "ICC", "cricket*"),
        ("На МКС вышли в открытый космос.", "МКС", "космос*"),
        ("UK CPI inflation rose to 3.8 percent.", "CPI", "inflation*"),
    ],
)
def test_false_friends_are_cancelled(rules, text, term, context):
    scores = rules.classify("", text)
    cancelled = {(c.term, c.context) for s in scores for c in s.cancellations}
    assert (term, context) in cancelled
    assert not any(s.assigned for s in scores)


@pytest.mark.parametrize(
    "text",
    [
        "A children's choir sang the national anthem before kick-off, and the home side "
        "dominated from the first whistle. The striker scored twice before half-time.",
        "Construction firms are lining up for post-war reconstruction contracts worth "
        "billions. Executives met ministers in Warsaw to discuss bridges and housing.",
        "The author's new history of the Second World War focuses on logistics rather "
        "than battles. It is a rewarding read for anyone interested in military history.",
        "Margaret Ellis, who ran the village bakery for forty years, has died aged 87. "
        "She is survived by two children and five grandchildren.",
        "Planning a trip for the school holidays? Family-friendly resorts offer kids' "
        "clubs and shallow pools. Book early: prices rise once the school term ends.",
        "When the parent process calls fork(), the kernel creates a child process. If the "
        "parent exits first, the orphaned child is adopted by init. Reap the children "
        "with waitpid() to avoid zombie processes.",
    ],
)
def test_passing_mentions_are_not_topics(rules, text):
    assert not any(s.assigned for s in rules.classify("", text))


def test_one_repeated_word_cannot_carry_a_topic(rules):
    text = ". ".join(["The children played in the park"] * 40)
    assert not any(s.assigned for s in rules.classify("Children", text))


def test_clear_articles_get_their_topics(rules):
    both = (
        "Ukraine says Russia has deported thousands of children from occupied territories. "
        "The International Criminal Court issued an arrest warrant for the unlawful "
        "deportation of children, a war crime."
    )
    assert {s.topic for s in rules.classify("", both) if s.assigned} == {CW, WC}
    child = (
        "Social workers missed repeated warning signs of neglect before the death of a "
        "four-year-old boy. The council promised an overhaul of its child protection rules."
    )
    assert {s.topic for s in rules.classify("", child) if s.assigned} == {CW}
    war = (
        "Forensic teams exhumed bodies from a mass grave near the town. Prosecutors are "
        "gathering evidence of war crimes, including torture and summary executions."
    )
    assert {s.topic for s in rules.classify("", war) if s.assigned} == {WC}


def test_reference_article_is_both(rules, reference_article: Path):
    lines = reference_article.read_text(encoding="utf-8").splitlines()
    title, caption, body = lines[0], lines[1], "\n".join(lines[2:])
    scores = {s.topic: s for s in rules.classify(title, body, caption)}
    assert scores[CW].assigned and scores[WC].assigned
    assert "war crim*" in terms_of(scores[WC])
    assert "International Criminal Court" in terms_of(scores[WC])
    assert "child welfare" in terms_of(scores[CW])


# -- explanations ---------------------------------------------------------------------


def test_contributions_carry_counts_and_their_sentences(rules):
    text = (
        "Investigators documented war crimes in the region. "
        "Unrelated sentence about the weather. "
        "More war crimes were reported in March. "
        "A third report of war crimes. "
        "A fourth mention of war crimes. " + "Padding sentence with many words in it. " * 3
    )
    s = score(rules, text, topic=WC)
    c = contribution(s, "war crim*")
    assert c.count == 4 and c.weight == 5
    assert c.points == pytest.approx(5 * (1 + math.log(4)), abs=1e-3)
    assert c.sentences == (
        "Investigators documented war crimes in the region.",
        "More war crimes were reported in March.",
        "A third report of war crimes.",
    )
    assert s.contributions == tuple(sorted(s.contributions, key=lambda c: -c.points))
    together = contribution(s, "investigation/prosecution + atrocities")
    assert together.count == 2  # "investigators" and "documented", each with "war crimes"
    assert together.sentences == ("Investigators documented war crimes in the region.",)


def test_long_sentences_are_trimmed_around_the_match():
    r = rule_set('"genocide" = 1')
    text = "word " * 100 + "the genocide was documented " + "word " * 100 + "."
    (sentence,) = contribution(score(r, text), "genocide").sentences
    assert "genocide" in sentence
    assert len(sentence) <= 205
    assert sentence.startswith("…") and sentence.endswith("…")


def test_scores_are_frozen_dataclasses(rules):
    s = rules.classify("", "war crimes and genocide")[1]
    with pytest.raises(AttributeError):
        s.score = 0  # type: ignore[misc]
    assert isinstance(s.cancellations, tuple)
    assert all(isinstance(c, Cancellation) for c in s.cancellations)


# -- user-defined topics and errors -------------------------------------------------


def test_user_defined_topic_from_a_file(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        """
[lists]
assets = ["asset*", "yacht*", "oligarch*"]

[[topic]]
id = "sanctions"
label = "Sanctions"
description = "Economic sanctions and asset freezes."
threshold = 4
[topic.terms]
"sanction*" = 2
"asset freeze*" = 3
"санкц*" = 2
[[topic.together]]
terms = ["freez*", "seiz*"]
near = ["@assets"]
weight = 2
""",
        encoding="utf-8",
    )
    rules = TopicRules.load(path)
    assert rules.topics == (
        TopicDefinition("sanctions", "Sanctions", "Economic sanctions and asset freezes.", 4.0),
    )
    (s,) = rules.classify("New sanctions", "Authorities seized two yachts. Нові санкції.")
    assert s.assigned
    assert terms_of(s) == {"sanction*", "санкц*", "seiz* + yacht*"}


def test_invalid_toml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[[topic]]\nid = "x"\nthreshold = = 5\n', encoding="utf-8")
    with pytest.raises(TopicRulesError) as e:
        TopicRules.load(path)
    assert str(path) in str(e.value)
    assert "line 3" in str(e.value)


def test_missing_file():
    with pytest.raises(TopicRulesError, match="cannot read"):
        TopicRules.load(Path("/nonexistent/topics.toml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # missing id
            '[[topic]]\nlabel = "X"\nthreshold = 5\n[topic.terms]\n"a" = 1\n',
            ["rules.toml, line 1", "topic #1", "'id'"],
        ),
        (  # a weight that is not a number
            '[[topic]]\nid = "sanctions"\nthreshold = 5\n[topic.terms]\n"a" = 1\n'
            '"sanction*" = "high"\n',
            ["line 6", "topic 'sanctions'", "key 'sanction*'", "must be a number"],
        ),
        (  # duplicate topic id
            '[[topic]]\nid = "a"\nthreshold = 5\n[topic.terms]\n"x" = 1\n\n'
            '[[topic]]\nid = "a"\nthreshold = 5\n[topic.terms]\n"y" = 1\n',
            ["line 8", "topic 'a'", "key 'id'", "duplicate"],
        ),
        (  # unknown key
            '[[topic]]\nid = "a"\ntreshold = 5\n',
            ["line 3", "topic 'a'", "key 'treshold'", "unknown key"],
        ),
        (  # missing threshold
            '[[topic]]\nid = "a"\n[topic.terms]\n"x" = 1\n',
            ["topic 'a'", "key 'threshold'"],
        ),
        (  # bad together weight
            '[[topic]]\nid = "a"\nthreshold = 5\n[topic.terms]\n"x" = 1\n'
            '[[topic.together]]\nterms = ["a"]\nnear = ["b"]\nweight = "x"\n',
            ["line 9", "topic 'a'", "key 'weight'"],
        ),
        (  # unknown word list
            '[[topic]]\nid = "a"\nthreshold = 5\n[topic.terms]\n"x" = 1\n'
            '[[topic.cancel]]\nterms = ["war"]\ncontext = ["@nope"]\n',
            ["line 8", "topic 'a'", "key 'context'", "@nope"],
        ),
        (  # a bad term
            '[[topic]]\nid = "a"\nthreshold = 5\n[topic.terms]\n"x" = 1\n"de*port" = 1\n',
            ["line 6", "topic 'a'", "'*'"],
        ),
        (  # two terms that are the same after normalisation
            '[[topic]]\nid = "a"\nthreshold = 5\n[topic.terms]\n"Déportation" = 1\n'
            '"deportations" = 2\n',
            ["line 6", "topic 'a'", "same term"],
        ),
    ],
)
def test_semantic_errors_name_topic_key_and_line(text, expected):
    with pytest.raises(TopicRulesError) as e:
        TopicRules.parse(text, source="rules.toml")
    message = str(e.value)
    assert message.startswith("rules.toml")
    for part in expected:
        assert part in message, (part, message)


def test_core_never_imports_qt():
    code = (
        "import sys, archive_app.core.topics, archive_app.core.textnorm\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide', 'PyQt'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- robustness ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=80), text=st.text(max_size=600), captions=st.text(max_size=80))
def test_classify_never_raises(rules, title, text, captions):
    for s in rules.classify(title, text, captions):
        assert math.isfinite(s.score) and s.score >= 0
        assert math.isfinite(s.threshold) and s.threshold > 0
        assert s.assigned == (s.score >= s.threshold and s.score > 0) or not s.assigned
        for c in s.contributions:
            assert math.isfinite(c.points) and c.count >= 1
            assert len(c.sentences) <= 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "children",
                "deported",
                "war",
                "crimes",
                "ICC",
                "дітей",
                "Krieg",
                "child",
                "process",
                "price",
                ".",
                "\n",
                "genocide",
                "l'enfance",
                "=",
                "*",
                "Déportés",
            ]
        ),
        max_size=120,
    )
)
def test_classify_on_topic_vocabulary(rules, tokens):
    for s in rules.classify(" ".join(tokens[:5]), " ".join(tokens)):
        assert math.isfinite(s.score) and s.score >= 0
