"""The classifier's output must not drift: scores are stored in archives and shown to people.

Every text below is classified with the shipped rules and with a rule set that
exercises the other rule features (word matches, prefixes, windows, together rules
across sentences), and each result is compared with a digest of the result the
classifier gave when the expectations were written. A deliberate change to the
scoring regenerates them:

    .venv/bin/python tests/test_topics_unchanged.py --write
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive_app.core.topics import TopicRules, TopicScore, default_rules_path  # noqa: E402

EXPECTED = Path(__file__).with_name("topic_scores_expected.json")
SAMPLE = ROOT / "resources" / "sample"
DEVSETS = (ROOT / "bench" / "topics_devset.jsonl", ROOT / "bench" / "multilingual_devset.jsonl")

FEATURES = """
title_weight = 3
reference_words = 50

[lists]
kids = ["child*", "=kinder", "дети", "діт*", "pupils"]

[[topic]]
id = "features"
threshold = 2
min_terms = 2
[topic.terms]
"@kids" = 1
"school meal*" = 2
"war crime*" = 3
"=war" = 0.5
"shelling" = 1.5
"l'enfance" = 1

[[topic.together]]
name = "kids near harm"
weight = 2
terms = ["@kids"]
near = ["shell*", "abduct*", "deport*", "forced transfer"]
window = 4
same_sentence = false

[[topic.together]]
weight = 1
terms = ["court", "tribunal*"]
near = ["warrant*", "charge*"]

[[topic.cancel]]
terms = ["child*"]
context = ["process*", "thread"]
window = 2

[[topic.cancel]]
terms = ["=war"]
context = ["price*", "tariff"]
"""

ODD_TEXTS = {
    "empty": ("", "", ""),
    "title-only": ("Children shelled in the war", "", ""),
    "one-word": ("", "child", ""),
    "captions-only": ("", "", "Children at the school meal hall; war crimes court"),
    "punctuation": ("", "!!! ... ??? — …\n\n\n", ""),
    "mixed": (
        "Kinder",
        "l'enfance, children's war. War! A child process… price war\n\n"
        "приют: дети и сім'я — дітей вивезли.\nPupils' school meals; the tribunal's warrant.",
        "caption: war children, shelling",
    ),
    "long-sentence": (
        "",
        "The children " + "waited and " * 150 + "the shelling went on; child process war crimes.",
        "",
    ),
}


def texts() -> dict[str, tuple[str, str, str]]:
    """(title, text, captions) by a stable name."""
    out: dict[str, tuple[str, str, str]] = {}
    for path in sorted(SAMPLE.glob("*.txt")) + sorted(SAMPLE.glob("*.md")):
        out[f"sample/{path.name}"] = ("", path.read_text(encoding="utf-8"), "")
    for line in (SAMPLE / "bulk" / "wire-briefs.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out[f"wire/{record['title'][:40]}"] = (record["title"], record["text"], "")
    for devset in DEVSETS:
        for line in devset.read_text(encoding="utf-8").splitlines()[::3]:
            record = json.loads(line)
            out[f"{devset.stem}/{record['id']}"] = (
                record.get("title", ""),
                record.get("text", ""),
                "",
            )
    out.update(ODD_TEXTS)
    return out


def rule_sets() -> dict[str, TopicRules]:
    return {
        "shipped": TopicRules.load(default_rules_path()),
        "features": TopicRules.parse(FEATURES, source="features.toml"),
    }


def canonical(scores: tuple[TopicScore, ...]) -> str:
    return json.dumps([dataclasses.asdict(s) for s in scores], ensure_ascii=False, sort_keys=True)


def digest(scores: tuple[TopicScore, ...]) -> str:
    return hashlib.sha256(canonical(scores).encode("utf-8")).hexdigest()


def current() -> dict[str, str]:
    return {
        f"{rules_name}:{name}": digest(rules.classify(*text))
        for rules_name, rules in rule_sets().items()
        for name, text in texts().items()
    }


def test_the_expectations_cover_many_texts():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert len(expected) >= 2 * 40
    assert set(expected) == set(current())


@pytest.mark.parametrize("rules_name", ["shipped", "features"])
def test_classification_is_unchanged(rules_name: str):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    rules = rule_sets()[rules_name]
    for name, text in texts().items():
        scores = rules.classify(*text)
        assert digest(scores) == expected[f"{rules_name}:{name}"], (
            f"{rules_name}:{name} now classifies as {canonical(scores)}"
        )


def test_rules_sent_to_another_process_classify_the_same():
    # Import helpers get the rules pickled, after this process has classified with them.
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    rules = rule_sets()["shipped"]
    for text in texts().values():
        rules.classify(*text)
    copy = pickle.loads(pickle.dumps(rules))
    for name, text in texts().items():
        assert digest(copy.classify(*text)) == expected[f"shipped:{name}"], name


def test_the_rule_features_are_exercised():
    rules = rule_sets()["features"]
    found = [rules.classify(*text)[0] for text in texts().values()]
    terms = {c.term for s in found for c in s.contributions}
    assert {"kids near harm", "=kinder", "l'enfance", "court + charge*", "=war"} <= terms
    assert {(c.term, c.context) for s in found for c in s.cancellations} == {
        ("child*", "process*"),
        ("=war", "price*"),
    }
    assert any(s.assigned for s in found) and not all(s.assigned for s in found)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    EXPECTED.write_text(json.dumps(current(), indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
