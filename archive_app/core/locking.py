"""One writer per archive, across processes: an advisory lock on write.lock.

The lock dies with its process (the OS releases it), so a crash never leaves a
stale lock behind; the file only records who holds it, for the message.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class ArchiveLocked(Exception):
    """Another process is writing to this archive."""


class WriteLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None

    def acquire(self) -> None:
        handle = open(self.path, "a+")  # noqa: SIM115 (held for the archive's lifetime)
        try:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ArchiveLocked(
                f"the archive at {self.path.parent} is open in {holder}; close it there first"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"archive-app (pid {os.getpid()} on {socket.gethostname()})")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
