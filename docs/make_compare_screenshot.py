"""Save a screenshot of the comparison view to docs/screenshots/compare.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_compare_screenshot.py

Imports a sample article and an edited copy of it (another paper's version:
new byline and date, a few sentences changed, one paragraph added, the same
map and one more photograph) into a temporary archive, and shows the two side
by side with the search "children".
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from archive_app.core.archive import Archive  # noqa: E402
from archive_app.gui.compare_view import CompareView  # noqa: E402
from archive_app.gui.tasks import TaskRunner  # noqa: E402

SAMPLE = ROOT / "resources" / "sample"
ORIGINAL = "eastmarch-forced-transfer.md"
SIZE = (1280, 800)

# (old, new) replacements that turn the sample article into another paper's version.
EDITS = (
    ("author: Ansel Brody", "author: Mira Tess"),
    ("source: Eastmarch Observer (sample)", "source: Valdoria Ledger (sample)"),
    ("published: 2022-09-12", "published: 2022-09-14"),
    (
        "eastmarch-observer/2022/09/children-taken-to-kordavia",
        "valdoria-ledger/2022/09/eastmarch-children",
    ),
    (
        'title: "Families in occupied Eastmarch say children were taken across the border to '
        'Kordavia"',
        'title: "Families in occupied Eastmarch say children were taken to Kordavia"',
    ),
    ("say hundreds of children have been taken", "say at least 340 children have been taken"),
    (
        "The network believes the true number is far higher, because many families have lost "
        "contact with the occupied towns.",
        "The network believes the true number is far higher.\n\n"
        "A spokesman for the Kordavian administration in Brenn did not answer questions sent "
        "to his office on Tuesday, and the border crossing at Sarrow Ford has been closed to "
        "civilians since the end of August.",
    ),
    ("aged nine and twelve", "aged eight and eleven"),
    (
        "## A possible war crime",
        "![The municipal children's home in Brenn](images/brenn-childrens-home.jpg "
        "\"The municipal children's home in Brenn, from which children were moved in June. "
        'Photo: Valdoria Ledger")\n\n## A possible war crime',
    ),
)


def edited_copy(text: str) -> str:
    for old, new in EDITS:
        text = text.replace(old, new)
    return text


def write_pair(folder: Path) -> tuple[Path, Path]:
    """The sample article and its edited copy, each in a folder of its own with its images."""
    paths = []
    for name, transform in (("original", lambda t: t), ("edited", edited_copy)):
        target = folder / name
        (target / "images").mkdir(parents=True, exist_ok=True)
        for image in ("eastmarch-map.png", "brenn-childrens-home.jpg"):
            shutil.copyfile(SAMPLE / "images" / image, target / "images" / image)
        text = (SAMPLE / ORIGINAL).read_text(encoding="utf-8")
        path = target / ORIGINAL
        path.write_text(transform(text), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def import_pair(archive: Archive, folder: Path) -> tuple[str, str]:
    ids = []
    for path in write_pair(folder):
        report = archive.import_paths([path])
        # The original is already there when the archive holds the sample articles.
        ids.append((report.imported or report.duplicates)[0].id)
    return ids[0], ids[1]


def save_compare_screenshot(path: Path, size: tuple[int, int] = SIZE) -> Path:
    """Show the pair side by side at `size` and save the view as PNG."""
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp) / "archive")
        try:
            first, second = import_pair(archive, Path(tmp) / "files")
            tasks = TaskRunner(inline=True)
            view = CompareView(archive, tasks, [first, second], "children")
            view.resize(*size)
            view.show()
            for _ in range(20):
                app.processEvents()
            path.parent.mkdir(parents=True, exist_ok=True)
            view.grab().save(str(path))
            view.close()
            tasks.shutdown()
        finally:
            archive.close()
    return path


if __name__ == "__main__":
    print(save_compare_screenshot(ROOT / "docs" / "screenshots" / "compare.png"))
