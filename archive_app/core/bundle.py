"""Portable bundles: the whole archive in one zip file, restored into an empty archive.

Layout of a bundle (every member of the zip):

    manifest.json           what the bundle is and what it holds:
                              format "archive-app bundle", format_version, app_version,
                              created_at, articles, schema_version (the catalog's),
                              tables [{name, path, rows, columns}],
                              files [{path, size, sha256}] for every other member
    catalog/<table>.jsonl   every row of every catalog table, one JSON object a line
                            (tables found in sqlite_master, without SQLite's own and
                            without `index_queue`, which is work in progress, not data);
                            a BLOB value is written {"base64": "..."}
    blobs/ab/<sha256>       every original and image, byte for byte: images stored as
                            they are (already compressed), originals deflated
    archive.json, topics.toml, variants.toml
                            the archive's own marker and rule files

Writing streams rows and blobs (memory does not grow with the archive) into a
temporary file beside the target, renamed at the end: the whole file or nothing.

Restoring checks everything before writing anything: the manifest's format and
types, every member's name (no `..`, absolute paths, backslashes, drive letters,
links), that the members are exactly those listed, every size and SHA-256 (hashed
while reading, never trusting the zip's own sizes alone), that the whole unpacks to
no more than `BundleLimits` allow for the file's size, and that every row parses
and names tables and columns this version knows. Only then are blobs stored, the
rows inserted in one catalog transaction and the rule files replaced.

A bundle whose catalog schema is older than this version's is accepted: so far
every migration only adds tables and columns with defaults, so older rows fit the
current tables. A newer schema or format version is refused with a clear message.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import secrets
import sqlite3
import stat
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from archive_app.core import audit_log
from archive_app.core.blobs import BlobStore, sha256_hex
from archive_app.core.catalog import SCHEMA_VERSION, Catalog
from archive_app.core.models import BundleReport, ImportedItem, RestoreReport

Progress = Callable[[int, int], None]

FORMAT_NAME = "archive-app bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RULE_FILES = ("archive.json", "topics.toml", "variants.toml")
NOT_EXPORTED = frozenset({"index_queue"})  # pending index work: rebuilt, not carried
CHUNK = 1 << 20
ROW_BATCH = 1000
ZIP64_FROM = 0x7FFF_0000  # members larger than this need zip64 headers written up front

_TABLE_PATH = re.compile(r"catalog/([A-Za-z_][A-Za-z0-9_]*)\.jsonl")
_BLOB_PATH = re.compile(r"blobs/([0-9a-f]{2})/([0-9a-f]{64})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"[A-Za-z]:")


class BundleError(Exception):
    """The bundle cannot be written or restored; the message names the file and the reason."""


class NotABundle(BundleError):
    """A readable zip file that is not an archive-app bundle (no manifest.json)."""


class BundleCancelled(Exception):
    """The person cancelled; what was written so far is removed."""


@dataclass(frozen=True)
class BundleLimits:
    """How much a bundle may unpack to, against zip bombs."""

    max_ratio: int = 100  # unpacked bytes per byte of the bundle file (text deflates ~4:1)
    floor: int = 64 << 20  # a small bundle may unpack to this much whatever its ratio
    manifest_bytes: int = 64 << 20

    def unpacked_limit(self, bundle_size: int) -> int:
        return max(self.floor, bundle_size * self.max_ratio)


# -- writing -------------------------------------------------------------------------


def write_bundle(
    root: Path,
    catalog_path: Path,
    blobs: BlobStore,
    out: Path,
    *,
    app_version: str,
    created_at: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> BundleReport:
    """Write the archive at `root` to `out`; the caller keeps writers away meanwhile.

    Cancelling removes the partial file and returns a report with `cancelled` set;
    a file already at `out` is left alone unless the bundle is complete.
    """
    out = Path(out)
    temporary = out.parent / f".{out.name}.{secrets.token_hex(4)}.partial"
    # A connection of our own, reading one snapshot, with rows streamed by the cursor.
    snapshot = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    try:
        snapshot.execute("BEGIN")
        tables = _catalog_tables(snapshot)
        stored = snapshot.execute("SELECT sha256, size, kind FROM blobs ORDER BY sha256").fetchall()
        articles = int(snapshot.execute("SELECT count(*) FROM articles").fetchone()[0])
        schema = int(snapshot.execute("PRAGMA user_version").fetchone()[0])
        rules = [name for name in RULE_FILES if (root / name).is_file()]
        steps = _Steps(progress, len(tables) + len(stored) + len(rules))
        files: list[dict[str, Any]] = []
        table_entries: list[dict[str, Any]] = []
        with zipfile.ZipFile(temporary, "x", allowZip64=True) as bundle:
            for table in tables:
                _check(cancel)
                entry, member = _write_table(bundle, snapshot, table)
                table_entries.append(entry)
                files.append(member)
                steps.advance()
            for sha, size, kind in stored:
                _check(cancel)
                files.append(_write_blob(bundle, blobs.path_for(sha), sha, size, kind))
                steps.advance()
            for name in rules:
                _check(cancel)
                files.append(_write_file(bundle, name, (root / name).read_bytes()))
                steps.advance()
            manifest = {
                "format": FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "app_version": app_version,
                "created_at": created_at,
                "articles": articles,
                "schema_version": schema,
                "tables": table_entries,
                "files": files,
            }
            text = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            bundle.writestr(_info(MANIFEST, zipfile.ZIP_DEFLATED), text)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except BundleCancelled:
        temporary.unlink(missing_ok=True)
        return BundleReport(str(out), 0, 0, 0, cancelled=True)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        snapshot.close()
    return BundleReport(str(out), articles, len(files), out.stat().st_size)


def _catalog_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%'"
        " ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows if r[0] not in NOT_EXPORTED]


def _write_table(
    bundle: zipfile.ZipFile, conn: sqlite3.Connection, table: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    path = f"catalog/{table}.jsonl"
    cursor = conn.execute(f'SELECT * FROM "{table}"')
    columns = [d[0] for d in cursor.description]
    rows = 0
    # The size is not known ahead, so zip64 headers are written whatever it turns out to be.
    with _HashingWriter(bundle, _info(path, zipfile.ZIP_DEFLATED), force_zip64=True) as member:
        while batch := cursor.fetchmany(ROW_BATCH):
            lines = [
                json.dumps(
                    {c: _encoded(v) for c, v in zip(columns, row, strict=True)},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for row in batch
            ]
            member.write(("\n".join(lines) + "\n").encode("utf-8"))
            rows += len(batch)
    entry = {"name": table, "path": path, "rows": rows, "columns": columns}
    return entry, member.entry


def _encoded(value: object) -> object:
    return (
        {"base64": base64.b64encode(value).decode("ascii")} if isinstance(value, bytes) else value
    )


def _write_blob(
    bundle: zipfile.ZipFile, source: Path, sha: str, size: int, kind: str
) -> dict[str, Any]:
    path = f"blobs/{sha[:2]}/{sha}"
    # Images are compressed already; deflating them again costs time and saves nothing.
    method = zipfile.ZIP_STORED if kind == "image" else zipfile.ZIP_DEFLATED
    try:
        handle = source.open("rb")
    except FileNotFoundError:
        raise BundleError(
            f"cannot export: the stored {kind} {sha} is missing from {source.parent};"
            " run `check` to see which articles use it"
        ) from None
    with handle, _HashingWriter(bundle, _info(path, method), force_zip64=size > ZIP64_FROM) as out:
        while chunk := handle.read(CHUNK):
            out.write(chunk)
    if out.entry["sha256"] != sha or out.entry["size"] != size:
        raise BundleError(
            f"cannot export: the stored {kind} {source} is damaged (its bytes no longer"
            " match their SHA-256); run `check` to see which articles use it"
        )
    return out.entry


def _write_file(bundle: zipfile.ZipFile, path: str, data: bytes) -> dict[str, Any]:
    with _HashingWriter(bundle, _info(path, zipfile.ZIP_DEFLATED)) as member:
        member.write(data)
    return member.entry


def _info(path: str, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=time.localtime()[:6])
    info.compress_type = method
    info.external_attr = 0o644 << 16  # a plain file, readable
    return info


class _HashingWriter:
    """A zip member written in pieces, hashed and counted on the way."""

    def __init__(
        self, bundle: zipfile.ZipFile, info: zipfile.ZipInfo, *, force_zip64: bool = False
    ) -> None:
        self._path = info.filename
        self._handle = bundle.open(info, "w", force_zip64=force_zip64)
        self._hash = hashlib.sha256()
        self._size = 0

    def __enter__(self) -> _HashingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def write(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        self._handle.write(data)

    @property
    def entry(self) -> dict[str, Any]:
        return {"path": self._path, "size": self._size, "sha256": self._hash.hexdigest()}


# -- reading and checking ------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    name: str
    path: str
    rows: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class _Member:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    app_version: str
    created_at: str
    articles: int
    schema_version: int
    tables: tuple[_Table, ...]
    files: tuple[_Member, ...]


def not_a_bundle_reason(path: Path) -> str | None:
    """Why a readable zip file is not a bundle; None for a bundle or a damaged file.

    A damaged file might be a bundle: restoring it says what is wrong.
    """
    try:
        with zipfile.ZipFile(path) as bundle:
            names = bundle.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if MANIFEST in names:
        return None
    return "not an archive-app bundle (a zip file without manifest.json)"


def restore_bundle(
    path: Path,
    catalog: Catalog,
    blobs: BlobStore,
    root: Path,
    *,
    limits: BundleLimits | None = None,
    after: Callable[[Progress], None] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> RestoreReport:
    """Check the bundle whole, then restore it into the (empty) archive at `root`.

    Raises BundleError, with the archive unchanged. A cancelled restore (possible
    until the catalog is written) says so in its report. `after` runs once the
    catalog and rule files are in place (the caller builds its index there), with
    a progress callback for one step per article.
    """
    path = Path(path)
    limits = limits or BundleLimits()
    held = int(catalog.scalar("SELECT count(*) FROM articles") or 0)
    if held:
        raise BundleError(
            f"cannot restore {path.name}: this archive already holds {held} article(s), and a"
            " bundle is restored only into an empty archive; open a new one with"
            " `--archive DIR` (a new folder) and import the bundle there"
        )
    try:
        bundle = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BundleError(f"{path}: not a zip file, or a damaged or truncated one") from None
    except OSError as exc:
        raise BundleError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    with bundle:
        reader = _Reader(path, bundle, limits)
        manifest = reader.manifest()
        known = _known_columns(catalog)
        reader.check_members(manifest, known)
        blob_members = [m for m in manifest.files if _BLOB_PATH.fullmatch(m.path)]
        steps = _Steps(progress, len(manifest.files) + len(blob_members) + 1 + manifest.articles)
        try:
            reader.verify(manifest, steps, cancel)
            _check(cancel)
        except BundleCancelled:
            return RestoreReport(str(path), (), 0, cancelled=True)
        written: list[str] = []
        try:
            for member in blob_members:
                written += _restore_blob(reader, member, blobs)
                steps.advance()
            with catalog.transaction() as conn:
                _insert_rows(conn, reader, manifest)
            steps.advance()
        except BaseException:
            for sha in written:  # the archive was empty: these are ours, referenced by nothing
                blobs.delete(sha)
            raise
        for name in RULE_FILES:
            member = next((m for m in manifest.files if m.path == name), None)
            if member is not None:
                _restore_rule_file(root, name, reader.read_whole(member), path)
    if after is not None:
        start = steps.done
        after(lambda done, _total: steps.reach(start + done))
    titles = catalog.query(
        "SELECT a.id, coalesce(e.value, a.title) FROM articles a LEFT JOIN article_edits e"
        " ON e.article_id = a.id AND e.field = 'title' ORDER BY a.seq"
    )
    restored = tuple(ImportedItem(r[0], str(path), r[1]) for r in titles)
    return RestoreReport(str(path), restored, len(manifest.files))


class _Reader:
    """The open zip and the checks that need it; every read is capped by the manifest."""

    def __init__(self, path: Path, bundle: zipfile.ZipFile, limits: BundleLimits) -> None:
        self.path = path
        self.bundle = bundle
        self.limits = limits
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in bundle.infolist():
            if info.filename in self.infos:
                self._fail(f"the member {info.filename!r} appears twice")
            self.infos[info.filename] = info

    def _fail(self, reason: str) -> None:
        raise BundleError(f"{self.path}: {reason}")

    def manifest(self) -> Manifest:
        info = self.infos.get(MANIFEST)
        if info is None:
            raise NotABundle(f"{self.path}: not an archive-app bundle (no {MANIFEST})")
        if info.file_size > self.limits.manifest_bytes:
            self._fail(f"{MANIFEST} is {info.file_size:,} bytes, more than a manifest can be")
        data = b"".join(self._chunks(info, self.limits.manifest_bytes))
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            self._fail(f"{MANIFEST} is not valid JSON ({exc})")
        return _parse_manifest(raw, self.path)

    def check_members(self, manifest: Manifest, known: dict[str, set[str]]) -> None:
        for info in self.infos.values():
            problem = _member_problem(info)
            if problem:
                self._fail(f"refused member {info.filename!r}: {problem}")
        listed = {m.path: m for m in manifest.files}
        if len(listed) != len(manifest.files):
            self._fail(f"{MANIFEST} lists a file twice")
        present = set(self.infos) - {MANIFEST}
        missing = sorted(set(listed) - present)
        if missing:
            self._fail(f"{missing[0]} is listed in {MANIFEST} but missing from the bundle")
        extra = sorted(present - set(listed))
        if extra:
            self._fail(f"{extra[0]} is in the bundle but not listed in its {MANIFEST}")
        for member in manifest.files:
            problem = _layout_problem(member)
            if problem:
                self._fail(f"{member.path}: {problem}")
            declared = self.infos[member.path].file_size
            if declared != member.size:
                self._fail(
                    f"{member.path}: the zip declares {declared:,} bytes,"
                    f" {MANIFEST} {member.size:,}"
                )
        unpacked = sum(info.file_size for info in self.infos.values())
        size = self.path.stat().st_size
        if unpacked > self.limits.unpacked_limit(size):
            self._fail(
                f"would unpack to {unpacked:,} bytes from a {size:,}-byte file (more than"
                f" {self.limits.max_ratio} times its size): refused as a possible zip bomb"
            )
        tables = {t.name: t for t in manifest.tables}
        if len(tables) != len(manifest.tables):
            self._fail(f"{MANIFEST} lists a table twice")
        for name in ("articles", "blobs"):
            if name not in tables:
                self._fail(f"{MANIFEST} lists no {name!r} table")
        in_files = {m.path for m in manifest.files if _TABLE_PATH.fullmatch(m.path)}
        if in_files != {t.path for t in manifest.tables}:
            self._fail(f"the catalog files and the tables in {MANIFEST} do not agree")
        for table in manifest.tables:
            if table.path != f"catalog/{table.name}.jsonl":
                self._fail(f"table {table.name!r} is not in catalog/{table.name}.jsonl")
            if table.name not in known:
                self._fail(f"the catalog has no table {table.name!r} (written by a newer version?)")
            unknown = sorted(set(table.columns) - known[table.name])
            if unknown or len(set(table.columns)) != len(table.columns):
                self._fail(f"table {table.name!r} has columns this catalog does not: {unknown}")

    def verify(self, manifest: Manifest, steps: _Steps, cancel: threading.Event | None) -> None:
        """Every member's size and SHA-256, every row's shape, blobs against the catalog."""
        tables = {t.path: t for t in manifest.tables}
        catalog_blobs: dict[str, int] = {}
        for member in manifest.files:
            _check(cancel)
            digest, size = hashlib.sha256(), 0
            table = tables.get(member.path)
            if table is None:
                for chunk in self._chunks(self.infos[member.path], member.size):
                    digest.update(chunk)
                    size += len(chunk)
            else:
                rows = 0
                for rows, line in enumerate(self._lines(member), start=1):
                    digest.update(line)
                    size += len(line)
                    row = _decoded_row(line, table, rows, self.path)
                    if table.name == "blobs":
                        size_of = row.get("size")
                        catalog_blobs[str(row.get("sha256"))] = (
                            size_of if isinstance(size_of, int) else -1
                        )
                if rows != table.rows:
                    self._fail(f"{member.path} holds {rows} rows, {MANIFEST} says {table.rows}")
            if size != member.size or digest.hexdigest() != member.sha256:
                self._fail(
                    f"{member.path} does not match its SHA-256 in {MANIFEST} (damaged or altered)"
                )
            steps.advance()
        in_bundle = {
            m.path.rsplit("/", 1)[1]: m.size for m in manifest.files if _BLOB_PATH.fullmatch(m.path)
        }
        for sha in sorted(set(catalog_blobs) - set(in_bundle)):
            self._fail(f"blob {sha} is named by the catalog but not in the bundle")
        for sha in sorted(set(in_bundle) - set(catalog_blobs)):
            self._fail(f"blob {sha} is in the bundle but the catalog does not name it")
        for sha, size in in_bundle.items():
            if catalog_blobs[sha] != size:
                self._fail(f"blob {sha}: the catalog says {catalog_blobs[sha]} bytes, not {size}")

    def read_whole(self, member: _Member) -> bytes:
        return b"".join(self._chunks(self.infos[member.path], member.size))

    def rows(self, table: _Table) -> Iterator[dict[str, object]]:
        member = _Member(table.path, self.infos[table.path].file_size, "")
        for number, line in enumerate(self._lines(member), start=1):
            yield _decoded_row(line, table, number, self.path)

    def _lines(self, member: _Member) -> Iterator[bytes]:
        read = 0
        with self._open(self.infos[member.path]) as handle:
            for line in handle:
                read += len(line)
                if read > member.size:
                    self._fail(f"{member.path} holds more than the {member.size:,} bytes listed")
                yield line

    def _chunks(self, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
        """The member's bytes, never more than `cap` of them, whatever the zip says."""
        read = 0
        with self._open(info) as handle:
            while chunk := handle.read(CHUNK):
                read += len(chunk)
                if read > cap:
                    self._fail(f"{info.filename} holds more than the {cap:,} bytes listed")
                yield chunk

    @contextlib.contextmanager
    def _open(self, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
        try:
            with self.bundle.open(info) as handle:
                yield handle
        except NotImplementedError as exc:  # zipfile's word for a compression it lacks
            self._fail(f"{info.filename} is compressed in a way this app cannot read ({exc})")
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            self._fail(f"{info.filename} cannot be read: damaged or truncated ({exc})")


def _parse_manifest(raw: object, path: Path) -> Manifest:
    def fail(reason: str) -> BundleError:
        return BundleError(f"{path}: {MANIFEST}: {reason}")

    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise NotABundle(f"{path}: not an archive-app bundle ({MANIFEST} names another format)")

    def number(obj: dict, key: str, where: str = "") -> int:
        value = obj.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail(f"{where}{key!r} should be a whole number, not {value!r}")
        return value

    def text(obj: dict, key: str, where: str = "") -> str:
        value = obj.get(key)
        if not isinstance(value, str):
            raise fail(f"{where}{key!r} should be text, not {value!r}")
        return value

    def objects(key: str) -> list[dict]:
        value = raw.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise fail(f"{key!r} should be a list of objects")
        return value

    version = number(raw, "format_version")
    if version > FORMAT_VERSION or version < 1:
        raise fail(
            f"bundle format {version}, and this archive-app reads format {FORMAT_VERSION}"
            " (written by a newer version? update archive-app)"
        )
    schema = number(raw, "schema_version")
    if schema > SCHEMA_VERSION or schema < 1:
        raise fail(
            f"catalog schema {schema}, and this archive-app knows up to {SCHEMA_VERSION}"
            " (written by a newer version? update archive-app)"
        )
    tables = []
    for i, t in enumerate(objects("tables")):
        columns = t.get("columns")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise fail(f"tables[{i}]: 'columns' should be a list of names")
        tables.append(
            _Table(
                text(t, "name", f"tables[{i}]: "),
                text(t, "path", f"tables[{i}]: "),
                number(t, "rows", f"tables[{i}]: "),
                tuple(columns),
            )
        )
    files = []
    for i, f in enumerate(objects("files")):
        sha = text(f, "sha256", f"files[{i}]: ")
        if not _SHA256.fullmatch(sha):
            raise fail(f"files[{i}]: {sha!r} is not a SHA-256 in hex")
        files.append(
            _Member(text(f, "path", f"files[{i}]: "), number(f, "size", f"files[{i}]: "), sha)
        )
    return Manifest(
        format_version=version,
        app_version=text(raw, "app_version"),
        created_at=text(raw, "created_at"),
        articles=number(raw, "articles"),
        schema_version=schema,
        tables=tuple(tables),
        files=tuple(files),
    )


def _member_problem(info: zipfile.ZipInfo) -> str:
    """Why a member's name or kind could write outside the archive ("" when it cannot)."""
    name = info.filename
    if "\\" in name:
        return "a backslash in its path"
    if name.startswith("/") or _DRIVE.match(name):
        return "an absolute path"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "a path that leaves the bundle (.., . or an empty part)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if info.is_dir():
        return "a folder entry"
    return ""


def _layout_problem(member: _Member) -> str:
    if member.path in RULE_FILES or _TABLE_PATH.fullmatch(member.path):
        return ""
    blob = _BLOB_PATH.fullmatch(member.path)
    if blob is None:
        return "not part of the bundle layout"
    if not blob.group(2).startswith(blob.group(1)) or blob.group(2) != member.sha256:
        return "a blob's name must be its SHA-256"
    return ""


def _decoded_row(line: bytes, table: _Table, number: int, path: Path) -> dict[str, object]:
    where = f"{path}: {table.path} line {number}"
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise BundleError(f"{where} is not JSON ({exc})") from None
    if not isinstance(row, dict) or sorted(row) != sorted(table.columns):
        raise BundleError(f"{where} does not have the columns listed for {table.name!r}")
    for column, value in row.items():
        if isinstance(value, dict):
            encoded = value.get("base64")
            if set(value) != {"base64"} or not isinstance(encoded, str):
                raise BundleError(f"{where}: {column} holds an object that is not a BLOB")
            try:
                row[column] = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise BundleError(f"{where}: {column} is not valid base64") from None
        elif isinstance(value, list | bool):
            raise BundleError(f"{where}: {column} holds a {type(value).__name__}, not a value")
    return row


def _known_columns(catalog: Catalog) -> dict[str, set[str]]:
    tables = [
        r[0]
        for r in catalog.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%'"
            " ESCAPE '\\'"
        )
        if r[0] not in NOT_EXPORTED
    ]
    return {t: {r[1] for r in catalog.query(f'PRAGMA table_info("{t}")')} for t in tables}


