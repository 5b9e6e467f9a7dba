"""Topics in the archive: assigned at import, explained, corrected by hand, reclassified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_app.core.archive import Archive, InvalidValue
from archive_app.core.models import SearchRequest

DEPORTATION = (
    "Children deported from Kherson return home\n\n"
    "Eleven children who were deported from occupied Kherson to Russia last year returned "
    "to their families on Friday. Investigators from the International Criminal Court say "
    "the forced deportation of children is a war crime, and judges issued arrest warrants "
    "for the officials responsible.\n\n"
    "Volunteers are collecting evidence of the abductions for the tribunal.\n"
)
FOSTER = (
    "Foster care reform passes\n\n"
    "Parliament passed a reform of foster care on Tuesday. Social workers will visit every "
    "child in care each month, and children's homes will be inspected twice a year. "
    "Child protection services receive more staff to respond to reports of neglect and abuse.\n"
)
PRICE_WAR = (
    "Supermarkets cut prices again\n\n"
    "The price war between the two largest supermarket chains entered its third month, "
    "with the cost of a weekly basket down by a fifth. Analysts expect the truce to come "
    "only after the summer.\n"
)
SANCTIONS_TOPIC = """
[[topic]]
id = "sanctions"
label = "Sanctions"
description = "Economic sanctions and asset freezes."
threshold = 3
[topic.terms]
"sanction*" = 2
"asset freeze*" = 3
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def three(archive: Archive, tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "deportation.txt", DEPORTATION)
    write(folder, "foster.txt", FOSTER)
    write(folder, "prices.txt", PRICE_WAR)
    report = archive.import_paths([folder])
    return {Path(i.path).stem: i.id for i in report.imported}


def topics_of(archive: Archive, article_id: str) -> set[str]:
    return {t.topic for t in archive.get(article_id).topics}


def test_articles_are_classified_at_import(archive: Archive, three: dict[str, str]):
    assert topics_of(archive, three["deportation"]) == {"child-welfare", "war-crimes"}
    assert topics_of(archive, three["foster"]) == {"child-welfare"}
    assert topics_of(archive, three["prices"]) == set()  # a price war is no war crime
    assert all(t.source == "auto" for t in archive.get(three["foster"]).topics)


def test_reference_article_has_both_topics(archive: Archive, reference_article: Path):
    (item,) = archive.import_paths([reference_article]).imported
    assert topics_of(archive, item.id) == {"child-welfare", "war-crimes"}


def test_topic_filters_and_facets(archive: Archive, three: dict[str, str]):
    both = archive.search(SearchRequest(topics=("child-welfare", "war-crimes")))
    assert {h.id for h in both.hits} == {three["deportation"]}
    page = archive.search(SearchRequest())
    assert page.facets.topics == {"child-welfare": 2, "war-crimes": 1}


def test_explanation_names_terms_counts_and_sentences(archive: Archive, three: dict[str, str]):
    explained = {e.score.topic: e for e in archive.explain_topics(three["deportation"])}
    war = explained["war-crimes"]
    assert war.assigned and war.manual is None
    assert war.score.score >= war.score.threshold
    assert war.score.contributions
    assert all(c.count >= 1 and c.sentences for c in war.score.contributions)
    assert any("war crime" in s for c in war.score.contributions for s in c.sentences)
    prices = {e.score.topic: e for e in archive.explain_topics(three["prices"])}
    assert not prices["war-crimes"].assigned
    assert prices["war-crimes"].score.score < prices["war-crimes"].score.threshold


def test_manual_decisions_win_and_survive_reclassification(archive: Archive, three: dict[str, str]):
    archive.set_topic(three["prices"], "war-crimes", True)
    archive.set_topic(three["deportation"], "child-welfare", False)
    report = archive.reclassify()
    assert report.articles == 3 and not report.cancelled
    assert topics_of(archive, three["prices"]) == {"war-crimes"}
    assert topics_of(archive, three["deportation"]) == {"war-crimes"}
    found = archive.search(SearchRequest(topics=("war-crimes",)))
    assert {h.id for h in found.hits} == {three["prices"], three["deportation"]}
    explained = {e.score.topic: e for e in archive.explain_topics(three["deportation"])}
    assert explained["child-welfare"].manual is False
    assert explained["child-welfare"].score.assigned  # the rules still say yes

    archive.set_topic(three["deportation"], "child-welfare", None)  # back to the rules
    assert topics_of(archive, three["deportation"]) == {"child-welfare", "war-crimes"}


def test_unknown_topic_is_refused(archive: Archive, three: dict[str, str]):
    with pytest.raises(InvalidValue, match="no topic 'cooking'"):
        archive.set_topic(three["foster"], "cooking", True)


