"""Bad input: each broken file is named with a reason, the rest imported, the archive sound."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from archive_app.core.archive import Archive

GOOD_TEXT = (
    "Title: Harbour bridge funded\n\n"
    "The regional council voted on Thursday to fund the harbour bridge at Carrow Point.\n\n"
    "Engineers said the first span could be lifted into place before the autumn storms.\n"
)


def markdown_with_image(title: str, image: str) -> str:
    return (
        f"---\ntitle: {title}\n---\n\n"
        f'![{title}]({image} "{title}. Photo: Jane Roe/Coast Wire")\n\n'
        f"{title} is a short article whose picture is broken, but whose text is fine.\n"
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size, with a tiny image data chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    data = zlib.compress(b"\x00" + b"\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    image = Image.effect_noise((160, 120), 80).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def make_unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make one file unreadable. As root, permissions do not stop reading: fail the read instead."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        original = Path.read_bytes
        target = path.absolute()

        def read_bytes(self: Path) -> bytes:
            if self.absolute() == target:
                raise PermissionError(13, "Permission denied", str(self))
            return original(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    else:
        path.chmod(0)


# (file name, how to make it, "failed" or "skipped", words the reason must contain)
BAD_FILES = {
    "empty.txt": ("skipped", "empty"),
    "binary.txt": ("failed", "binary"),
    "images/truncated.jpg": ("skipped", "truncated"),
    "images/bomb.png": ("skipped", "decompression bomb"),
    "images/zero.png": ("skipped", "image"),
    "not-really.html": ("failed", "not html"),
    "wrong-types.json": ("failed", "'title' must be a string"),
    "locked.txt": ("failed", "permission denied"),
    "loop": ("skipped", "symlink loop"),
    "self.txt": ("skipped", "symlink loop"),
}
GOOD_FILES = {
    "good.txt",
    "with-truncated-image.md",
    "with-bomb-image.md",
    "with-zero-image.md",
    "with-missing-image.md",
    "partly-bad.json",
}


@pytest.fixture
def messy(tmp_path: Path, make_image, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of good files mixed with every kind of bad one."""
    folder = tmp_path.resolve() / "messy"
    images = folder / "images"
    images.mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (images / "truncated.jpg").write_bytes(truncated_jpeg())
    (images / "bomb.png").write_bytes(png_header_only(100_000, 100_000))
    (images / "zero.png").write_bytes(png_header_only(0, 0))
    for name, image in (
        ("with-truncated-image.md", "images/truncated.jpg"),
        ("with-bomb-image.md", "images/bomb.png"),
        ("with-zero-image.md", "images/zero.png"),
        ("with-missing-image.md", "images/not-there.png"),
    ):
        title = name.removesuffix(".md").replace("-", " ").capitalize()
        (folder / name).write_text(markdown_with_image(title, image), encoding="utf-8")
    (folder / "not-really.html").write_text(
        "Dear team, the minutes of Tuesday's meeting follow. Nothing was decided.\n",
        encoding="utf-8",
    )
    (folder / "wrong-types.json").write_text(
        json.dumps({"title": 42, "text": ["not", "a", "string"], "tags": {"a": 1}}),
        encoding="utf-8",
    )
    (folder / "partly-bad.json").write_text(
        json.dumps(
            [
                {"title": "Ferry timetable changes", "text": "Ferries run hourly from May."},
                {"title": "Broken record", "text": "Fine text", "published": 2024.5},
                {"title": ["a list"], "text": "Also fine text"},
            ]
        ),
        encoding="utf-8",
    )
    locked = folder / "locked.txt"
    locked.write_text(GOOD_TEXT.replace("Harbour bridge", "Locked bridge"), encoding="utf-8")
    make_unreadable(locked, monkeypatch)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "self.txt").symlink_to(folder / "self.txt")
    yield folder
    locked.chmod(0o644)


def problems_by_file(report: dict, folder: Path) -> dict[str, list[tuple[str, str]]]:
    """{path relative to the folder: [("failed" | "skipped", reason), ...]}"""
    out: dict[str, list[tuple[str, str]]] = {}
    for kind, key in (("failed", "error"), ("skipped", "reason")):
        for entry in report[kind]:
            name = os.path.relpath(entry["path"], folder)
            out.setdefault(name, []).append((kind, entry[key]))
    return out


def test_bad_files_are_reported_and_the_rest_imported(cli, archive_dir: Path, messy: Path):
    code, out, err = cli("--archive", archive_dir, "import", messy, "--json")

    assert code == 1, err
    report = json.loads(out)
    imported = {os.path.relpath(i["path"], messy) for i in report["imported"]}
    assert imported == GOOD_FILES
    assert report["duplicates"] == []

    problems = problems_by_file(report, messy)
    expected_missing = "images/not-there.png"
    assert set(problems) - {expected_missing} == set(BAD_FILES)
    for name, (kind, words) in BAD_FILES.items():
        assert len(problems[name]) == 1, (name, problems[name])  # one line per file
        (got_kind, reason) = problems[name][0]
        assert got_kind == kind, (name, reason)
        assert reason.strip(), name
        assert words.lower() in reason.lower(), (name, reason)

    code, out, _ = cli("--archive", archive_dir, "check")
    assert code == 0, out


