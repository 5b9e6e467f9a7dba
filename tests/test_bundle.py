"""Bundles: the whole archive in one zip, restored into an empty archive with nothing lost.

Bad bundles (damaged, altered, incomplete, hostile) are refused with the file and the
reason named, and the archive they were meant for stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import struct
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from archive_app.core import audit_log
from archive_app.core.archive import Archive, ArchiveError
from archive_app.core.bundle import FORMAT_NAME, MANIFEST, BundleLimits
from archive_app.core.catalog import SCHEMA_VERSION
from archive_app.core.models import SearchRequest

QUERIES = (
    "",
    "children",
    "deportation",
    "court OR tribunal",
    '"war crimes"',
    "child*",
    "title:children",
    "orphanage NOT school",
)

Members = dict[str, bytes]


# -- a sample archive with a person's work on it, and its bundle ------------------------


def _add_work(archive: Archive) -> None:
    """Tags, a note, an edit, topics set and removed by hand, a saved search."""
    ids = list(archive.search_ids(SearchRequest(query="children")).ids)
    archive.tag(ids[0], ["region/kherson", "follow-up"])
    archive.tag(ids[1], ["Region/Kherson/Oleshky"])
    archive.set_note(ids[0], "Ask the ministry about the 2023 figures.")
    archive.edit(ids[2], title="A corrected headline about children", published="2021-03-04")
    archive.set_topic(ids[3], "war-crimes", True)
    archive.set_topic(ids[4], "child-welfare", False)
    archive.save_search(
        "Kherson children", SearchRequest(query="children", tags=("region/kherson",))
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory, _sample_archive_template: Path):
    """A copy of the sample archive with the person's work added, and its bundle."""
    folder = tmp_path_factory.mktemp("bundle-source")
    root = folder / "archive"
    shutil.copytree(_sample_archive_template, root, ignore=shutil.ignore_patterns("write.lock"))
    archive = Archive.open(root, create=False)
    _add_work(archive)
    report = archive.export_bundle(folder / "archive.zip")
    yield archive, Path(report.path)
    archive.close()


@pytest.fixture
def bundle_path(source, tmp_path: Path) -> Path:
    """A copy of the good bundle, for a test to damage."""
    copy = tmp_path / "copy.zip"
    shutil.copyfile(source[1], copy)
    return copy


def _members(path: Path) -> Members:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def _write(path: Path, members: Members, *, relist: bool = False) -> Path:
    """Write the members as a zip; `relist` makes the manifest list them as they are now."""
    if relist:
        manifest = json.loads(members[MANIFEST])
        manifest["files"] = [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in members.items()
            if name != MANIFEST
        ]
        members = members | {MANIFEST: json.dumps(manifest).encode()}
    path.unlink(missing_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def _with_manifest(path: Path, change: Callable[[dict], None]) -> Path:
    members = _members(path)
    manifest = json.loads(members[MANIFEST])
    change(manifest)
    return _write(path, members | {MANIFEST: json.dumps(manifest).encode()})


def _first(members: Members, prefix: str) -> str:
    return next(name for name in members if name.startswith(prefix))


def _rows(archive: Archive, table: str) -> list[tuple]:
    return sorted((tuple(r) for r in archive.catalog.query(f'SELECT * FROM "{table}"')), key=repr)


def _tables(archive: Archive) -> list[str]:
    return [
        r[0]
        for r in archive.catalog.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'index_queue' ORDER BY name"
        )
    ]


# -- the round trip ------------------------------------------------------------------------


