"""Where things live: the user's archive, the demo archive, the shipped resources."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "archive-app"


def default_archive_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "archive"


def demo_archive_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "demo"


def resources_dir() -> Path:
    """The project's resources/ folder (run from the source tree or an editable install)."""
    return Path(__file__).resolve().parents[2] / "resources"


def sample_dir() -> Path:
    return resources_dir() / "sample"
