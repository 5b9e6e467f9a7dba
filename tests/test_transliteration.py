"""Romanisation, name keys and the analyzer per language: stems, folding, the shadow field."""

from __future__ import annotations

import pickle

import pytest

from archive_app.core.analysis import (
    NameKeyTokenizer,
    NormalizingTokenizer,
    TaggedText,
    TermMatcher,
    language_profile,
    latin_spellings,
    name_key_analyzer,
    query_forms,
    query_name_keys,
    text_analyzer,
)
from archive_app.core.transliteration import (
    cyrillic_language,
    name_key,
    name_keys,
    romanizations,
    romanize,
    skeleton,
)

# -- romanisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ukrainian", "latin"),
    [
        ("Київ", "kyiv"),
        ("Харків", "kharkiv"),
        ("Запоріжжя", "zaporizhzhia"),
        ("Миколаїв", "mykolaiv"),
        ("Львів", "lviv"),
        ("Згурівка", "zghurivka"),  # зг is zgh
        ("Юлія", "yuliia"),  # ю at the start, я inside
        ("Єнакієве", "yenakiieve"),
        ("Їжакевич", "yizhakevych"),
        ("Йосип", "yosyp"),
        ("Ґорґани", "gorgany"),
        ("м'ясо", "miaso"),  # the apostrophe is left out; я after it is not initial
        ("Львова-Бєлова", "lvova-bielova"),
    ],
)
def test_ukrainian_national_romanisation(ukrainian: str, latin: str):
    assert romanize(ukrainian, "uk") == latin


@pytest.mark.parametrize(
    ("russian", "latin"),
    [
        ("Киев", "kiev"),
        ("Харьков", "kharkov"),
        ("Запорожье", "zaporozhye"),  # ye after the soft sign
        ("Николаев", "nikolaev"),
        ("Щёкино", "shchekino"),
        ("Львова-Белова", "lvova-belova"),
        ("Дарья", "darya"),
        ("Объект", "obyekt"),
    ],
)
def test_russian_bgn_style_romanisation(russian: str, latin: str):
    assert romanize(russian, "ru") == latin


def test_the_letters_decide_which_standard():
    assert cyrillic_language("Київ") == "uk"
    assert cyrillic_language("съезд") == "ru"
    assert cyrillic_language("Херсон") == ""
    assert romanizations("Київ") == ("kyiv",)
    assert set(romanizations("Горлова")) == {"horlova", "gorlova"}  # г: h or g


@pytest.mark.parametrize(
    "spellings",
    [
        ("Odesa", "Odessa", "Одеса", "Одесса", "Одесі"),
        ("Lysychansk", "Lisichansk", "Лисичанськ", "Лисичанск"),
        ("Belova", "Byelova", "Бєлова", "Белова", "Бєлової", "Беловой"),
        ("Zaporizhzhia", "Zaporizhia", "Запоріжжя", "Запоріжжі"),
        ("Zelenskyy", "Zelensky", "Zelenskiy", "Зеленський", "Зеленский", "Зеленського"),
        ("Mariupol", "Маріуполь", "Маріуполі", "Мариуполя"),
        ("Sievierodonetsk", "Severodonetsk", "Сєвєродонецьк", "Северодонецк"),
        ("Yulia", "Yuliya", "Iuliia", "Julia", "Юлія", "Юлия"),
    ],
)
def test_spelling_conventions_share_a_name_key(spellings: tuple[str, ...]):
    keys = [set(name_keys(s)) for s in spellings]
    shared = set.intersection(*keys)
    assert shared, dict(zip(spellings, keys, strict=True))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kyiv", "Kiev"), ("Kharkiv", "Kharkov"), ("Lviv", "Lvova"), ("Kherson", "Kharkiv")],
)
def test_different_words_keep_different_keys(a: str, b: str):
    assert name_key(a) != name_key(b)


def test_skeleton_and_key():
    assert skeleton("Zaporizhzhia") == "zaporizhia"
    assert skeleton("Müller") == "muler"
    assert name_key("Kharkova") == "kharkov"
    assert name_key("Kyiv") == "kiv"
    assert name_key("Ode") == "ode"  # never cut below three letters


# -- the analyzer per language ------------------------------------------------------------


def tokens(text: str, language: str = "") -> list[str]:
    value = TaggedText(text, language) if language else text
    return [t.text for t in text_analyzer()(value)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "The children were deported", ["children", "were", "deport"]),  # "the": a stop word
        ("de", "Die Kinder wurden deportiert", ["die", "kind", "wurd", "deportiert"]),
        ("fr", "Les enfants déportés", ["le", "enfant", "deport"]),
        ("es", "Los niños deportados", ["los", "nin", "deport"]),
        ("it", "I bambini deportati", ["bambin", "deport"]),
        ("ru", "Дети депортированы из Харькова", ["дет", "депортирова", "из", "харьков"]),
        ("uk", "Діти депортовані з Харкова", ["дитина", "депортований", "харків"]),
    ],
)
def test_each_language_has_its_stemmer(language: str, text: str, expected: list[str]):
    assert tokens(text, language)[: len(expected)] == expected


