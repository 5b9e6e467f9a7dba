"""Everything the desktop app remembers between runs, in one place.

A thin typed layer over `QSettings`, so the rest of the app never spells a
settings key or converts a QVariant itself. Tests pass a `QSettings` on a
temporary INI file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

BLUR_POLICIES = ("never", "topic", "always")
SORTS = ("relevance", "newest", "oldest")


class Settings:
    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store if store is not None else QSettings()

    def _text(self, key: str, default: str = "") -> str:
        value = self._store.value(key, default)
        return value if isinstance(value, str) else default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # -- the archive ------------------------------------------------------------

    @property
    def last_archive(self) -> Path | None:
        text = self._text("archive/last")
        return Path(text) if text else None

    @last_archive.setter
    def last_archive(self, path: Path | None) -> None:
        self._store.setValue("archive/last", str(path) if path else "")

    @property
    def last_was_demo(self) -> bool:
        return self._text("archive/last_was_demo") == "1"

    @last_was_demo.setter
    def last_was_demo(self, value: bool) -> None:
        self._store.setValue("archive/last_was_demo", "1" if value else "0")

    @property
    def last_import_dir(self) -> str:
        return self._text("import/last_dir")

    @last_import_dir.setter
    def last_import_dir(self, folder: str) -> None:
        self._store.setValue("import/last_dir", folder)

    # -- how things look -------------------------------------------------------------

    @property
    def blur_policy(self) -> str:
        value = self._text("view/blur_policy", "topic")
        return value if value in BLUR_POLICIES else "topic"

    @blur_policy.setter
    def blur_policy(self, value: str) -> None:
        if value not in BLUR_POLICIES:
            raise ValueError(f"unknown blur policy {value!r}")
        self._store.setValue("view/blur_policy", value)

    @property
    def sort(self) -> str:
        value = self._text("search/sort", "relevance")
        return value if value in SORTS else "relevance"

    @sort.setter
    def sort(self, value: str) -> None:
        self._store.setValue("search/sort", value if value in SORTS else "relevance")

    # -- window layout ----------------------------------------------------------------

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def splitter_state(self, name: str) -> QByteArray | None:
        return self._bytes(f"window/splitter/{name}")

    def save_layout(
        self, geometry: QByteArray, state: QByteArray, splitters: dict[str, QByteArray]
    ) -> None:
        self._store.setValue("window/geometry", geometry)
        self._store.setValue("window/state", state)
        for name, value in splitters.items():
            self._store.setValue(f"window/splitter/{name}", value)

    def sync(self) -> None:
        self._store.sync()
