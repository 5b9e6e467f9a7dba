"""One writer per archive, across processes: an advisory lock on write.lock.

The lock dies with its process (the OS releases it), so a crash never leaves a
stale lock behind; the file only records who holds it, for the message.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


_HOLDER = re.compile(r"\(pid (?P<pid>\d+) on (?P<host>[^)]*)\)")


class ArchiveLocked(Exception):
    """Another process is writing to this archive.

    `holder` is who holds it as written in the lock file ("archive-app (pid 1234
    on host)"); `pid` and `host` are None when the file does not say.
    """

    def __init__(self, message: str, holder: str = "") -> None:
        super().__init__(message)
        self.holder = holder
        found = _HOLDER.search(holder)
        self.pid = int(found["pid"]) if found else None
        self.host = found["host"] if found else None

    @property
    def held_by_this_process(self) -> bool:
        """A second open in the process that already writes: a mistake, not a reader."""
        return self.pid == os.getpid() and self.host == socket.gethostname()


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
                f"the archive at {self.path.parent} is open in {holder}; close it there first",
                holder,
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
