"""Shared fixtures. GUI tests run offscreen; core tests never create a QApplication."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
SAMPLE = PROJECT_ROOT / "resources" / "sample"
REFERENCE_ARTICLE = CORPUS / "text" / "000_4bc02ab70033daa1.txt"


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus; tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared test corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def reference_article(corpus: Path) -> Path:
    if not REFERENCE_ARTICLE.is_file():
        pytest.skip(f"reference article not found at {REFERENCE_ARTICLE}")
    return REFERENCE_ARTICLE


# -- archives in a temporary folder, images, and the command line in-process ----


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """Where a test's archive lives (created on first open)."""
    return tmp_path / "archive"


@pytest.fixture
def archive(archive_dir: Path):
    """An open, empty archive, closed after the test."""
    from archive_app.core.archive import Archive

    opened = Archive.open(archive_dir)
    yield opened
    opened.close()


@pytest.fixture
def make_image():
    """Write a small real image; returns its path. Different `seed`s give different bytes."""
    from PIL import Image, ImageDraw

    def make(path: Path, size: tuple[int, int] = (64, 48), fmt: str = "PNG", seed: int = 0):
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", size, (40 + seed % 200, 90, 160))
        ImageDraw.Draw(image).rectangle((2, 2, size[0] // 2, size[1] // 2), fill=(250, 200, 0))
        image.save(path, format=fmt)
        return path

    return make


@pytest.fixture
def cli(capsys):
    """Run `archive-app ARGS...` in this process: returns (exit status, stdout, stderr)."""
    from archive_app.cli import main

    def run(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run


# -- the desktop app -------------------------------------------------------------


@pytest.fixture(scope="session")
def _sample_archive_template(tmp_path_factory) -> Path:
    """The sample archive, built once per test session; tests get copies."""
    from archive_app.core.demo import open_demo_archive

    root = tmp_path_factory.mktemp("sample") / "archive"
    open_demo_archive(root, SAMPLE).close()
    return root


@pytest.fixture
def sample_archive(_sample_archive_template: Path, tmp_path: Path):
    """An open copy of the sample archive (20+ articles, images, tags, both topics)."""
    import shutil

    from archive_app.core.archive import Archive

    root = tmp_path / "sample-archive"
    shutil.copytree(_sample_archive_template, root, ignore=shutil.ignore_patterns("write.lock"))
    opened = Archive.open(root, create=False)
    yield opened
    opened.close()


@pytest.fixture
def tasks(qapp):
    """The background-task runner in inline mode: tasks and callbacks run at once."""
    from archive_app.gui.tasks import TaskRunner

    runner = TaskRunner(inline=True)
    yield runner
    runner.shutdown()


@pytest.fixture
def threaded_tasks(qapp):
    """The real, threaded runner, for tests of the background behaviour itself."""
    from archive_app.gui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.shutdown()
