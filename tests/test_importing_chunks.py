"""Helper processes prepare files a few at a time; outcomes, order and recovery stay per file."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from archive_app.core.importing import (
    FILES_PER_TASK,
    PARALLEL_MIN_FILES,
    _prepare_chunk_in_helper,
    _Raised,
    prepare_all,
)


def make_files(folder: Path, count: int) -> list[Path]:
    """Articles, with an empty file and an unreadable one among them."""
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:04d}.txt").write_text(
            f"Report {i}\n\nVolunteers recorded {i} statements in Brenn, witness {i * 7}.\n",
            encoding="utf-8",
        )
    (folder / "0003.txt").write_text("", encoding="utf-8")
    (folder / "0005.txt").write_bytes(b"\x00\x01\x02")
    return sorted(folder.iterdir())


def summary(outcomes) -> list[tuple[Path, str, str]]:
    return [(p, type(o).__name__, getattr(o, "sha256", str(o))) for p, o in outcomes]


@pytest.mark.parametrize("workers", [1, 2])
def test_outcomes_arrive_in_order_across_chunks(tmp_path: Path, workers: int):
    count = max(PARALLEL_MIN_FILES, FILES_PER_TASK * 6) + 3  # a last, partial chunk
    assert count % FILES_PER_TASK
    paths = make_files(tmp_path / "in", count)
    here = summary(prepare_all(paths))
    there = summary(prepare_all(paths, workers=workers))
    assert there == here
    assert [p for p, _, _ in there] == paths
    assert {kind for _, kind, _ in there} == {"PreparedFile", "NotAnArticle", "ImportFailed"}


def test_a_helper_that_dies_leaves_the_rest_to_this_process(tmp_path: Path):
    paths = make_files(tmp_path / "in", 400)
    here = summary(prepare_all(paths))
    outcomes = prepare_all(paths, workers=1)
    first = next(outcomes)
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)
    there = summary([first, *outcomes])
    assert there == here


def test_an_unexpected_error_is_raised_at_its_file(tmp_path: Path):
    paths: list = make_files(tmp_path / "in", PARALLEL_MIN_FILES + FILES_PER_TASK)
    paths[FILES_PER_TASK + 2] = 12345  # not a path: preparing it raises, as a bug would

    def until_error(workers: int) -> tuple[list[Path], type]:
        seen = []
        with pytest.raises(Exception) as raised:
            for path, _ in prepare_all(paths, workers=workers):
                seen.append(path)
        return seen, raised.type

    assert until_error(1) == until_error(0) == (paths[: FILES_PER_TASK + 2], AttributeError)
    with pytest.raises(AttributeError) as raised:
        list(prepare_all(paths, workers=1))
    assert "in a helper process" in "".join(getattr(raised.value, "__notes__", []))


def test_a_chunk_stops_at_an_unexpected_error(tmp_path: Path):
    good = make_files(tmp_path / "in", 3)
    outcomes = _prepare_chunk_in_helper([good[0], 12345, good[1]])  # type: ignore[list-item]
    assert len(outcomes) == 2
    assert not isinstance(outcomes[0], _Raised)
    assert isinstance(outcomes[1], _Raised) and isinstance(outcomes[1].error, AttributeError)