# -- restoring -----------------------------------------------------------------------


def _restore_blob(reader: _Reader, member: _Member, blobs: BlobStore) -> list[str]:
    data = reader.read_whole(member)
    if sha256_hex(data) != member.sha256:  # read again since verified: checked again
        raise BundleError(f"{reader.path}: {member.path} changed while it was being restored")
    existed = blobs.exists(member.sha256)
    blobs.put(data, member.sha256)
    return [] if existed else [member.sha256]


def _insert_rows(conn: sqlite3.Connection, reader: _Reader, manifest: Manifest) -> None:
    """Inside the caller's transaction: the archive's rows replaced by the bundle's."""
    # Foreign keys are checked at the end, so tables go in whatever order they come.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in manifest.tables:  # the empty archive's own rows: default topics, meta
        if conn.execute(f'SELECT 1 FROM "{table.name}" LIMIT 1').fetchone() is None:
            continue  # an append-only table (the audit log) refuses even an empty DELETE
        try:
            conn.execute(f'DELETE FROM "{table.name}"')
        except sqlite3.DatabaseError as exc:
            raise BundleError(
                f"cannot restore {reader.path.name}: this archive's {table.name} cannot be"
                f" replaced ({exc}); open a new archive with `--archive DIR` and import"
                " the bundle there"
            ) from None
    for table in manifest.tables:
        columns = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" * len(table.columns))
        sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
        batch: list[tuple] = []
        try:
            for row in reader.rows(table):
                batch.append(tuple(row[c] for c in table.columns))
                if len(batch) >= ROW_BATCH:
                    conn.executemany(sql, batch)
                    batch.clear()
            conn.executemany(sql, batch)
        except sqlite3.DatabaseError as exc:
            raise BundleError(
                f"{reader.path}: the rows of {table.path} do not fit: {exc}"
            ) from None
    _log_restore(conn, reader.path, manifest)
    # A failed COMMIT would leave the transaction open, so the check comes first.
    broken = conn.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        raise BundleError(
            f"{reader.path}: a row of {broken[0]!r} refers to a missing row of {broken[2]!r}"
        )