def test_a_restored_bundle_searches_and_reads_as_the_original(source, archive: Archive):
    original, path = source
    report = archive.restore_bundle(path)

    assert not report.cancelled
    assert sorted(i.id for i in report.restored) == sorted(
        r[0] for r in original.catalog.query("SELECT id FROM articles")
    )
    requests = [SearchRequest(query=q, limit=100) for q in QUERIES] + [
        SearchRequest(topics=("war-crimes",), sort="newest", limit=100),
        SearchRequest(tags=("region/kherson",), limit=100),
        SearchRequest(query="children", since="2020-01-01", sort="oldest", limit=100),
    ]
    for request in requests:
        assert archive.search_ids(request) == original.search_ids(request), request
    # Scores too, once the original's index is also fresh: an index updated in place
    # still counts replaced versions of edited articles in its statistics.
    original.rebuild_index()
    for request in requests:
        assert archive.search(request) == original.search(request), request
    for (article_id,) in original.catalog.query("SELECT id FROM articles"):
        assert archive.get(article_id) == original.get(article_id)
        assert archive.original_path(article_id).read_bytes() == (
            original.original_path(article_id).read_bytes()
        )
        for image in original.get(article_id).images:
            if image.sha256:
                assert archive.image_path(image.sha256).read_bytes() == (
                    original.image_path(image.sha256).read_bytes()
                )
    assert archive.tags() == original.tags()
    assert archive.saved_searches() == original.saved_searches()
    assert archive.topic_counts() == original.topic_counts()
    # Every catalog table, row for row (the audit log and any table to come included).
    assert _tables(archive) == _tables(original)
    for table in set(_tables(original)) - {"audit_log", "meta"}:
        assert _rows(archive, table) == _rows(original, table), table
    # The log comes whole, then records the restore, chained to the original's newest entry.
    logged = archive.log(limit=1000)
    assert [e.action for e in logged[:1]] == ["restore"]
    assert logged[0].prev_hash == original.log(limit=1)[0].hash
    assert logged[1:] == original.log(limit=1000)
    assert archive.verify_log() == []
    head = audit_log.HEAD_KEY
    assert [r for r in _rows(archive, "meta") if r[0] != head] == [
        r for r in _rows(original, "meta") if r[0] != head
    ]
    for name in ("topics.toml", "variants.toml"):
        assert (archive.root / name).read_bytes() == (original.root / name).read_bytes()
    marker = json.loads((archive.root / "archive.json").read_text("utf-8"))
    assert marker["restored_from"]["bundle"] == path.name
    assert archive.check().ok


def test_the_bundle_holds_a_manifest_with_every_file_hashed(source):
    original, path = source
    members = _members(path)
    manifest = json.loads(members[MANIFEST])
    assert manifest["format"] == FORMAT_NAME
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["articles"] == original.article_count()
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(members) - {MANIFEST}
    for name, data in members.items():
        if name != MANIFEST:
            assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
            assert listed[name]["size"] == len(data)
    stored = {r[0]: r[1] for r in original.catalog.query("SELECT sha256, kind FROM blobs")}
    assert {n.rsplit("/", 1)[1] for n in members if n.startswith("blobs/")} == set(stored)
    assert {"catalog/articles.jsonl", "topics.toml", "variants.toml", "archive.json"} <= set(
        members
    )
    assert "catalog/index_queue.jsonl" not in members
    with zipfile.ZipFile(path) as bundle:
        for info in bundle.infolist():
            if info.filename.startswith("blobs/"):
                kind = stored[info.filename.rsplit("/", 1)[1]]
                expected = zipfile.ZIP_STORED if kind == "image" else zipfile.ZIP_DEFLATED
                assert info.compress_type == expected, info.filename
    # BLOB columns travel as base64 (articles.sketch).
    first = json.loads(members["catalog/articles.jsonl"].splitlines()[0])
    assert set(first["sketch"]) == {"base64"}


def test_export_reports_progress_and_replaces_a_file_only_when_whole(
    sample_archive: Archive, tmp_path: Path
):
    target = tmp_path / "out.zip"
    target.write_bytes(b"an earlier file")
    seen: list[tuple[int, int]] = []
    report = sample_archive.export_bundle(target, progress=lambda d, t: seen.append((d, t)))
    assert report.size == target.stat().st_size and report.files > report.articles > 0
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert zipfile.ZipFile(target).testzip() is None


def test_a_cancelled_export_leaves_nothing_and_keeps_the_earlier_file(
    sample_archive: Archive, tmp_path: Path
):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "out.zip"
    target.write_bytes(b"an earlier file")
    cancel = threading.Event()

    def stop_half_way(done: int, total: int) -> None:
        if done >= total // 2:
            cancel.set()

    report = sample_archive.export_bundle(target, progress=stop_half_way, cancel=cancel)
    assert report.cancelled
    assert target.read_bytes() == b"an earlier file"
    assert [p.name for p in target.parent.iterdir()] == ["out.zip"]


def test_export_refuses_a_damaged_blob_and_writes_nothing(sample_archive: Archive, tmp_path: Path):
    sha = sample_archive.get(sample_archive.search_ids(SearchRequest()).ids[0]).provenance.sha256
    blob = sample_archive.blobs.path_for(sha)
    blob.chmod(stat.S_IWUSR | stat.S_IRUSR)
    blob.write_bytes(blob.read_bytes() + b"!")
    with pytest.raises(ArchiveError, match=f"{sha}.*damaged.*check"):
        sample_archive.export_bundle(tmp_path / "out.zip")
    assert list(tmp_path.iterdir()) == [tmp_path / "sample-archive"]


