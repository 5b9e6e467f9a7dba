"""The blob store: each blob whole under its SHA-256, flushed to disk one by one or many at once."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from archive_app.core import blobs as blobs_module
from archive_app.core.blobs import BlobStore, sha256_hex


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


@pytest.fixture
def fsyncs(monkeypatch) -> list[int]:
    """The file descriptors os.fsync is called with (the real call still happens)."""
    calls: list[int] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(blobs_module.os, "fsync", fsync)
    return calls


def test_a_blob_is_stored_under_its_hash_and_flushed_by_default(store: BlobStore, fsyncs):
    digest = store.put(b"the original bytes")
    assert digest == sha256_hex(b"the original bytes")
    assert store.get(digest) == b"the original bytes"
    assert store.verify(digest)
    assert len(fsyncs) == 1


def test_blobs_written_for_later_are_flushed_together(store: BlobStore, fsyncs, monkeypatch):
    synced: list[int] = []
    monkeypatch.setattr(blobs_module, "_syncfs", lambda: lambda fd: synced.append(fd) or 0)
    digests = [store.put(f"blob {i}".encode(), durable=False) for i in range(5)]
    assert fsyncs == [] and synced == []
    assert all(store.verify(d) for d in digests)  # readable at once, under the final name
    store.make_durable(digests)
    assert len(synced) == 1  # the whole file system at once
    assert fsyncs == []
    store.make_durable([])
    assert len(synced) == 1  # nothing to flush, no call


def test_without_a_file_system_flush_each_blob_is_flushed_once(
    store: BlobStore, fsyncs, monkeypatch
):
    monkeypatch.setattr(blobs_module, "_syncfs", lambda: None)
    digests = [store.put(f"blob {i}".encode(), durable=False) for i in range(3)]
    store.make_durable([*digests, digests[0]])
    assert len(fsyncs) == 3


def test_a_failed_flush_is_an_error_naming_the_store(store: BlobStore, monkeypatch):
    def failing(fd: int) -> int:
        # What ctypes leaves for get_errno after a failed call.
        blobs_module.ctypes.set_errno(errno.EIO)
        return -1

    monkeypatch.setattr(blobs_module, "_syncfs", lambda: failing)
    digest = store.put(b"bytes", durable=False)
    with pytest.raises(OSError) as raised:
        store.make_durable([digest])
    assert raised.value.errno == errno.EIO
    assert str(store.root) in str(raised.value)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux's")
def test_linux_flushes_the_file_system_at_once(store: BlobStore):
    assert blobs_module._syncfs() is not None
    digest = store.put(b"bytes", durable=False)
    store.make_durable([digest])  # the real call: no error
    assert store.verify(digest)