def test_bad_files_in_the_text_report(cli, archive_dir: Path, messy: Path):
    code, out, _ = cli("--archive", archive_dir, "import", messy)

    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"Imported {len(GOOD_FILES)} article(s)")
    assert "4 failed" in lines[0]
    for name, (kind, _) in BAD_FILES.items():
        path = str(messy / name)
        named = [
            line
            for line in lines
            if line.split()[:1] in (["failed"], ["skipped"]) and f"{path}:" in line
        ]
        assert len(named) == 1, (name, named)
        assert named[0].split()[0] == kind
        reason = named[0].split(f"{path}:", 1)[1].strip()
        assert len(reason) > 3, named[0]


def test_a_broken_or_missing_image_is_a_warning_on_its_article(archive_dir: Path, messy: Path):
    with Archive.open(archive_dir) as archive:
        report = archive.import_paths([messy])
        items = {Path(i.path).name: i for i in report.imported}

        for name, image in (
            ("with-truncated-image.md", "truncated.jpg"),
            ("with-bomb-image.md", "bomb.png"),
            ("with-zero-image.md", "zero.png"),
            ("with-missing-image.md", "not-there.png"),
        ):
            item = items[name]
            assert len(item.warnings) == 1, item.warnings
            assert image in item.warnings[0]
            article = archive.get(item.id)
            assert article.warnings == item.warnings
            (ref,) = article.images
            assert ref.sha256 is None and ref.width is None  # kept as a reference only
            assert ref.caption == name.removesuffix(".md").replace("-", " ").capitalize() + "."
        assert "not found" in items["with-missing-image.md"].warnings[0]
        assert not any("not-there.png" in p.path for p in report.failed)

        (ferry,) = [i for i in report.imported if i.path.endswith("partly-bad.json")]
        assert ferry.title == "Ferry timetable changes"
        assert ferry.record == "[0]"
        assert any("[1]" in w and "published" in w for w in ferry.warnings)
        assert any("[2]" in w and "'title' must be a string" in w for w in ferry.warnings)

        assert {p.name for p in archive.root.glob("blobs/*/*")} == {
            archive.get(i.id).provenance.sha256 for i in report.imported
        }  # no broken image was stored
        check = archive.check()
        assert check.ok, check.problems


def test_a_decompression_bomb_is_refused_before_decoding(archive: Archive, tmp_path: Path):
    (tmp_path / "bomb.png").write_bytes(png_header_only(100_000, 100_000))
    (tmp_path / "a.md").write_text(markdown_with_image("Bomb", "bomb.png"), encoding="utf-8")

    report = archive.import_paths([tmp_path / "a.md"])

    (item,) = report.imported
    (warning,) = item.warnings
    assert "bomb.png" in warning
    assert "decompression bomb" in warning
    assert archive.get(item.id).images[0].sha256 is None
    assert list(archive.root.glob("thumbs/**/*")) == []


def test_bad_input_alone_fails_with_nothing_imported(cli, archive_dir: Path, tmp_path: Path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\xff" * 64)
    (tmp_path / "page.html").write_text("plain words only", encoding="utf-8")

    code, out, _ = cli(
        "--archive",
        archive_dir,
        "import",
        tmp_path / "binary.txt",
        tmp_path / "page.html",
        "--json",
    )

    assert code == 1
    report = json.loads(out)
    assert report["imported"] == []
    assert sorted(Path(f["path"]).name for f in report["failed"]) == ["binary.txt", "page.html"]
    assert cli("--archive", archive_dir, "check")[0] == 0


def test_empty_and_unsupported_files_are_skipped_not_failed(cli, archive_dir: Path, tmp_path: Path):
    (tmp_path / "empty.md").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")

    code, out, _ = cli(
        "--archive", archive_dir, "import", tmp_path / "empty.md", tmp_path / "notes.docx", "--json"
    )

    assert code == 0
    report = json.loads(out)
    assert report["imported"] == report["failed"] == []
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert "empty" in reasons["empty.md"]
    assert "unsupported" in reasons["notes.docx"]

    # A path the person named that does not exist is a failure, not a skip.
    code, out, _ = cli("--archive", archive_dir, "import", tmp_path / "nowhere.txt", "--json")
    assert code == 1
    (missing,) = json.loads(out)["failed"]
    assert missing["path"] == str(tmp_path / "nowhere.txt")
    assert "no such file" in missing["error"]


def test_images_outside_the_articles_folder_are_never_read(
    archive: Archive, tmp_path: Path, make_image
):
    secret = make_image(tmp_path / "private" / "secret.png", seed=7)
    folder = tmp_path / "inbox" / "pages"
    shared = make_image(tmp_path / "inbox" / "shared" / "ok.png", seed=3)
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "escape.png").symlink_to(secret)
    page = folder / "page.html"
    page.write_text(
        "<html><head><title>Escapes</title></head><body><article><h1>Escapes</h1>"
        + "<p>Officials said children were moved from the region last spring. </p>" * 6
        + '<img src="file:///etc/passwd"><img src="../../private/secret.png">'
        + f'<img src="{secret}"><img src="sub/escape.png"><img src="../shared/ok.png">'
        + "</article></body></html>",
        "utf-8",
    )
    report = archive.import_paths([page])
    (item,) = report.imported
    stored = {i.sha256 for i in archive.get(item.id).images if i.sha256}
    secret_sha = hashlib.sha256(secret.read_bytes()).hexdigest()
    shared_sha = hashlib.sha256(shared.read_bytes()).hexdigest()
    assert secret_sha not in stored
    assert shared_sha in stored  # one level up is a shared image folder, still allowed
    assert any("outside the article's folder" in w for w in item.warnings)
    assert not any("passwd" in w and "not an image" in w for w in item.warnings)
