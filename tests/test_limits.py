"""Import limits: settings kept in the archive, passed to every import, clear when hit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from archive_app.core import limits
from archive_app.core.archive import Archive, InvalidValue
from archive_app.core.importing import PARALLEL_MIN_FILES, PreparedFile, prepare_all
from archive_app.core.limits import DEFAULT_LIMITS, Limits

TEXT = "Title: A short article\n\nThe council met on Tuesday and agreed the budget for the year.\n"


def test_defaults_are_sensible() -> None:
    assert DEFAULT_LIMITS.max_file_bytes == 512 * 1024 * 1024
    assert DEFAULT_LIMITS.max_image_pixels == 80_000_000
    assert DEFAULT_LIMITS.max_text_chars == 5_000_000
    assert limits.validated(DEFAULT_LIMITS) is DEFAULT_LIMITS


def test_a_new_archive_has_the_defaults(archive: Archive) -> None:
    assert archive.limits == DEFAULT_LIMITS
    assert archive.limits_warnings == ()


@pytest.mark.parametrize(
    ("stored", "expected", "warned"),
    [
        (None, DEFAULT_LIMITS, 0),
        ({"max_file_mb": 64}, Limits(max_file_mb=64), 0),
        ({"max_file_mb": "64"}, DEFAULT_LIMITS, 1),
        ({"max_file_mb": 0, "max_text_chars": 2000}, Limits(max_text_chars=2000), 1),
        ({"max_image_megapixels": True}, DEFAULT_LIMITS, 1),
        ({"max_image_megapixels": 1e9}, DEFAULT_LIMITS, 1),
        ({"max_cats": 3}, DEFAULT_LIMITS, 1),
        ([1, 2], DEFAULT_LIMITS, 1),
        ("lots", DEFAULT_LIMITS, 1),
    ],
)
def test_bad_stored_values_fall_back_to_defaults_with_a_warning(
    archive_dir: Path, stored: object, expected: Limits, warned: int
) -> None:
    Archive.open(archive_dir).close()
    marker = archive_dir / "archive.json"
    info = json.loads(marker.read_text("utf-8"))
    if stored is not None:
        info["limits"] = stored
    marker.write_text(json.dumps(info), "utf-8")
    with Archive.open(archive_dir) as archive:
        assert archive.limits == expected
        assert len(archive.limits_warnings) == warned
        assert all("archive.json" in w for w in archive.limits_warnings)


def test_an_unreadable_marker_gives_defaults_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "archive.json").write_text("{not json", "utf-8")
    found, warnings = limits.load(tmp_path)
    assert found == DEFAULT_LIMITS
    assert warnings and "defaults" in warnings[0]
    assert limits.load(tmp_path / "nowhere") == (DEFAULT_LIMITS, ())


def test_set_limits_is_kept_and_keeps_the_rest_of_archive_json(archive_dir: Path) -> None:
    with Archive.open(archive_dir) as archive:
        changed = archive.set_limits(max_file_mb=64, max_text_chars=10_000)
        assert changed == Limits(max_file_mb=64, max_text_chars=10_000)
        assert archive.limits == changed
    info = json.loads((archive_dir / "archive.json").read_text("utf-8"))
    assert info["format"] == 1 and "created_at" in info
    assert info["limits"] == {
        "max_file_mb": 64,
        "max_image_megapixels": 80,
        "max_text_chars": 10_000,
    }
    with Archive.open(archive_dir) as archive:
        assert archive.limits == changed
    assert not list(archive_dir.glob("*.tmp"))


@pytest.mark.parametrize(
    "change",
    [
        {"max_file_mb": 0},
        {"max_file_mb": 10**9},
        {"max_image_megapixels": -1},
        {"max_image_megapixels": 500},
        {"max_text_chars": 10},
    ],
)
def test_out_of_range_values_are_refused_and_nothing_changes(
    archive: Archive, change: dict[str, int]
) -> None:
    before = (archive.root / "archive.json").read_bytes()
    with pytest.raises(InvalidValue, match="must be a whole number from"):
        archive.set_limits(**change)
    assert archive.limits == DEFAULT_LIMITS
    assert (archive.root / "archive.json").read_bytes() == before


def test_a_file_over_the_limit_fails_with_the_setting_to_change(
    archive: Archive, tmp_path: Path
) -> None:
    archive.set_limits(max_file_mb=1)
    big = tmp_path / "big.txt"
    big.write_text(TEXT + ("More words in a long file. " * 50_000), "utf-8")
    small = tmp_path / "small.txt"
    small.write_text(TEXT, "utf-8")
    report = archive.import_paths([big, small])
    (failed,) = report.failed
    assert failed.path == str(big)
    assert "file is 1.3 MB; the largest file imported is 1 MB" in failed.reason
    assert "archive-app limits --max-file-mb" in failed.reason
    assert [i.path for i in report.imported] == [str(small)]


def test_a_text_over_the_limit_fails_with_the_setting_to_change(
    archive: Archive, tmp_path: Path
) -> None:
    archive.set_limits(max_text_chars=1_000)
    long = tmp_path / "long.md"
    long.write_text("# Long\n\n" + "Words of a long article. " * 100, "utf-8")
    report = archive.import_paths([long])
    (failed,) = report.failed
    assert "text is 2,49" in failed.reason
    assert "the longest text imported is 1,000 characters" in failed.reason
    assert "--max-text-chars" in failed.reason


def test_a_far_too_long_text_file_is_refused_unread(archive: Archive, tmp_path: Path) -> None:
    archive.set_limits(max_text_chars=1_000)
    huge = tmp_path / "huge.txt"
    huge.write_text(TEXT + "x" * 5_000, "utf-8")
    (failed,) = archive.import_paths([huge]).failed
    assert "text is at least 1,2" in failed.reason and "--max-text-chars" in failed.reason


def test_a_container_keeps_its_articles_within_the_limit(archive: Archive, tmp_path: Path) -> None:
    archive.set_limits(max_text_chars=1_000)
    bulk = tmp_path / "bulk.json"
    bulk.write_text(
        json.dumps(
            [
                {"title": "Short", "text": "A short record about the ferry timetable."},
                {"title": "Long", "text": "A very long record. " * 100},
            ]
        ),
        "utf-8",
    )
    report = archive.import_paths([bulk])
    (item,) = report.imported
    assert item.title == "Short"
    wanted = "[1] not imported: text is 1,999 characters"
    assert any(wanted in w for w in item.warnings), item.warnings


def test_an_image_over_the_limit_is_refused_and_the_article_kept(
    archive: Archive, tmp_path: Path
) -> None:
    archive.set_limits(max_image_megapixels=1)
    Image.new("RGB", (1200, 1000), (10, 20, 30)).save(tmp_path / "wide.png")
    page = tmp_path / "page.md"
    page.write_text("# Wide\n\n![wide](wide.png)\n\nAn article with a wide picture.\n", "utf-8")
    report = archive.import_paths([page])
    (item,) = report.imported
    (warning,) = item.warnings
    assert "1,200×1,000 pixels (1.2 megapixels)" in warning
    assert "the largest image imported is 1 megapixels" in warning
    assert "--max-image-megapixels" in warning
    assert archive.get(item.id).images[0].sha256 is None


def test_limits_reach_the_helper_processes(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    paths = []
    for n in range(PARALLEL_MIN_FILES):
        path = folder / f"{n:03}.txt"
        path.write_text(f"Title: Article {n}\n\n" + "Some words. " * (10 + 200 * (n % 2)), "utf-8")
        paths.append(path)
    strict = Limits(max_text_chars=1_000)
    outcomes = dict(prepare_all(paths, workers=1, limits=strict))
    for n, path in enumerate(paths):
        if n % 2:
            assert "longest text imported is 1,000" in str(outcomes[path])
        else:
            assert isinstance(outcomes[path], PreparedFile)


def test_the_limits_command(cli, archive_dir: Path) -> None:
    code, out, _ = cli("--archive", archive_dir, "limits")
    assert code == 0
    assert "largest file (MB)" in out and "512" in out and "--max-file-mb" in out
    code, out, _ = cli(
        "--archive", archive_dir, "limits", "--max-file-mb", "64", "--max-text-chars", "20000"
    )
    assert code == 0 and "20,000" in out
    code, out, _ = cli("--archive", archive_dir, "limits", "--json")
    assert json.loads(out) == {
        "max_file_mb": 64,
        "max_image_megapixels": 80,
        "max_text_chars": 20_000,
    }
    code, _, err = cli("--archive", archive_dir, "limits", "--max-image-megapixels", "0")
    assert code == 2 and "largest image (megapixels) must be a whole number from 1" in err