def _log_restore(conn: sqlite3.Connection, bundle: Path, manifest: Manifest) -> None:
    """The restore goes on the log; a bundle from before the log starts one first."""
    articles, last_seq = conn.execute(
        "SELECT count(*), coalesce(max(seq), 0) FROM articles"
    ).fetchone()
    if not any(t.name == "audit_log" for t in manifest.tables):
        conn.execute("DELETE FROM meta WHERE key = ?", (audit_log.HEAD_KEY,))
        audit_log.append(
            conn, audit_log.STARTED, None, {"articles": articles, "last_article_seq": last_seq}
        )
    audit_log.append(conn, "restore", None, {"bundle": bundle.name, "articles": articles})


def _restore_rule_file(root: Path, name: str, data: bytes, bundle: Path) -> None:
    if name == "archive.json":
        data = _merged_marker(root / name, data, bundle)
    target = root / name
    temporary = target.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _merged_marker(current_path: Path, data: bytes, bundle: Path) -> bytes:
    """The original's settings (its import limits, its creation time) with this
    archive's format and versions, noting where the contents came from."""
    try:
        source = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        source = None
    current = json.loads(current_path.read_text("utf-8"))
    marker = dict(source) if isinstance(source, dict) else dict(current)
    for key in ("format", "app_version", "opened_at"):
        if key in current:
            marker[key] = current[key]
    marker["restored_from"] = {
        "bundle": bundle.name,
        "written_by": source.get("app_version") if isinstance(source, dict) else None,
    }
    return (json.dumps(marker, indent=2) + "\n").encode("utf-8")


# -- progress and cancelling ---------------------------------------------------------


class _Steps:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self.total = total
        self.done = 0
        if progress is not None:
            progress(0, total)

    def reach(self, done: int) -> None:
        self.done = done - 1
        self.advance()

    def advance(self) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise BundleCancelled
