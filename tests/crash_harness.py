"""Kill an importing process at any moment, then prove the archive survived.

Three parts, shared by `tests/test_crash_safety.py` (a few trials) and
`bench/crash_trials.py` (a hundred):

- `make_corpus`: a deterministic corpus of small text and HTML articles (the
  HTML ones with their images in `NAME_files/`), each holding a unique word.
- The child (`python tests/crash_harness.py child ...`): imports the corpus one
  file per `Archive.import_paths` call and prints `DONE id sha256 file` (flushed)
  for every article the call returned in `report.imported`, which is what
  "reported complete" means here. With CRASH_PHASE and CRASH_AFTER set it kills
  itself with SIGKILL at the CRASH_AFTER-th arrival at that point: `blob`
  (halfway through writing a blob), `catalog` (inside a transaction, before
  COMMIT), `index` (a Whoosh commit with its segment written, before or after
  its table of contents), `merge` (halfway through merging segments). The
  wrappers live here; the application code is not changed for them.
- `verify`: opens the archive as a person would and lists what is wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HARNESS = Path(__file__).resolve()
PROJECT_ROOT = HARNESS.parents[1]
PHASES = ("blob", "catalog", "index", "merge", "random")
MANIFEST = "manifest.json"
CHECK_TAG = "crash-check"

_SENTENCES = (
    "the council said families were moved from the region after the shelling and",
    "officials promised that children would return to their schools once the roads",
    "reopened while volunteers carried water food and blankets to the shelter near",
    "the river where doctors treated the wounded and recorded what witnesses saw",
    "during the night prosecutors asked for documents and photographs of the damage",
)
_WORDS = " ".join(_SENTENCES).split()


@dataclass(frozen=True)
class CorpusFile:
    name: str  # relative to the corpus folder
    sha256: str  # of the file's bytes: the original the archive must keep
    marker: str  # a word only this article holds
    images: int  # images stored with the article


@dataclass
class TrialResult:
    phase: str
    killed: bool  # the child died of SIGKILL (a trial where it finished is still verified)
    reported: dict[str, str] = field(default_factory=dict)  # file name -> article id
    failures: list[str] = field(default_factory=list)
    lost: int = 0
    duplicates: int = 0
    check_failed: bool = False
    seconds: float = 0.0


# -- the corpus ------------------------------------------------------------------------


def make_corpus(folder: Path, count: int, seed: int = 1) -> list[CorpusFile]:
    """`count` articles, about a third HTML with one or two images; the same for a seed."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    files: list[CorpusFile] = []
    for number in range(count):
        rng = random.Random(f"{seed}:{number}")
        marker = "zq" + _letters(number) + "x"
        sentences = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(rng.randint(6, 12))
        ]
        sentences.insert(rng.randrange(len(sentences)), f"The record names {marker} once.")
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        title = f"Report {number} on {rng.choice(_WORDS)} and {rng.choice(_WORDS)}"
        if number % 3 == 2:
            stem = f"page{number:04d}"
            assets = folder / f"{stem}_files"
            assets.mkdir(exist_ok=True)
            images = 1 + number % 2
            figures = []
            for i in range(images):
                image = Image.frombytes("RGB", (24, 16), rng.randbytes(24 * 16 * 3))
                image.save(assets / f"photo{i}.png", format="PNG")
                figures.append(
                    f'<figure><img src="{stem}_files/photo{i}.png" alt="Photo {i} of {number}">'
                    f"<figcaption>Scene {i} of report {number}.</figcaption></figure>"
                )
            body = "\n".join(
                f"{figures[i] if i < len(figures) else ''}<p>{p}</p>"
                for i, p in enumerate(paragraphs)
            )
            path = folder / f"{stem}.html"
            path.write_text(
                f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
                f"</head><body><article><h1>{title}</h1>\n{body}\n</article></body></html>\n",
                "utf-8",
            )
        else:
            images = 0
            path = folder / f"text{number:04d}.txt"
            path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files.append(CorpusFile(path.name, digest, marker, images))
    (folder / MANIFEST).write_text(json.dumps([f.__dict__ for f in files], indent=1), "utf-8")
    return files


def read_corpus(folder: Path) -> list[CorpusFile]:
    return [CorpusFile(**entry) for entry in json.loads((folder / MANIFEST).read_text("utf-8"))]


def _letters(number: int) -> str:
    out = ""
    for _ in range(4):
        number, digit = divmod(number, 26)
        out += chr(ord("a") + digit)
    return out


# -- the child: imports, reports, and (when asked) kills itself ----------------------------