def test_ukrainian_inflections_meet_at_the_lemma():
    forms = {tokens(w, "uk")[0] for w in ("Харків", "Харкова", "Харкові", "Харковом")}
    assert forms == {"харків"}
    assert {tokens(w, "uk")[0] for w in ("дитина", "дітей", "діти", "дітям")} == {"дитина"}


def test_accents_fold_on_latin_letters_only():
    assert tokens("Müller Łódź café", "en") == ["muller", "lodz", "cafe"]
    assert tokens("Київ йод ёлка", "uk")[0] == "київ"  # ї and й are kept
    assert tokens("ёлка", "ru") == tokens("елка", "ru")  # ё is е


def test_a_words_own_letters_overrule_the_article_language():
    # A Russian word in a Ukrainian article is stemmed as Russian, and the reverse.
    assert tokens("съезды", "uk") == tokens("съезды", "ru")
    assert tokens("Харкові", "ru") == ["харків"]


def test_cyrillic_in_a_latin_article_follows_the_letters_of_the_text():
    assert language_profile("en", "Діти і родини") == ("en", "uk")
    assert language_profile("en", "Дети и семьи") == ("en", "ru")
    assert language_profile("uk-UA") == ("en", "uk")
    assert language_profile("de") == ("de", "ru")
    assert language_profile("pl") == ("pl", "ru")  # Polish: folded, not stemmed


def test_patterns_are_folded_never_stemmed():
    analyzer = text_analyzer()
    assert [t.text for t in analyzer("Орфан?ge*", tokenize=False)] == ["орфан?ge*"]
    assert [t.text for t in analyzer("Déport*", tokenize=False)] == ["deport*"]


def test_the_analyzer_state_is_part_of_the_schema():
    analyzer = text_analyzer()
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer and copy.normalize("Harkivs") == analyzer.normalize("Harkivs")
    older = NormalizingTokenizer.__new__(NormalizingTokenizer)
    older.__setstate__({"stem": True, "stop": True, "pattern": analyzer.pattern})
    assert older != analyzer  # an index from before languages is rebuilt
    assert pickle.loads(pickle.dumps(name_key_analyzer())) == NameKeyTokenizer()


# -- the shadow field and the query side -----------------------------------------------


def name_tokens(text: str, language: str) -> list[tuple[str, int]]:
    return [
        (t.text, t.pos) for t in name_key_analyzer()(TaggedText(text, language), positions=True)
    ]


def test_shadow_field_holds_capitalised_cyrillic_words_as_keys():
    found = name_tokens("Волонтери у Харкові зустріли Марію Львову-Бєлову. Kyiv", "uk")
    keys = {k for k, _ in found}
    assert {"kharkiv", "lvov", "belov"} <= keys
    assert "zustril" not in "".join(keys)  # lower-case words are not names
    positions = dict(found)
    assert positions["belov"] == positions["lvov"] + 1  # phrases work in this field too
    assert name_tokens("Children in Kharkiv", "en") == []  # a Latin text adds nothing


def test_query_forms_cover_every_language_and_inflection():
    assert query_forms("deportations", ("en", "de")) == {"deport", "deportation"}
    assert query_forms("the", ("en",)) == frozenset()
    kyiv = query_forms("Киев", ("en",))
    assert {"ки", "киев"} <= kyiv  # Snowball gives Киев "ки" and Киеве "киев"
    assert "харків" in query_forms("Харкові", ("en",))


def test_query_name_keys_and_latin_spellings():
    assert query_name_keys("Kharkiv") == {"kharkiv"}
    assert "kharkiv" in query_name_keys("Харкові")  # through the lemma
    assert latin_spellings("Харків") == ("kharkiv",)
    assert set(latin_spellings("Белова")) == {"belova"}
    assert latin_spellings("Марія") == ("mariia", "maria")  # the standard, and the press


def test_term_matcher_marks_the_spelling_the_text_uses():
    matcher = TermMatcher(forms=frozenset({"харків", "kharkiv"}), names=frozenset({"kharkov"}))
    text = "У Харкові, in Kharkiv, в Харькове; Kharkov"
    marked = [text[a:b] for a, b in matcher.spans(text)]
    assert marked == ["Харкові", "Kharkiv", "Харькове"]
    assert not TermMatcher() and TermMatcher().spans(text) == []
