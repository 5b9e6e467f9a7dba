"""The index folder's files: which belong to the current generation, and their checksums.

Whoosh reads a segment with scrambled bytes back without complaint, so each
commit records every current file's size, modification time and SHA-256 in
`checksums.json`, beside Whoosh's own files (Whoosh only ever removes names
like its own). Opening compares sizes and times and hashes only files that
changed; `check` hashes them all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

CHECKSUMS_FILE = "checksums.json"  # each file of the current generation: size, time, SHA-256


def current_files(ix) -> list[str]:
    """The files the index's current generation reads: its TOC and its segments' files."""
    prefixes = tuple(f"{segment.segment_id()}." for segment in ix._segments())
    names = sorted(n for n in ix.storage.list() if prefixes and n.startswith(prefixes))
    return [f"_{ix.indexname}_{ix.latest_generation()}.toc", *names]


def read_checksums(folder: Path) -> dict:
    try:
        record = json.loads((folder / CHECKSUMS_FILE).read_text("utf-8"))
        return record if isinstance(record, dict) and isinstance(record.get("files"), dict) else {}
    except (OSError, ValueError):  # none yet, or itself damaged: the files get hashed again
        return {}


def record_checksums(ix, folder: Path) -> None:
    """After a commit: each file of the new generation with its size, time and SHA-256.

    A file recorded before with the same size and time keeps its hash (segment
    names are never reused), so a commit hashes only the segments it wrote.
    """
    old = read_checksums(folder).get("files", {})
    files = {}
    for name in current_files(ix):
        info = (folder / name).stat()
        kept = old.get(name)
        if isinstance(kept, list) and kept[:2] == [info.st_size, info.st_mtime_ns]:
            files[name] = kept
        else:
            files[name] = [info.st_size, info.st_mtime_ns, sha256_of(folder / name)]
    record = {"generation": ix.latest_generation(), "files": files}
    tmp = folder / f"{CHECKSUMS_FILE}.tmp"
    tmp.write_text(json.dumps(record, indent=1), "utf-8")
    os.replace(tmp, folder / CHECKSUMS_FILE)


def file_problems(ix, folder: Path, *, full: bool) -> list[str]:
    """Files of the current generation that are missing, resized or altered since written.

    Quick (full=False): a file whose size and time are as recorded is trusted.
    A file the record lacks (an index from before checksums, or a crash between
    Whoosh's commit and the record) is hashed and recorded, not blamed.
    """
    record = read_checksums(folder)
    known = record.get("files", {})
    current = current_files(ix)
    problems = []
    if record.get("generation") == ix.latest_generation():
        problems += [f"{name} is missing" for name in known if name not in current]
    outdated = False
    for name in current:
        path = folder / name
        try:
            info = path.stat()
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        kept = known.get(name)
        if not isinstance(kept, list) or len(kept) != 3:
            outdated = True
        elif info.st_size != kept[0]:
            problems.append(f"{name} is {info.st_size} bytes; it was written with {kept[0]}")
        elif full or info.st_mtime_ns != kept[1]:
            if sha256_of(path) != kept[2]:
                problems.append(f"{name} has changed since it was written (its SHA-256 differs)")
            elif info.st_mtime_ns != kept[1]:
                outdated = True  # touched, not changed: record the new time
    if outdated and not problems:
        with contextlib.suppress(OSError):  # read-only: checked again next time
            record_checksums(ix, folder)
    return problems


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sample(segment) -> None:
    """Read a little of every part of a segment: enough to fail on a cut or missing file."""
    count = segment.doc_count_all()
    if count:
        segment.stored_fields(0)
        segment.stored_fields(count - 1)
        segment.column_reader("id")[count - 1]
    for field in ("id", "content"):
        first = next(iter(segment.lexicon(field)), None)
        if first is not None:
            list(segment.postings(field, first).all_ids())
