"""The spelling variants list: its file, its lookups, its mistakes, and a person's additions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive_app.core.archive import Archive
from archive_app.core.models import SearchRequest
from archive_app.core.variants import (
    VARIANTS_FILE,
    Variants,
    VariantsError,
    default_variants_path,
    load_variants,
    parse_variants,
)


@pytest.fixture(scope="module")
def shipped() -> Variants:
    return parse_variants(default_variants_path().read_text("utf-8"))


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Kyiv", {"Kiev", "Київ", "Киев"}),
        ("kiev", {"Kyiv", "Київ"}),  # any case
        ("Києві", {"Kyiv", "Kiev"}),  # an inflected form finds the nominative
        ("Харькове", {"Kharkiv", "Харків"}),
        ("Odessa", {"Odesa", "Одеса"}),
        ("Zaporizhia", {"Zaporizhzhia", "Zaporozhye"}),  # a convention away from a listed one
        ("Lvova-Belova", {"Lvova-Byelova", "Львова-Бєлова"}),
        ("Лвова-Белова", {"Lvova-Belova", "Lvova-Byelova"}),  # misspelt the way the press does
        ("Nikolayev", {"Mykolaiv", "Миколаїв"}),
    ],
)
def test_the_shipped_list_finds_every_spelling(shipped: Variants, word: str, expected: set[str]):
    spellings = shipped.spellings(word)
    assert spellings[0] == word
    assert expected <= set(spellings)


@pytest.mark.parametrize("word", ["children", "Lvova", "Kherson-region", "the"])
def test_other_words_stay_as_they_are(shipped: Variants, word: str):
    assert shipped.spellings(word) == (word,)


def test_the_shipped_file_parses_and_is_not_trivial(shipped: Variants):
    assert len(shipped) >= 30
    for group in shipped.groups:
        assert len(group) >= 2


def test_entries_sharing_a_spelling_merge():
    variants = parse_variants(
        '[places]\nKyiv = ["Kiev"]\n[more]\nKiev = ["Kiew"]\nLviv = ["Lemberg"]\n'
        'Lemberg = ["Lwów"]\n'
    )
    assert len(variants) == 2
    assert set(variants.spellings("Kiew")) == {"Kiew", "Kyiv", "Kiev"}
    assert set(variants.spellings("Lwow")) >= {"Lviv", "Lemberg"}


def test_top_level_entries_are_allowed():
    assert parse_variants('Bucha = ["Буча"]\n').spellings("Буча") == ("Буча", "Bucha")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[places]\nKyiv = ["Kiev"]\nOdesa = "Odessa"\n', 3, "expected a list of spellings"),
        ('[places]\nKyiv = ["Kiev"]\n\n"Lviv" = ["Lvov", 3]\n', 4, "expected a list"),
        ('[people]\nSmith = ["Smyth", "--"]\n', 2, "not a name"),
        ('[places]\nKyiv = ["Kiev"\nOdesa = ["Odessa"]\n', 3, "line 3"),  # TOML's own message
        ('Kyiv = ["Kiev"]\nKyiv = ["Kiew"]\n', 2, "line 2"),  # a key given twice
    ],
)
def test_mistakes_are_reported_with_their_line(text: str, line: int, message: str):
    with pytest.raises(VariantsError) as caught:
        parse_variants(text, source="variants.toml")
    assert f"line {line}" in str(caught.value)
    assert message in str(caught.value)
    assert str(caught.value).startswith("variants.toml")


def test_a_new_archive_gets_a_copy_to_edit(archive: Archive):
    copy = archive.root / VARIANTS_FILE
    assert copy.read_text("utf-8") == default_variants_path().read_text("utf-8")
    assert archive.variants_error == ""


def test_a_broken_file_keeps_the_previous_list(tmp_path: Path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / VARIANTS_FILE).write_text('Kyiv = ["Kiev"]\n', "utf-8")
    good = load_variants(root)
    assert good.error == "" and len(good.variants) == 1
    (root / VARIANTS_FILE).write_text('Kyiv = ["Kiev"]\nKyiv = ["Kiew"]\n', "utf-8")
    broken = load_variants(root, previous=good.variants)
    assert broken.variants is good.variants
    assert "line" in broken.error and "previous list" in broken.error
    on_open = load_variants(root)  # nothing earlier: the shipped list
    assert len(on_open.variants) >= 30


# -- a person's additions ----------------------------------------------------------------


def write_article(folder: Path, name: str, title: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def found(archive: Archive, query: str) -> set[str]:
    page = archive.search(SearchRequest(query=query, limit=50))
    return {h.title for h in page.hits}


def add_entry(archive: Archive, line: str) -> None:
    path = archive.root / VARIANTS_FILE
    text = path.read_text("utf-8") + f"\n[mine]\n{line}\n"
    path.write_text(text, "utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a later time, whatever the clock's grain
    os.utime(path, ns=(stamp, stamp))


def test_additions_take_effect_after_reindex(archive: Archive, tmp_path: Path):
    write_article(tmp_path / "in", "a.txt", "Shelter in Dunmoor", "Families found shelter.")
    write_article(tmp_path / "in", "b.txt", "Shelter in Dunmore", "The old spelling of the town.")
    archive.import_paths([tmp_path / "in"])
    assert found(archive, "Dunmoor") == {"Shelter in Dunmoor"}
    add_entry(archive, 'Dunmoor = ["Dunmore", "Данмур"]')
    archive.rebuild_index()
    assert found(archive, "Dunmoor") == {"Shelter in Dunmoor", "Shelter in Dunmore"}
    assert found(archive, "Данмур") == {"Shelter in Dunmoor", "Shelter in Dunmore"}
    assert "Dunmore" in archive.explain_query("Dunmoor")


def test_additions_take_effect_on_reopening_and_mistakes_are_reported(
    archive_dir: Path, tmp_path: Path, cli
):
    write_article(tmp_path / "in", "a.txt", "Shelter in Dunmoor", "Families found shelter.")
    write_article(tmp_path / "in", "b.txt", "Shelter in Dunmore", "The old spelling of the town.")
    with Archive.open(archive_dir) as archive:
        archive.import_paths([tmp_path / "in"])
        add_entry(archive, 'Dunmoor = ["Dunmore"]')
    with Archive.open(archive_dir) as archive:
        assert found(archive, "Dunmore") == {"Shelter in Dunmoor", "Shelter in Dunmore"}
        add_entry(archive, 'Broken = "not a list"')
        assert found(archive, "Dunmore") == {"Shelter in Dunmoor", "Shelter in Dunmore"}
        assert "line" in archive.variants_error
    code, out, err = cli("--archive", archive_dir, "search", "Dunmore")
    assert code == 0
    assert "warning" in err and VARIANTS_FILE in err and "line" in err
    assert "1 result(s)" in out  # opened with a broken file: the shipped list
