"""Content-addressed store for originals and images: blobs/ab/abcdef…, written once."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEMPORARY_PREFIX = ".tmp-"  # a blob being written; renamed into place when whole


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes, sha256: str | None = None, *, durable: bool = True) -> str:
        """Store the bytes (once) and return their SHA-256.

        The bytes go to a temporary file in the same folder, are flushed to
        disk, then renamed into place: a crash leaves either no blob or a whole
        one, never a torn file under the final name.

        With `durable=False` the flush is left to a later `make_durable`, which
        the writer calls before any catalog row refers to the blob: one flush
        for many blobs instead of one each (on some disks most of the time a
        small blob takes). Until then a crash may leave a torn blob under its
        final name; no row refers to it, and the next open removes it with the
        other blobs of the interrupted write.
        """
        digest = sha256 or sha256_hex(data)
        target = self.path_for(digest)
        if target.exists() and target.stat().st_size == len(data) and self.verify(digest):
            return digest  # a damaged copy is replaced: importing the file again repairs it
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return digest

    def make_durable(self, digests: Iterable[str]) -> None:
        """Flush to disk the blobs `put` wrote with `durable=False`.

        Where the system can flush one file system at once (Linux's syncfs),
        that is one call for all of them; elsewhere each blob is flushed.
        Raises OSError when the flush fails: nothing may refer to them then.
        """
        digests = list(digests)
        if not digests:
            return
        sync_file_system = _syncfs()
        if sync_file_system is not None:
            fd = os.open(self.root, os.O_RDONLY)
            try:
                if sync_file_system(fd) != 0:
                    code = ctypes.get_errno()
                    raise OSError(code, os.strerror(code), str(self.root))
            finally:
                os.close(fd)
            return
        for digest in dict.fromkeys(digests):
            # Windows flushes only what is open for writing; nothing is written here.
            with open(self.path_for(digest), "r+b") as handle:
                os.fsync(handle.fileno())

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def verify(self, sha256: str) -> bool:
        """True when the blob is present and its bytes still hash to its name."""
        path = self.path_for(sha256)
        if not path.is_file():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(sha256).unlink()

    def all_hashes(self) -> Iterator[str]:
        return iter(self.scan().hashes)

    def temporary_files(self) -> Iterator[Path]:
        """Leftovers of writes a crash interrupted."""
        return iter(self.scan().leftovers)

    def scan(self) -> BlobFiles:
        """Every stored blob's name and every unfinished write, in one pass over the folders.

        Plain names from os.listdir, not Path objects: opening an archive scans
        for what a crash left behind, and at 20,000 blobs this takes about 15 ms.
        """
        hashes: list[str] = []
        leftovers: list[Path] = []
        for folder in os.listdir(self.root):
            if len(folder) != 2 or not (self.root / folder).is_dir():
                continue
            for name in os.listdir(self.root / folder):
                if name.startswith(TEMPORARY_PREFIX):
                    leftovers.append(self.root / folder / name)
                elif len(name) == 64:
                    hashes.append(name)
        return BlobFiles(tuple(hashes), tuple(leftovers))

    def remove_unlisted(self, known: set[str]) -> list[str]:
        """Delete unfinished writes and blobs not in `known`; returns what was removed.

        Only safe for the archive's one writer, holding its write lock: a blob
        written for an article not yet catalogued would look just the same.
        """
        found = self.scan()
        removed: list[str] = []
        for path in found.leftovers:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path.name)
        for sha in found.hashes:
            if sha not in known:
                self.delete(sha)
                removed.append(sha)
        return removed


@dataclass(frozen=True)
class BlobFiles:
    hashes: tuple[str, ...]
    leftovers: tuple[Path, ...]  # `.tmp-` files of writes that never finished


@functools.cache
def _syncfs():
    """Linux's syncfs(2), which flushes one file system; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # a C library without it
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function
