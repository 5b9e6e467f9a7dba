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
