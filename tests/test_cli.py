"""`archive-app`: commands, their --json contracts and exit statuses (0 ok, 1 failed, 2 usage)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive_app import __version__
from archive_app.core.archive import Archive

BRIDGE = (
    "Title: Harbour bridge funded\nAuthor: Ann Lee\nSource: Coast Wire\nDate: 2023-04-05\n"
    "Tags: region/carrow, type/news\n\n"
    "The regional council voted on Thursday to fund the harbour bridge at Carrow Point, "
    "ending a dispute that had delayed the project for three years.\n\n"
    "Fishermen asked for a temporary harbour while the piers are built.\n"
)
CONCERT = (
    "Title: Orchestra returns to the assembly rooms\nSource: County Herald\nDate: 2021-10-02\n"
    "Tags: region/dunmoor\n\n"
    "The county orchestra gave its first concert in the restored assembly rooms on Saturday, "
    "playing overtures and folk songs arranged for strings.\n"
)
STORM_MD = (
    "---\n"
    "title: Storm floods the coast road\n"
    "source: Coast Wire\n"
    "published: 2024-01-20\n"
    "author: Jan Novák\n"
    "url: https://example.org/storm\n"
    "tags: [region/carrow/point, type/news]\n"
    "---\n\n"
    '![Waves over the sea wall](images/wall.png "Waves break over the sea wall.'
    ' Photo: Jane Roe/Coast Wire")\n\n'
    "Sea walls gave way after a week of gales, leaving the coast road flooded near the harbour.\n"
)

IMPORT_KEYS = {"imported", "duplicates", "failed", "skipped"}
SEARCH_KEYS = {"query", "total", "hits", "facets", "suggestion"}
HIT_KEYS = {"id", "title", "source", "published", "tags", "topics", "score", "snippet"}
SHOW_KEYS = {
    "id",
    "title",
    "author",
    "source",
    "url",
    "published",
    "language",
    "text",
    "images",
    "tags",
    "topics",
    "provenance",
    "duplicates",
}
IMAGE_KEYS = {"sha256", "width", "height", "format", "caption", "credit", "alt"}
PROVENANCE_KEYS = {"sha256", "filename", "size", "imported_at", "importer"}


@pytest.fixture
def news(tmp_path: Path, make_image) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    (folder / "concert.txt").write_text(CONCERT, encoding="utf-8")
    (folder / "storm.md").write_text(STORM_MD, encoding="utf-8")
    make_image(folder / "images" / "wall.png", (90, 60))
    return folder


@pytest.fixture
def imported(cli, archive_dir: Path, news: Path) -> dict[str, str]:
    """The news folder imported through the command line: {file stem: id}."""
    code, out, err = cli("--archive", archive_dir, "import", news, "--json")
    assert code == 0, err
    report = json.loads(out)
    return {Path(item["path"]).stem: item["id"] for item in report["imported"]}


def run_json(cli, *args: object) -> dict:
    code, out, err = cli(*args, "--json")
    assert code == 0, (code, err)
    return json.loads(out)


# -- import ------------------------------------------------------------------------


def test_import_json_report(cli, archive_dir: Path, news: Path):
    code, out, err = cli("--archive", archive_dir, "import", news, "--json")

    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= IMPORT_KEYS
    assert report["duplicates"] == report["failed"] == report["skipped"] == []
    assert sorted((Path(i["path"]).name, i["title"]) for i in report["imported"]) == [
        ("bridge.txt", "Harbour bridge funded"),
        ("concert.txt", "Orchestra returns to the assembly rooms"),
        ("storm.md", "Storm floods the coast road"),
    ]
    for item in report["imported"]:
        assert {"id", "path", "title"} <= set(item)
        assert all(isinstance(item[k], str) and item[k] for k in ("id", "path", "title"))
        assert Path(item["path"]).is_file()


def test_import_again_reports_duplicates_and_changes_nothing(
    cli, archive_dir: Path, news: Path, imported: dict[str, str]
):
    catalog_files = sorted(p.name for p in (archive_dir / "blobs").glob("*/*"))

    report = run_json(cli, "--archive", archive_dir, "import", news / "bridge.txt", news)

    assert report["imported"] == [] and report["failed"] == []
    dups = sorted((Path(d["path"]).name, d["id"]) for d in report["duplicates"])
    # bridge.txt named twice (itself and inside its folder) is read once
    assert dups == sorted(
        [
            ("bridge.txt", imported["bridge"]),
            ("concert.txt", imported["concert"]),
            ("storm.md", imported["storm"]),
        ]
    )
    assert all({"id", "path"} <= set(d) for d in report["duplicates"])
    assert sorted(p.name for p in (archive_dir / "blobs").glob("*/*")) == catalog_files
    assert run_json(cli, "--archive", archive_dir, "status")["articles"] == 3


def test_import_text_report_names_each_file(cli, archive_dir: Path, news: Path):
    (news / "notes.txt").write_bytes(b"\x00\x01\x02 binary \x00")
    code, out, _ = cli("--archive", archive_dir, "import", news)

    assert code == 1
    assert out.startswith("Imported 3 article(s); 0 duplicate(s), 1 failed, 0 skipped.")
    failed = [line for line in out.splitlines() if line.strip().startswith("failed")]
    assert len(failed) == 1
    assert str(news / "notes.txt") in failed[0]
    assert "binary" in failed[0]


def test_same_text_in_other_bytes_is_linked_in_show(cli, archive_dir: Path, tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(BRIDGE.encode())
    (tmp_path / "b.txt").write_bytes(BRIDGE.replace("\n", "\r\n").encode())

    report = run_json(
        cli, "--archive", archive_dir, "import", tmp_path / "a.txt", tmp_path / "b.txt"
    )

    a, b = (i["id"] for i in report["imported"])
    assert report["duplicates"] == []
    assert run_json(cli, "--archive", archive_dir, "show", a)["duplicates"] == [b]
    assert run_json(cli, "--archive", archive_dir, "show", b)["duplicates"] == [a]


# -- show ----------------------------------------------------------------------------


def test_show_json(cli, archive_dir: Path, news: Path, imported: dict[str, str]):
    shown = run_json(cli, "--archive", archive_dir, "show", imported["storm"])

    assert set(shown) >= SHOW_KEYS
    assert shown["id"] == imported["storm"]
    assert shown["title"] == "Storm floods the coast road"
    assert shown["author"] == "Jan Novák"
    assert shown["source"] == "Coast Wire"
    assert shown["url"] == "https://example.org/storm"
    assert shown["published"] == "2024-01-20"
    assert isinstance(shown["language"], str)
    assert shown["text"].startswith("Sea walls gave way")
    assert shown["tags"] == ["region/carrow/point", "type/news"]
    assert shown["topics"] == []
    assert shown["duplicates"] == []

    (image,) = shown["images"]
    assert set(image) >= IMAGE_KEYS
    wall = (news / "images" / "wall.png").read_bytes()
    assert image["sha256"] == hashlib.sha256(wall).hexdigest()
    assert (image["width"], image["height"], image["format"]) == (90, 60, "PNG")
    assert image["caption"] == "Waves break over the sea wall."
    assert image["credit"] == "Photo: Jane Roe/Coast Wire"
    assert image["alt"] == "Waves over the sea wall"

    provenance = shown["provenance"]
    assert set(provenance) >= PROVENANCE_KEYS
    original = (news / "storm.md").read_bytes()
    assert provenance["sha256"] == hashlib.sha256(original).hexdigest()
    assert provenance["filename"] == "storm.md"
    assert provenance["size"] == len(original)
    assert provenance["importer"] == "markdown"
    assert isinstance(provenance["imported_at"], str) and provenance["imported_at"][:2] == "20"
    assert provenance.get("app_version", __version__) == __version__


def test_show_accepts_an_id_prefix_and_prints_text(cli, archive_dir: Path, imported):
    code, out, _ = cli("--archive", archive_dir, "show", imported["bridge"][:8])
    assert code == 0
    assert out.splitlines()[0] == "Harbour bridge funded"
    assert imported["bridge"] in out
    assert "The regional council voted on Thursday" in out


def test_unknown_id_is_a_usage_error(cli, archive_dir: Path, imported):
    for command in (["show", "0000000000zz"], ["tag", "0000000000zz", "x"], ["delete", "nope"]):
        code, out, err = cli("--archive", archive_dir, *command)
        assert code == 2, command
        assert "0000000000zz" in err or "nope" in err
        assert out == ""


# -- search ------------------------------------------------------------------------------


def test_search_json(cli, archive_dir: Path, imported: dict[str, str]):
    page = run_json(cli, "--archive", archive_dir, "search", "harbour")

    assert set(page) >= SEARCH_KEYS
    assert page["query"] == "harbour"
    assert page["total"] == 2
    assert page["suggestion"] is None
    assert [h["id"] for h in page["hits"]] == [imported["bridge"], imported["storm"]]
    for hit in page["hits"]:
        assert set(hit) >= HIT_KEYS
        assert isinstance(hit["score"], float) and hit["score"] > 0
        assert isinstance(hit["tags"], list) and isinstance(hit["topics"], list)
        assert "<mark" in hit["snippet"]
    bridge = page["hits"][0]
    assert bridge["title"] == "Harbour bridge funded"
    assert bridge["source"] == "Coast Wire"
    assert bridge["published"] == "2023-04-05"
    assert bridge["tags"] == ["region/carrow", "type/news"]
    assert set(page["facets"]) == {"tags", "topics", "sources", "years"}
    assert page["facets"]["sources"] == {"Coast Wire": 2}
    assert page["facets"]["years"] == {"2024": 1, "2023": 1}
    assert page["facets"]["tags"]["region/carrow"] == 2
    assert page["facets"]["topics"] == {}


def test_search_options(cli, archive_dir: Path, imported: dict[str, str]):
    def ids(*args: str) -> list[str]:
        page = run_json(cli, "--archive", archive_dir, "search", *args)
        return [h["id"] for h in page["hits"]]

    bridge, concert, storm = imported["bridge"], imported["concert"], imported["storm"]
    assert ids("--sort", "newest") == [storm, bridge, concert]
    assert ids("--sort", "oldest") == [concert, bridge, storm]
    assert ids("--sort", "newest", "--limit", "2") == [storm, bridge]
    assert ids("--sort", "newest", "--limit", "2", "--offset", "2") == [concert]
    assert ids("--tag", "region/carrow", "--sort", "oldest") == [bridge, storm]
    assert ids("--tag", "region") == ids("--sort", "newest")
    assert ids("--tag", "region/carrow", "--tag", "type/news", "--tag", "region/carrow/point") == [
        storm
    ]
    assert ids("--source", "County Herald") == [concert]
    assert ids("--source", "county herald", "--source", "Coast Wire", "--sort", "oldest") == [
        concert,
        bridge,
        storm,
    ]
    assert ids("--since", "2023-04-05", "--sort", "oldest") == [bridge, storm]
    assert ids("--until", "2023-04-05", "--sort", "oldest") == [concert, bridge]
    assert ids("--since", "2022-01-01", "--until", "2023-12-31") == [bridge]
    assert ids("published:[2021-01-01 TO 2021-12-31]") == [concert]
    assert ids("Novak") == [storm]  # author Jan Novák
    assert ids("orchestra OR gales", "--sort", "oldest") == [concert, storm]


def test_search_json_facets_cover_all_hits(cli, archive_dir: Path, imported):
    page = run_json(cli, "--archive", archive_dir, "search", "--limit", "1")
    assert page["total"] == 3
    assert len(page["hits"]) == 1
    assert page["facets"]["sources"] == {"Coast Wire": 2, "County Herald": 1}
    assert page["facets"]["years"] == {"2024": 1, "2023": 1, "2021": 1}
    assert page["facets"]["tags"]["region"] == 3


def test_search_suggests_a_spelling(cli, archive_dir: Path, imported):
    page = run_json(cli, "--archive", archive_dir, "search", "harbuor bridg")
    assert page["total"] == 0
    assert page["hits"] == []
    assert page["suggestion"] == "harbour bridge"
    code, out, _ = cli("--archive", archive_dir, "search", "harbuor bridg")
    assert code == 0
    assert "Did you mean: harbour bridge" in out


def test_search_text_output(cli, archive_dir: Path, imported):
    code, out, _ = cli("--archive", archive_dir, "search", "orchestra")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "1 result(s) for orchestra, showing 1–1"
    assert imported["concert"] in lines[1]
    assert "Orchestra returns to the assembly rooms" in lines[1]
    assert "**orchestra**" in out  # <mark> shown as ** when not on a terminal
    assert "<mark" not in out


@pytest.mark.parametrize(
    "args",
    [
        ["search", "harbour", "--since", "last tuesday"],
        ["search", "--until", "2023-13-45"],
        ["search", "published:[notadate TO 2024-01-01]"],
        ["search", "--limit", "-1"],
        ["search", "--sort", "sideways"],
        ["search", "--limit", "ten"],
        ["tag", "only-an-id"],
        ["edit", "0000000000zz"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(cli, archive_dir: Path, imported, args: list[str]):
    code, out, err = cli("--archive", archive_dir, *args)
    assert code == 2
    assert err.strip()
    assert out == ""


def test_bad_date_message_names_the_option(cli, archive_dir: Path, imported):
    code, _, err = cli("--archive", archive_dir, "search", "--since", "last tuesday")
    assert code == 2
    assert "--since" in err and "last tuesday" in err


# -- tags, topics, edit, delete -----------------------------------------------------------


def test_tag_untag_and_tags(cli, archive_dir: Path, imported: dict[str, str]):
    bridge = imported["bridge"]
    tagged = run_json(cli, "--archive", archive_dir, "tag", bridge, "region/kherson", "sample")
    assert tagged == {
        "id": bridge,
        "tags": ["region/carrow", "region/kherson", "sample", "type/news"],
    }
    untagged = run_json(cli, "--archive", archive_dir, "untag", bridge, "sample", "type/news")
    assert untagged["tags"] == ["region/carrow", "region/kherson"]

    tags = run_json(cli, "--archive", archive_dir, "tags")["tags"]
    assert tags == [
        {"name": "region", "count": 3, "direct": 0},
        {"name": "region/carrow", "count": 2, "direct": 1},
        {"name": "region/carrow/point", "count": 1, "direct": 1},
        {"name": "region/dunmoor", "count": 1, "direct": 1},
        {"name": "region/kherson", "count": 1, "direct": 1},
        {"name": "type", "count": 1, "direct": 0},
        {"name": "type/news", "count": 1, "direct": 1},
    ]
    code, out, _ = cli("--archive", archive_dir, "tags")
    assert code == 0
    assert "region  (3)" in out
    assert "  carrow  (2)" in out
    assert "    point  (1)" in out


def test_topic_and_topics(cli, archive_dir: Path, imported: dict[str, str]):
    bridge, storm = imported["bridge"], imported["storm"]

    result = run_json(
        cli, "--archive", archive_dir, "topic", bridge, "+war-crimes", "+child-welfare"
    )
    assert result == {"id": bridge, "topics": ["child-welfare", "war-crimes"]}
    run_json(cli, "--archive", archive_dir, "topic", storm, "+war-crimes")

    topics = {t["id"]: t for t in run_json(cli, "--archive", archive_dir, "topics")["topics"]}
    assert topics["war-crimes"]["count"] == 2
    assert topics["child-welfare"]["count"] == 1
    assert topics["war-crimes"]["label"] == "War crimes"
    assert run_json(cli, "--archive", archive_dir, "show", bridge)["topics"] == [
        "child-welfare",
        "war-crimes",
    ]
    page = run_json(cli, "--archive", archive_dir, "search", "--topic", "war-crimes")
    assert sorted(h["id"] for h in page["hits"]) == sorted([bridge, storm])
    assert page["facets"]["topics"] == {"war-crimes": 2, "child-welfare": 1}
    page = run_json(
        cli, "--archive", archive_dir, "search", "--topic", "war-crimes", "--topic", "child-welfare"
    )
    assert [h["id"] for h in page["hits"]] == [bridge]


def test_topic_adds_and_removes_in_one_command(cli, archive_dir: Path, imported: dict[str, str]):
    bridge = imported["bridge"]
    run_json(cli, "--archive", archive_dir, "topic", bridge, "+child-welfare")

    # the documented form: `topic ID +war-crimes -child-welfare`
    code, out, err = cli(
        "--archive", archive_dir, "topic", bridge, "+war-crimes", "-child-welfare", "--json"
    )

    assert code == 0, err
    assert json.loads(out) == {"id": bridge, "topics": ["war-crimes"]}
    code, out, err = cli("--archive", archive_dir, "topic", bridge, "-war-crimes", "--json")
    assert code == 0, err
    assert json.loads(out) == {"id": bridge, "topics": []}


def test_topic_errors(cli, archive_dir: Path, imported: dict[str, str]):
    code, _, err = cli("--archive", archive_dir, "topic", imported["bridge"], "war-crimes")
    assert code == 2
    assert "+TOPIC" in err
    code, _, err = cli("--archive", archive_dir, "topic", imported["bridge"], "+no-such-topic")
    assert code != 0
    assert "no-such-topic" in err
    assert run_json(cli, "--archive", archive_dir, "show", imported["bridge"])["topics"] == []


def test_edit_wins_survives_rebuild_and_empty_restores(cli, archive_dir: Path, imported):
    bridge = imported["bridge"]
    edited = run_json(
        cli,
        "--archive",
        archive_dir,
        "edit",
        bridge,
        "--title",
        "Causeway approved",
        "--published",
        "2020-02-02",
        "--source",
        "Harbour Times",
        "--author",
        "B. Editor",
        "--url",
        "https://example.org/causeway",
    )
    assert edited["title"] == "Causeway approved"
    assert edited["published"] == "2020-02-02"
    assert edited["source"] == "Harbour Times"
    assert edited["author"] == "B. Editor"
    assert edited["url"] == "https://example.org/causeway"

    assert run_json(cli, "--archive", archive_dir, "rebuild-index") == {"indexed": 3}
    page = run_json(cli, "--archive", archive_dir, "search", "causeway")
    assert [(h["id"], h["title"], h["published"]) for h in page["hits"]] == [
        (bridge, "Causeway approved", "2020-02-02")
    ]
    page = run_json(cli, "--archive", archive_dir, "search", "--source", "Harbour Times")
    assert [h["id"] for h in page["hits"]] == [bridge]
    assert run_json(cli, "--archive", archive_dir, "show", bridge)["title"] == "Causeway approved"

    restored = run_json(
        cli, "--archive", archive_dir, "edit", bridge, "--title", "", "--source", ""
    )
    assert restored["title"] == "Harbour bridge funded"
    assert restored["source"] == "Coast Wire"
    assert restored["published"] == "2020-02-02"
    assert run_json(cli, "--archive", archive_dir, "search", "causeway")["total"] == 0


def test_delete(cli, archive_dir: Path, news: Path, imported: dict[str, str]):
    storm = imported["storm"]
    image_sha = hashlib.sha256((news / "images" / "wall.png").read_bytes()).hexdigest()
    original_sha = hashlib.sha256((news / "storm.md").read_bytes()).hexdigest()
    blobs = {p.name for p in (archive_dir / "blobs").glob("*/*")}
    assert {image_sha, original_sha} <= blobs

    assert run_json(cli, "--archive", archive_dir, "delete", storm) == {"deleted": storm}

    assert {p.name for p in (archive_dir / "blobs").glob("*/*")} == blobs - {
        image_sha,
        original_sha,
    }
    code, _, _ = cli("--archive", archive_dir, "show", storm)
    assert code == 2
    assert run_json(cli, "--archive", archive_dir, "search", "gales")["total"] == 0
    assert run_json(cli, "--archive", archive_dir, "check")["ok"] is True


# -- check, rebuild-index, status, locking ---------------------------------------------------


def test_check_and_repair(cli, archive_dir: Path, imported: dict[str, str]):
    report = run_json(cli, "--archive", archive_dir, "check")
    assert report["ok"] is True
    assert report["problems"] == []
    assert (report["articles"], report["blobs"]) == (3, 4)

    data = b"left behind"
    sha = hashlib.sha256(data).hexdigest()
    (archive_dir / "blobs" / sha[:2]).mkdir(exist_ok=True)
    (archive_dir / "blobs" / sha[:2] / sha).write_bytes(data)
    code, out, _ = cli("--archive", archive_dir, "check")
    assert code == 1
    assert f"orphan blob {sha}" in out
    assert "NOT consistent" in out

    code, out, _ = cli("--archive", archive_dir, "check", "--repair", "--json")
    assert code == 0
    assert any(sha in line for line in json.loads(out)["repaired"])
    assert cli("--archive", archive_dir, "check")[0] == 0


def test_check_reports_a_corrupted_original(cli, archive_dir: Path, imported: dict[str, str]):
    sha = run_json(cli, "--archive", archive_dir, "show", imported["concert"])["provenance"][
        "sha256"
    ]
    (archive_dir / "blobs" / sha[:2] / sha).write_bytes(b"tampered")

    code, out, _ = cli("--archive", archive_dir, "check", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert any(sha in p and "corrupt" in p for p in report["problems"])
    assert cli("--archive", archive_dir, "check", "--repair")[0] == 1


def test_rebuild_index_keeps_results(cli, archive_dir: Path, imported):
    queries = [["harbour"], ["--sort", "oldest"], ["--tag", "region/carrow"], ["sea OR concert"]]
    before = [run_json(cli, "--archive", archive_dir, "search", *q) for q in queries]
    code, out, _ = cli("--archive", archive_dir, "rebuild-index")
    assert code == 0
    assert out.strip() == "Index rebuilt: 3 articles."
    after = [run_json(cli, "--archive", archive_dir, "search", *q) for q in queries]
    assert [[h["id"] for h in p["hits"]] for p in after] == [
        [h["id"] for h in p["hits"]] for p in before
    ]
    assert [p["facets"] for p in after] == [p["facets"] for p in before]


def test_status(cli, archive_dir: Path, imported):
    status = run_json(cli, "--archive", archive_dir, "status")
    assert status["articles"] == 3
    assert status["sources"] == {"Coast Wire": 2, "County Herald": 1}
    code, out, _ = cli("--archive", archive_dir, "status")
    assert code == 0
    assert "3 articles" in out


def test_no_command_opens_the_desktop_window(cli, archive_dir: Path, monkeypatch):
    opened = []
    monkeypatch.setattr(
        "archive_app.gui.app.run", lambda archive, demo=False: opened.append((archive, demo)) or 0
    )
    assert cli("--archive", archive_dir)[0] == 0
    assert cli("--demo")[0] == 0
    assert opened == [(archive_dir, False), (None, True)]


def test_an_archive_open_elsewhere_is_refused(cli, archive_dir: Path, imported):
    holder = Archive.open(archive_dir)
    try:
        code, out, err = cli("--archive", archive_dir, "search", "harbour")
    finally:
        holder.close()
    assert code == 1
    assert out == ""
    assert str(archive_dir) in err and "open" in err
    assert cli("--archive", archive_dir, "search", "harbour")[0] == 0


def test_a_folder_that_is_not_an_archive_is_refused(cli, news: Path):
    code, out, err = cli("--archive", news, "status")
    assert code == 1
    assert out == ""
    assert "not an archive" in err
    assert not (news / "archive.json").exists()


# -- the installed entry point, in a real process ------------------------------------------


def run_process(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "archive_app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_entry_point_import_exit_statuses(tmp_path: Path, news: Path):
    (news / "broken.json").write_text('{"title": ["not", "text"], "text": "x"}', encoding="utf-8")
    archive_dir = tmp_path / "process-archive"

    result = run_process("--archive", archive_dir, "import", news, "--json")

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert len(report["imported"]) == 3
    (failure,) = report["failed"]
    assert failure["path"] == str(news / "broken.json")
    assert "'title' must be a string" in failure["error"]

    again = run_process("--archive", archive_dir, "import", news / "bridge.txt", "--json")
    assert again.returncode == 0
    assert len(json.loads(again.stdout)["duplicates"]) == 1

    bad_date = run_process("--archive", archive_dir, "search", "--since", "someday")
    assert bad_date.returncode == 2
    assert "--since" in bad_date.stderr

    found = run_process("--archive", archive_dir, "search", "harbour", "--json")
    assert found.returncode == 0
    assert json.loads(found.stdout)["total"] == 2


def test_entry_point_version_and_help():
    version = run_process("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"archive-app {__version__}"
    usage = run_process("import")
    assert usage.returncode == 2
    assert "usage:" in usage.stderr
    script = Path(sys.executable).parent / "archive-app"
    if script.exists():
        installed = subprocess.run([str(script), "--version"], capture_output=True, text=True)
        assert installed.returncode == 0
        assert installed.stdout.strip() == f"archive-app {__version__}"


# -- the reference article ------------------------------------------------------------------


@pytest.mark.corpus
def test_reference_article_through_the_command_line(
    cli, archive_dir: Path, reference_article: Path
):
    report = run_json(cli, "--archive", archive_dir, "import", reference_article)
    (item,) = report["imported"]
    assert item["title"].startswith("United States First Lady Melania Trump has revealed")

    shown = run_json(cli, "--archive", archive_dir, "show", item["id"])
    assert shown["title"] == item["title"]
    assert shown["title"] != "First Lady Melania Trump (2020)"
    (image,) = shown["images"]
    assert image["caption"].startswith("First Lady Melania Trump delivers remarks")
    assert image["credit"] == "The Trump White House Archived/Wikimedia Commons"
    assert image["sha256"] is None  # no picture was saved with the text
    assert "<h2>Long-Standing Advocacy for Children</h2>" in shown["html"]
    assert "<h2>War Crimes Oversight Crisis</h2>" in shown["html"]

    page = run_json(cli, "--archive", archive_dir, "search", "Conflict Observatory")
    (hit,) = page["hits"]
    assert hit["id"] == item["id"]
    assert '<mark class="match">Conflict</mark>' in hit["snippet"]
    assert '<mark class="match">Observatory</mark>' in hit["snippet"]
    for query in ('"Be Best campaign"', "Alaska", '"arrest warrant"', '"forced displacement"'):
        page = run_json(cli, "--archive", archive_dir, "search", query)
        assert [h["id"] for h in page["hits"]] == [item["id"]], query
    page = run_json(cli, "--archive", archive_dir, "search", "childen deportaton")
    assert page["suggestion"] is not None
    assert page["suggestion"].startswith("children ")


# -- notes ---------------------------------------------------------------------------


def test_note_is_set_shown_and_cleared(cli, archive_dir: Path, imported: dict[str, str]):
    bridge = imported["bridge"]
    code, out, _ = cli("--archive", archive_dir, "note", bridge)
    assert (code, out) == (0, "")
    code, out, _ = cli("--archive", archive_dir, "note", bridge[:8], "Ask the council\nfor minutes")
    assert code == 0 and out == f"{bridge}: note saved\n"
    code, out, _ = cli("--archive", archive_dir, "note", bridge)
    assert out == "Ask the council\nfor minutes\n"
    assert run_json(cli, "--archive", archive_dir, "note", bridge) == {
        "id": bridge,
        "note": "Ask the council\nfor minutes",
    }
    assert run_json(cli, "--archive", archive_dir, "show", bridge)["note"] == (
        "Ask the council\nfor minutes"
    )
    page = run_json(cli, "--archive", archive_dir, "search", "notes:minutes")
    assert [h["id"] for h in page["hits"]] == [bridge]
    code, out, _ = cli("--archive", archive_dir, "note", bridge, "")
    assert out == f"{bridge}: note removed\n"
    assert run_json(cli, "--archive", archive_dir, "note", bridge)["note"] == ""
    assert cli("--archive", archive_dir, "note", "0123456789ab")[0] == 2


def test_search_json_hits_carry_author_and_lead_image(
    cli, archive_dir: Path, imported: dict[str, str]
):
    page = run_json(cli, "--archive", archive_dir, "search", "--sort", "newest")
    hits = {h["id"]: h for h in page["hits"]}
    storm = run_json(cli, "--archive", archive_dir, "show", imported["storm"])
    assert hits[imported["storm"]]["author"] == "Jan Novák"
    assert hits[imported["storm"]]["lead_image"] == storm["images"][0]["sha256"]
    assert hits[imported["concert"]]["lead_image"] is None


# -- tag administration ---------------------------------------------------------------


def _tag_names(cli, archive_dir: Path) -> dict[str, int]:
    return {t["name"]: t["count"] for t in run_json(cli, "--archive", archive_dir, "tags")["tags"]}


def test_tags_rename_merge_and_delete(cli, archive_dir: Path, imported: dict[str, str]):
    code, out, _ = cli("--archive", archive_dir, "tags", "rename", "REGION", "place")
    assert code == 0 and out == "Renamed REGION to place: 3 article(s) changed.\n"
    names = _tag_names(cli, archive_dir)
    assert names["place"] == 3 and names["place/carrow/point"] == 1
    assert not any(n.startswith("region") for n in names)

    report = run_json(cli, "--archive", archive_dir, "tags", "merge", "place/dunmoor", "type", "x")
    assert report["changed"] == 3
    assert {t["name"]: t["count"] for t in report["tags"]} == _tag_names(cli, archive_dir)
    assert _tag_names(cli, archive_dir)["x/news"] == 2

    code, out, _ = cli("--archive", archive_dir, "tags", "delete", "place")
    assert code == 0 and out == "Deleted place: 2 article(s) changed.\n"
    assert sorted(_tag_names(cli, archive_dir)) == ["x", "x/news"]
    assert run_json(cli, "--archive", archive_dir, "show", imported["concert"])["tags"] == ["x"]


def test_tags_admin_errors_are_usage_errors(cli, archive_dir: Path, imported: dict[str, str]):
    code, _, err = cli("--archive", archive_dir, "tags", "rename", "nowhere", "place")
    assert code == 2 and "no tag 'nowhere'" in err
    assert cli("--archive", archive_dir, "tags", "rename", "region", " ")[0] == 2
    assert cli("--archive", archive_dir, "tags", "delete", "nowhere")[0] == 2
    assert cli("--archive", archive_dir, "tags", "merge", "region")[0] == 2  # needs a target
    assert _tag_names(cli, archive_dir)["region"] == 3


# -- saved searches ------------------------------------------------------------------------


def test_saved_searches_through_the_command_line(cli, archive_dir: Path, imported):
    code, out, _ = cli("--archive", archive_dir, "saved")
    assert code == 0 and out.startswith("No saved searches yet.")
    code, out, _ = cli(
        "--archive", archive_dir, "saved", "save", "Coast", "harbour", "--source", "Coast Wire"
    )
    assert code == 0 and out == "Saved 'Coast'.\n"
    cli(
        "--archive",
        archive_dir,
        "saved",
        "save",
        "all news",
        "--tag",
        "type/news",
        "--sort",
        "oldest",
    )
    listed = run_json(cli, "--archive", archive_dir, "saved")["saved"]
    assert listed == [
        {
            "name": "all news",
            "query": "",
            "topics": [],
            "tags": ["type/news"],
            "sources": [],
            "since": None,
            "until": None,
            "sort": "oldest",
            "count": 2,
        },
        {
            "name": "Coast",
            "query": "harbour",
            "topics": [],
            "tags": [],
            "sources": ["Coast Wire"],
            "since": None,
            "until": None,
            "sort": "relevance",
            "count": 2,
        },
    ]
    code, out, _ = cli("--archive", archive_dir, "saved")
    assert out.splitlines() == [
        "all news  (2)  (everything) --tag type/news --sort oldest",
        "Coast  (2)  harbour --source 'Coast Wire'",
    ]

    ran = run_json(cli, "--archive", archive_dir, "saved", "run", "coast")
    searched = run_json(
        cli, "--archive", archive_dir, "search", "harbour", "--source", "Coast Wire"
    )
    assert ran == searched and ran["total"] == 2
    ran_text = cli("--archive", archive_dir, "saved", "run", "all news", "--limit", "1")[1]
    searched_text = cli(
        "--archive", archive_dir, "search", "--tag", "type/news", "--sort", "oldest", "--limit", "1"
    )[1]
    assert ran_text == searched_text

    assert cli("--archive", archive_dir, "saved", "rename", "coast", "Harbour")[0] == 0
    assert cli("--archive", archive_dir, "saved", "delete", "ALL NEWS")[0] == 0
    assert [s["name"] for s in run_json(cli, "--archive", archive_dir, "saved")["saved"]] == [
        "Harbour"
    ]


def test_saved_search_errors_are_usage_errors(cli, archive_dir: Path, imported):
    cli("--archive", archive_dir, "saved", "save", "one", "harbour")
    cli("--archive", archive_dir, "saved", "save", "two", "concert")
    for args in (
        ("saved", "run", "three"),
        ("saved", "rename", "one", "TWO"),
        ("saved", "rename", "three", "four"),
        ("saved", "delete", "three"),
        ("saved", "save", " ", "x"),
        ("saved", "save", "bad", "--since", "yesterday"),
    ):
        code, _, err = cli("--archive", archive_dir, *args)
        assert code == 2 and err.startswith("archive-app: "), args
    assert [s["name"] for s in run_json(cli, "--archive", archive_dir, "saved")["saved"]] == [
        "one",
        "two",
    ]


# -- export ----------------------------------------------------------------------------------


def test_export_every_hit_of_a_search(cli, archive_dir: Path, imported, tmp_path: Path):
    target = tmp_path / "coast.csv"
    code, out, _ = cli(
        "--archive", archive_dir, "export", "harbour", "--source", "Coast Wire",
        "--format", "csv", "--output", target,
    )  # fmt: skip
    assert code == 0 and out == f"Exported 2 article(s) to {target} (csv).\n"
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"), newline="")))
    assert {r["id"] for r in rows} == {imported["bridge"], imported["storm"]}
    assert all("harbour" in r["snippet"].lower() for r in rows)

    target = tmp_path / "all.json"
    report = run_json(
        cli, "--archive", archive_dir, "export", "--format", "json", "--output", target,
        "--sort", "oldest",
    )  # fmt: skip
    assert report == {"path": str(target), "format": "json", "count": 3, "cancelled": False}
    data = json.loads(target.read_text("utf-8"))
    assert [a["id"] for a in data["articles"]] == [
        imported["concert"],
        imported["bridge"],
        imported["storm"],
    ]


def test_export_the_given_ids(cli, archive_dir: Path, imported, tmp_path: Path):
    target = tmp_path / "two.html"
    report = run_json(
        cli, "--archive", archive_dir, "export", "flooded", "--format", "html", "--output", target,
        "--ids", imported["storm"][:8], imported["concert"],
    )  # fmt: skip
    assert report["count"] == 2
    text = target.read_text("utf-8")
    assert text.index("Storm floods the coast road") < text.index("Orchestra returns")
    assert "<mark>flooded</mark>" in text and "data:image/png;base64," in text
    assert "<script" not in text


def test_export_errors(cli, archive_dir: Path, imported, tmp_path: Path):
    out = tmp_path / "x.csv"
    base = ("--archive", archive_dir, "export", "--output")
    assert cli(*base, out, "--format", "xls")[0] == 2
    assert cli(*base, out)[0] == 2  # --format is required
    assert cli(*base, out, "--format", "csv", "--ids", "0123456789ab")[0] == 2
    assert cli(*base, out, "--format", "csv", "--ids", imported["storm"], "--tag", "x")[0] == 2
    code, _, err = cli(*base, tmp_path / "missing" / "x.csv", "--format", "csv")
    assert code == 1 and "cannot write" in err
    assert not out.exists()


# -- compare and related -------------------------------------------------------------------

BRIDGE_ELSEWHERE = (
    BRIDGE.replace("Source: Coast Wire", "Source: Harbour Times")
    .replace("Date: 2023-04-05", "Date: 2023-04-06")
    .replace("on Thursday", "on Friday")
)


@pytest.fixture
def two_versions(cli, archive_dir: Path, imported: dict[str, str], news: Path) -> dict[str, str]:
    """The bridge story again from another outlet, a day later and with one word changed."""
    (news / "bridge-elsewhere.txt").write_text(BRIDGE_ELSEWHERE, encoding="utf-8")
    report = run_json(cli, "--archive", archive_dir, "import", news / "bridge-elsewhere.txt")
    (item,) = report["imported"]
    return imported | {"elsewhere": item["id"]}


def test_compare_json_offsets_index_into_show_text(cli, archive_dir: Path, two_versions):
    a, b = two_versions["bridge"], two_versions["elsewhere"]

    data = run_json(cli, "--archive", archive_dir, "compare", a[:8], b)

    assert set(data) >= {"a", "b", "similarity", "shared", "metadata_differences", "shared_images"}
    assert (data["a"], data["b"]) == (a, b)
    assert 0.8 < data["similarity"] <= 1.0
    text_a = run_json(cli, "--archive", archive_dir, "show", a)["text"]
    text_b = run_json(cli, "--archive", archive_dir, "show", b)["text"]
    assert data["shared"], "the two versions share their text"
    for passage in data["shared"]:
        assert set(passage) >= {"a", "b", "exact"}
        quote_a = text_a[passage["a"]["start"] : passage["a"]["end"]]
        quote_b = text_b[passage["b"]["start"] : passage["b"]["end"]]
        assert quote_a.split()[-3:] == quote_b.split()[-3:]
    assert not data["shared"][0]["exact"]  # Thursday / Friday
    assert text_a[data["shared"][0]["a"]["start"] :].startswith("The regional council voted")
    assert data["metadata_differences"] == {
        "source": {"a": "Coast Wire", "b": "Harbour Times"},
        "published": {"a": "2023-04-05", "b": "2023-04-06"},
    }
    assert data["shared_images"] == []


def test_compare_text_output(cli, archive_dir: Path, two_versions):
    code, out, _ = cli(
        "--archive", archive_dir, "compare", two_versions["bridge"], two_versions["elsewhere"]
    )

    assert code == 0
    assert "Similarity" in out and "shared passage" in out
    assert "with small edits" in out
    assert "“The regional council voted on Thursday" in out
    assert "Harbour Times" in out and "2023-04-06" in out


def test_compare_unrelated_and_unknown(cli, archive_dir: Path, imported: dict[str, str]):
    data = run_json(
        cli, "--archive", archive_dir, "compare", imported["bridge"], imported["concert"]
    )
    assert data["similarity"] == 0.0 and data["shared"] == []
    code, _, err = cli("--archive", archive_dir, "compare", imported["bridge"], "0123456789ab")
    assert code == 2 and "no article" in err
    assert cli("--archive", archive_dir, "compare", imported["bridge"])[0] == 2


def test_related_json(cli, archive_dir: Path, two_versions):
    data = run_json(cli, "--archive", archive_dir, "related", two_versions["bridge"][:8])

    assert set(data) >= {"id", "related", "near_duplicates"}
    assert data["id"] == two_versions["bridge"]
    (version,) = data["near_duplicates"]
    assert version["id"] == two_versions["elsewhere"]
    assert 0.5 <= version["similarity"] <= 1.0
    assert version["title"] == "Harbour bridge funded"
    assert data["related"][0]["id"] == two_versions["elsewhere"]
    for item in data["related"]:
        assert set(item) >= {"id", "score", "title"} and isinstance(item["score"], float)
    assert two_versions["bridge"] not in {item["id"] for item in data["related"]}
    limited = run_json(
        cli, "--archive", archive_dir, "related", two_versions["bridge"], "--limit", "1"
    )
    assert len(limited["related"]) == 1


def test_related_text_output_and_versions_in_search(cli, archive_dir: Path, two_versions):
    code, out, _ = cli("--archive", archive_dir, "related", two_versions["concert"])
    assert code == 0 and "No other versions" in out

    hits = run_json(cli, "--archive", archive_dir, "search", "bridge")["hits"]
    assert {h["id"]: h["versions"] for h in hits} == {
        two_versions["bridge"]: 1,
        two_versions["elsewhere"]: 1,
    }
    code, out, _ = cli("--archive", archive_dir, "search", "bridge")
    assert "(1 other version)" in out
    assert cli("--archive", archive_dir, "related", two_versions["bridge"], "--limit", "-1")[0] == 2
