"""A second process gets read-only access; locks left by a killed process block nothing.

These tests start real processes: the lock is an OS lock per process, so a
thread in this process could not show what another program would see.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive_app.core.archive import Archive, ArchiveReadOnly
from archive_app.core.locking import ArchiveLocked
from archive_app.core.models import SearchRequest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="uses flock and POSIX signals")

PROJECT = Path(__file__).resolve().parents[1]

# The writer: opens the archive, imports the file named by each line it reads,
# and answers "done <count>"; "exit" closes the archive, "hold-index" keeps a
# Whoosh writer open (its lock taken) until the process is killed.
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from archive_app.core.archive import Archive

    archive = Archive.open(Path(sys.argv[1]), mode="write")
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "exit":
            archive.close()
            print("closed", flush=True)
            break
        if command == "hold-index":
            writer = archive.index._ix.writer()
            print("holding", flush=True)
            continue
        archive.import_paths([Path(command)])
        print(f"done {archive.article_count()}", flush=True)
    """
)


class Writer:
    """The archive open for changes in a child process."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT,
        )
        assert self.expect() == "ready"

    def send(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.expect()

    def expect(self) -> str:
        line = self.process.stdout.readline().strip()
        if not line:
            raise AssertionError(f"the writer process ended (status {self.process.wait()})")
        return line

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.send("exit")
            self.process.stdin.close()
            self.process.wait(timeout=60)


def _article(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{body}", "utf-8")
    return path


@pytest.fixture
def writer(tmp_path: Path):
    root = tmp_path / "archive"
    Archive.open(root).close()
    started = Writer(root)
    yield started
    started.stop()


def _found(archive: Archive, query: str) -> int:
    return archive.search(SearchRequest(query=query)).total


def test_a_second_process_searches_while_the_first_writes(writer: Writer, tmp_path: Path):
    root = tmp_path / "archive"
    first = _article(tmp_path / "in", "a.txt", "Orphanage moved", "The orphanage in Kherson moved.")
    assert writer.send(str(first)) == "done 1"

    reader = Archive.open(root)
    try:
        pid = writer.process.pid
        assert reader.read_only is not None
        assert f"pid {pid} " in reader.read_only and "searching works" in reader.read_only
        assert _found(reader, "orphanage") == 1
        article_id = reader.search(SearchRequest(query="orphanage")).hits[0].id
        assert reader.get(article_id).title == "Orphanage moved"

        with pytest.raises(ArchiveReadOnly, match=f"pid {pid} "):
            reader.tag(article_id, ["kherson"])
        with pytest.raises(ArchiveReadOnly, match=f"pid {pid} "):
            reader.import_paths([first])
        with pytest.raises(ArchiveReadOnly):
            reader.rebuild_index()
        with pytest.raises(ArchiveReadOnly):
            reader.check(repair=True)
        assert reader.check().articles == 1  # checking without repairing only reads

        # The writer goes on; the reader's next search sees its commit.
        second = _article(tmp_path / "in", "b.txt", "Second orphanage", "A second orphanage shut.")
        assert writer.send(str(second)) == "done 2"
        assert _found(reader, "orphanage") == 2
        assert reader.get(article_id).tags == ()
    finally:
        reader.close()

    writer.stop()
    with Archive.open(root) as again:
        assert again.read_only is None
        again.tag(article_id, ["kherson"])
        assert again.get(article_id).tags == ("kherson",)


def test_write_mode_refuses_with_the_holder_instead(writer: Writer, tmp_path: Path):
    with pytest.raises(ArchiveLocked, match=f"pid {writer.process.pid} "):
        Archive.open(tmp_path / "archive", mode="write")


def test_opening_for_reading_changes_no_file(writer: Writer, tmp_path: Path):
    root = tmp_path / "archive"
    assert writer.send(str(_article(tmp_path / "in", "a.txt", "Shelter", "A shelter."))) == "done 1"

    def files() -> dict[str, tuple[int, int]]:
        # The -shm file is SQLite's shared memory: readers mark it by design.
        return {
            str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*")
            if p.is_file() and not p.name.endswith("-shm")
        }

    before = files()
    with Archive.open(root) as reader:
        assert reader.read_only is not None
        assert _found(reader, "shelter") == 1
        reader.topic_counts()
    assert files() == before


def test_a_killed_writer_leaves_no_lock_behind(tmp_path: Path):
    root = tmp_path / "archive"
    Archive.open(root).close()
    holder = Writer(root)
    pid = holder.process.pid
    holder.kill()
    # The file still names the dead process; the OS lock went with it.
    assert f"pid {pid} " in (root / "write.lock").read_text()
    with Archive.open(root) as again:
        assert again.read_only is None
        path = _article(tmp_path / "in", "a.txt", "Afterwards", "Written after the crash.")
        assert len(again.import_paths([path]).imported) == 1


def test_a_search_index_lock_left_by_a_killed_writer_does_not_block(tmp_path: Path):
    root = tmp_path / "archive"
    Archive.open(root).close()
    holder = Writer(root)
    assert holder.send("hold-index") == "holding"
    holder.kill()
    assert (root / "index" / "MAIN_WRITELOCK").exists()  # left behind by the killed process
    with Archive.open(root) as again:
        path = _article(tmp_path / "in", "a.txt", "Index lock", "The index writes again.")
        assert len(again.import_paths([path]).imported) == 1
        assert _found(again, "index") == 1


def test_a_second_open_in_the_same_process_is_a_mistake_not_a_reader(archive_dir: Path):
    with Archive.open(archive_dir), pytest.raises(ArchiveLocked):
        Archive.open(archive_dir)


def test_read_mode_never_writes_even_when_nobody_else_has_the_archive(tmp_path: Path):
    root = tmp_path / "archive"
    with Archive.open(root) as writer:
        path = _article(tmp_path / "in", "a.txt", "Alone", "Only a reader here.")
        writer.import_paths([path])
    with Archive.open(root, mode="read") as reader:
        assert reader.read_only == "the archive was opened for reading only"
        assert _found(reader, "reader") == 1
        with pytest.raises(ArchiveReadOnly, match="reading only"):
            reader.set_note(reader.search(SearchRequest()).hits[0].id, "a note")
        with Archive.open(root) as other:  # a reader holds no lock
            assert other.read_only is None


def test_the_command_line_reads_with_a_note_and_refuses_changes(writer: Writer, tmp_path, cli):
    root = tmp_path / "archive"
    path = _article(tmp_path / "in", "a.txt", "Refuge", "A refuge for children.")
    assert writer.send(str(path)) == "done 1"
    code, out, err = cli("--archive", root, "search", "refuge")
    assert code == 0 and "Refuge" in out
    assert err.startswith("archive-app: read-only: the archive is open for changes in")
    code, out, err = cli("--archive", root, "import", path)
    assert code == 1
    assert f"pid {writer.process.pid} " in err and "nothing was changed" in err
