"""Caption credits and derived titles (core, no Qt)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive_app.core.importers.captions import (
    derive_title,
    first_sentence,
    looks_like_caption,
    split_credit,
)

REFERENCE_CAPTION = (
    "First Lady Melania Trump delivers remarks at a Toys for Tots Christmas event Tuesday, "
    "December 8, 2020, at Joint Base Anacostia-Bolling in Washington, D.C. "
    "The Trump White House Archived/Wikimedia Commons"
)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            REFERENCE_CAPTION,
            (
                "First Lady Melania Trump delivers remarks at a Toys for Tots Christmas event "
                "Tuesday, December 8, 2020, at Joint Base Anacostia-Bolling in Washington, D.C.",
                "The Trump White House Archived/Wikimedia Commons",
            ),
        ),
        (
            "Sailors load supplies aboard the ship in the Pacific. U.S. Navy/Wikimedia Commons",
            (
                "Sailors load supplies aboard the ship in the Pacific.",
                "U.S. Navy/Wikimedia Commons",
            ),
        ),
        (
            "Crowds at the rally in the U.S. Reuters",
            ("Crowds at the rally in the U.S.", "Reuters"),
        ),
        (
            "President Joe Biden speaks in the Rose Garden. (AP Photo/Evan Vucci)",
            ("President Joe Biden speaks in the Rose Garden.", "AP Photo/Evan Vucci"),
        ),
        (
            "Firefighters battle a blaze in Los Angeles, California, U.S., January 8, 2025. "
            "REUTERS/Daniel Cole",
            (
                "Firefighters battle a blaze in Los Angeles, California, U.S., January 8, 2025.",
                "REUTERS/Daniel Cole",
            ),
        ),
        (
            "Rescue workers search the rubble in Antakya. "
            "Photograph: Anadolu Agency via Getty Images",
            (
                "Rescue workers search the rubble in Antakya.",
                "Photograph: Anadolu Agency via Getty Images",
            ),
        ),
        (
            "Smoke rises over the city (Photo by Chip Somodevilla/Getty Images)",
            ("Smoke rises over the city", "Photo by Chip Somodevilla/Getty Images"),
        ),
        (
            "Protesters gather outside parliament (Reuters)",
            ("Protesters gather outside parliament", "Reuters"),
        ),
        (
            "The Mona Lisa in the Louvre © Musée du Louvre",
            ("The Mona Lisa in the Louvre", "© Musée du Louvre"),
        ),
        (
            "Workers in Dhaka, Bangladesh, on Monday | Getty Images",
            ("Workers in Dhaka, Bangladesh, on Monday", "Getty Images"),
        ),
        (
            "Photo: Jane Doe/Reuters. Protesters march in Kyiv.",
            ("Protesters march in Kyiv.", "Photo: Jane Doe/Reuters"),
        ),
        ("Photo: Jane Doe/The Guardian", ("", "Photo: Jane Doe/The Guardian")),
        (
            "A boat near Washington. U.S. Coast Guard/Handout via Reuters",
            ("A boat near Washington.", "U.S. Coast Guard/Handout via Reuters"),
        ),
        (
            "Mr. Smith speaks at St. Paul's Cathedral. Jane Doe/AP",
            ("Mr. Smith speaks at St. Paul's Cathedral.", "Jane Doe/AP"),
        ),
        (
            "Demonstrators in Berlin. Photo by John Smith for The New York Times",
            ("Demonstrators in Berlin.", "Photo by John Smith for The New York Times"),
        ),
        ("Flowers in bloom. Credit: Alamy", ("Flowers in bloom.", "Credit: Alamy")),
    ],
)
def test_split_credit_finds_the_credit(caption: str, expected: tuple[str, str]) -> None:
    assert split_credit(caption) == expected


@pytest.mark.parametrize(
    "caption",
    [
        "First Lady Melania Trump (2020)",
        "Residents return to their homes in Kharkiv after the shelling stopped.",
        "The talks were first reported by Reuters on Monday.",
        "Officials met in Geneva. Reuters reported the talks were constructive.",
        "Image: A crowd gathers at the square in Kyiv",
        "Input/Output Systems Explained",
        "The event on 12/08/2020 drew crowds.",
    ],
)
def test_split_credit_leaves_captions_without_credit_alone(caption: str) -> None:
    assert split_credit(caption) == (caption, "")


def test_split_credit_normalises_whitespace() -> None:
    assert split_credit("  Flowers   in bloom.\n Credit:  Alamy ") == (
        "Flowers in bloom.",
        "Credit: Alamy",
    )
    assert split_credit("   ") == ("", "")


def test_looks_like_caption() -> None:
    assert looks_like_caption(REFERENCE_CAPTION)
    assert looks_like_caption("Smoke rises over the city (Photo by Jane Doe/Getty Images)")
    assert not looks_like_caption("First Lady Melania Trump (2020)")
    assert not looks_like_caption("The talks were first reported by Reuters on Monday.")


def test_first_sentence_ignores_abbreviations() -> None:
    assert first_sentence("The U.S. Navy and Dr. Smith met on Monday. Then they left.") == (
        "The U.S. Navy and Dr. Smith met on Monday."
    )


def test_derive_title_keeps_a_short_first_sentence() -> None:
    assert derive_title(["Talks resume in Geneva. Delegates arrived on Monday."]) == (
        "Talks resume in Geneva"
    )


def test_derive_title_shortens_a_long_sentence_at_a_boundary() -> None:
    sentence = (
        "The regional council announced on Thursday that the long-delayed bridge across the "
        "river will finally open next spring, after years of disputes over funding and design."
    )
    title = derive_title([sentence])
    assert title.endswith("…")
    assert len(title) <= 110
    assert sentence.startswith(title[:-1])
    assert title[-2] != " "  # cut between words, not inside one


def test_derive_title_skips_captions_and_blank_paragraphs() -> None:
    paragraphs = ["", REFERENCE_CAPTION, "Eight children were reunited with their families."]
    assert derive_title(paragraphs) == "Eight children were reunited with their families"
    assert derive_title([]) == ""


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text))


@given(st.text())
def test_split_credit_parts_recombine_to_the_input_words(caption: str) -> None:
    remaining, credit = split_credit(caption)
    assert _words(remaining) + _words(credit) == _words(caption)


_name = st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?", fullmatch=True)
_agency = st.sampled_from(["Reuters", "Getty Images", "Wikimedia Commons", "AP", "AFP", "EPA"])
_sentence = st.from_regex(
    r"[A-Z][a-z]{2,9}( [a-z]{2,9}){2,8}( in [A-Z][a-z]+, D\.C\.)?\.", fullmatch=True
)


@given(_sentence, _name, _agency)
def test_split_credit_on_generated_captions(sentence: str, name: str, agency: str) -> None:
    caption, credit = split_credit(f"{sentence} {name}/{agency}")
    assert (caption, credit) == (sentence, f"{name}/{agency}")
