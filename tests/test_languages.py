"""Language detection: short and mixed texts, declared languages, storing and correcting."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_app.core.archive import LANGUAGES_DETECTED_KEY, Archive, InvalidValue
from archive_app.core.languages import (
    article_language,
    base_language,
    detect,
    is_language_code,
)

UKRAINIAN = (
    "Діти, депортовані з Херсонської області, досі не повернулися додому, повідомила "
    "уповноважена з прав людини. Волонтери зібрали списки родин і передали їх до суду."
)
RUSSIAN = (
    "Дети, депортированные из Херсонской области, до сих пор не вернулись домой, сообщила "
    "уполномоченная по правам человека. Волонтёры собрали списки семей и передали их в суд."
)
ENGLISH = (
    "Children deported from the Kherson region have still not returned home, the human "
    "rights commissioner said. Volunteers collected lists of families and gave them to the court."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (UKRAINIAN, "uk"),
        (RUSSIAN, "ru"),
        (ENGLISH, "en"),
        ("Die Kinder wurden aus der Region Cherson deportiert.", "de"),
        ("Les enfants ont été déportés de la région de Kherson.", "fr"),
        ("Los niños fueron deportados de la región de Jersón.", "es"),
        ("I bambini sono stati deportati dalla regione di Kherson.", "it"),
        ("Dzieci zostały deportowane z obwodu chersońskiego.", "pl"),
    ],
)
def test_sentences_in_each_language(text: str, language: str):
    assert detect(text).language == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Київ", "uk"),  # a Ukrainian letter decides
        ("Діти в Харкові", "uk"),
        ("Дети в Харькове", "ru"),
        ("Депортація", "uk"),
        ("Депортация", "ru"),
        ("The children were deported.", "en"),
    ],
)
def test_short_texts(text: str, language: str):
    assert detect(text).language == language


@pytest.mark.parametrize("text", ["", "OK", "12 345", "Kyiv", "Lvova-Belova"])
def test_too_little_to_tell_is_unknown(text: str):
    assert detect(text).language == ""


def test_mixed_texts_get_their_main_language():
    quoted_ukrainian = (
        f"The report quotes the commissioner: «{UKRAINIAN[:90]}». It was published on Monday "
        "in Kyiv by the ministry, which called for the children's return."
    )
    assert detect(quoted_ukrainian).language == "en"
    quoted_english = f"{UKRAINIAN} Уповноважена заявила: «The children must be returned home»."
    assert detect(quoted_english).language == "uk"


def test_a_declared_language_wins_unless_clearly_wrong():
    assert article_language("en-GB", "River levels", ENGLISH) == "en-GB"
    assert article_language("", "Діти", UKRAINIAN) == "uk"
    assert article_language("en", "Діти", UKRAINIAN) == "uk"  # a template's lang over Cyrillic
    assert article_language("ru", "Діти", UKRAINIAN) == "uk"  # the wrong one of the two
    assert article_language("uk", "", "Київ") == "uk"  # too short to overrule
    assert article_language("cs", "Řeka", "Řeka se přes noc zvedla v centru města.") == "cs"
    assert article_language("not a code!", "", ENGLISH) == "en"


def test_language_codes():
    assert base_language("en-GB") == "en"
    assert base_language("uk_UA") == "uk"
    assert base_language("") == ""
    assert is_language_code("pt-BR") and is_language_code("deu")
    assert not is_language_code("english language") and not is_language_code("")


def test_detection_is_fast_enough_for_import():
    import time

    detect(ENGLISH)  # the detector is built on first use
    long_text = (UKRAINIAN + " ") * 40
    start = time.perf_counter()
    for _ in range(20):
        detect(long_text)
    per_article = (time.perf_counter() - start) / 20
    assert per_article < 0.02  # the import budget is 10 ms an article on two cores


# -- in the archive -------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_stores_the_detected_language(archive: Archive, tmp_path: Path):
    write(tmp_path / "in", "uk.txt", f"Діти повертаються\n\n{UKRAINIAN}\n")
    write(tmp_path / "in", "ru.txt", f"Дети возвращаются\n\n{RUSSIAN}\n")
    write(tmp_path / "in", "en.md", f"---\ntitle: Children\nlanguage: en-GB\n---\n\n{ENGLISH}\n")
    write(tmp_path / "in", "wrong.md", f"---\ntitle: Діти\nlanguage: en\n---\n\n{UKRAINIAN}\n")
    report = archive.import_paths([tmp_path / "in"])
    languages = {Path(i.path).name: archive.get(i.id).language for i in report.imported}
    assert languages == {"uk.txt": "uk", "ru.txt": "ru", "en.md": "en-GB", "wrong.md": "uk"}


def test_a_person_corrects_the_language_and_the_index_follows(archive: Archive, tmp_path: Path):
    write(tmp_path / "in", "a.txt", f"Діти повертаються\n\n{UKRAINIAN}\n")
    (item,) = archive.import_paths([tmp_path / "in"]).imported
    assert archive.get(item.id).language == "uk"
    assert archive.set_language(item.id, "RU").language == "ru"
    assert archive.index.search("language:ru").total == 1
    with pytest.raises(InvalidValue, match="not a language code"):
        archive.set_language(item.id, "two words")
    assert archive.set_language(item.id, "").language == "uk"  # detected again
    assert archive.index.search("language:uk").total == 1


def test_articles_from_before_detection_get_a_language_on_open(archive_dir: Path, tmp_path: Path):
    write(tmp_path / "in", "a.txt", f"Діти повертаються\n\n{UKRAINIAN}\n")
    with Archive.open(archive_dir) as archive:
        (item,) = archive.import_paths([tmp_path / "in"]).imported
        with archive.catalog.transaction() as conn:  # as an earlier version left it
            conn.execute("UPDATE articles SET language = ''")
            conn.execute("DELETE FROM meta WHERE key = ?", (LANGUAGES_DETECTED_KEY,))
    with Archive.open(archive_dir) as archive:
        assert archive.get(item.id).language == "uk"
        assert archive.catalog.meta(LANGUAGES_DETECTED_KEY) == "1"


def test_cli_edit_language(archive_dir: Path, tmp_path: Path, cli):
    write(tmp_path / "in", "a.txt", f"Діти повертаються\n\n{UKRAINIAN}\n")
    code, out, _ = cli("--archive", archive_dir, "import", tmp_path / "in", "--json")
    assert code == 0
    import json

    article_id = json.loads(out)["imported"][0]["id"]
    code, out, err = cli("--archive", archive_dir, "edit", article_id, "--language", "ru")
    assert code == 0, err
    assert "language   ru" in out
    code, out, _ = cli("--archive", archive_dir, "show", article_id, "--json")
    assert json.loads(out)["language"] == "ru"
    code, _, err = cli("--archive", archive_dir, "edit", article_id, "--language", "?!")
    assert code == 2 and "not a language code" in err
    code, _, err = cli("--archive", archive_dir, "edit", article_id)
    assert code == 2 and "--language" in err
