"""The core never imports Qt: the command line and tests run without a display."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_ROOT

CORE = PROJECT_ROOT / "archive_app" / "core"
QT_PACKAGES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6", "shiboken2")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import statement in the file, however deeply nested."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def is_qt(module: str) -> bool:
    top = module.split(".")[0]
    return top in QT_PACKAGES or top.lower().startswith(("pyside", "pyqt", "shiboken"))


def test_core_modules_exist():
    modules = sorted(p.relative_to(CORE).as_posix() for p in CORE.rglob("*.py"))
    assert "archive.py" in modules
    assert "importers/text.py" in modules
    assert len(modules) >= 15


def test_no_core_module_imports_qt():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {module}"
        for path in sorted(CORE.rglob("*.py"))
        for line, module in imported_modules(path)
        if is_qt(module)
    ]
    assert offenders == []


def test_the_checker_sees_qt_imports(tmp_path: Path):
    sample = tmp_path / "bad.py"
    sample.write_text(
        "import os\n"
        "def later():\n"
        "    from PySide6.QtWidgets import QApplication\n"
        "    import shiboken6\n"
        "    import importlib\n"
        "    importlib.import_module('PyQt6.QtCore')\n",
        encoding="utf-8",
    )
    assert [m for _, m in imported_modules(sample) if is_qt(m)] == [
        "PySide6.QtWidgets",
        "shiboken6",
        "PyQt6.QtCore",
    ]


def test_importing_the_core_and_the_command_line_loads_no_qt():
    code = (
        "import archive_app.core.archive, archive_app.cli, sys\n"
        "import archive_app.core.importers.text, archive_app.core.importers.markdown\n"
        "import archive_app.core.importers.html, archive_app.core.importers.jsonbulk\n"
        "qt = sorted(m for m in sys.modules"
        " if m.split('.')[0].lower().startswith(('pyside', 'pyqt', 'shiboken')))\n"
        "assert not qt, qt\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
