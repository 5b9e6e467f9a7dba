"""The demo archive: built from resources/sample, rebuilt whenever the sample changes."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from archive_app.core.archive import Archive, ArchiveError

DIGEST_KEY = "sample_digest"


def sample_digest(sample: Path) -> str:
    """A hash over every file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in sample.rglob("*") if p.is_file()):
        digest.update(path.relative_to(sample).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def open_demo_archive(
    root: Path, sample: Path, log: Callable[[str], None] = lambda _msg: None
) -> Archive:
    if not sample.is_dir():
        raise ArchiveError(f"the sample articles are missing (expected them at {sample})")
    wanted = sample_digest(sample)
    if (root / "archive.json").exists():
        archive = Archive.open(root, create=False)
        if archive.get_meta(DIGEST_KEY) == wanted:
            return archive
        archive.close()
        log(f"The sample has changed; rebuilding the demo archive at {root}")
        shutil.rmtree(root)
    elif root.exists():
        shutil.rmtree(root)
    log(f"Building the demo archive at {root} from {sample} …")
    archive = Archive.open(root, create=True)
    try:
        report = archive.import_paths([sample])
        for problem in report.failed:
            log(f"  sample file failed: {problem.path}: {problem.reason}")
        archive.set_meta(DIGEST_KEY, wanted)
    except BaseException:
        archive.close()
        raise
    log(f"  {len(report.imported)} sample articles imported.")
    return archive