def _child(archive_root: Path, corpus: Path, start: int) -> None:
    sys.path.insert(0, str(PROJECT_ROOT))
    from archive_app.core.archive import Archive

    phase = os.environ.get("CRASH_PHASE", "")
    after = int(os.environ.get("CRASH_AFTER", "0") or 0)
    if phase and phase != "random":
        _install_kill(phase, after)
    files = read_corpus(corpus)
    with Archive.open(archive_root, mode="write") as archive:
        for entry in files[start:]:
            report = archive.import_paths([corpus / entry.name])
            for item in report.imported:
                print(f"DONE {item.id} {entry.sha256} {entry.name}", flush=True)
            for duplicate in report.duplicates:
                print(f"DONE {duplicate.id} {entry.sha256} {entry.name}", flush=True)
            for problem in report.failed:
                print(f"FAILED {entry.name} {problem.reason}", flush=True)
    print("FINISHED", flush=True)


def _install_kill(phase: str, after: int) -> None:
    """Wrap the point named by `phase` so that its `after`-th arrival is the process's last."""
    from whoosh.writing import SegmentWriter

    from archive_app.core.blobs import TEMPORARY_PREFIX, BlobStore
    from archive_app.core.catalog import Catalog

    arrivals = [0]

    def arrived() -> bool:
        arrivals[0] += 1
        return arrivals[0] >= after

    if phase == "blob":
        put = BlobStore.put

        def dying_put(self, data: bytes, sha256: str | None = None, **options) -> str:
            if arrived():  # half the bytes in a temporary file, as a cut-off write leaves them
                digest = sha256 or hashlib.sha256(data).hexdigest()
                target = self.path_for(digest)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.parent / f"{TEMPORARY_PREFIX}crash"
                partial.write_bytes(data[: len(data) // 2])
                _die()
            return put(self, data, sha256, **options)

        BlobStore.put = dying_put
    elif phase == "catalog":
        transaction = Catalog.transaction

        @contextlib.contextmanager
        def dying_transaction(self):
            with transaction(self) as conn:
                yield conn
                if arrived():  # the statements ran; COMMIT never will
                    _die()

        Catalog.transaction = dying_transaction
    elif phase == "index":
        commit_toc = SegmentWriter._commit_toc

        before = after % 2 == 0  # which side of the table of contents to die on

        def dying_commit_toc(self, segments):
            last = arrived()
            if last and before:  # segment files written, no table of contents
                _die()
            commit_toc(self, segments)
            if last:  # committed, Whoosh's lock still held, the queue not cleared
                _die()

        SegmentWriter._commit_toc = dying_commit_toc
    elif phase == "merge":
        add_reader = SegmentWriter.add_reader

        def dying_add_reader(self, reader):
            add_reader(self, reader)
            if arrived():  # part of the merged postings written
                _die()

        SegmentWriter.add_reader = dying_add_reader
    else:
        raise SystemExit(f"unknown crash phase {phase!r}; known: {', '.join(PHASES)}")


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


# -- the parent: one trial -------------------------------------------------------------------


def run_child(
    archive_root: Path,
    corpus: Path,
    start: int,
    phase: str,
    rng: random.Random,
    *,
    timeout: float = 60.0,
) -> tuple[bool, int, dict[str, str], str]:
    """Run one importing child until it dies or finishes.

    Returns (killed, exit status, reported file -> id, stderr). A `random` phase is killed
    by this process after a random delay; the others kill themselves.
    """
    env = dict(os.environ)
    env["CRASH_PHASE"] = phase
    # Each file costs about one blob, two transactions, one commit and a merge or two:
    # kills land within the first few files, so trials keep importing new ones.
    env["CRASH_AFTER"] = str(rng.randint(1, {"blob": 8, "catalog": 14}.get(phase, 8)))
    command = [sys.executable, str(HARNESS), "child", str(archive_root), str(corpus), str(start)]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    wait = rng.uniform(0.2, 2.5) if phase == "random" else timeout
    try:
        out, err = child.communicate(timeout=wait)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate()
    reported: dict[str, str] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "DONE" and len(parts) == 4:
            reported[parts[3]] = parts[1]
    return child.returncode == -signal.SIGKILL, child.returncode, reported, err


def run_trial(
    archive_root: Path,
    corpus: Path,
    files: list[CorpusFile],
    completed: dict[str, str],
    phase: str,
    rng: random.Random,
) -> TrialResult:
    """Import from the first file not yet reported, kill, verify; `completed` grows."""
    started = time.perf_counter()
    start = next((i for i, f in enumerate(files) if f.name not in completed), len(files))
    killed, code, reported, err = run_child(archive_root, corpus, start, phase, rng)
    completed.update(reported)
    result = TrialResult(phase, killed, reported)
    if not killed and code != 0:
        result.failures.append(f"the importing process failed: {err.strip()[-800:]}")
    verify(archive_root, corpus, files, completed, result)
    result.seconds = time.perf_counter() - started
    return result


# -- after the kill: what must hold ---------------------------------------------------------


def verify(
    archive_root: Path,
    corpus: Path,
    files: list[CorpusFile],
    completed: dict[str, str],
    result: TrialResult,
) -> None:
    """Open the archive with no manual step and record in `result` what is wrong."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from archive_app.core.archive import Archive
    from archive_app.core.models import SearchRequest

    by_name = {f.name: f for f in files}
    by_sha = {f.sha256: f for f in files}
    fail = result.failures.append
    try:
        archive = Archive.open(archive_root, mode="write")
    except Exception as exc:  # the one thing that must never happen
        fail(f"the archive did not open: {exc!r}")
        result.check_failed = True
        return
    with archive:
        report = archive.check()
        if not report.ok or report.problems:
            result.check_failed = True
            fail(f"check after opening: {list(report.problems)[:5]}")
        rows = archive.catalog.query("SELECT id, original_sha256 FROM articles")
        ids = {r[0] for r in rows}
        per_original: dict[str, list[str]] = {}
        for r in rows:
            per_original.setdefault(r[1], []).append(r[0])
        health = archive.index.health()
        indexed = list(health.ids)
        result.duplicates = sum(len(v) - 1 for v in per_original.values()) + (
            len(indexed) - len(set(indexed))
        )
        if result.duplicates:
            fail(f"{result.duplicates} duplicate articles or index documents")
        if set(indexed) != ids:
            fail(
                f"index and catalog disagree: {len(set(indexed) - ids)} stale,"
                f" {len(ids - set(indexed))} missing"
            )
        for sha, holders in per_original.items():
            entry = by_sha.get(sha)
            if entry is None:
                fail(f"articles {holders} come from no corpus file")
                continue
            for article_id in holders:
                _whole(archive, article_id, entry, fail)
        for name, article_id in completed.items():
            entry = by_name[name]
            if article_id not in ids:
                result.lost += 1
                fail(f"{name} was reported complete as {article_id} and is gone")
                continue
            found = [h.id for h in archive.search(SearchRequest(query=entry.marker)).hits]
            if found != [article_id]:
                result.lost += 1
                fail(f"searching {entry.marker} finds {found}, not {article_id}")
        if ids:  # a write right after the crash: the index lock and segments are usable
            some = sorted(ids)[0]
            archive.tag(some, [CHECK_TAG])
            if archive.search(SearchRequest(tags=(CHECK_TAG,))).total != 1:
                fail("a tag added after the crash is not searchable")
            archive.untag(some, [CHECK_TAG])


def _whole(archive, article_id: str, entry: CorpusFile, fail) -> None:
    """Every piece of one article is there: original, images, sketch rows, the right bytes."""
    article = archive.get(article_id)
    if article.provenance.sha256 != entry.sha256 or not archive.blobs.verify(entry.sha256):
        fail(f"{article_id}: the original of {entry.name} is missing or changed")
    stored = [i for i in article.images if i.sha256]
    if len(stored) != entry.images:
        fail(f"{article_id}: {len(stored)} images stored, {entry.images} expected")
    for image in stored:
        if not archive.blobs.verify(image.sha256):
            fail(f"{article_id}: image {image.sha256} is missing or changed")
    sketches = archive.catalog.scalar(
        "SELECT count(*) FROM text_sketches WHERE article_id = ?", (article_id,)
    )
    if not sketches:
        fail(f"{article_id}: no near-duplicate sketch rows")


def summarize(results: list[TrialResult], completed: int) -> dict[str, dict[str, int]]:
    """Per phase and in total: trials, killed, survived, reported complete, lost, duplicates,
    check failures."""
    table: dict[str, dict[str, int]] = {}
    for key in (*PHASES, "all"):
        chosen = [r for r in results if key in (r.phase, "all")]
        table[key] = {
            "trials": len(chosen),
            "killed": sum(r.killed for r in chosen),
            "survived": sum(not r.failures for r in chosen),
            "reported": sum(len(r.reported) for r in chosen),
            "lost": sum(r.lost for r in chosen),
            "duplicates": sum(r.duplicates for r in chosen),
            "check_failures": sum(r.check_failed for r in chosen),
        }
    table["all"]["completed_in_archive"] = completed
    return table


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        _child(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit("usage: crash_harness.py child ARCHIVE CORPUS START")
