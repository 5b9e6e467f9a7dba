"""Related articles, versions of one text (near-duplicates), `Hit.versions` and `compare`."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_app.core import fingerprints
from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.models import SearchRequest

PARAGRAPHS = (
    "Eleven children taken from a care home in Velmora during the occupation returned to "
    "their families on Tuesday, after months of negotiation between the two governments and "
    "a children's charity based in Tarnovia.",
    "The children, aged between six and fifteen, crossed the border at the Kesterovo "
    "checkpoint in two minibuses. Relatives waited for them with blankets, flowers and "
    "photographs that some of the younger ones no longer recognised.",
    "Investigators from the regional prosecutor's office said they had recorded statements "
    "from nine of the children about how they were moved, first to a summer camp and then to "
    "a boarding school more than four hundred kilometres away.",
    "The charity's director, Marta Oleska, said the return showed that patient work could "
    "bring children home, but warned that hundreds more remain unaccounted for and that "
    "their names are still missing from any official list.",
    "A hearing on the case is expected at the district court next spring. Lawyers for the "
    "families have asked the court to order the release of school registers and transport "
    "records that could show who signed the transfer orders.",
)
WIRE = "\n\n".join(PARAGRAPHS)
# Another outlet's copy: a sentence rewritten, a word changed, the last paragraph cut short.
OUTLET = (
    WIRE.replace(
        "Relatives waited for them with blankets, flowers and photographs that some of the "
        "younger ones no longer recognised.",
        "Their parents, some of whom had travelled for two days, were waiting at the gate.",
    )
    .replace("on Tuesday", "on Wednesday")
    .replace(
        " Lawyers for the families have asked the court to order the release of school "
        "registers and transport records that could show who signed the transfer orders.",
        "",
    )
)
TRIMMED = "\n\n".join(PARAGRAPHS[:4])  # the end cut for space
SAME_TOPIC = (
    "Volunteers in Tarnovia have begun a register of children who were moved out of "
    "occupied towns, hoping to match names with the families who are still looking for "
    "them.\n\n"
    "The register already lists more than three hundred names, most of them collected from "
    "parents who travelled to the capital to report a missing son or daughter. Lawyers say "
    "such lists could one day serve as evidence of forced transfers of children.\n\n"
    "The volunteers work from a borrowed office above a bakery and answer calls late into "
    "the night. Several of the children on the register have since been found in boarding "
    "schools and summer camps far from home."
)
CONCERT = (
    "The county orchestra gave its first concert in the restored assembly rooms on Saturday "
    "evening, playing a programme of overtures and folk songs arranged for strings.\n\n"
    "Tickets sold out within a day of going on sale, and the conductor thanked the volunteers "
    "who had spent two winters repainting the ceiling and mending the velvet seats."
)


def markdown(title: str, source: str, author: str, body: str, image: str = "") -> str:
    front = (
        f"---\ntitle: {title}\nsource: {source}\nauthor: {author}\npublished: 2023-04-05\n"
        f"url: https://example.org/{source.lower().replace(' ', '-')}/children\n---\n\n"
    )
    picture = f'![Families at the checkpoint]({image} "Families wait at the checkpoint.")\n\n'
    return front + (picture if image else "") + body + "\n"


@pytest.fixture
def versions(archive: Archive, tmp_path: Path, make_image) -> dict[str, str]:
    """A wire story, its versions elsewhere and unrelated articles: {name: id}."""
    folder = tmp_path / "news"
    folder.mkdir()
    make_image(folder / "checkpoint.png", (80, 60), seed=3)
    make_image(folder / "other.png", (80, 60), seed=9)
    files = {
        "wire": markdown(
            "Eleven children return home", "Coast Wire", "Ann Lee", WIRE, "checkpoint.png"
        ),
        "outlet": markdown(
            "Children taken from Velmora home are back with their families",
            "Harbour Times",
            "Piet Dorn",
            OUTLET,
            "checkpoint.png",
        ),
        "trimmed": markdown("Eleven children return", "Valdoria Today", "Ann Lee", TRIMMED),
        "crlf": markdown("Eleven children return home", "Coast Wire", "Ann Lee", WIRE),
        "same-topic": markdown(
            "Volunteers keep a register of missing children",
            "Coast Wire",
            "Ann Lee",
            SAME_TOPIC,
            "other.png",
        ),
        "concert": markdown("Orchestra returns", "County Herald", "Jo Hart", CONCERT),
    }
    for name, text in files.items():
        newline = "\r\n" if name == "crlf" else "\n"
        (folder / f"{name}.md").write_bytes(text.replace("\n", newline).encode("utf-8"))
    report = archive.import_paths([folder])
    assert not report.failed and not report.duplicates
    return {Path(item.path).stem: item.id for item in report.imported}


# -- versions of one text --------------------------------------------------------------


def test_versions_of_a_story_are_linked_best_first(archive: Archive, versions: dict[str, str]):
    found = archive.related(versions["wire"]).near_duplicates

    assert {d.id for d in found} == {versions[n] for n in ("crlf", "outlet", "trimmed")}
    assert found[0].id == versions["crlf"] and found[0].similarity == 1.0
    assert [d.similarity for d in found] == sorted((d.similarity for d in found), reverse=True)
    assert all(0.0 < d.similarity <= 1.0 for d in found)
    titles = {d.id: d.title for d in found}
    assert (
        titles[versions["outlet"]]
        == "Children taken from Velmora home are back with their families"
    )


def test_links_are_read_in_both_directions(archive: Archive, versions: dict[str, str]):
    for name in ("outlet", "trimmed", "crlf"):
        linked = {d.id for d in archive.related(versions[name]).near_duplicates}
        assert versions["wire"] in linked
        assert versions[name] not in linked


def test_a_different_article_on_the_same_topic_is_not_a_version(
    archive: Archive, versions: dict[str, str]
):
    assert archive.related(versions["same-topic"]).near_duplicates == ()
    assert archive.related(versions["concert"]).near_duplicates == ()


def test_a_version_shows_the_title_as_edited(archive: Archive, versions: dict[str, str]):
    archive.edit(versions["outlet"], title="Corrected headline")

    found = {d.id: d.title for d in archive.related(versions["wire"]).near_duplicates}

    assert found[versions["outlet"]] == "Corrected headline"


# -- more like this -----------------------------------------------------------------------


def test_related_articles_by_distinctive_words(archive: Archive, versions: dict[str, str]):
    found = archive.related(versions["wire"], limit=10)

    ids = [r.id for r in found.related]
    assert found.id == versions["wire"]
    assert versions["wire"] not in ids
    assert all(isinstance(r.score, float) and r.score > 0 for r in found.related)
    assert [r.score for r in found.related] == sorted(
        (r.score for r in found.related), reverse=True
    )
    assert set(ids[:3]) == {versions[n] for n in ("outlet", "trimmed", "crlf")}
    assert ids[3] == versions["same-topic"]  # children moved and lists kept: the same subject
    assert versions["concert"] not in ids[:4]
    titles = {r.id: r.title for r in found.related}
    assert titles[versions["crlf"]] == "Eleven children return home"


def test_related_honours_the_limit_and_id_prefixes(archive: Archive, versions: dict[str, str]):
    assert len(archive.related(versions["wire"][:8], limit=2).related) == 2
    assert archive.related(versions["wire"], limit=0).related == ()
    assert archive.related(versions["wire"][:8]).id == versions["wire"]
    with pytest.raises(ArticleNotFound):
        archive.related("ffffffffffff")


# -- the number of versions on every hit ---------------------------------------------------


def test_hits_count_their_versions(archive: Archive, versions: dict[str, str]):
    page = archive.search(SearchRequest(limit=50))
    counted = {hit.id: hit.versions for hit in page.hits}

    assert counted[versions["wire"]] == 3
    assert counted[versions["crlf"]] == 3  # the wire's own versions are the crlf copy's too
    assert counted[versions["concert"]] == 0
    assert counted[versions["same-topic"]] == 0
    rows = archive.hits([versions["wire"], versions["concert"]])
    assert [hit.versions for hit in rows] == [3, 0]


# -- comparing two articles -----------------------------------------------------------------


def test_compare_two_versions(archive: Archive, versions: dict[str, str]):
    wire, outlet = archive.get(versions["wire"]), archive.get(versions["outlet"])

    comparison = archive.compare(wire.id[:8], outlet.id[:8])

    assert (comparison.a, comparison.b) == (wire.id, outlet.id)
    assert 0.8 < comparison.similarity < 1.0
    assert any(not p.exact for p in comparison.shared)  # "on Tuesday" / "on Wednesday"
    for passage in comparison.shared:
        assert fingerprints.words(wire.text[passage.a.start : passage.a.end])
        assert fingerprints.words(outlet.text[passage.b.start : passage.b.end])
    first = comparison.shared[0]
    assert wire.text[first.a.start : first.a.end].startswith("Eleven children taken")
    assert outlet.text[first.b.start : first.b.end].startswith("Eleven children taken")
    assert comparison.metadata_differences == {
        "title": (wire.title, outlet.title),
        "author": ("Ann Lee", "Piet Dorn"),
        "source": ("Coast Wire", "Harbour Times"),
        "url": (wire.url, outlet.url),
    }
    assert comparison.shared_images == (wire.images[0].sha256,)


def test_compare_uses_the_values_as_edited(archive: Archive, versions: dict[str, str]):
    archive.edit(versions["trimmed"], published="2023-04-07", source="Coast Wire")

    comparison = archive.compare(versions["wire"], versions["trimmed"])

    assert comparison.metadata_differences["published"] == ("2023-04-05", "2023-04-07")
    assert "source" not in comparison.metadata_differences
    assert comparison.shared_images == ()


def test_compare_an_article_with_itself_and_with_an_unrelated_one(
    archive: Archive, versions: dict[str, str]
):
    wire = archive.get(versions["wire"])
    same = archive.compare(wire.id, wire.id)
    assert same.similarity == 1.0 and same.metadata_differences == {}
    assert [(p.a.start, p.a.end) for p in same.shared] == [(0, len(wire.text))]

    unrelated = archive.compare(wire.id, versions["concert"])
    assert unrelated.similarity == 0.0 and unrelated.shared == ()
    with pytest.raises(ArticleNotFound):
        archive.compare(wire.id, "ffffffffffff")


# -- the near-duplicate test itself ----------------------------------------------------------


def sketch_of(text: str) -> list[int]:
    return list(fingerprints.fingerprint(text).sketch)


def test_near_duplicate_decision_on_constructed_pairs():
    wire = sketch_of(WIRE)

    assert fingerprints.near_duplicate(wire, sketch_of(OUTLET)) is not None
    assert fingerprints.near_duplicate(wire, sketch_of(TRIMMED)) is not None
    reordered = "\n\n".join(PARAGRAPHS[::-1])
    assert fingerprints.near_duplicate(wire, sketch_of(reordered)) > 0.9
    assert fingerprints.near_duplicate(wire, sketch_of(SAME_TOPIC)) is None
    # One paragraph quoted from a story is a quotation, not a version of it.
    assert fingerprints.near_duplicate(wire, sketch_of(PARAGRAPHS[2])) is None


def test_containment_needs_texts_of_comparable_length():
    whole = sketch_of(" ".join(f"word{n} filler{n % 7}" for n in range(600)))
    first_two_thirds = sketch_of(" ".join(f"word{n} filler{n % 7}" for n in range(400)))
    first_fifth = sketch_of(" ".join(f"word{n} filler{n % 7}" for n in range(120)))

    assert fingerprints.estimate_containment(whole, first_two_thirds) > 0.9
    assert fingerprints.estimate_containment(first_two_thirds, whole) > 0.9
    assert fingerprints.estimate_containment(whole, first_fifth) < 0.3  # about 1/5
    assert fingerprints.near_duplicate(whole, first_fifth) is None
    assert fingerprints.estimate_containment(whole, []) == 0.0
