"""Save screenshots of the desktop app to docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py

Builds the sample archive in a temporary folder, opens the main window on it,
and saves: the main window with results and an article with images, the image
viewer, the welcome panel of an empty archive, and (through
make_compare_screenshot.py) a two-pane comparison.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from archive_app.gui.app import make_application  # noqa: E402
from archive_app.gui.main_window import ArchiveChoice, MainWindow, Places  # noqa: E402
from archive_app.gui.settings import Settings  # noqa: E402
from archive_app.gui.tasks import TaskRunner  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1360, 820)


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    app = make_application()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        places = Places(tmp_path / "empty", tmp_path / "demo", ROOT / "resources" / "sample")
        tasks = TaskRunner(inline=True)

        window = MainWindow(settings, tasks, places)
        window.resize(*SIZE)
        window.show()
        window.open_initial_archive(ArchiveChoice(places.default_archive))
        settle(app)
        window.grab().save(str(OUT / "welcome.png"))

        window.open_sample_archive()
        settle(app)
        window.search_bar.set_query("children")
        settle(app)
        library = window.library
        target = (
            next((i for i in window.result_ids.ids if window.archive.get(i).images), None)
            or window.result_ids.ids[0]
        )
        library.results.select_id(target)
        settle(app, 50)
        window.grab().save(str(OUT / "main-window.png"))

        article = window.archive.get(target)
        stored = [image for image in article.images if image.sha256]
        if stored:
            viewer = library.reader.open_image_viewer(0)
            viewer.resize(1000, 720)
            settle(app, 50)
            viewer.grab().save(str(OUT / "image-viewer.png"))
            viewer.close()
        window.close()
    sys.path.insert(0, str(ROOT / "docs"))
    from make_compare_screenshot import save_compare_screenshot

    save_compare_screenshot(OUT / "compare.png")
    for name in sorted(OUT.glob("*.png")):
        print(name.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
