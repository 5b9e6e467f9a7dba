"""Image captions and article titles from plain prose.

Captions copied from news sites end with the photo credit run on after the
last sentence ("…in Washington, D.C. The Trump White House Archived/Wikimedia
Commons"). `split_credit` takes that credit apart so the archive can show and
search it separately. `derive_title` makes a title from a lead paragraph for
files that have none. Both need to find sentence ends without being fooled by
abbreviations, which is why they live together.

Every function here only cuts text at word boundaries and trims punctuation
and whitespace around the cut: no word of the input is ever dropped or merged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Labels that introduce a credit, as in "Photo: Jane Doe" or "© Musée du Louvre".
_LABEL = re.compile(
    r"(?<!\w)(?:"
    r"(?:Photo|PHOTO|Photograph|Photography|Picture|Pic|Image|IMAGE|Illustration|Video|"
    r"Photo credit|Image credit|Credit|CREDIT|Source|Foto)\s*:"
    r"|(?:Photo|Photograph|Photos|Picture|Illustration|Image)\s+(?:by|courtesy of|courtesy)\b"
    r"|Courtesy(?:\s+of)?\b"
    r"|Copyright\b"
    r"|©"
    r")"
)

# Agencies and libraries that appear in credits. Case matters: "AP" is a credit,
# "ap" is not a word anyone credits.
_AGENCY = re.compile(
    r"(?<!\w)(?:"
    r"Wikimedia(?: Commons)?|Wikipedia|Getty(?: Images)?|GETTY|Reuters|REUTERS|AP|AFP|"
    r"EPA(?:-EFE)?|EFE|Shutterstock|SHUTTERSTOCK|Alamy|Anadolu(?: Agency)?|"
    r"Associated Press|PA(?: Wire| Media| Images)?|UPI|Xinhua|TASS|Sputnik|Bloomberg|"
    r"NurPhoto|SOPA Images|ZUMA(?: Press| Wire)?|Zuma(?: Press| Wire)?|dpa|"
    r"picture alliance|picture-alliance|Imago|IMAGO|Flickr|Unsplash|Pexels|iStock|"
    r"Creative Commons|CC BY(?:-SA)?|CC0|Public Domain|public domain|Handout|HANDOUT|"
    r"Sipa|SIPA|ABACA|Corbis|Magnum Photos|Pool Photo|Pool via"
    r")(?!\w)"
)

# "Name/Agency": a letter, a slash, a capitalised word. Dates ("12/08") do not match.
_SLASH_CREDIT = re.compile(r"[^\W\d_]\s?/\s?[A-Z]")

# Lowercase words that credits contain ("Photo by X for The Times", "Handout via Reuters").
_CREDIT_PARTICLES = frozenset(
    {
        "by", "of", "for", "via", "and", "the", "de", "da", "del", "della", "di", "du", "des", "la",
        "le", "van", "von", "der", "den", "y", "e", "bin", "al", "el", "courtesy", "photo",
        "photos", "image", "images", "press", "news", "handout", "archive", "archived", "staff",
        "pool", "und", "et", "on", "in", "à", "dpa", "ddp", "istock"
    }
)  # fmt: skip
_MAX_CREDIT_WORDS = 15

# Words followed by a period that do not end a sentence. Dotted acronyms ("U.S.",
# "D.C.") and initials ("J.") are recognised by shape, see `_ends_with_abbreviation`.
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "lt", "col",
        "capt", "sgt", "cpl", "maj", "adm", "rev", "fr", "no", "nos", "vs", "etc", "inc", "ltd",
        "co", "corp", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "approx", "dept", "est", "fig", "vol", "pp", "ca", "cf"
    }
)  # fmt: skip
_DOTTED = re.compile(r"(?:[^\W\d_]\.){1,5}")

# A sentence end: punctuation, closing quotes or brackets, space, then something
# that can open a sentence (a lowercase letter is ruled out in `_sentence_cuts`).
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(©\d]|[^\W\d_])")
# Separators newsrooms put before a credit: "Caption | Getty Images".
_SEPARATOR = re.compile(r"\s[|—–-]\s+")

_FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "yet", "so", "that", "which", "who", "whom",
        "whose", "when", "where", "while", "after", "before", "amid", "as", "because", "since",
        "although", "though", "if", "than", "with", "without", "between", "among", "of", "in", "on",
        "at", "for", "from", "to", "by", "into", "onto", "over", "under", "about", "during",
        "despite", "following", "including", "against", "through", "across", "toward", "towards",
        "upon", "via"
    }
)  # fmt: skip
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s[—–]\s|\s-\s|\s\(")
TITLE_LIMIT = 110


@dataclass(frozen=True)
class _Cut:
    pos: int  # where the tail starts
    weak: bool  # the cut follows an abbreviation, so it may not be a real sentence end


def split_credit(caption: str) -> tuple[str, str]:
    """(caption without its credit, credit); (caption, "") when no credit is found.

    Recognises a trailing credit after the last sentence ("…D.C. The Trump White
    House Archived/Wikimedia Commons"), a labelled one anywhere at the end
    ("Photo: X", "© X"), a bracketed one ("(Reuters)", "(Photo by X/Getty
    Images)"), one after a separator ("… | Getty Images") and a "Photo: X."
    prefix. Whitespace is normalised; words are never dropped.
    """
    text = " ".join(caption.split())
    if not text:
        return "", ""
    for attempt in (_bracketed_credit, _prefixed_credit, _trailing_credit):
        found = attempt(text)
        if found is not None:
            return found
    if _is_credit(text, max_words=10, strong_only=True):
        return "", _trim_credit(text)
    return text, ""


def looks_like_caption(line: str) -> bool:
    """A single line that carries a photo credit, so it is a caption, not prose or a title."""
    if "\n" in line.strip() or len(line.split()) > 60:
        return False
    return bool(split_credit(line)[1])


def first_sentence(paragraph: str) -> str:
    """The paragraph up to its first real sentence end (abbreviations do not count)."""
    text = " ".join(paragraph.split())
    for cut in _sentence_cuts(text):
        if not cut.weak:
            return text[: cut.pos].rstrip()
    return text


def derive_title(paragraphs: Iterable[str], limit: int = TITLE_LIMIT) -> str:
    """A title from the lead paragraph: its first sentence, shortened when long.

    Paragraphs that look like captions are skipped: a caption is never a title.
    A long sentence is cut at a clause break, else before a function word, else
    at a word boundary, and gets an ellipsis, so the title reads as a phrase.
    """
    for paragraph in paragraphs:
        if not paragraph.strip() or looks_like_caption(paragraph):
            continue
        return shorten_title(first_sentence(paragraph), limit)
    return ""


def shorten_title(sentence: str, limit: int = TITLE_LIMIT) -> str:
    """The sentence as a title of at most `limit` characters, "…" marking a cut."""
    text = " ".join(sentence.split())
    if len(text) <= limit:
        # A title does not end with a full stop, but keeps "?" and "!".
        return text[:-1] if text.endswith(".") and not _ends_with_abbreviation(text) else text
    window = text[: limit - 1]
    if text[limit - 1] != " ":  # the window ends inside a word: drop that word
        window = window.rsplit(" ", 1)[0] if " " in window else window
    cut = _clause_cut(window, limit) or _phrase_cut(window, limit) or len(window)
    return (window[:cut].rstrip(" ,;:—–-(") or text[: limit - 1]) + "…"


def _clause_cut(window: str, limit: int) -> int | None:
    cuts = [m.start() for m in _CLAUSE_BREAK.finditer(window) if m.start() >= limit // 2]
    return cuts[-1] if cuts else None


def _phrase_cut(window: str, limit: int) -> int | None:
    best = None
    for m in re.finditer(r"\s(\S+)", window):
        word = m.group(1).lower().strip("\"'“”‘’")
        if m.start() >= limit * 3 // 5 and word in _FUNCTION_WORDS:
            best = m.start()
    return best


def _bracketed_credit(text: str) -> tuple[str, str] | None:
    match = re.search(r"\(([^()]{1,150})\)[\s.]*$", text)
    if match is None or not _is_credit(match.group(1)):
        return None
    return _trim_caption(text[: match.start()]), _trim_credit(match.group(1))


def _prefixed_credit(text: str) -> tuple[str, str] | None:
    """A credit put first, as in "Photo: Jane Doe/Reuters. Protesters march…"."""
    if not _LABEL.match(text):
        return None
    for cut in sorted(_sentence_cuts(text) + _separator_cuts(text), key=lambda c: c.pos):
        if cut.weak:
            continue
        head = text[: cut.pos]
        if _is_credit(head):
            return _trim_caption(text[cut.pos :]), _trim_credit(head)
        return None  # the label introduces a caption ("Image: A crowd gathers…")
    return None


def _trailing_credit(text: str) -> tuple[str, str] | None:
    cuts = sorted(
        [_Cut(0, False), *_sentence_cuts(text), *_separator_cuts(text), *_label_cuts(text)],
        key=lambda c: c.pos,
    )
    # From the end of the caption backwards: the shortest tail that is a credit.
    index = None
    for i in range(len(cuts) - 1, 0, -1):
        tail = text[cuts[i].pos :]
        if len(tail.split()) > _MAX_CREDIT_WORDS:
            break
        if _is_credit(tail):
            index = i
            break
    if index is None:
        return None
    # A cut after an abbreviation may be inside the credit itself, as in "…the
    # Pacific. U.S. Navy/Wikimedia Commons": take in the short name-like piece
    # before it ("U.S.") while the longer tail still reads as a credit.
    while index > 0 and cuts[index].weak:
        piece = text[cuts[index - 1].pos : cuts[index].pos]
        longer = text[cuts[index - 1].pos :]
        if not (_is_name_piece(piece) and _is_credit(longer)):
            break
        index -= 1
    pos = cuts[index].pos
    return _trim_caption(text[:pos]), _trim_credit(text[pos:])


def _sentence_cuts(text: str) -> list[_Cut]:
    return [
        _Cut(m.end(), _ends_with_abbreviation(text[: m.start() + 1]))
        for m in _SENTENCE_END.finditer(text)
        if not text[m.end()].islower()  # "e.g. the": no new sentence
    ]


def _separator_cuts(text: str) -> list[_Cut]:
    return [_Cut(m.end(), False) for m in _SEPARATOR.finditer(text)]


def _label_cuts(text: str) -> list[_Cut]:
    return [_Cut(m.start(), False) for m in _LABEL.finditer(text) if m.start() > 0]


def _ends_with_abbreviation(text: str) -> bool:
    words = text.split()
    if not words:
        return False
    token = words[-1].lstrip("\"'“‘(")
    return bool(_DOTTED.fullmatch(token)) or token[:-1].lower() in _ABBREVIATIONS


def _is_name_piece(piece: str) -> bool:
    """A few capitalised words or initials without commas: "U.S.", "J. R."."""
    words = piece.split()
    return (
        0 < len(words) <= 3
        and "," not in piece
        and all(w[0].isupper() or _DOTTED.fullmatch(w) for w in words)
    )


def _is_credit(
    candidate: str, max_words: int = _MAX_CREDIT_WORDS, strong_only: bool = False
) -> bool:
    """Does this stretch of text read as a photo credit rather than prose?"""
    text = candidate.strip().rstrip(".")
    words = re.findall(r"[^\s/]+", text)
    if not words or len(text.split()) > max_words or text.endswith(("?", "!", ",", ":")):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    marked = bool(_LABEL.match(text) or _AGENCY.search(text))
    if not marked and (strong_only or not _SLASH_CREDIT.search(text)):
        return False
    # Credits are names: prose gives itself away with lowercase words.
    lowercase = [w for w in words if _starts_lowercase(w) and _bare(w) not in _CREDIT_PARTICLES]
    return len(lowercase) <= 2


def _starts_lowercase(word: str) -> bool:
    letter = next((ch for ch in word if ch.isalpha()), "")
    return letter.islower()


def _bare(word: str) -> str:
    return word.lower().strip("\"'“”‘’.,;:()")


def _trim_caption(text: str) -> str:
    return re.sub(r"(?:\s*[|—–,;-])+$", "", text.strip()).strip()


def _trim_credit(text: str) -> str:
    text = text.strip().strip("|—–-").strip()
    if text.endswith(".") and not _ends_with_abbreviation(text):
        text = text[:-1].rstrip()
    return text
