"""What an import loads before its first file: nothing that the files do not need.

Loading a module holds the interpreter lock (compiling it, without a bytecode
cache, and the full garbage collection its objects can set off): in the
desktop app that stops the window at the start of every import. Run in a new
interpreter, so that what other tests loaded does not count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_AND_LIST_MODULES = """
import sys
from pathlib import Path
from archive_app.core.archive import Archive

archive = Archive.open(Path(sys.argv[1]))
try:
    report = archive.import_paths([Path(sys.argv[2])])
finally:
    archive.close()
print(len(report.imported), len(report.skipped), "archive_app.core.bundle" in sys.modules)
"""


def test_an_import_without_zip_files_does_not_load_the_bundle_module(tmp_path: Path):
    files = tmp_path / "articles"
    files.mkdir()
    for number in range(3):
        (files / f"river-{number}.txt").write_text(
            f"Rivers in spring {number}\n\nThe river rose {number} metres after the thaw.\n",
            "utf-8",
        )
    (files / "notes.xyz").write_text("passed over: not a type that is imported", "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_LIST_MODULES, str(tmp_path / "archive"), str(files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "1", "False"]
