"""SIGKILL an importing process at chosen and random moments; the archive must survive.

The long version (a hundred trials) is bench/crash_trials.py; this runs one
trial per kind of kill, accumulating crashes in one archive as real use would.
"""

from __future__ import annotations

import random
from pathlib import Path

import crash_harness as harness  # tests/ is on the path, as for conftest
import pytest

from archive_app.core.archive import Archive

CORPUS_SIZE = 36


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[harness.CorpusFile]]:
    folder = tmp_path / "corpus"
    return folder, harness.make_corpus(folder, CORPUS_SIZE, seed=7)


def test_kills_in_every_phase_lose_nothing(tmp_path: Path, corpus):
    folder, files = corpus
    root = tmp_path / "archive"
    completed: dict[str, str] = {}
    rng = random.Random(11)

    results = [
        harness.run_trial(root, folder, files, completed, phase, rng) for phase in harness.PHASES
    ]

    for result in results:
        assert result.failures == [], (result.phase, result.failures)
    assert all(r.killed for r in results if r.phase != "random")
    assert len(completed) >= 5  # the trials did import between the kills
    table = harness.summarize(results, len(completed))
    assert table["all"]["lost"] == table["all"]["duplicates"] == 0
    assert table["all"]["check_failures"] == 0


def test_a_cut_blob_write_is_cleared_on_the_next_open(tmp_path: Path, corpus):
    folder, files = corpus
    root = tmp_path / "archive"
    completed: dict[str, str] = {}
    # The third blob write dies halfway: a leftover and, for a page, a stored original
    # whose images and catalog rows never came.
    killed, _, reported, _ = harness.run_child(root, folder, 2, "blob", _Fixed(3))
    completed.update(reported)
    assert killed
    assert list((root / "blobs").glob("*/.tmp-crash"))

    result = harness.TrialResult("blob", killed, reported)
    harness.verify(root, folder, files, completed, result)

    assert result.failures == []
    assert not list((root / "blobs").glob("*/.tmp-*"))


def test_a_kill_after_the_index_commit_leaves_the_index_writable(tmp_path: Path, corpus):
    folder, files = corpus
    root = tmp_path / "archive"
    # An odd count dies after Whoosh wrote its table of contents, holding its write lock.
    killed, _, reported, _ = harness.run_child(root, folder, 0, "index", _Fixed(3))
    assert killed
    assert (root / "index" / "MAIN_WRITELOCK").exists()

    with Archive.open(root, mode="write") as archive:
        for article_id in reported.values():
            archive.tag(article_id, ["after-crash"])
        assert archive.index.all_ids() >= set(reported.values())
        assert archive.article_count() >= len(reported)
    result = harness.TrialResult("index", killed, reported)
    harness.verify(root, folder, files, dict(reported), result)
    assert result.failures == []


def test_verify_notices_a_lost_article(tmp_path: Path, corpus):
    """The verifier itself can fail: an article reported complete and then gone is caught."""
    folder, files = corpus
    root = tmp_path / "archive"
    completed: dict[str, str] = {}
    with Archive.open(root, mode="write") as archive:
        for entry in files[:3]:
            (item,) = archive.import_paths([folder / entry.name]).imported
            completed[entry.name] = item.id
        archive.delete(completed[files[1].name])

    result = harness.TrialResult("none", False)
    harness.verify(root, folder, files, completed, result)

    assert result.lost == 1
    assert any(files[1].name in line for line in result.failures)


class _Fixed(random.Random):
    """Chooses `value` for the kill count, for trials that must die at a known point."""

    def __init__(self, value: int) -> None:
        super().__init__(0)
        self.value = value

    def randint(self, a: int, b: int) -> int:
        return self.value