def test_a_cancelled_restore_changes_nothing(source, archive: Archive):
    cancel = threading.Event()
    cancel.set()
    report = archive.restore_bundle(source[1], cancel=cancel)
    assert report.cancelled and report.restored == ()
    _assert_unchanged(archive)


# -- refused: a non-empty archive, and bad bundles ------------------------------------------


def test_only_an_empty_archive_takes_a_bundle(source, sample_archive: Archive):
    before = sample_archive.article_count()
    with pytest.raises(ArchiveError, match=r"already holds \d+ article.*--archive DIR"):
        sample_archive.restore_bundle(source[1])
    assert sample_archive.article_count() == before
    assert sample_archive.check().ok


def _assert_unchanged(archive: Archive) -> None:
    """Still empty, nothing stored, checks out, and opens again."""
    assert archive.article_count() == 0
    assert list(archive.blobs.all_hashes()) == []
    assert archive.check().ok
    assert not json.loads((archive.root / "archive.json").read_text("utf-8")).get("restored_from")
    root = archive.root
    archive.close()
    with Archive.open(root, create=False) as again:
        assert again.article_count() == 0


def _truncated(path: Path) -> Path:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _tail_cut(path: Path) -> Path:
    path.write_bytes(path.read_bytes()[:-30])
    return path


def _altered_blob(path: Path) -> Path:
    members = _members(path)
    name = _first(members, "blobs/")
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0xFF
    return _write(path, members | {name: bytes(data)})


def _missing_blob(path: Path) -> Path:
    members = _members(path)
    del members[_first(members, "blobs/")]
    return _write(path, members)


def _extra_member(path: Path) -> Path:
    return _write(path, _members(path) | {"notes.txt": b"hello"})


def _extra_listed_blob(path: Path) -> Path:
    data = b"a blob the catalog does not name"
    name = f"blobs/{hashlib.sha256(data).hexdigest()[:2]}/{hashlib.sha256(data).hexdigest()}"
    return _write(path, _members(path) | {name: data}, relist=True)


def _evil(name: str) -> Callable[[Path], Path]:
    return lambda path: _write(path, _members(path) | {name: b"owned"}, relist=True)


def _symlink_member(path: Path) -> Path:
    members = _members(path)
    _write(path, members)
    with zipfile.ZipFile(path, "a") as bundle:
        info = zipfile.ZipInfo("topics2.toml")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(info, "/etc/passwd")
    return path


def _plain_zip(path: Path) -> Path:
    return _write(path, {"article.txt": b"Title\n\nBody", "photo.jpg": b"\xff\xd8"})


def _bad_row(path: Path) -> Path:
    members = _members(path)
    lines = members["catalog/tags.jsonl"].splitlines()
    lines[0] = b'{"id": 1}'
    return _write(path, members | {"catalog/tags.jsonl": b"\n".join(lines) + b"\n"}, relist=True)


def _dangling_row(path: Path) -> Path:
    """A tag link whose tag is gone: caught when the rows are in, then all rolled back."""
    members = _members(path)
    manifest = json.loads(members[MANIFEST])
    for table in manifest["tables"]:
        if table["name"] == "tags":
            table["rows"] = 0
    members = members | {"catalog/tags.jsonl": b"", MANIFEST: json.dumps(manifest).encode()}
    return _write(path, members, relist=True)


def _patch_declared_size(path: Path, name: str, size: int) -> None:
    """Set the uncompressed size the zip's central directory declares for a member."""
    raw = bytearray(path.read_bytes())
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", raw, start + 28)[0]
        if raw[start + 46 : start + 46 + name_length] == name.encode():
            struct.pack_into("<I", raw, start + 24, size)
            path.write_bytes(bytes(raw))
            return
        start = raw.find(b"PK\x01\x02", start + 46)
    raise AssertionError(f"{name} not found")


