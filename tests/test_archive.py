"""The Archive facade: storing, duplicates, images, tags, topics, edits, deleting, checking."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from conftest import SAMPLE
from PIL import Image

from archive_app import __version__
from archive_app.core.archive import Archive, ArchiveError, ArticleNotFound
from archive_app.core.locking import ArchiveLocked
from archive_app.core.models import SearchRequest

HARBOUR = (
    "The regional council voted on Thursday to fund the harbour bridge at Carrow Point, "
    "ending a dispute that had delayed the project for three years. Engineers said the "
    "first span could be lifted into place before the autumn storms arrive.\n\n"
    "Residents of the northern shore have waited a decade for a crossing. The ferry that "
    "links the two halves of the town runs every forty minutes and stops entirely when the "
    "wind rises above gale force, which happened on nineteen days last winter.\n\n"
    "The council's finance committee approved a loan from the regional development bank "
    "to cover the rising cost of steel. Opposition members asked why the original estimate "
    "had been so low and demanded an independent review of the tendering process.\n\n"
    "Fishermen who moor their boats under the planned route asked for a temporary harbour "
    "on the southern side while the piers are built. The harbour master promised a "
    "meeting with every skipper before the end of the month.\n"
)
UNRELATED = (
    "The county orchestra gave its first concert in the restored assembly rooms on Saturday "
    "evening, playing a programme of overtures and folk songs arranged for strings.\n\n"
    "Tickets sold out within a day of going on sale, and the conductor thanked the volunteers "
    "who had spent two winters repainting the ceiling and mending the velvet seats.\n"
)


def blob_files(root: Path) -> set[str]:
    return {p.name for p in (root / "blobs").glob("*/*") if p.is_file()}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def markdown(title: str, body: str, image: str = "", caption: str = "", tags: str = "") -> str:
    front = f"---\ntitle: {title}\nsource: Coast Wire\npublished: 2022-04-05\n"
    if tags:
        front += f"tags: [{tags}]\n"
    front += "---\n\n"
    picture = f'![A view of the harbour]({image} "{caption}")\n\n' if image else ""
    return front + picture + body


def import_one(archive: Archive, path: Path) -> str:
    report = archive.import_paths([path])
    assert report.failed == ()
    assert len(report.imported) == 1, report
    return report.imported[0].id


# -- originals and provenance ---------------------------------------------------


def test_import_stores_the_original_once_with_provenance(archive: Archive, tmp_path: Path):
    source = write(tmp_path / "in" / "harbour.txt", "Title: Harbour bridge funded\n\n" + HARBOUR)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)

    report = archive.import_paths([source])

    assert report.failed == report.skipped == report.duplicates == ()
    (item,) = report.imported
    assert item.title == "Harbour bridge funded"
    assert item.path == str(source)
    article = archive.get(item.id)
    expected_sha = sha256_of(source)
    provenance = article.provenance
    assert provenance.sha256 == expected_sha
    assert provenance.filename == "harbour.txt"
    assert provenance.size == source.stat().st_size
    assert provenance.importer == "text"
    assert provenance.app_version == __version__
    imported_at = dt.datetime.fromisoformat(provenance.imported_at)
    assert imported_at.tzinfo is not None
    assert before <= imported_at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    stored = archive.original_path(item.id)
    assert stored.is_relative_to(archive.root / "blobs")
    assert stored.name == expected_sha
    assert stored.read_bytes() == source.read_bytes()
    assert blob_files(archive.root) == {expected_sha}
    assert article.text.startswith("The regional council voted on Thursday")


def test_every_blob_file_is_named_by_its_sha256(archive: Archive, tmp_path: Path, make_image):
    make_image(tmp_path / "in" / "images" / "harbour.png", (40, 30))
    make_image(tmp_path / "in" / "images" / "pier.jpg", (30, 20), fmt="JPEG")
    write(
        tmp_path / "in" / "a.md",
        markdown("Harbour", HARBOUR, "images/harbour.png", "The harbour. Photo: A. Person/Wire"),
    )
    write(tmp_path / "in" / "b.md", markdown("Pier", UNRELATED, "images/pier.jpg"))

    report = archive.import_paths([tmp_path / "in"])

    assert len(report.imported) == 2 and report.failed == ()
    files = list((archive.root / "blobs").glob("*/*"))
    assert len(files) == 4  # two originals, two images
    for path in files:
        assert path.name == sha256_of(path)
        assert path.parent.name == path.name[:2]


def test_same_bytes_again_is_a_duplicate_and_changes_nothing(archive: Archive, tmp_path: Path):
    first = write(tmp_path / "one" / "harbour.txt", HARBOUR)
    again = write(tmp_path / "two" / "harbour-copy.txt", HARBOUR)
    article_id = import_one(archive, first)
    blobs_before = blob_files(archive.root)
    article_before = archive.get(article_id)

    report = archive.import_paths([first, again])

    assert report.imported == () and report.failed == ()
    assert [(d.id, d.path) for d in report.duplicates] == [
        (article_id, str(first)),
        (article_id, str(again)),
    ]
    assert archive.article_count() == 1
    assert blob_files(archive.root) == blobs_before
    assert archive.get(article_id) == article_before
    assert archive.search(SearchRequest(query="harbour")).total == 1


def test_same_text_in_different_bytes_is_kept_twice_and_linked(archive: Archive, tmp_path: Path):
    unix = write(tmp_path / "unix.txt", HARBOUR)
    windows = write(tmp_path / "windows.txt", HARBOUR, newline="\r\n")
    assert unix.read_bytes() != windows.read_bytes()

    report = archive.import_paths([unix, windows])

    assert report.duplicates == () and report.failed == ()
    first, second = (i.id for i in report.imported)
    assert first != second
    assert archive.get(first).duplicates == (second,)
    assert archive.get(second).duplicates == (first,)
    assert archive.get(first).provenance.sha256 != archive.get(second).provenance.sha256


def test_near_duplicate_is_linked_and_unrelated_text_is_not(archive: Archive, tmp_path: Path):
    original = write(tmp_path / "original.txt", HARBOUR)
    edited = write(
        tmp_path / "edited.txt",
        HARBOUR.replace("Thursday", "Friday")
        .replace("nineteen days", "twenty days")
        .replace("end of the month", "end of the week"),
    )
    other = write(tmp_path / "concert.txt", UNRELATED)

    report = archive.import_paths([original, edited, other])

    ids = {Path(i.path).name: i.id for i in report.imported}
    assert len(ids) == 3
    assert archive.get(ids["original.txt"]).duplicates == (ids["edited.txt"],)
    assert archive.get(ids["edited.txt"]).duplicates == (ids["original.txt"],)
    assert archive.get(ids["concert.txt"]).duplicates == ()


def test_records_of_a_json_lines_file_are_articles_and_reimport_is_duplicate(
    archive: Archive, tmp_path: Path
):
    lines = [
        '{"title": "Bridge funded", "text": "The council funded the bridge.", '
        '"published": "2023-02-01", "source": "Coast Wire", "tags": ["region/carrow"]}',
        '{"title": "Concert returns", "text": "The orchestra played again.", "author": "Ann Lee"}',
    ]
    path = write(tmp_path / "briefs.jsonl", "\n".join(lines) + "\n")

    report = archive.import_paths([path])

    assert [(i.title, i.record) for i in report.imported] == [
        ("Bridge funded", "line 1"),
        ("Concert returns", "line 2"),
    ]
    bridge = archive.get(report.imported[0].id)
    assert bridge.published == "2023-02-01"
    assert bridge.source == "Coast Wire"
    assert bridge.tags == ("region/carrow",)
    assert bridge.provenance.importer == "jsonbulk"
    assert bridge.provenance.record == "line 1"
    assert bridge.provenance.sha256 == sha256_of(path)
    assert blob_files(archive.root) == {sha256_of(path)}  # one file, stored once

    again = archive.import_paths([path])
    assert again.imported == ()
    assert sorted(d.id for d in again.duplicates) == sorted(i.id for i in report.imported)


# -- images -----------------------------------------------------------------------


def test_images_are_stored_with_size_and_format(archive: Archive, tmp_path: Path, make_image):
    png = make_image(tmp_path / "images" / "harbour.png", (120, 80))
    jpg = make_image(tmp_path / "images" / "pier.jpg", (33, 21), fmt="JPEG", seed=7)
    body = HARBOUR + '\n![The pier](images/pier.jpg "The pier at dusk. Photo: B. Lee/Coast Wire")\n'
    path = write(
        tmp_path / "harbour.md",
        markdown("Harbour", body, "images/harbour.png", "The harbour at dawn. Photo: A. Roe/Wire"),
    )

    article = archive.get(import_one(archive, path))

    lead, inline = article.images
    assert (lead.sha256, lead.width, lead.height, lead.format) == (sha256_of(png), 120, 80, "PNG")
    assert lead.role == "lead"
    assert lead.caption == "The harbour at dawn."
    assert lead.credit == "Photo: A. Roe/Wire"
    assert lead.alt == "A view of the harbour"
    assert (inline.sha256, inline.width, inline.height) == (sha256_of(jpg), 33, 21)
    assert inline.format == "JPEG"
    assert inline.credit == "Photo: B. Lee/Coast Wire"
    assert archive.image_path(lead.sha256).read_bytes() == png.read_bytes()
    assert article.warnings == ()
    assert 'src="image:0"' in article.html and 'src="image:1"' in article.html


def test_image_beside_a_text_file_is_its_lead_image(archive: Archive, tmp_path: Path, make_image):
    text = write(
        tmp_path / "in" / "storm.txt",
        "Storm Damage at the Harbour\n"
        "Waves break over the harbour wall on Monday. Jane Doe/Coast Wire\n\n" + HARBOUR,
    )
    picture = make_image(tmp_path / "in" / "storm.jpg", (50, 40), fmt="JPEG")

    report = archive.import_paths([tmp_path / "in"])

    assert report.skipped == ()  # the picture is used, not reported as stray
    (item,) = report.imported
    assert item.path == str(text)
    (image,) = archive.get(item.id).images
    assert image.sha256 == sha256_of(picture)
    assert (image.width, image.height, image.format) == (50, 40, "JPEG")
    assert image.credit == "Jane Doe/Coast Wire"


def test_thumbnail_is_made_on_first_use_and_cached(
    archive: Archive, tmp_path: Path, make_image, monkeypatch
):
    make_image(tmp_path / "images" / "wide.png", (800, 400))
    path = write(tmp_path / "a.md", markdown("Wide", HARBOUR, "images/wide.png"))
    (image,) = archive.get(import_one(archive, path)).images
    assert not list(archive.root.glob("thumbs/**/*.thumb"))

    thumb = archive.thumbnail(image.sha256)

    assert thumb.is_file()
    assert thumb.is_relative_to(archive.root)
    with Image.open(thumb) as decoded:
        assert max(decoded.size) <= 320
        assert decoded.size == (320, 160)
    made = thumb.stat().st_mtime_ns

    import archive_app.core.archive as archive_module

    def must_not_run(*args, **kwargs):
        raise AssertionError("thumbnail made again instead of read from the cache")

    monkeypatch.setattr(archive_module, "make_thumbnail", must_not_run)
    assert archive.thumbnail(image.sha256) == thumb
    assert thumb.stat().st_mtime_ns == made


def test_missing_image_is_a_warning_on_the_article(archive: Archive, tmp_path: Path):
    path = write(tmp_path / "a.md", markdown("Harbour", HARBOUR, "images/gone.png", "Gone."))

    report = archive.import_paths([path])

    assert report.failed == ()
    (item,) = report.imported
    assert any("gone.png" in w and "not found" in w for w in item.warnings)
    article = archive.get(item.id)
    assert article.warnings == item.warnings
    (image,) = article.images
    assert image.sha256 is None and image.width is None


# -- tags and topics ----------------------------------------------------------------


def test_tags_are_hierarchical_with_counts(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    b = import_one(archive, write(tmp_path / "b.txt", UNRELATED))

    assert archive.tag(a, ["region/kherson", "region/kherson/city", "sample"]) == (
        "region/kherson",
        "region/kherson/city",
        "sample",
    )
    assert archive.tag(b, ["region/mykolaiv", "sample"]) == ("region/mykolaiv", "sample")

    counts = [(t.name, t.count, t.direct) for t in archive.tags()]
    assert counts == [
        ("region", 2, 0),
        ("region/kherson", 1, 1),
        ("region/kherson/city", 1, 1),
        ("region/mykolaiv", 1, 1),
        ("sample", 2, 2),
    ]
    tagged = archive.search(SearchRequest(tags=("region",)))
    assert {h.id for h in tagged.hits} == {a, b}
    assert tagged.facets.tags == {
        "region": 2,
        "sample": 2,
        "region/kherson": 1,
        "region/kherson/city": 1,
        "region/mykolaiv": 1,
    }
    assert {h.id for h in archive.search(SearchRequest(tags=("region/kherson",))).hits} == {a}

    assert archive.untag(b, ["region/mykolaiv"]) == ("sample",)
    counts = [(t.name, t.count, t.direct) for t in archive.tags()]
    assert counts == [
        ("region", 1, 0),
        ("region/kherson", 1, 1),
        ("region/kherson/city", 1, 1),
        ("sample", 2, 2),
    ]
    assert {h.id for h in archive.search(SearchRequest(tags=("region",))).hits} == {a}


def test_tag_hierarchy_ignores_case(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    b = import_one(archive, write(tmp_path / "b.txt", UNRELATED))
    archive.tag(a, ["region/kherson"])
    archive.tag(b, ["Region/Mykolaiv"])

    # The filter already treats them as one tree ...
    assert archive.search(SearchRequest(tags=("region",))).total == 2
    # ... and so must the tag list: one "region" level counting both articles.
    levels = [t for t in archive.tags() if "/" not in t.name]
    assert [(t.name.lower(), t.count) for t in levels] == [("region", 2)]


def test_tag_names_are_normalised(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    assert archive.tag(a, [" Region /  North  Shore/ ", "//"]) == ("Region/North Shore",)


def test_topics_set_and_removed_by_hand(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    assert {t.id for t in archive.topics()} >= {"war-crimes", "child-welfare"}

    archive.set_topic(a, "war-crimes", True)
    archive.set_topic(a, "child-welfare", True)
    assert [(t.topic, t.source) for t in archive.get(a).topics] == [
        ("child-welfare", "manual"),
        ("war-crimes", "manual"),
    ]
    archive.set_topic(a, "child-welfare", False)
    assert [t.topic for t in archive.get(a).topics] == ["war-crimes"]
    page = archive.search(SearchRequest(topics=("war-crimes",)))
    assert [h.id for h in page.hits] == [a]
    assert page.hits[0].topics == ("war-crimes",)
    assert archive.search(SearchRequest(topics=("child-welfare",))).total == 0

    with pytest.raises(ArchiveError, match="no-such-topic"):
        archive.set_topic(a, "no-such-topic", True)


# -- ids, edits and deleting ----------------------------------------------------------


def test_ids_resolve_from_an_unambiguous_prefix(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    assert archive.resolve_id(a) == a
    assert archive.resolve_id(a[:6]) == a
    assert archive.get(a[:8]).id == a
    with pytest.raises(ArticleNotFound):
        archive.resolve_id("0" * 12 if not a.startswith("0") else "f" * 12)
    with pytest.raises(ArticleNotFound):
        archive.get("nope")


def test_edits_win_over_extracted_values_and_empty_restores(archive: Archive, tmp_path: Path):
    path = write(
        tmp_path / "a.txt",
        "Title: Harbour bridge funded\nSource: Coast Wire\nDate: 2022-04-05\n\n" + HARBOUR,
    )
    a = import_one(archive, path)

    edited = archive.edit(
        a, title="Zanzibar causeway approved", source="Harbour Times", published="2020-05-01"
    )

    assert edited.title == "Zanzibar causeway approved"
    assert edited.source == "Harbour Times"
    assert edited.published == "2020-05-01"
    assert edited.edited_fields == ("published", "source", "title")
    (hit,) = archive.search(SearchRequest(query="zanzibar")).hits
    assert (hit.id, hit.title, hit.source, hit.published) == (
        a,
        "Zanzibar causeway approved",
        "Harbour Times",
        "2020-05-01",
    )
    everything = archive.search(SearchRequest())
    assert everything.facets.sources == {"Harbour Times": 1}
    assert everything.facets.years == {"2020": 1}
    assert archive.search(SearchRequest(since="2022-01-01")).total == 0

    archive.rebuild_index()
    assert [h.id for h in archive.search(SearchRequest(query="zanzibar")).hits] == [a]
    assert archive.get(a).title == "Zanzibar causeway approved"

    restored = archive.edit(a, title="", source=None)
    assert restored.title == "Harbour bridge funded"
    assert restored.source == "Coast Wire"
    assert restored.published == "2020-05-01"
    assert restored.edited_fields == ("published",)
    assert archive.search(SearchRequest(query="zanzibar")).total == 0
    assert archive.search(SearchRequest(query="title:funded")).total == 1


def test_edit_rejects_a_bad_date_and_unknown_fields(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", "Date: 2022-04-05\n\n" + HARBOUR))
    with pytest.raises(ArchiveError, match="published"):
        archive.edit(a, published="the day after tomorrow")
    with pytest.raises(ArchiveError):
        archive.edit(a, text="replaced")
    assert archive.get(a).published == "2022-04-05"
    assert archive.get(a).edited_fields == ()


def test_delete_keeps_a_shared_image_until_its_last_article_goes(
    archive: Archive, tmp_path: Path, make_image
):
    shared = make_image(tmp_path / "images" / "shared.png", (20, 20))
    first = write(tmp_path / "first.md", markdown("Harbour", HARBOUR, "images/shared.png"))
    second = write(tmp_path / "second.md", markdown("Concert", UNRELATED, "images/shared.png"))
    report = archive.import_paths([first, second])
    a, b = (i.id for i in report.imported)
    image_sha = sha256_of(shared)
    assert blob_files(archive.root) == {sha256_of(first), sha256_of(second), image_sha}

    archive.delete(a)

    assert blob_files(archive.root) == {sha256_of(second), image_sha}
    with pytest.raises(ArticleNotFound):
        archive.get(a)
    assert archive.search(SearchRequest(query="ferry")).total == 0
    assert archive.index.all_ids() == {b}
    assert archive.get(b).images[0].width == 20
    assert archive.check().ok

    archive.delete(b)

    assert blob_files(archive.root) == set()
    assert archive.article_count() == 0
    assert archive.search(SearchRequest()).total == 0
    assert archive.tags() == []
    report = archive.check()
    assert report.ok, report.problems
    assert (report.articles, report.blobs) == (0, 0)


def test_delete_keeps_an_original_another_record_still_uses(archive: Archive, tmp_path: Path):
    path = write(
        tmp_path / "briefs.jsonl",
        '{"title": "One", "text": "First brief about the bridge."}\n'
        '{"title": "Two", "text": "Second brief about the concert."}\n',
    )
    one, two = (i.id for i in archive.import_paths([path]).imported)

    archive.delete(one)
    assert archive.original_path(two).is_file()
    archive.delete(two)
    assert blob_files(archive.root) == set()


# -- checking -------------------------------------------------------------------------


def test_check_finds_a_corrupted_blob(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    assert archive.check().ok
    blob = archive.original_path(a)
    blob.write_bytes(b"not what was imported")

    report = archive.check()

    assert not report.ok
    assert any(blob.name in p and "corrupt" in p and a in p for p in report.problems)
    repaired = archive.check(repair=True)
    assert not repaired.ok
    assert any(blob.name in p for p in repaired.unrepairable)


def test_check_finds_and_repair_removes_an_orphan_blob(archive: Archive, tmp_path: Path):
    a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
    data = b"bytes no article refers to"
    sha = hashlib.sha256(data).hexdigest()
    orphan = archive.root / "blobs" / sha[:2] / sha
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(data)

    report = archive.check()
    assert not report.ok
    assert [p for p in report.problems if sha in p] == [f"orphan blob {sha} (no catalog entry)"]

    repaired = archive.check(repair=True)
    assert repaired.ok
    assert any(sha in line for line in repaired.repaired)
    assert not orphan.exists()
    assert archive.original_path(a).is_file()
    assert archive.check().ok
    assert archive.check().problems == ()


# -- opening, locking and the index as a cache -----------------------------------------


def test_a_second_open_in_the_same_process_is_refused(archive_dir: Path):
    first = Archive.open(archive_dir)
    try:
        with pytest.raises(ArchiveLocked, match="open"):
            Archive.open(archive_dir)
    finally:
        first.close()
    with Archive.open(archive_dir) as again:  # released on close
        assert again.article_count() == 0


def test_a_folder_that_is_not_an_archive_is_refused(tmp_path: Path):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "letter.txt").write_text("Dear Sir")
    with pytest.raises(ArchiveError, match="not an archive"):
        Archive.open(tmp_path / "documents")
    with pytest.raises(ArchiveError, match="not an archive"):
        Archive.open(tmp_path / "missing", create=False)
    assert (tmp_path / "documents").iterdir()
    assert sorted(p.name for p in (tmp_path / "documents").iterdir()) == ["letter.txt"]


def test_index_folder_deleted_between_sessions_is_rebuilt_on_open(archive_dir: Path, tmp_path):
    import shutil

    with Archive.open(archive_dir) as archive:
        a = import_one(archive, write(tmp_path / "a.txt", HARBOUR))
        archive.tag(a, ["region/carrow"])
        before = [h.id for h in archive.search(SearchRequest(query="harbour")).hits]
    shutil.rmtree(archive_dir / "index")

    with Archive.open(archive_dir) as archive:
        assert [h.id for h in archive.search(SearchRequest(query="harbour")).hits] == before
        assert archive.search(SearchRequest(tags=("region",))).total == 1
        assert archive.check().ok


# -- real collections -------------------------------------------------------------------


def test_the_sample_collection_imports_without_failures(archive: Archive):
    report = archive.import_paths([SAMPLE])

    assert report.failed == ()
    assert report.skipped == ()  # every sample image belongs to an article
    assert len(report.imported) >= 20
    assert all(not item.warnings for item in report.imported), [
        (i.path, i.warnings) for i in report.imported if i.warnings
    ]
    stored_images = [
        image for item in report.imported for image in archive.get(item.id).images if image.sha256
    ]
    assert len(stored_images) >= 10
    assert all(image.width and image.height and image.format for image in stored_images)
    assert archive.check().ok


@pytest.mark.corpus
def test_reference_article_through_the_archive(archive: Archive, reference_article: Path):
    report = archive.import_paths([reference_article])

    assert report.failed == ()
    (item,) = report.imported
    article = archive.get(item.id)
    assert article.title.startswith("United States First Lady Melania Trump has revealed")
    assert article.title != "First Lady Melania Trump (2020)"
    assert "Wikimedia" not in article.title
    (lead,) = article.images
    assert lead.role == "lead"
    assert lead.caption.startswith("First Lady Melania Trump delivers remarks")
    assert lead.credit == "The Trump White House Archived/Wikimedia Commons"
    assert "<h2>Long-Standing Advocacy for Children</h2>" in article.html
    assert "<h2>War Crimes Oversight Crisis</h2>" in article.html
    assert article.provenance.sha256 == sha256_of(reference_article)

    for query in ('"Be Best campaign"', "Alaska", '"arrest warrant"', '"Conflict Observatory"'):
        page = archive.search(SearchRequest(query=query))
        assert [h.id for h in page.hits] == [item.id], query
        assert "<mark" in page.hits[0].snippet, query
    snippet = archive.search(SearchRequest(query="Conflict Observatory")).hits[0].snippet
    assert '<mark class="match">Conflict</mark>' in snippet
    # the lead image's caption is searchable too
    assert archive.search(SearchRequest(query="Anacostia")).total == 1


def test_a_saved_page_folder_is_the_pages_resources(archive: Archive, tmp_path: Path, make_image):
    """page.html + page_files/: the folder's files belong to the page, not to the import."""
    folder = tmp_path / "saved"
    make_image(folder / "page_files" / "lead.png", (120, 80))
    (folder / "page_files" / "style.css").parent.mkdir(parents=True, exist_ok=True)
    (folder / "page_files" / "style.css").write_text("body{}", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Shelter for displaced families</title></head><body><article>"
        "<h1>Shelter for displaced families</h1>"
        '<figure><img src="page_files/lead.png" alt="The shelter"><figcaption>The shelter'
        "</figcaption></figure>"
        + "<p>Families displaced by the fighting found shelter in the school gym.</p>" * 6
        + "</article></body></html>",
        encoding="utf-8",
    )
    report = archive.import_paths([folder])
    assert report.failed == () and report.skipped == ()
    (item,) = report.imported
    (image,) = archive.get(item.id).images
    assert image.sha256 and (image.width, image.height) == (120, 80)