def test_a_user_topic_takes_effect_after_reclassify(archive_dir: Path, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = "Sanctions widen\n\nThe council imposed new sanctions and an asset freeze on banks.\n"
    write(folder, "sanctions.txt", text)
    with Archive.open(archive_dir) as archive:
        (item,) = archive.import_paths([folder]).imported
        assert topics_of(archive, item.id) == set()
        assert not archive.topic_rules_outdated()
    rules = archive_dir / "topics.toml"
    rules.write_text(rules.read_text("utf-8") + SANCTIONS_TOPIC, encoding="utf-8")
    with Archive.open(archive_dir) as archive:
        assert archive.topic_rules_error == ""
        assert archive.topic_rules_outdated()
        assert "sanctions" in {t.id for t in archive.topics()}
        assert archive.reclassify().changed == 1
        assert topics_of(archive, item.id) == {"sanctions"}
        assert not archive.topic_rules_outdated()
        assert archive.search(SearchRequest(topics=("sanctions",))).total == 1


def test_a_broken_rules_file_is_reported_and_the_previous_rules_kept(
    archive_dir: Path, three: dict[str, str], archive: Archive
):
    archive.close()
    rules = archive_dir / "topics.toml"
    good = rules.read_text("utf-8")
    rules.write_text(good + '\n[[topic]]\nid = "broken"\nthreshold = "high\n', "utf-8")
    with Archive.open(archive_dir) as reopened:
        assert "line" in reopened.topic_rules_error
        assert "topics.toml" in reopened.topic_rules_error
        assert {t.id for t in reopened.topics()} == {"child-welfare", "war-crimes"}
        reopened.reclassify()
        assert topics_of(reopened, three["deportation"]) == {"child-welfare", "war-crimes"}
    assert rules.read_text("utf-8").startswith(good)  # the person's file is never rewritten


def test_cli_topic_topics_explain_and_reclassify(cli, archive_dir: Path, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "deportation.txt", DEPORTATION)
    write(folder, "prices.txt", PRICE_WAR)
    code, out, _ = cli("--archive", archive_dir, "import", folder, "--json")
    ids = {Path(i["path"]).stem: i["id"] for i in json.loads(out)["imported"]}

    code, out, _ = cli(
        "--archive", archive_dir, "topic", ids["prices"], "+war-crimes", "-child-welfare"
    )
    assert code == 0 and "war-crimes" in out
    code, out, _ = cli("--archive", archive_dir, "topics", "--json")
    counts = {t["id"]: t for t in json.loads(out)["topics"]}
    assert counts["war-crimes"]["automatic"] == 1 and counts["war-crimes"]["manual"] == 1
    assert counts["child-welfare"]["removed"] == 1

    code, out, _ = cli("--archive", archive_dir, "topics", "explain", ids["deportation"])
    assert code == 0
    assert "War crimes [war-crimes]: yes" in out and "score" in out
    code, out, _ = cli("--archive", archive_dir, "topics", "explain", ids["deportation"], "--json")
    explained = {t["topic"]: t for t in json.loads(out)["topics"]}
    assert explained["war-crimes"]["has_topic"] is True
    assert explained["war-crimes"]["contributions"][0]["sentences"]

    code, out, _ = cli("--archive", archive_dir, "topics", "reclassify", "--json")
    assert code == 0 and json.loads(out)["articles"] == 2
    code, out, _ = cli("--archive", archive_dir, "show", ids["prices"], "--json")
    assert json.loads(out)["topics"] == ["war-crimes"]

    code, _, err = cli("--archive", archive_dir, "topic", ids["prices"], "war-crimes")
    assert code == 2 and "+TOPIC" in err


def test_searching_goes_on_while_reclassifying(archive: Archive, tmp_path: Path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        write(folder, f"d{i}.txt", DEPORTATION.replace("Eleven", f"Group {i}:"))
        write(folder, f"p{i}.txt", PRICE_WAR.replace("third", f"{i}th"))
    archive.import_paths([folder])
    import threading

    seen: list[tuple[int, int]] = []
    searched: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        # Between batches another thread's search is answered at once.
        worker = threading.Thread(
            target=lambda: searched.append(archive.search(SearchRequest(query="children")).total)
        )
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive()

    from archive_app.core import classification

    report = classification.reclassify(
        archive.catalog,
        archive.topic_rules,
        archive._classify,
        archive._queue,
        archive._drain_index_queue,
        batch=5,
        progress=progress,
    )
    assert report.articles == 24 and not report.cancelled
    assert seen[-1] == (24, 24) and len(seen) == 5
    assert searched and all(total == 12 for total in searched)


def test_reclassify_can_be_cancelled(archive: Archive, three: dict[str, str]):
    import threading

    cancel = threading.Event()
    cancel.set()
    report = archive.reclassify(cancel=cancel)
    assert report.cancelled and report.changed == 0