def _unknown_compression(path: Path) -> Path:
    """A blob stored with compression method 99 (AES), which zipfile cannot read."""
    name = _first(_members(path), "blobs/").encode()
    raw = bytearray(path.read_bytes())
    for signature, method_at, name_length_at, name_at in (
        (b"PK\x03\x04", 8, 26, 30),
        (b"PK\x01\x02", 10, 28, 46),
    ):
        start = raw.find(signature)
        while start != -1:
            length = struct.unpack_from("<H", raw, start + name_length_at)[0]
            if raw[start + name_at : start + name_at + length] == name:
                struct.pack_into("<H", raw, start + method_at, 99)
                break
            start = raw.find(signature, start + 4)
    path.write_bytes(bytes(raw))
    return path


def _bomb_declared(path: Path) -> Path:
    """A member that says it unpacks to about 4 GB (the manifest agreeing)."""
    members = _members(path)
    name = _first(members, "blobs/")
    huge = 4_000_000_000
    manifest = json.loads(members[MANIFEST])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["size"] = huge
    _write(path, members | {MANIFEST: json.dumps(manifest).encode()})
    _patch_declared_size(path, name, huge)
    return path


def _unpacks_to_more_than_declared(path: Path) -> Path:
    """The central directory and the manifest say 10 bytes; the member holds more."""
    members = _members(path)
    name = _first(members, "blobs/")
    manifest = json.loads(members[MANIFEST])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["size"] = 10
    _write(path, members | {MANIFEST: json.dumps(manifest).encode()})
    _patch_declared_size(path, name, 10)
    return path


def _manifest_change(change: Callable[[dict], None]) -> Callable[[Path], Path]:
    return lambda path: _with_manifest(path, change)


def _manifest_not_json(path: Path) -> Path:
    return _write(path, _members(path) | {MANIFEST: b"{not json"})


BAD_BUNDLES = {
    "truncated": (_truncated, "not a zip file, or a damaged or truncated one"),
    "end cut off": (_tail_cut, "not a zip file, or a damaged or truncated one"),
    "altered member": (_altered_blob, r"blobs/.* does not match its SHA-256"),
    "missing member": (_missing_blob, r"blobs/.* is listed in manifest.json but missing"),
    "extra member": (_extra_member, "notes.txt is in the bundle but not listed"),
    "extra blob": (_extra_listed_blob, "is in the bundle but the catalog does not name it"),
    "parent path": (_evil("../evil"), r"refused member '\.\./evil': a path that leaves"),
    "inner parent path": (_evil("blobs/../../evil"), "a path that leaves the bundle"),
    "absolute path": (_evil("/tmp/evil"), "refused member '/tmp/evil': an absolute path"),
    "drive letter": (_evil("C:/evil"), "an absolute path"),
    "backslash": (_evil("blobs\\..\\evil"), "a backslash in its path"),
    "symlink": (_symlink_member, "refused member 'topics2.toml': a symbolic link"),
    "unknown layout": (_evil("scripts/run.sh"), "scripts/run.sh: not part of the bundle layout"),
    "declared bomb": (_bomb_declared, "refused as a possible zip bomb"),
    "unpacks to more": (_unpacks_to_more_than_declared, "damaged or truncated|SHA-256"),
    "unknown compression": (_unknown_compression, r"blobs/.* is compressed in a way"),
    "plain zip": (_plain_zip, "not an archive-app bundle"),
    "manifest not JSON": (_manifest_not_json, "manifest.json is not valid JSON"),
    "other format": (
        _manifest_change(lambda m: m.update(format="something else")),
        "not an archive-app bundle",
    ),
    "version as text": (
        _manifest_change(lambda m: m.update(format_version="1")),
        "'format_version' should be a whole number, not '1'",
    ),
    "files not a list": (
        _manifest_change(lambda m: m.update(files="everything")),
        "'files' should be a list of objects",
    ),
    "size as text": (
        _manifest_change(lambda m: m["files"][0].update(size="12")),
        r"files\[0\]: 'size' should be a whole number",
    ),
    "bad hash": (
        _manifest_change(lambda m: m["files"][0].update(sha256="xyz")),
        r"files\[0\]: 'xyz' is not a SHA-256",
    ),
    "newer format": (
        _manifest_change(lambda m: m.update(format_version=99)),
        "bundle format 99.*newer version",
    ),
    "newer schema": (
        _manifest_change(lambda m: m.update(schema_version=SCHEMA_VERSION + 1)),
        f"catalog schema {SCHEMA_VERSION + 1}.*newer version",
    ),
    "unknown table": (
        _manifest_change(lambda m: m["tables"][0].update(name="wormhole")),
        "table 'wormhole' is not in catalog/wormhole.jsonl|no table 'wormhole'",
    ),
    "row with other columns": (_bad_row, "tags.jsonl line 1 does not have the columns"),
    "dangling row": (_dangling_row, "refers to a missing row of 'tags'"),
}


