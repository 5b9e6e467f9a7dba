"""Transactions grouped into one commit: each stays whole, the group commits what it holds,
other threads wait for it, other connections see nothing before a commit."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from archive_app.core.catalog import Catalog


@pytest.fixture
def catalog(tmp_path: Path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    yield catalog
    catalog.close()


def put(catalog: Catalog, key: str, fail: bool = False) -> None:
    with catalog.transaction() as conn:
        Catalog.set_meta(conn, key, "1")
        if fail:
            raise ValueError(f"storing {key} failed")


def keys(path: Path) -> set[str]:
    """What another connection (another process) sees: committed rows only."""
    with sqlite3.connect(path) as other:
        return {row[0] for row in other.execute("SELECT key FROM meta WHERE key LIKE 'k%'")}


def test_a_failed_transaction_in_a_group_is_undone_alone(catalog):
    with catalog.group():
        put(catalog, "k1")
        with pytest.raises(ValueError):
            put(catalog, "k2", fail=True)
        put(catalog, "k3")
    assert keys(catalog.path) == {"k1", "k3"}


def test_a_group_commits_only_when_asked_and_at_its_end(catalog):
    with catalog.group() as commit:
        put(catalog, "k1")
        assert catalog.meta("k1") == "1"  # this connection sees it at once
        assert keys(catalog.path) == set()
        commit()
        assert keys(catalog.path) == {"k1"}
        put(catalog, "k2")
        assert keys(catalog.path) == {"k1"}
    assert keys(catalog.path) == {"k1", "k2"}


def test_what_a_group_holds_is_kept_when_an_exception_ends_it(catalog):
    with pytest.raises(KeyboardInterrupt), catalog.group():
        put(catalog, "k1")
        raise KeyboardInterrupt
    assert keys(catalog.path) == {"k1"}
    put(catalog, "k2")  # the connection is usable again, outside any transaction
    assert keys(catalog.path) == {"k1", "k2"}


def test_another_threads_transaction_waits_for_the_group(catalog):
    started = threading.Event()
    done: list[set[str]] = []

    def elsewhere() -> None:
        started.set()
        put(catalog, "k-other")
        done.append(keys(catalog.path))

    with catalog.group():
        put(catalog, "k1")
        thread = threading.Thread(target=elsewhere)
        thread.start()
        started.wait()
        thread.join(timeout=0.3)
        assert thread.is_alive()  # waiting, not joined to the group's transaction
        assert not done
    thread.join(timeout=5)
    assert done == [{"k1", "k-other"}]


def test_what_a_group_commits_is_readied_first_and_not_committed_when_that_fails(catalog):
    readied: list[set[str]] = []
    failing = False

    def before_commit() -> None:
        if failing:
            raise OSError("disk flush failed")
        readied.append(
            {row[0] for row in catalog.query("SELECT key FROM meta WHERE key LIKE 'k%'")}
        )

    with pytest.raises(OSError), catalog.group(before_commit) as commit:
        put(catalog, "k1")
        commit()
        assert readied == [{"k1"}] and keys(catalog.path) == {"k1"}
        put(catalog, "k2")
        failing = True
        commit()
    # The rows since the last commit are undone, not committed unreadied.
    assert keys(catalog.path) == {"k1"}
    assert catalog.meta("k2") is None
    put(catalog, "k3")
    assert keys(catalog.path) == {"k1", "k3"}
