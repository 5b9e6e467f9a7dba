"""The hostile corpus, imported in one go: nothing crashes, hangs, swells or gets stored unsafe.

The import runs in a child process with a time bound (a hang fails the test
instead of stalling it) and reports its peak memory; the archive it leaves is
then opened here and every stored article checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import (
    EITHER,
    FAILED,
    IMAGE_REFUSED,
    IMPORTED,
    SKIPPED,
    HostileCase,
    unsafe_html,
    write_corpus,
    write_heavy,
)

from archive_app.core.archive import Archive
from archive_app.core.importing import readable_path

SCRIPT = Path(__file__).with_name("hostile_corpus.py")
PROJECT = Path(__file__).resolve().parents[1]
CHILD_SECONDS = 300  # far above the few seconds these take: only a hang reaches it
FOLDER_MEMORY_MB = 600  # the whole small corpus: bombs, deep nesting, odd encodings


def import_in_child(archive_dir: Path, paths: list[Path], memory_mb: int) -> dict:
    """Import in a child process; fail on a hang, a crash or a peak above `memory_mb`."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    try:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(archive_dir), *map(str, paths)],
            capture_output=True,
            timeout=CHILD_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"importing {[p.name for p in paths]} did not finish in {CHILD_SECONDS} s")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    report = json.loads(done.stdout)
    # Measured by the child itself: this process's RUSAGE_CHILDREN also holds any
    # earlier test's processes reaped meanwhile, so it cannot say which one peaked.
    peak = report["peak_rss_mb"]
    assert peak <= memory_mb, f"peak memory {peak:.0f} MB > {memory_mb} MB"
    return report


def outcomes(report: dict) -> dict[str, list[tuple[str, str]]]:
    """{readable path: [(outcome, reason or warning), ...]}"""
    found: dict[str, list[tuple[str, str]]] = {}
    for item in report["imported"]:
        found.setdefault(item["path"], []).append((IMPORTED, ""))
        for warning in item["warnings"]:
            found[item["path"]].append(("warning", warning))
    for item in report["duplicates"]:
        found.setdefault(item["path"], []).append(("duplicate", ""))
    for item in report["failed"]:
        found.setdefault(item["path"], []).append((FAILED, item["error"]))
    for item in report["skipped"]:
        found.setdefault(item["path"], []).append((SKIPPED, item["reason"]))
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[HostileCase], dict]:
    root = tmp_path_factory.mktemp("hostile").resolve()
    cases = write_corpus(root / "hostile")
    report = import_in_child(root / "archive", [root / "hostile"], FOLDER_MEMORY_MB)
    return root, cases, report


def test_the_corpus_covers_every_threat(hostile) -> None:
    _, cases, _ = hostile
    threats = " ".join(c.threat for c in cases).lower()
    for threat in (
        "<script>", "on*=", "javascript:", "<iframe>", "<object>", "remote <img>", "<link>",
        "css url()", "refresh", "svg", "../../etc/passwd", "absolute", "symlink", "bomb",
        "truncated", "10,000-deep", "mhtml", "epub", "encoding", "nul", "wrong types",
        "1 gb", "newline", "not utf-8",
    ):  # fmt: skip
        assert threat in threats, threat
    assert any(c.expect == IMPORTED and c.name == "control.txt" for c in cases)


def test_every_case_is_imported_safely_or_refused_with_a_reason(hostile) -> None:
    _, cases, report = hostile
    found = outcomes(report)
    for case in cases:
        results = found.get(readable_path(case.path))
        assert results, f"{case.name} ({case.threat}) is missing from the report"
        kinds = {kind for kind, _ in results}
        reasons = " | ".join(text.lower() for _, text in results if text)
        wanted = any(word in reasons for word in case.reason) if case.reason else True
        label = f"{case.name} ({case.threat}): {results}"
        if case.expect == IMPORTED:
            assert IMPORTED in kinds and FAILED not in kinds, label
        elif case.expect == IMAGE_REFUSED:
            assert IMPORTED in kinds and wanted, label
        elif case.expect in (FAILED, SKIPPED):
            assert case.expect in kinds and wanted, label
        else:
            assert case.expect == EITHER
            assert IMPORTED in kinds or (kinds & {FAILED, SKIPPED} and reasons), label


def test_refusals_name_the_file_and_say_why(hostile) -> None:
    _, _, report = hostile
    for item in [*report["failed"], *report["skipped"]]:
        reason = item.get("error") or item.get("reason")
        assert item["path"] and len(reason) > 10, item
        assert "Traceback" not in reason and "Error:" not in reason.split(":")[0], item


def test_stored_articles_hold_nothing_that_runs_or_loads(hostile) -> None:
    root, _, report = hostile
    secret = Path("/etc/passwd").read_bytes() if Path("/etc/passwd").is_file() else None
    with Archive.open(root / "archive") as archive:
        assert archive.check().ok
        ids = [item["id"] for item in report["imported"]]
        assert len(ids) >= 20
        for article_id in ids:
            article = archive.get(article_id)
            assert not unsafe_html(article.html), (article.provenance.filename, article.html)
            for text in (article.text, article.title, article.html):
                for marker in ("alert(", "document.title", "evil.example/x.js", "\x00"):
                    assert marker not in text, (article.provenance.filename, marker)
            for image in article.images:
                assert not image.url.lower().startswith(("javascript:", "file:")), image
                if image.sha256 is not None and secret is not None:
                    assert archive.blobs.get(image.sha256) != secret


def test_odd_file_names_are_stored_and_reported_readably(hostile) -> None:
    root, cases, report = hostile
    odd = [c for c in cases if readable_path(c.name) != c.name]
    assert len(odd) == 2
    by_path = {item["path"]: item for item in report["imported"]}
    with Archive.open(root / "archive") as archive:
        for case in odd:
            shown = readable_path(case.path)
            assert "\n" not in shown and shown.isprintable()
            shown.encode("utf-8")  # no lone surrogates left
            stored = archive.get(by_path[shown]["id"])
            assert stored.provenance.filename == readable_path(case.name)


def test_json_report_of_odd_names_is_valid_json(tmp_path: Path, cli) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    for raw in (b"new\nline.txt", b"latin-\xe9-\xff.txt", b"also\xff-\xfe.zzz"):
        (folder / os.fsdecode(raw)).write_bytes(b"Title: Odd\n\nA short text named " + raw + b".\n")
    _, out, _ = cli("--archive", tmp_path / "archive", "import", folder, "--json")
    out.encode("utf-8")
    report = json.loads(out)
    paths = [i["path"] for i in report["imported"]] + [s["path"] for s in report["skipped"]]
    assert any(p.endswith("new\\nline.txt") for p in paths), paths
    assert any(p.endswith("latin-\\xe9-\\xff.txt") for p in paths), paths
    assert any(p.endswith("also\\xff-\\xfe.zzz") for p in paths), paths
    _, out, _ = cli("--archive", tmp_path / "archive2", "import", folder)
    lines = out.splitlines()
    assert any("new\\nline.txt" in line for line in lines), out
    assert any("also\\xff-\\xfe.zzz" in line and "unsupported" in line for line in lines), out


def test_200_mb_files_are_refused_with_memory_bounded(tmp_path: Path) -> None:
    cases = write_heavy(tmp_path / "heavy")
    for case in cases:
        report = import_in_child(tmp_path / f"archive-{case.name}", [case.path], case.memory_mb)
        (failed,) = report["failed"]
        assert failed["path"] == str(case.path)
        assert any(word in failed["error"].lower() for word in case.reason), failed
        assert report["check_ok"]