@pytest.mark.parametrize("case", list(BAD_BUNDLES))
def test_a_bad_bundle_is_refused_and_the_archive_left_as_it_was(
    case: str, bundle_path: Path, archive: Archive
):
    damage, reason = BAD_BUNDLES[case]
    damage(bundle_path)
    topics_before = (archive.root / "topics.toml").read_bytes()
    with pytest.raises(ArchiveError, match=reason) as raised:
        archive.restore_bundle(bundle_path)
    assert bundle_path.name in str(raised.value)
    assert (archive.root / "topics.toml").read_bytes() == topics_before
    _assert_unchanged(archive)


def test_a_bundle_over_the_unpacking_limit_is_refused(bundle_path: Path, archive: Archive):
    with pytest.raises(ArchiveError, match=r"more than 1 times its size.*zip bomb"):
        archive.restore_bundle(bundle_path, limits=BundleLimits(max_ratio=1, floor=0))
    _assert_unchanged(archive)


# -- through import and the command line ----------------------------------------------------


def test_importing_a_bundle_restores_it(source, archive: Archive, tmp_path: Path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copyfile(source[1], folder / "archive.zip")
    _plain_zip(folder / "photos.zip")
    report = archive.import_paths([folder])
    assert len(report.imported) == source[0].article_count()
    assert {i.path for i in report.imported} == {str(folder / "archive.zip")}
    assert [(p.path, p.reason) for p in report.skipped] == [
        (str(folder / "photos.zip"), "not an archive-app bundle (a zip file without manifest.json)")
    ]
    assert not report.failed
    again = archive.import_paths([source[1]])
    assert not again.imported
    assert "already holds" in again.failed[0].reason
    assert again.failed[0].path == str(source[1])


def test_a_bad_bundle_fails_its_import_alone(bundle_path: Path, archive: Archive):
    _altered_blob(bundle_path)
    report = archive.import_paths([bundle_path])
    assert not report.imported
    assert report.failed[0].path == str(bundle_path)
    assert "does not match its SHA-256" in report.failed[0].reason
    assert not report.failed[0].reason.startswith(str(bundle_path))


def test_command_line_round_trip(sample_archive: Archive, cli, tmp_path: Path):
    out = tmp_path / "whole.zip"
    root = sample_archive.root
    count = sample_archive.article_count()
    sample_archive.close()
    code, text, err = cli("--archive", root, "export", "--format", "bundle", "--out", out)
    assert code == 0, err
    assert f"to {out}" in text and "import FILE" in text
    code, text, err = cli("--archive", tmp_path / "new", "import", out, "--json")
    assert code == 0, err
    assert len(json.loads(text)["imported"]) == count
    code, text, err = cli("--archive", tmp_path / "new", "import", out, "--json")
    assert code == 1
    assert "already holds" in json.loads(text)["failed"][0]["error"]


def test_a_bundle_takes_no_query_or_filters(archive: Archive, cli, tmp_path: Path):
    root = archive.root
    archive.close()
    out = tmp_path / "whole.zip"
    for extra, named in [
        (["children"], "QUERY"),
        (["--tag", "x", "--source", "y"], "--tag, --source"),
        (["--ids", "abc"], "--ids"),
        (["--since", "2020-01-01"], "--since"),
        (["--sort", "newest"], "--sort"),
    ]:
        code, _text, err = cli(
            "--archive", root, "export", *extra, "--format", "bundle", "--output", out
        )
        assert code == 2, extra
        assert f"exports the whole archive; leave out {named}" in err
        assert not out.exists()


def test_a_bundle_from_an_older_schema_is_restored(source, bundle_path: Path, archive: Archive):
    """Older rows fit the current tables; a table the older catalog lacked stays empty."""
    members = _members(bundle_path)
    manifest = json.loads(members[MANIFEST])
    newest = "audit_log" if "catalog/audit_log.jsonl" in members else "saved_searches"
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] != newest]
    manifest["schema_version"] = SCHEMA_VERSION - 1
    del members[f"catalog/{newest}.jsonl"]
    _write(bundle_path, members | {MANIFEST: json.dumps(manifest).encode()}, relist=True)
    report = archive.restore_bundle(bundle_path)
    assert len(report.restored) == source[0].article_count() == archive.article_count()
    assert archive.check().ok
