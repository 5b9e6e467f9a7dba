"""From paths on disk to articles ready to store: walking, reading, parsing, image checks.

Nothing here writes to the archive; a failure anywhere affects one file only.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import re
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from archive_app.core import fingerprints
from archive_app.core.blobs import BlobStore, sha256_hex
from archive_app.core.images import BadImage, ImageInfo, inspect_image
from archive_app.core.importers import (
    IMAGE_EXTENSIONS,
    ImportFailed,
    NotAnArticle,
    ParsedArticle,
    ParsedImage,
    importer_for,
    importer_name,
    is_supported,
)
from archive_app.core.languages import article_language
from archive_app.core.limits import DEFAULT_LIMITS, Limits, file_too_large, text_too_long
from archive_app.core.models import Problem
from archive_app.core.topics import TopicRules, TopicScore

# Importers whose article text is the file's text: at least one character per four bytes
# in any encoding, so a file this much larger than the text limit can be refused unread.
_TEXT_IS_THE_FILE = frozenset({"text", "markdown"})
_BYTES_PER_CHAR_AT_MOST = 4


@dataclass(frozen=True)
class FoundFile:
    path: Path
    is_image: bool


@dataclass(frozen=True)
class Walk:
    files: tuple[FoundFile, ...]
    skipped: tuple[Problem, ...]
    missing: tuple[Problem, ...]  # paths the person named that do not exist


def walk(paths: list[Path]) -> Walk:
    """Every file under the given paths, in a stable order.

    Symbolic links are followed, but a folder already visited (by its device
    and inode) is not entered twice, so a link loop ends instead of recursing.
    """
    files: list[FoundFile] = []
    skipped: list[Problem] = []
    missing: list[Problem] = []
    visited: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def consider(path: Path) -> None:
        try:
            info = path.stat()
        except OSError as exc:
            skipped.append(Problem(str(path), _os_reason(exc)))
            return
        if path.is_dir():
            key = (info.st_dev, info.st_ino)
            if key in visited:
                skipped.append(Problem(str(path), "symlink loop: folder already visited"))
                return
            visited.add(key)
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                skipped.append(Problem(str(path), _os_reason(exc)))
                return
            pages = {Path(e.name).stem for e in entries if Path(e.name).suffix.lower() in _PAGES}
            for entry in entries:
                child = Path(entry.path)
                if entry.name.startswith("."):
                    continue  # hidden files and folders (.DS_Store, .git) are not articles
                if _saved_page_folder(entry.name, pages) and _is_folder(entry):
                    continue  # "page_files/": the saved page's own images, styles and scripts
                consider(child)
            return
        key = (info.st_dev, info.st_ino)
        if key in seen_files:
            return
        seen_files.add(key)
        suffix = path.suffix.lower()
        if suffix in IMAGE_EXTENSIONS:
            files.append(FoundFile(path, is_image=True))
        elif is_supported(path):
            files.append(FoundFile(path, is_image=False))
        else:
            skipped.append(
                Problem(str(path), f"unsupported file type ({suffix or 'no extension'})")
            )

    for path in paths:
        if not os.path.lexists(path):
            missing.append(Problem(str(path), "no such file or folder"))
            continue
        consider(Path(path))
    return Walk(tuple(files), tuple(skipped), tuple(missing))


_PAGES = frozenset({".html", ".htm", ".xhtml"})
# Browsers save "Web Page, Complete" as page.html beside page_files/ (Chrome,
# Firefox), page-Dateien/ (German), page_fichiers/ (French) and the like.
_SAVED_PAGE_SUFFIXES = ("_files", "-files", "_archivos", "-Dateien", "_fichiers", "_file")


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: walking it reports it
        return False


def _saved_page_folder(name: str, pages: set[str]) -> bool:
    return any(name.endswith(end) and name[: -len(end)] in pages for end in _SAVED_PAGE_SUFFIXES)


@dataclass(frozen=True)
class PreparedImage:
    parsed: ParsedImage
    data: bytes | None  # dropped (None) once written to the blob store
    sha256: str | None
    info: ImageInfo | None
    problem: str = ""  # why a local or embedded image could not be kept
    size: int = 0


@dataclass(frozen=True)
class PreparedArticle:
    parsed: ParsedArticle
    identity_sha256: str
    images: tuple[PreparedImage, ...]
    warnings: tuple[str, ...]
    text_sha256: str
    sketch: tuple[int, ...]
    topic_scores: tuple[TopicScore, ...] | None  # None when no rules were given
    language: str = ""  # the importer's if plausible, else detected from the text


@dataclass
class PreparedFile:
    path: Path
    data: bytes  # emptied once written to the blob store (blobs_written)
    sha256: str
    importer: str
    size: int = 0
    blobs_written: bool = False
    # Written without a flush to disk (write_blobs(durable=False)): for the
    # importer to pass to BlobStore.make_durable before cataloguing them.
    blobs_to_flush: tuple[str, ...] = ()
    articles: list[PreparedArticle] = field(default_factory=list)
    image_problems: list[Problem] = field(default_factory=list)
    used_images: set[Path] = field(default_factory=set)


def read_file(
    path: Path, limits: Limits = DEFAULT_LIMITS, *, max_bytes: int | None = None
) -> bytes:
    """The file's bytes, refused before reading when larger than the limit allows."""
    largest = limits.max_file_bytes if max_bytes is None else min(max_bytes, limits.max_file_bytes)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ImportFailed(file_too_large(size, limits))
        if size > largest:
            raise ImportFailed(
                text_too_long(size // _BYTES_PER_CHAR_AT_MOST, limits, at_least=True)
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(_os_reason(exc)) from None
    # A file that grew between the size check and the read (a download) is checked again.
    if len(data) > limits.max_file_bytes:
        raise ImportFailed(file_too_large(len(data), limits))
    if len(data) > largest:
        raise ImportFailed(
            text_too_long(len(data) // _BYTES_PER_CHAR_AT_MOST, limits, at_least=True)
        )
    return data


def prepare(
    path: Path, rules: TopicRules | None = None, limits: Limits = DEFAULT_LIMITS
) -> PreparedFile:
    """Read, parse and check one file; fingerprint, classify and find the language of its articles.

    Raises ImportFailed or NotAnArticle.
    """
    parse = importer_for(path)
    if parse is None:
        raise NotAnArticle(f"unsupported file type ({path.suffix or 'no extension'})")
    text_bound = None
    if importer_name(parse) in _TEXT_IS_THE_FILE:
        text_bound = limits.max_text_chars * _BYTES_PER_CHAR_AT_MOST
    data = read_file(path, limits, max_bytes=text_bound)
    if not data or data.isspace():  # isspace, unlike strip, copies nothing
        raise NotAnArticle("empty file")
    sha = sha256_hex(data)
    try:
        parsed_articles = parse(path, data)
    except (ImportFailed, NotAnArticle):
        raise
    except RecursionError:
        raise ImportFailed("document nested too deeply to read") from None
    except Exception as exc:  # an importer bug must not stop the other files
        raise ImportFailed(f"could not be read ({exc.__class__.__name__}: {exc})") from exc
    if not parsed_articles:
        raise ImportFailed("no article found in the file")
    parsed_articles = _within_text_limit([storable(a) for a in parsed_articles], limits)
    prepared = PreparedFile(
        # The name is what provenance records: readable even when the file system's is not.
        path=path.with_name(readable_name(path.name)),
        data=data,
        sha256=sha,
        importer=importer_name(parse),
        size=len(data),
    )
    image_root = image_boundary(path)
    for parsed in parsed_articles:
        identity = sha256_hex(parsed.record) if parsed.record is not None else sha
        images, warnings = [], list(parsed.warnings)
        for image in parsed.images:
            ready = _prepare_image(image, image_root, limits)
            images.append(ready)
            if image.path is not None:
                prepared.used_images.add(resolved(image.path))
            if ready.problem:
                label = readable_path(image.path) if image.path is not None else "embedded image"
                warnings.append(f"image {label}: {ready.problem}")
                if image.path is not None:
                    prepared.image_problems.append(Problem(label, ready.problem))
        fingerprint = fingerprints.fingerprint(parsed.text)
        prepared.articles.append(
            PreparedArticle(
                parsed,
                identity,
                tuple(images),
                tuple(warnings),
                text_sha256=fingerprint.sha256,
                sketch=fingerprint.sketch,
                topic_scores=None
                if rules is None
                else rules.classify(parsed.title, parsed.text, captions_of(images)),
                language=article_language(parsed.language, parsed.title, parsed.text),
            )
        )
    return prepared


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def readable_name(name: str) -> str:
    """A file name as text that can be stored, printed and written as JSON.

    Names are bytes on Linux: bytes that are not UTF-8 arrive as lone surrogates
    (os.fsdecode), which SQLite, JSON and terminals refuse. They become `\\xff`
    escapes, and control characters (a newline in a name) `\\n`-style escapes,
    so one name stays on one line of a report.
    """
    if name.isprintable() and not _LONE_SURROGATE.search(name):
        return name
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def readable_path(path: str | Path) -> str:
    """A path for reports: each part as `readable_name` gives it."""
    text = str(path)
    if text.isprintable() and not _LONE_SURROGATE.search(text):
        return text
    return readable_name(text)


def _storable_text(value: str) -> str:
    """Text SQLite and JSON accept: lone surrogates (JSON "\\ud800") become U+FFFD, NULs go."""
    if _LONE_SURROGATE.search(value):
        value = _LONE_SURROGATE.sub("\ufffd", value)
    return value.replace("\x00", "") if "\x00" in value else value


def storable(article: ParsedArticle) -> ParsedArticle:
    """The article with every text field storable, whatever bytes the file held."""
    images = tuple(
        replace(
            image,
            url=_storable_text(image.url) if image.url is not None else None,
            alt=_storable_text(image.alt),
            title=_storable_text(image.title),
            caption=_storable_text(image.caption),
            credit=_storable_text(image.credit),
        )
        for image in article.images
    )
    return replace(
        article,
        title=_storable_text(article.title),
        text=_storable_text(article.text),
        html=_storable_text(article.html),
        author=_storable_text(article.author),
        source=_storable_text(article.source),
        url=_storable_text(article.url),
        published=_storable_text(article.published),
        language=_storable_text(article.language),
        tags=tuple(_storable_text(t) for t in article.tags),
        images=images,
        record_locator=_storable_text(article.record_locator),
        warnings=tuple(_storable_text(w) for w in article.warnings),
        extra={_storable_text(k): _storable_text(str(v)) for k, v in article.extra.items()},
    )


def _within_text_limit(articles: list[ParsedArticle], limits: Limits) -> list[ParsedArticle]:
    """The articles whose text is within the limit; the others are named in a warning.

    A file of one article too long fails; a container keeps its other articles.
    """
    kept = [a for a in articles if len(a.text) <= limits.max_text_chars]
    if len(kept) == len(articles):
        return articles
    dropped = [a for a in articles if len(a.text) > limits.max_text_chars]
    if not kept:
        if len(dropped) == 1:
            raise ImportFailed(text_too_long(len(dropped[0].text), limits))
        raise ImportFailed(
            f"every article is too long: {text_too_long(len(dropped[0].text), limits)}"
        )
    notes = [
        f"{a.record_locator or a.title[:60]!s} not imported: {text_too_long(len(a.text), limits)}"
        for a in dropped
    ]
    kept[0] = replace(kept[0], warnings=(*kept[0].warnings, *notes))
    return kept


# Below this many files a helper process costs more to start than it saves.
PARALLEL_MIN_FILES = 40
# Files the helper may prepare ahead: enough to keep it busy through an index commit.
IN_FLIGHT = 1024
# Files sent to a helper per task. A cancelled import still waits for the tasks the
# helpers have taken (one more than there are helpers): 24 files, a fraction of a second.
FILES_PER_TASK = 8


def write_blobs(prepared: PreparedFile, blobs: BlobStore, *, durable: bool = True) -> PreparedFile:
    """Store the file's and its images' bytes, and drop them from what is passed on.

    Blobs are content-addressed and written once, so writing them ahead of the
    catalog (here, or in a helper process) can only ever leave an orphan that
    `check --repair` removes, never a wrong or half-written file. Not `durable`,
    they are listed in `blobs_to_flush` (see BlobStore.put).
    """
    if prepared.blobs_written:
        return prepared
    written = [blobs.put(prepared.data, prepared.sha256, durable=durable)]
    prepared.data = b""
    prepared.blobs_written = True
    for article in prepared.articles:
        for image in article.images:
            if image.data is not None and image.sha256 is not None:
                written.append(blobs.put(image.data, image.sha256, durable=durable))
    prepared.articles = [
        replace(a, images=tuple(replace(i, data=None) for i in a.images)) for a in prepared.articles
    ]
    if not durable:
        prepared.blobs_to_flush = tuple(written)
    return prepared


def captions_of(images: Iterable[PreparedImage]) -> str:
    """What an article's images say (alt text, title, caption, credit), for search and topics."""
    return " ".join(
        " ".join(filter(None, (i.parsed.alt, i.parsed.title, i.parsed.caption, i.parsed.credit)))
        for i in images
    )


def prepare_all(
    paths: list[Path],
    *,
    workers: int = 0,
    rules: TopicRules | None = None,
    blob_root: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[tuple[Path, PreparedOutcome]]:
    """Each path with its prepared file or the reason it cannot be imported, in order.

    With workers > 0, files are read and parsed in other processes while the
    caller stores the ones before: on two cores, parsing and indexing overlap.
    The archive is only ever written by the caller, except for the blobs:
    with a `blob_root`, helpers write each file's there, and leave them to the
    caller to flush to disk (`blobs_to_flush`) before it catalogues them. If the
    helper processes cannot start or die, the remaining files are prepared here instead.
    """
    done = 0
    if workers > 0 and len(paths) >= PARALLEL_MIN_FILES:
        with closing(_prepare_in_helpers(paths, workers, rules, blob_root, limits)) as prepared:
            for path, outcome in prepared:
                yield path, outcome
                done += 1
    for path in paths[done:]:
        yield path, prepare_or_reason(path, rules, limits)


def _prepare_in_helpers(
    paths: list[Path],
    workers: int,
    rules: TopicRules | None,
    blob_root: Path | None,
    limits: Limits,
) -> Iterator[tuple[Path, PreparedOutcome]]:
    """The files' outcomes from helper processes, in order; stops early if the helpers die.

    Files go to the helpers FILES_PER_TASK at a time: each task costs the main
    process a submit, a wakeup and a result to unpickle, which at one file a
    task was a tenth of the time a file takes to prepare.
    """
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_helper,
        initargs=(rules, blob_root, limits),
    )
    chunks = (paths[i : i + FILES_PER_TASK] for i in range(0, len(paths), FILES_PER_TASK))
    pending: deque[tuple[list[Path], Future]] = deque()

    def submit_next() -> None:
        chunk = next(chunks, None)
        if chunk is not None:
            pending.append((chunk, pool.submit(_prepare_chunk_in_helper, chunk)))

    try:
        for _ in range(max(1, IN_FLIGHT // FILES_PER_TASK)):
            submit_next()
        while pending:
            chunk, future = pending.popleft()
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                return  # prepare_all prepares this chunk and the rest in-process
            submit_next()
            for path, outcome in zip(chunk, outcomes, strict=False):
                if isinstance(outcome, _Raised):  # where preparing that one file raised it
                    outcome.error.add_note(
                        f"preparing {path} in a helper process:\n{outcome.trace}"
                    )
                    raise outcome.error
                yield path, outcome
    finally:
        # Waits for the tasks in hand at most: no helper outlives the import.
        pool.shutdown(wait=True, cancel_futures=True)


PreparedOutcome = PreparedFile | ImportFailed | NotAnArticle


# The helper process's copy of the topic rules, sent once when it starts rather
# than with every file (they pickle to a couple of hundred kilobytes).
_helper_rules: TopicRules | None = None
_helper_blobs: BlobStore | None = None
_helper_limits: Limits = DEFAULT_LIMITS


def _start_helper(rules: TopicRules | None, blob_root: Path | None, limits: Limits) -> None:
    global _helper_rules, _helper_blobs, _helper_limits
    _helper_rules = rules
    _helper_blobs = BlobStore(blob_root) if blob_root is not None else None
    _helper_limits = limits


@dataclass(frozen=True)
class _Raised:
    """An unexpected error preparing one file of a chunk, re-raised in the main process."""

    error: BaseException
    trace: str  # the helper's traceback, which pickling the error drops


def _prepare_chunk_in_helper(paths: list[Path]) -> list[PreparedOutcome | _Raised]:
    """The outcomes of a chunk of files, in order, up to and including one that raised."""
    outcomes: list[PreparedOutcome | _Raised] = []
    for path in paths:
        try:
            outcomes.append(_prepare_in_helper(path))
        except Exception as exc:  # a bug: raised at its file, after the files before it
            outcomes.append(_Raised(exc, traceback.format_exc()))
            break
    return outcomes


def _prepare_in_helper(path: Path) -> PreparedOutcome:
    outcome = prepare_or_reason(path, _helper_rules, _helper_limits)
    if isinstance(outcome, PreparedFile) and _helper_blobs is not None:
        # Writing the bytes here spares sending them back and the main process's time.
        # The importer flushes them to disk, many at once, before it catalogues them.
        try:
            return write_blobs(outcome, _helper_blobs, durable=False)
        except OSError as exc:
            return ImportFailed(f"could not store: {exc}")
    return outcome


def prepare_or_reason(
    path: Path, rules: TopicRules | None = None, limits: Limits = DEFAULT_LIMITS
) -> PreparedOutcome:
    try:
        return prepare(path, rules, limits)
    except (ImportFailed, NotAnArticle) as exc:
        return exc
    except MemoryError:
        # Limits keep ordinary files far from this; one that still gets here fails alone.
        return ImportFailed("not enough memory to read this file")


def image_boundary(article: Path) -> Path:
    """The folder an article's local images must lie in: its own folder and the one above.

    One level up keeps `../images/a.jpg` (a blog's shared image folder) working,
    while `../../etc/passwd`, absolute paths and symlinks out of the tree are
    refused before anything is read.
    """
    return resolved(article).parent.parent


def _prepare_image(image: ParsedImage, root: Path, limits: Limits) -> PreparedImage:
    """Read and decode an image; on failure keep it as a reference with the reason."""
    data = image.data
    try:
        if data is None and image.path is not None:
            if not resolved(image.path).is_relative_to(root):
                raise BadImage(f"outside the article's folder ({root}); not read")
            if not image.path.is_file():
                raise BadImage("image file not found")
            data = read_file(image.path, limits)
        if data is None:
            return PreparedImage(image, None, None, None)
        info = inspect_image(data, limits)
    except (BadImage, ImportFailed) as exc:
        if image.path is not None:  # kept as a reference: its name is stored as text
            image = replace(image, path=Path(readable_path(image.path)))
        return PreparedImage(image, None, None, None, problem=str(exc))
    return PreparedImage(image, data, sha256_hex(data), info, size=len(data))


def resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop: the link points back at itself"
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file (a broken link?)"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    return f"cannot read: {exc.strerror or exc}"
