"""The bulk JSON importer: file shapes, fields, per-record problems and record identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_app.core.importers import ImportFailed, NotAnArticle, importer_for
from archive_app.core.importers.jsonbulk import canonical_record, parse

FIRST = {
    "title": "Council approves flood barrier",
    "text": "The council approved the barrier on Monday.\n\nWork starts in May.",
    "published": "2023-03-17",
    "source": "The Valley Courier",
    "url": "https://courier.example.org/barrier",
    "author": "Jane Doe",
    "language": "en",
    "tags": ["floods", "council"],
}
SECOND = {"title": "Bridge reopens", "text": "The old bridge reopened to traffic today."}


def write(folder: Path, name: str, content: object | str) -> Path:
    path = folder / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def import_file(path: Path):
    return parse(path, path.read_bytes())


def test_registered_for_json_extensions() -> None:
    for name in ("a.json", "a.jsonl", "a.NDJSON"):
        assert importer_for(Path(name)) is parse


def test_array(tmp_path: Path) -> None:
    first, second = import_file(write(tmp_path, "a.json", [FIRST, SECOND]))
    assert first.title == "Council approves flood barrier"
    assert first.text == "The council approved the barrier on Monday.\n\nWork starts in May."
    assert first.html == (
        "<p>The council approved the barrier on Monday.</p><p>Work starts in May.</p>"
    )
    assert first.published == "2023-03-17"
    assert first.source == "The Valley Courier"
    assert first.url == "https://courier.example.org/barrier"
    assert first.author == "Jane Doe"
    assert first.language == "en"
    assert first.tags == ("floods", "council")
    assert (first.record_locator, second.record_locator) == ("[0]", "[1]")
    assert first.record == canonical_record(FIRST)
    assert second.title == "Bridge reopens"
    assert first.warnings == second.warnings == ()


def test_object_with_articles_array(tmp_path: Path) -> None:
    articles = import_file(write(tmp_path, "a.json", {"articles": [FIRST, SECOND], "v": 1}))
    assert [a.title for a in articles] == ["Council approves flood barrier", "Bridge reopens"]
    assert articles[1].record_locator == "[1]"


def test_single_object(tmp_path: Path) -> None:
    (article,) = import_file(write(tmp_path, "a.json", FIRST))
    assert article.title == FIRST["title"]
    assert article.record == canonical_record(FIRST)


def test_jsonl_with_blank_lines(tmp_path: Path) -> None:
    lines = f"{json.dumps(FIRST)}\n\n   \n{json.dumps(SECOND)}\n"
    first, second = import_file(write(tmp_path, "a.jsonl", lines))
    assert (first.record_locator, second.record_locator) == ("line 1", "line 4")
    assert second.title == "Bridge reopens"


def test_jsonl_keeps_good_lines_when_one_is_broken(tmp_path: Path) -> None:
    lines = f'{json.dumps(FIRST)}\n{{"title": "cut off\n{json.dumps(SECOND)}\n'
    first, second = import_file(write(tmp_path, "a.ndjson", lines))
    assert second.record_locator == "line 3"
    assert len(first.warnings) == 1
    assert first.warnings[0].startswith("line 2: invalid JSON at column")


def test_images_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "barrier.jpg").write_bytes(b"jpeg")
    record = dict(
        FIRST,
        images=[
            {"path": "pics/barrier.jpg", "caption": "The barrier", "credit": "J. Smith"},
            {"url": "https://cdn.example.org/x.jpg", "alt": "A bridge"},
        ],
    )
    (article,) = import_file(write(tmp_path, "a.json", [record]))
    local, remote = article.images
    assert local.path == (tmp_path / "pics" / "barrier.jpg").resolve()
    assert local.path.is_file()
    assert (local.caption, local.credit) == ("The barrier", "J. Smith")
    assert remote.path is None and remote.url == "https://cdn.example.org/x.jpg"
    assert remote.alt == "A bridge"
    assert '<img src="image:0"' in article.html and '<img src="image:1"' in article.html
    assert "cdn.example.org" not in article.html


def test_tags_as_list_and_as_string(tmp_path: Path) -> None:
    records = [
        dict(SECOND, tags=["a", " b ", "a"]),
        dict(SECOND, tags="floods, council ,, roads"),
    ]
    first, second = import_file(write(tmp_path, "a.json", records))
    assert first.tags == ("a", "b")
    assert second.tags == ("floods", "council", "roads")


def test_html_record(tmp_path: Path) -> None:
    record = {
        "title": "Storm",
        "html": "<h2>Storm</h2><p>Rain <b>all</b> night.</p><script>alert('x')</script>"
        "<ul><li>one</li><li>two</li></ul><p onclick='x()'>Clear by noon.</p>",
    }
    (article,) = import_file(write(tmp_path, "a.json", [record]))
    assert article.text == "Storm\n\nRain all night.\n\none\n\ntwo\n\nClear by noon."
    assert "<script" not in article.html and "alert" not in article.html
    assert "onclick" not in article.html
    assert "<b>all</b>" in article.html


def test_untitled_record_gets_its_first_sentence(tmp_path: Path) -> None:
    long = "word " * 60
    records = [
        {"text": "Water rose fast. Then it fell again."},
        {"text": long.strip() + ". Second sentence."},
    ]
    short, cut = import_file(write(tmp_path, "a.json", records))
    assert short.title == "Water rose fast"
    assert len(cut.title) <= 111 and cut.title.startswith("word word")


def test_unknown_keys_kept_in_extra(tmp_path: Path) -> None:
    record = dict(SECOND, views=12, meta={"b": [1, 2], "a": None}, section="Local")
    (article,) = import_file(write(tmp_path, "a.json", [record]))
    assert article.extra == {
        "views": "12",
        "meta": '{"a": null, "b": [1, 2]}',
        "section": '"Local"',
    }


def test_bad_records_are_reported_and_the_others_kept(tmp_path: Path) -> None:
    records = [
        {"title": 42, "text": "Numbers are not titles."},
        FIRST,
        {"text": "Tags as an object.", "tags": {"a": 1}},
        {"text": "Images as a string.", "images": "pic.jpg"},
        {"title": "Nothing to read"},
        "not an object",
        SECOND,
    ]
    articles = import_file(write(tmp_path, "a.json", records))
    assert [a.title for a in articles] == [FIRST["title"], SECOND["title"]]
    assert [a.record_locator for a in articles] == ["[1]", "[6]"]
    assert articles[0].warnings == (
        "record [0]: 'title' must be a string, got int",
        "record [2]: 'tags' must be a list or a comma-separated string, not object",
        "record [3]: 'images' must be a list, got string",
        "record [4]: needs 'text' or 'html'",
        "record [5]: must be an object, got string",
    )
    assert articles[1].warnings == ()


def test_bad_date_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    (article,) = import_file(write(tmp_path, "a.json", [dict(SECOND, published="last week")]))
    assert article.published == ""
    assert article.warnings == ("'published' ignored: not a date: 'last week'",)


def test_all_bad_records_fail_the_file(tmp_path: Path) -> None:
    records = [{"title": 1, "text": "x"}, {"text": ["a"]}, {"tags": "x"}]
    with pytest.raises(ImportFailed) as failure:
        import_file(write(tmp_path, "a.json", records))
    message = str(failure.value)
    assert "no record could be imported" in message
    assert "record [0]: 'title' must be a string, got int" in message
    assert "record [1]: 'text' must be a string, got list" in message
    assert "record [2]: needs 'text' or 'html'" in message


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '[\n  {"title": "x",\n   "text": oops}\n]')
    with pytest.raises(ImportFailed, match=r"invalid JSON at line 3, column 12"):
        import_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [("42", "got int"), ('"text"', "got string"), ('{"articles": {}}', "'articles' must be")],
)
def test_wrong_top_level_shapes(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        import_file(write(tmp_path, "a.json", content))


def test_empty_inputs_are_not_articles(tmp_path: Path) -> None:
    for name, content in (("a.json", "[]"), ("b.json", " \n"), ("c.jsonl", "\n\n")):
        with pytest.raises(NotAnArticle):
            import_file(write(tmp_path, name, content))


def test_record_bytes_ignore_key_order_and_whitespace(tmp_path: Path) -> None:
    compact = '[{"title":"Bridge reopens","text":"Open.","tags":["a","b"]}]'
    spaced = '[\n  { "tags" : [ "a", "b" ],\n    "text": "Open.",  "title": "Bridge reopens" }\n]'
    (a,) = import_file(write(tmp_path, "compact.json", compact))
    (b,) = import_file(write(tmp_path, "spaced.json", spaced))
    (c,) = import_file(
        write(tmp_path, "line.jsonl", json.dumps(json.loads(spaced)[0], indent=None))
    )
    assert a.record == b.record == c.record
    assert a.record == b'{"tags":["a","b"],"text":"Open.","title":"Bridge reopens"}'


def test_record_bytes_keep_non_ascii_as_utf8(tmp_path: Path) -> None:
    (article,) = import_file(write(tmp_path, "a.json", [{"text": "Café à Zürich."}]))
    assert article.record == '{"text":"Café à Zürich."}'.encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.one_of(
                st.sampled_from(
                    ["title", "text", "html", "tags", "images", "published", "path", "url"]
                ),
                st.text(max_size=8),
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=json_values, suffix=st.sampled_from([".json", ".jsonl"]))
def test_arbitrary_json_fails_only_cleanly(tmp_path: Path, value: object, suffix: str) -> None:
    if suffix == ".jsonl" and isinstance(value, list):
        data = "\n".join(json.dumps(item) for item in value)
    else:
        data = json.dumps(value)
    path = tmp_path / f"bulk{suffix}"
    try:
        articles = parse(path, data.encode("utf-8"))
    except (ImportFailed, NotAnArticle):
        return
    for article in articles:
        assert article.text and article.title
        assert article.record is not None


def test_tags_items_must_be_text(tmp_path: Path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            [
                {"title": "Good", "text": "Fine text here.", "tags": ["a", " a ", "b"]},
                {"title": "Bad", "text": "Other text here.", "tags": ["a", 3]},
            ]
        ),
        encoding="utf-8",
    )
    (good,) = parse(path, path.read_bytes())
    assert good.tags == ("a", "b")
    assert "record [1]: 'tags' item 2 is int, not text" in good.warnings
