"""Generate a deterministic corpus of news-like articles for the benchmarks.

    python bench/gen_corpus.py --count 10000 --out DIR [--seed 1]
        [--min-words 300 --max-words 1200] [--images 0-4] [--jobs 2]

Writes into DIR:

- ``articles/``: the articles, about 80% plain text (``.txt``) in the saved-article
  layout the text importer reads, about 20% Markdown (``.md``) with YAML front
  matter (title, author, source, published, tags). A text article with a lead image
  starts with the image title and its caption (ending with a photo credit) and has a
  same-stem ``.jpg`` beside it; one without starts with its headline. Markdown
  articles carry their images as ``![alt](file.jpg "caption")``.
- ``queries.json``: the query set the search benchmark runs (about 40 queries).
- ``manifest.json``: the parameters and totals of the run, so a cached corpus can be
  checked against the parameters asked for.

Every article is generated from its own ``random.Random`` seeded with
``"<seed>:<index>"``, so the output is identical for the same seed whatever
``--jobs`` is, and article N is the same in a corpus of 100 and one of 10,000.
File modification times are set to the publication date.

Word frequencies follow a Zipf-Mandelbrot law within each word class (nouns, verbs,
adjectives, ...) on top of sentence templates that supply the function words, and
each article leans on one subject (its topical nouns, places and people recur), so
document frequencies are skewed the way real news is: a few terms are in most
articles, most terms are in a few.
"""

from __future__ import annotations

import argparse
import colorsys
import datetime as dt
import functools
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path

from PIL import Image, ImageDraw

MARKDOWN_SHARE = 0.2  # share of articles written as Markdown (when images allow it)
LEAD_IMAGE_SHARE = 0.5  # share of text articles with a lead image (when images allow it)
DATELINE_SHARE = 0.5  # share of text articles opening with "PLACE, 18 June 2019 — "
RARE_SHARE = 0.004  # share of nouns drawn from the rare list (each in ~0.2% of articles)
FIRST_DATE = dt.date(2014, 1, 1)
LAST_DATE = dt.date(2025, 12, 31)
IMAGE_SIZE = (160, 100)


# --------------------------------------------------------------------------- sampling


def zipf_cumulative(n: int, s: float = 1.05, q: float = 2.7) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights 1/(rank+q)^s for ranks 1..n."""
    total = 0.0
    out = []
    for rank in range(1, n + 1):
        total += 1.0 / (rank + q) ** s
        out.append(total)
    return out


@dataclass(frozen=True)
class WordClass:
    """Words ranked by frequency with their cumulative Zipf weights."""

    words: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, words: Iterable[str], s: float = 1.05, q: float = 2.7) -> WordClass:
        unique = tuple(dict.fromkeys(words))
        return cls(unique, tuple(zipf_cumulative(len(unique), s, q)))


class Draw:
    """Zipf draws from one word class, fetched from the RNG in batches (much faster)."""

    __slots__ = ("_buffer", "_class", "_rng")

    def __init__(self, rng: random.Random, word_class: WordClass) -> None:
        self._rng = rng
        self._class = word_class
        self._buffer: list[str] = []

    def __call__(self) -> str:
        if not self._buffer:
            self._buffer = self._rng.choices(
                self._class.words, cum_weights=self._class.cumulative, k=64
            )
        return self._buffer.pop()


def pick_weighted(rng: random.Random, items: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, weight in items:
        x -= weight
        if x < 0:
            return item
    return items[-1][0]


# --------------------------------------------------------------------------- grammar


def third_person(verb: str) -> str:
    if verb == "have":
        return "has"
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def past_tense(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def is_plural(noun: str) -> bool:
    last = noun.rsplit(" ", 1)[-1]
    if last in IRREGULAR_PLURALS:
        return True
    if last in SINGULAR_S:
        return False
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def article_for(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" and not word.startswith(("uni", "eu")) else "a"


def title_case(text: str) -> str:
    small = {"a", "an", "and", "as", "at", "for", "from", "in", "of", "on", "or", "the", "to"}
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        out.append(word if i and word in small else capitalise(word))
    return " ".join(out)


def capitalise(text: str) -> str:
    """Upper-case the first letter (after any opening quote); leave a leading number."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
        if ch.isdigit():
            return text
    return text


def human_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass
class Cast:
    """The people, places and organisations one article keeps coming back to."""

    people: list[tuple[str, str]]  # (full name, role)
    places: list[str]
    organisations: list[str]
    mentioned: set[str] = field(default_factory=set)


class Writer:
    """Writes one article's sentences, paragraphs, headings and headline."""

    def __init__(self, rng: random.Random, topic: str, published: dt.date) -> None:
        self.rng = rng
        self.topic = topic
        self.published = published
        self.noun = Draw(rng, NOUNS)
        self.plural = Draw(rng, PLURAL_NOUNS)
        self.adjective = Draw(rng, ADJECTIVES)
        self.adverb = Draw(rng, ADVERBS)
        self.verb = Draw(rng, VERBS)
        self.topical = Draw(rng, TOPIC_TERMS[topic])
        self.preposition = Draw(rng, PREPOSITIONS)
        self.place_draw = Draw(rng, PLACES)
        self.org_draw = Draw(rng, ORGANISATIONS)
        self.first = Draw(rng, FIRST_NAMES)
        self.last = Draw(rng, SURNAMES)
        self.role_draw = Draw(rng, ROLES)
        self.cast = Cast(
            people=[(self.new_name(), self.role_draw()) for _ in range(rng.randint(2, 5))],
            places=list(dict.fromkeys(self.place_draw() for _ in range(rng.randint(1, 3)))),
            organisations=list(dict.fromkeys(self.org_draw() for _ in range(rng.randint(1, 3)))),
        )
        self.topical_share = 0.12 + 0.16 * rng.random()

    # -- entities

    def new_name(self) -> str:
        return f"{self.first()} {self.last()}"

    def person(self, full: bool = False) -> str:
        rng = self.rng
        name, role = rng.choice(self.cast.people) if rng.random() < 0.85 else (self.new_name(), "")
        if name not in self.cast.mentioned or full:
            self.cast.mentioned.add(name)
            if role and rng.random() < 0.6:
                return f"{name}, {role},"
            return name
        return name.rsplit(" ", 1)[-1]

    def place(self) -> str:
        if self.rng.random() < 0.8:
            return self.rng.choice(self.cast.places)
        return self.place_draw()

    def organisation(self) -> str:
        if self.rng.random() < 0.75:
            return self.rng.choice(self.cast.organisations)
        return self.org_draw()

    def number(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.25:
            return rng.choice(SMALL_NUMBERS)
        if x < 0.85:
            return str(int(math.exp(rng.uniform(math.log(2), math.log(2000)))))
        return f"{rng.randint(1, 30) * 1000:,}"

    def when(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.35:
            return rng.choice(RELATIVE_TIMES)
        back = dt.timedelta(days=int(rng.expovariate(1 / 200)))
        day = max(self.published - back, dt.date(2000, 1, 1))
        if x < 0.7:
            return f"on {human_date(day)}"
        if x < 0.85:
            return f"in {MONTHS[day.month - 1]} {day.year}"
        return f"in {day.year}"

    # -- phrases

    def bare_noun(self) -> str:
        x = self.rng.random()
        if x < self.topical_share:
            return self.topical()
        if x > 1 - RARE_SHARE:  # the long tail: words most articles never use
            return self.rng.choice(RARE_NOUNS)
        return self.noun()

    def noun_phrase(self, allow_of: bool = True) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.08:
            return self.place()
        if x < 0.14:
            return self.organisation()
        if x < 0.2:
            return f"{self.number()} {self.plural()}"
        noun = self.bare_noun()
        if rng.random() < 0.3:
            noun = f"{self.adjective()} {noun}"
        y = rng.random()
        if is_plural(noun):
            determiner = "the" if y < 0.45 else rng.choice(PLURAL_DETERMINERS) if y < 0.75 else ""
        else:
            if y < 0.55:
                determiner = "the"
            elif y < 0.8:
                determiner = article_for(noun)
            else:
                determiner = rng.choice(SINGULAR_DETERMINERS)
        phrase = f"{determiner} {noun}" if determiner else noun
        if allow_of and rng.random() < 0.22:
            phrase = f"{phrase} of {self.noun_phrase(allow_of=False)}"
        return phrase

    def subject(self) -> tuple[str, bool]:
        """A subject and whether it is plural."""
        rng = self.rng
        x = rng.random()
        if x < 0.25:
            return self.person(), False
        if x < 0.38:
            return self.organisation(), False
        if x < 0.48:
            return rng.choice(GROUP_SUBJECTS), True
        if x < 0.54:
            pronoun = rng.choice(("he", "she", "they", "it"))
            return pronoun, pronoun == "they"
        phrase = self.noun_phrase()
        return phrase, is_plural(phrase.split(" of ", 1)[0])

    def prepositional(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.2:
            return f"in {self.place()}"
        if x < 0.32:
            return self.when()
        return f"{self.preposition()} {self.noun_phrase(allow_of=False)}"

    def predicate(self, plural: bool = False) -> str:
        verb = self.verb()
        base, past, participle = VERB_FORMS[verb]
        rng = self.rng
        x = rng.random()
        adverb = f"{self.adverb()} " if rng.random() < 0.12 else ""
        if x < 0.62:
            return f"{adverb}{past} {self.noun_phrase()}"
        if x < 0.72:
            return f"had {adverb}{participle} {self.noun_phrase()}"
        if x < 0.82:
            return f"{rng.choice(MODALS)} {base} {self.noun_phrase()}"
        if x < 0.91:
            return f"{rng.choice(TO_VERBS)} to {base} {self.noun_phrase()}"
        be = rng.choice(("were", "are")) if plural else rng.choice(("was", "is"))
        return f"{be} {adverb}{participle} {self.prepositional()}"

    def clause(self) -> str:
        subject, plural = self.subject()
        return f"{subject} {self.predicate(plural)}"

    def extension(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.4:
            return f" {self.prepositional()}"
        if x < 0.45:
            return f", which {self.predicate()}"
        if x < 0.6:
            return f" and {self.predicate()}"
        if x < 0.84:
            return f", {rng.choice(CONJUNCTIONS)} {self.clause()}"
        if x < 0.855:
            return f", according to {rng.choice((self.organisation(), self.person()))}"
        if x < 0.93:
            return f", {self.person()} said"
        return f" {self.when()}"

    # -- sentences and paragraphs

    def sentence(self) -> str:
        rng = self.rng
        target = int(rng.triangular(8, 30, 17))
        x = rng.random()
        if x < 0.18:
            speaker = rng.choice((self.person(), self.organisation(), rng.choice(GROUP_SUBJECTS)))
            body = f"{speaker} said {rng.choice(('', 'that '))}{self.clause()}"
        elif x < 0.2:
            body = f"According to {self.organisation()}, {self.clause()}"
        elif x < 0.3:
            body = f"{capitalise(self.prepositional())}, {self.clause()}"
        elif x < 0.36:
            verb = rng.choice(("were", "have been", "had been"))
            past = VERB_FORMS[self.verb()][2]
            body = f"More than {self.number()} {self.plural()} {verb} {past} {self.when()}"
        else:
            body = self.clause()
        words = body.count(" ") + 1
        while words < target:
            extra = self.extension()
            if extra.endswith(" said") and " said" in body:
                continue  # one attribution per sentence
            n = extra.count(" ")
            if words + n > 30 and words >= 8:
                break
            body += extra
            words += n
        body = capitalise(body)
        if x > 0.93:
            mark = rng.choice(('"', "'"))
            body = f"{mark}{body.rstrip(',')},{mark} said {self.person()}"
        body += "?" if rng.random() < 0.01 else "."
        for wrong, right in PUNCTUATION_FIXES:
            body = body.replace(wrong, right)
        return body

    def paragraph(self) -> str:
        n = self.rng.choices((1, 2, 3, 4, 5), weights=(3, 5, 5, 3, 1))[0]
        return " ".join(self.sentence() for _ in range(n))

    def heading(self) -> str:
        rng = self.rng
        template = rng.choice(HEADING_TEMPLATES)
        return title_case(self.fill(template)).rstrip(".")

    def headline(self) -> str:
        return title_case(self.fill(self.rng.choice(HEADLINE_TEMPLATES)))

    def image_title(self) -> str:
        return capitalise(self.fill(self.rng.choice(IMAGE_TITLE_TEMPLATES)))

    def caption(self) -> str:
        text = self.fill(self.rng.choice(CAPTION_TEMPLATES))
        return capitalise(text)

    def credit(self) -> str:
        name = f"{self.first()} {self.last()}"
        agency = pick_weighted(self.rng, AGENCIES)
        return self.rng.choice(CREDIT_FORMATS).format(name=name, agency=agency)

    def fill(self, template: str) -> str:
        rng = self.rng
        values: dict[str, Callable[[], str]] = {
            "place": self.place,
            "org": self.organisation,
            "person": lambda: self.person(full=True).split(",")[0],
            "surname": lambda: rng.choice(self.cast.people)[0].rsplit(" ", 1)[-1],
            "noun": self.bare_noun,
            "topic": self.topical,
            "plural": self.plural,
            "adj": self.adjective,
            "verb": self.verb,
            "num": self.number,
            "year": lambda: str(self.published.year - rng.choice((0, 0, 0, 1, 2))),
        }
        out = template
        while "{" in out:
            start = out.index("{")
            end = out.index("}", start)
            key = out[start + 1 : end]
            if key == "verb3":  # agrees with the word before it
                before = out[:start].split()
                verb = self.verb()
                value = verb if before and is_plural(before[-1].lower()) else third_person(verb)
            else:
                value = values[key]()
            out = out[:start] + value + out[end + 1 :]
        return A_BEFORE_VOWEL.sub(r"\1n \2", out)

    def body(self, words: int) -> list[tuple[bool, str]]:
        """(is heading, text) blocks: paragraphs and a few short section headings,
        until about `words` words."""
        blocks: list[tuple[bool, str]] = []
        count = 0
        since_heading = 0
        next_heading = self.rng.randint(3, 7)
        while count < words:
            if since_heading >= next_heading and words - count > 80 and self.rng.random() < 0.6:
                blocks.append((True, self.heading()))
                since_heading = 0
                next_heading = self.rng.randint(3, 8)
                continue
            paragraph = self.paragraph()
            blocks.append((False, paragraph))
            count += paragraph.count(" ") + 1
            since_heading += 1
        return blocks


# --------------------------------------------------------------------------- articles


@dataclass(frozen=True)
class Settings:
    out: Path
    seed: int
    min_words: int
    max_words: int
    min_images: int
    max_images: int


@dataclass
class Written:
    index: int
    kind: str  # "txt" or "md"
    images: int
    words: int
    bytes: int
    topic: str
    source: str
    published: str
    dated: bool  # the importer can find the date: front matter or a dateline
    tags: tuple[str, ...]
    counts: Counter[str] | None = None


def slug(text: str, words: int = 6) -> str:
    kept = []
    for word in text.lower().split():
        clean = "".join(ch for ch in word if ch.isalnum())
        if clean:
            kept.append(clean)
        if len(kept) == words:
            break
    return "-".join(kept) or "article"


def image_count(rng: random.Random, settings: Settings) -> tuple[str, int]:
    """The article's format and number of images, honouring --images LO-HI."""
    lo, hi = settings.min_images, settings.max_images
    if lo > 1:
        return "md", rng.randint(lo, hi)
    if hi >= 2 and rng.random() < MARKDOWN_SHARE:
        return "md", rng.randint(2, hi)
    if hi == 0:
        return "txt", 0
    if lo == 1:
        return "txt", 1
    return "txt", int(rng.random() < LEAD_IMAGE_SHARE)


def render_image(number: int) -> bytes:
    """A small JPEG, unique per number: a colour gradient picked by the number plus a
    24-bit bar code of it (which survives JPEG compression) and a JPEG comment."""
    width, height = IMAGE_SIZE
    hue = (number * 0.618033988749895) % 1.0
    start = hsv(hue, 0.55, 0.95)
    end = hsv((hue + 0.35) % 1.0, 0.8, 0.45)
    table = [a + (b - a) * v // 255 for a, b in zip(start, end, strict=True) for v in range(256)]
    image = _ramp().point(table)
    draw = ImageDraw.Draw(image)
    cell = width // 24
    for bit in range(24):
        colour = (255, 255, 255) if number >> bit & 1 else (0, 0, 0)
        draw.rectangle((bit * cell, height - 8, bit * cell + cell - 1, height - 1), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, comment=f"bench image {number}".encode())
    return buffer.getvalue()


@functools.cache
def _ramp() -> Image.Image:
    """A left-to-right grey ramp in all three bands, recoloured per image."""
    ramp = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(IMAGE_SIZE)
    return Image.merge("RGB", [ramp, ramp, ramp])


def hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return int(r * 255), int(g * 255), int(b * 255)


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_article(index: int, settings: Settings, count_words: bool = False) -> Written:
    rng = random.Random(f"{settings.seed}:{index}")
    topic = pick_weighted(rng, TOPIC_WEIGHTS)
    span = (LAST_DATE - FIRST_DATE).days
    published = FIRST_DATE + dt.timedelta(days=rng.randint(0, span))
    writer = Writer(rng, topic, published)
    kind, n_images = image_count(rng, settings)
    source = pick_weighted(rng, SOURCES)
    words = rng.randint(settings.min_words, settings.max_words)
    headline = writer.headline()
    blocks = writer.body(words)
    stem = f"{index:05d}-{slug(headline)}"
    folder = settings.out / "articles"
    tags: tuple[str, ...] = ()

    images: list[tuple[str, str, str, str]] = []  # (file name, alt, caption, title)
    for i in range(n_images):
        name = f"{stem}.jpg" if kind == "txt" else f"{stem}-{i + 1}.jpg"
        caption = f"{writer.caption()} {writer.credit()}"
        images.append((name, writer.image_title(), caption, writer.image_title()))
        (folder / name).write_bytes(render_image(index * 8 + i))

    dated = kind == "md"
    if kind == "txt" and rng.random() < DATELINE_SHARE:
        dated = True
        blocks[0] = (False, dateline(rng, writer.cast.places[0], published) + blocks[0][1])
    if kind == "txt":
        if images:
            _, _, caption, title = images[0]
            head = f"{title}\n{caption}\n\n"
        else:
            head = f"{headline}\n\n"
        text = head + "\n\n".join(block for _, block in blocks) + "\n"
        path = folder / f"{stem}.txt"
    else:
        tags = make_tags(rng, writer)
        author = pick_weighted(rng, [("", 1.0), (writer.new_name(), 6.0)])
        front = ["---", f"title: {yaml_string(headline)}"]
        if author:
            front.append(f"author: {yaml_string(author)}")
        front += [
            f"source: {yaml_string(source)}",
            f"published: {published.isoformat()}",
            f"tags: [{', '.join(yaml_string(t) for t in tags)}]",
            "---",
        ]
        # Slot -1 is above the first paragraph: the article's lead image.
        lead = bool(images) and rng.random() < 0.6
        slots = rng.sample(range(len(blocks)), k=min(len(images) - lead, len(blocks)))
        positions = sorted(slots + [-1] * lead)
        figures = [
            f'![{alt}]({name} "{caption.replace(chr(34), chr(39))}")'
            for name, alt, caption, _ in images
        ]
        body: list[str] = []
        for j in range(-1, len(blocks)):
            if j >= 0:
                is_heading, block = blocks[j]
                body.append(f"## {block}" if is_heading else block)
            body.extend(figures.pop(0) for _ in range(positions.count(j)))
        text = "\n".join(front) + "\n\n" + "\n\n".join(body) + "\n"
        path = folder / f"{stem}.md"

    data = text.encode("utf-8")
    path.write_bytes(data)
    stamp = dt.datetime.combine(published, dt.time(12), dt.UTC).timestamp() + rng.randint(0, 3600)
    for saved in [path, *(folder / name for name, *_ in images)]:
        os.utime(saved, (stamp, stamp))
    counts = Counter(text.lower().split()) if count_words else None
    return Written(
        index=index,
        kind=kind,
        images=n_images,
        words=text.count(" ") + text.count("\n"),
        bytes=len(data),
        topic=topic,
        source=source if kind == "md" else "",
        published=published.isoformat(),
        dated=dated,
        tags=tags,
        counts=counts,
    )


def dateline(rng: random.Random, place: str, day: dt.date) -> str:
    """A wire-style dateline: "VELMORA, 18 June 2019 — " or "VELMORA, June 18, 2019 (AP) - "."""
    month = MONTHS[day.month - 1]
    if rng.random() < 0.6:
        return f"{place.upper()}, {day.day} {month} {day.year} — "
    agency = rng.choice(("Reuters", "AP", "AFP"))
    return f"{place.upper()}, {month} {day.day}, {day.year} ({agency}) - "


def make_tags(rng: random.Random, writer: Writer) -> tuple[str, ...]:
    tags: list[str] = []
    if rng.random() < 0.8:
        tags.append("region/" + slug(writer.cast.places[0], 3))
    tags.extend(rng.sample(TOPIC_TAGS[writer.topic], k=rng.randint(0, 2)))
    if rng.random() < 0.35:
        tags.append(pick_weighted(rng, WORKFLOW_TAGS))
    return tuple(dict.fromkeys(tags))


def _work(args: tuple[int, int, Settings, bool]) -> list[Written]:
    start, stop, settings, count_words = args
    return [write_article(i, settings, count_words) for i in range(start, stop)]


# --------------------------------------------------------------------------- queries


def make_queries() -> list[dict[str, object]]:
    """The search benchmark's query set: each has a name, a Whoosh query and filters."""
    rare_noun = "lamplighter"
    assert rare_noun in RARE_NOUNS
    rare_place = PLACES.words[-1]
    common_surname = SURNAMES.words[0]
    queries: list[dict[str, object]] = [
        {"name": "common term", "query": "children"},
        {"name": "common term", "query": "government"},
        {"name": "common term (said)", "query": "said"},
        {"name": "rare term", "query": rare_noun},
        {"name": "less common place", "query": rare_place},
        {"name": "no hits", "query": "xylophonist"},
        {"name": "two-term AND", "query": "children deportation"},
        {"name": "two-term AND", "query": "tribunal AND evidence"},
        {"name": "three-term AND", "query": "shelling civilians hospital"},
        {"name": "five terms", "query": "children evacuated region shelling tribunal"},
        {"name": "phrase", "query": '"arrest warrant"'},
        {"name": "phrase", "query": '"foster family"'},
        {"name": "phrase", "query": '"humanitarian corridor"'},
        {"name": "phrase + term", "query": '"war crimes" investigators'},
        {"name": "title field", "query": "title:tribunal"},
        {"name": "title field", "query": "title:children"},
        {"name": "body field", "query": "body:orphanage"},
        {"name": "captions field", "query": "captions:reuters"},
        {"name": "author field", "query": f"author:{common_surname.lower()}"},
        {"name": "source field", "query": "source:meridian"},
        {"name": "tags field", "query": "tags:evidence"},
        {"name": "prefix wildcard", "query": "deport*"},
        {"name": "prefix wildcard", "query": "humanit*"},
        {"name": "prefix wildcard (short)", "query": "ch*"},
        {"name": "date range", "query": "published:[2023-01-01 TO 2023-12-31]"},
        {"name": "date range + term", "query": "children published:[2014-01-01 TO 2015-12-31]"},
        {"name": "OR", "query": "orphanage OR shelter"},
        {"name": "OR places", "query": "Velmora OR Tarnovia OR Kesterovo"},
        {"name": "NOT", "query": "children NOT deportation"},
        {"name": "NOT", "query": "tribunal NOT warrant"},
        {"name": "grouped", "query": "(shelling OR strike) AND (school OR hospital) NOT ceasefire"},
        {"name": "misspelt (suggestion)", "query": "deportaton"},
        {"name": "number", "query": "2022"},
        {"name": "all, newest first", "query": "", "sort": "newest"},
        {"name": "term, newest first", "query": "evidence", "sort": "newest"},
        {"name": "second page", "query": "children", "offset": 20},
        {"name": "deep page", "query": "government", "offset": 400},
        {"name": "tag filter", "query": "children", "tags": ["region/velmora"]},
        {"name": "tag filter only", "query": "", "tags": ["follow-up"]},
        {"name": "two tag filters", "query": "", "tags": ["region/tarnovia", "evidence"]},
        {"name": "topic filter", "query": "shelling", "topics": ["war-crimes"]},
        {"name": "topic filter", "query": "school", "topics": ["child-welfare"]},
        {"name": "source filter", "query": "tribunal", "sources": ["Meridian Post"]},
        {"name": "since/until", "query": "children", "since": "2020-01-01", "until": "2021-12-31"},
    ]
    return queries


# --------------------------------------------------------------------------- main


def parse_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    low, high = int(lo), int(hi or lo)
    if not 0 <= low <= high <= 8:
        raise argparse.ArgumentTypeError("expected LO-HI with 0 <= LO <= HI <= 8, e.g. 0-4")
    return low, high


def generate(
    out: Path,
    count: int,
    seed: int = 1,
    min_words: int = 300,
    max_words: int = 1200,
    images: tuple[int, int] = (0, 4),
    jobs: int = 2,
    stats: bool = False,
    quiet: bool = False,
) -> dict[str, object]:
    """Write the corpus into `out` (emptied first) and return its manifest."""
    started = time.perf_counter()
    if out.exists():
        for stale in ("articles", "queries.json", "manifest.json"):
            target = out / stale
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    (out / "articles").mkdir(parents=True, exist_ok=True)
    settings = Settings(out, seed, min_words, max_words, images[0], images[1])
    chunk = 200
    tasks = [(i, min(i + chunk, count), settings, stats) for i in range(0, count, chunk)]
    written: list[Written] = []
    if jobs > 1 and count > chunk:
        with Pool(jobs) as pool:
            for part in pool.imap(_work, tasks):
                written.extend(part)
                progress(len(written), count, quiet)
    else:
        for task in tasks:
            written.extend(_work(task))
            progress(len(written), count, quiet)
    (out / "queries.json").write_text(
        json.dumps(make_queries(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    elapsed = time.perf_counter() - started
    kinds = Counter(w.kind for w in written)
    manifest: dict[str, object] = {
        "generator_sha256": generator_fingerprint(),
        "count": count,
        "seed": seed,
        "min_words": min_words,
        "max_words": max_words,
        "images": f"{images[0]}-{images[1]}",
        "txt": kinds["txt"],
        "md": kinds["md"],
        "with_images": sum(1 for w in written if w.images),
        "dated": sum(1 for w in written if w.dated),
        "image_files": sum(w.images for w in written),
        "words": sum(w.words for w in written),
        "text_bytes": sum(w.bytes for w in written),
        "topics": dict(Counter(w.topic for w in written).most_common()),
        "years": dict(sorted(Counter(w.published[:4] for w in written).items())),
        "sources_md": dict(Counter(w.source for w in written if w.source).most_common()),
        "tags_md": dict(Counter(t for w in written for t in w.tags).most_common(15)),
        "seconds": round(elapsed, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        print_summary(out, manifest)
        if stats:
            print_zipf(written)
    return manifest


def generator_fingerprint() -> str:
    """SHA-256 of this script: a cached corpus made by other code is made again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def progress(done: int, total: int, quiet: bool) -> None:
    if not quiet and sys.stderr.isatty():
        print(f"\r  {done}/{total} articles", end="" if done < total else "\n", file=sys.stderr)


def print_summary(out: Path, manifest: dict[str, object]) -> None:
    m = manifest
    n = int(m["count"])  # type: ignore[call-overload]
    print(f"Wrote {n} articles to {out / 'articles'} in {m['seconds']} s")
    print(f"  formats: {m['txt']} .txt, {m['md']} .md; {m['dated']} with a findable date")
    print(f"  images: {m['image_files']} JPEG files, {m['with_images']} articles with images")
    words = int(m["words"])  # type: ignore[call-overload]
    size = int(m["text_bytes"]) / 1e6  # type: ignore[call-overload]
    print(f"  text: {words:,} words, {size:.1f} MB, {words / max(n, 1):.0f} words per article")
    print(f"  topics: {m['topics']}")
    print(f"  years: {m['years']}")
    print(f"  queries: {out / 'queries.json'}")


def print_zipf(written: list[Written]) -> None:
    """Word frequency check: the top words and the slope of log(freq) on log(rank)."""
    total: Counter[str] = Counter()
    df: Counter[str] = Counter()
    for w in written:
        if w.counts:
            total.update(w.counts)
            df.update(w.counts.keys())
    ranked = total.most_common()
    print(f"  distinct tokens: {len(ranked):,}")
    print("  top 25:", " ".join(f"{word}({n})" for word, n in ranked[:25]))
    xs, ys = [], []
    for rank in (10, 20, 50, 100, 200, 500, 1000, 2000):
        if rank <= len(ranked):
            xs.append(math.log(rank))
            ys.append(math.log(ranked[rank - 1][1]))
    if len(xs) > 2:
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
        print(f"  log-log slope over ranks 10-2000: {slope:.2f} (natural English text: about -1)")
    n = len(written)
    for word in ("children", "government", "tribunal", "deportation", "orphanage", "xylophonist"):
        print(f"  df({word}) = {df[word]} ({100 * df[word] / max(n, 1):.1f}%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-words", type=int, default=300)
    parser.add_argument("--max-words", type=int, default=1200)
    parser.add_argument(
        "--images", type=parse_range, default=(0, 4), help="images per article, LO-HI (0-4)"
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--stats", action="store_true", help="print word-frequency statistics")
    args = parser.parse_args(argv)
    if args.count < 0 or not 1 <= args.min_words <= args.max_words:
        parser.error("need --count >= 0 and 1 <= --min-words <= --max-words")
    generate(
        args.out,
        args.count,
        seed=args.seed,
        min_words=args.min_words,
        max_words=args.max_words,
        images=args.images,
        jobs=max(1, args.jobs),
        stats=args.stats,
    )
    return 0


# --------------------------------------------------------------------------- vocabulary
# Ranked roughly by frequency in English news writing (most frequent first); each
# class is drawn with Zipf-Mandelbrot weights by rank. Places, people and
# organisations are fictional.


def _words(text: str) -> list[str]:
    """Whitespace-separated words; underscores join multi-word terms."""
    return [w.replace("_", " ") for w in text.split()]


NOUNS = WordClass.of(
    _words(
        """
        government year time country week day police state city president minister
        official report family home war month life world service law court party school
        group security case part area number force power plan policy issue statement
        right help support decision question community office member leader region
        election vote attack aid deal agreement talks crisis conflict information
        evidence investigation authority record military army water food border measure
        change development effort action history situation response term agency access
        process protection care problem risk threat side point rule budget cost price
        market economy industry business project centre programme system order control
        work job money health interview release death account board council committee
        parliament campaign movement public media press news story source document letter
        request reason result role position view concern claim charge trial hearing judge
        lawyer prosecutor witness victim survivor suspect arrest sentence prison detention
        camp shelter hospital doctor nurse teacher student child mother father parent
        daughter son brother sister wife husband friend neighbour resident citizen village
        town street road bridge building house apartment land farm field river coast
        island mountain forest capital province district front line
        ministry department embassy commission mission operation strike missile drone
        weapon ammunition unit battalion brigade commander soldier officer troops convoy
        checkpoint corridor route journey flight train bus car vehicle fuel energy
        electricity power_plant gas oil grain harvest winter summer spring autumn night
        morning evening weekend holiday anniversary ceremony funeral memorial speech
        address visit meeting summit conference session ballot poll survey
        study analysis data figure estimate total rate level percentage share growth
        decline increase rise fall drop loss damage destruction repair reconstruction
        recovery relief donation donor partner ally neighbour_state partner_country
        sanction embargo trade export import tax debt loan bank currency inflation salary
        wage pension benefit payment contract company firm employer worker union strike_action
        protest demonstration rally march crowd clash violence abuse harassment
        discrimination rights freedom justice accountability responsibility duty obligation
        principle value interest pressure influence relationship tension dispute
        negotiation ceasefire truce peace settlement solution proposal initiative
        framework strategy approach method tool technology network platform website
        internet phone video photograph image footage recording broadcast channel
        newspaper journalist reporter editor correspondent column article book author
        film exhibition museum library archive collection festival concert club team
        match season game player coach stadium league title medal race
        champion fan ticket shop store supply shortage queue delivery
        warehouse factory plant site facility laboratory test sample results diagnosis
        treatment vaccine disease outbreak virus infection patient clinic ambulance
        emergency accident fire flood storm earthquake drought heat temperature climate
        emission pollution waste environment species wildlife park garden space
        satellite scientist researcher expert adviser spokesperson representative
        delegation envoy ambassador diplomat negotiator mediator observer monitor inspector
        auditor regulator watchdog ombudsman panel jury verdict appeal
        ruling judgment testimony affidavit dossier file list register
        database census identity passport visa permit licence certificate birth marriage
        adoption guardianship custody citizenship nationality language culture religion
        church mosque school_year classroom lesson exam university degree scholarship
        course training skill experience career background age generation youth teenager
        baby infant toddler pupil graduate volunteer activist campaigner organiser founder
        owner manager director chief head chairman chairwoman secretary deputy governor
        mayor councillor senator lawmaker legislator candidate voter supporter critic
        opponent rival enemy occupier invader aggressor defender guard border_guard
        customs port airport station terminal headquarters base barracks compound
        basement cellar bunker trench ruins rubble debris crater shell_fragment mine
        explosive blast explosion bomb rocket artillery tank aircraft helicopter warship
        navy air_force ground_forces reinforcement withdrawal retreat advance offensive
        counteroffensive siege blockade occupation annexation referendum decree
        regulation bill amendment constitution treaty convention protocol resolution
        mandate jurisdiction court_order summons subpoena indictment prosecution defence
        complaint lawsuit petition application submission filing deadline delay schedule
        timeline calendar date period era decade century moment stage phase step
        milestone target goal aim purpose priority focus attention awareness coverage
        headline message signal warning alert notice announcement promise pledge
        commitment guarantee assurance condition requirement standard criterion guideline
        procedure practice habit tradition custom ritual belief opinion idea theory
        argument debate discussion conversation dialogue exchange contact communication
        correspondence call email post comment reaction criticism praise thanks apology
        regret surprise shock fear anger grief hope relief_effort trust confidence doubt
        uncertainty confusion chaos disorder stability balance security_situation
        safety welfare wellbeing dignity privacy consent choice option alternative
        opportunity chance possibility probability likelihood prospect future past
        present reality truth fact detail example instance sign symptom effect impact
        consequence outcome cause origin root basis ground motive
        intention design model version copy draft form shape size scale
        scope range variety kind type category class sort section chapter page paragraph
        line word phrase name title label status state_of_emergency
        capacity ability strength weakness advantage benefit_payment gap difference
        similarity comparison contrast link connection bond tie contact_group circle
        network_of_contacts structure institution organisation foundation charity
        association society coalition alliance bloc federation union_leader movement_leader
        faction wing branch division department_head bureau cabinet administration regime
        leadership elite establishment opposition majority minority population crowd_size
        audience viewer listener reader user customer client consumer buyer seller trader
        dealer broker investor shareholder stakeholder beneficiary recipient applicant
        claimant defendant plaintiff appellant detainee prisoner_of_war hostage captive
        fugitive deserter conscript recruit veteran widow orphan_status heir descendant
        ancestor relative cousin uncle aunt grandmother grandfather grandparent
        grandchild nephew niece household neighbourhood suburb outskirts countryside
        territory zone sector quarter block corner square avenue highway railway track
        pipeline dam reservoir canal harbour bay shore beach valley hill slope plain
        steppe marsh lake sea ocean sky weather rain snow ice frost wind cloud sun moon
        star light darkness shadow silence noise sound voice cry scream song music
        dance art painting sculpture poem poetry novel character hero villain
        legend myth symbol flag anthem emblem monument statue kilometre mile
        metre tonne litre hour minute second dawn dusk midnight noon today tomorrow
        yesterday weekday
        """
    ),
    s=1.05,
    q=12,
)

RARE_NOUNS = _words(
    """
    abeyance abrogation accretion acquiescence adjudication admonition alacrity allotment
    ambit anathema annexe antechamber apostille arbitration archipelago armistice
    arraignment attestation autarky belfry bequest bivouac blandishment bollard
    brinkmanship bulwark cadastre caisson calumny cantonment capitulation carillon
    cartographer casement catafalque cenotaph chancery chattel cistern clemency codicil
    cognisance colloquy commissariat compendium concordat conscription consulate
    contraband convalescence cordon corvette countersignature courier covenant culvert
    custodian deacon debenture deferment demarcation demobilisation deposition depot
    diaspora dispensary dragnet dredger dugout easement edict embankment emolument
    encampment encumbrance enclave entrenchment escarpment estuary expatriation falconer
    ferryman fiduciary filibuster firebreak flotilla footbridge forbearance foundry
    frigate fusillade garrison gazetteer gendarmerie granary gravestone guarantor gunboat
    hamlet harbinger headland hinterland homestead hostel hydrofoil icebreaker impoundment
    indemnity inkwell inquest interlocutor interregnum ironworks isthmus jetty jurist
    kiln lamplighter landmine larder lazaretto legation lexicon lighthouse limestone
    linchpin locksmith lodestar magistrate malfeasance manifesto marshland mausoleum
    millstone minesweeper moratorium mortuary munitions navigator notary oarsman obelisk
    observatory ombudsperson ordinance orchard ossuary outpost overpass palisade pamphlet
    paratrooper parish parole pavilion pedestal penitentiary periscope pharmacist pillbox
    plebiscite plenipotentiary polder pontoon portcullis postmaster precinct prefecture
    proviso quarantine quarry quartermaster quayside rampart rapporteur receivership
    recusal redoubt refectory regent registrar reliquary remand repatriation requisition
    reservist retinue riverbank rotunda sacristy salvage sanatorium scaffold schoolhouse
    scullery sentry sepulchre sexton shipwright signatory silo skirmish smithy solicitor
    spillway squadron stevedore stockade stonemason storehouse sundial surety surveyor
    tannery tariff telegraph tenement testator thoroughfare tollbooth towpath tramway
    treasurer trawler trellis tributary truncheon turnstile undercroft usufruct vestibule
    viaduct vicarage vineyard wainwright warden watchtower waterworks weir wharf windmill
    woodcutter yeoman
    """
)

PLURAL_NOUNS = WordClass.of(
    _words(
        """
        people children officials residents civilians families soldiers troops
        refugees police_officers witnesses parents students workers teachers doctors
        prisoners journalists volunteers investigators prosecutors lawyers judges
        voters protesters activists survivors victims minors teenagers orphans
        pupils patients nurses farmers villagers pensioners evacuees detainees
        migrants asylum_seekers inspectors observers diplomats lawmakers ministers
        experts researchers analysts donors companies businesses schools hospitals
        homes buildings villages towns cities regions countries documents cases
        records files letters reports photographs videos names lists buses trains
        trucks drones missiles shells rockets weapons tanks vehicles camps shelters
        centres institutions agencies organisations charities groups units brigades
        """
    ),
    s=0.9,
)

ADJECTIVES = WordClass.of(
    _words(
        """
        new last first other local national international public former senior
        military political official human legal humanitarian federal regional
        foreign large small major key main recent early late final previous next
        long short high low young old several many few large_scale full whole
        independent private social economic financial criminal civil medical
        physical mental emotional serious severe critical significant important
        clear difficult possible likely unlikely necessary available current
        ongoing temporary permanent direct indirect immediate urgent rapid slow
        strong weak heavy light hard soft safe dangerous secure vulnerable
        missing displaced separated unaccompanied forced illegal unlawful lawful
        legitimate alleged suspected confirmed unconfirmed reported documented
        detailed specific general broad narrow wide deep open closed secret
        confidential sensitive internal external northern southern
        eastern western central rural urban coastal remote nearby neighbouring
        occupied liberated contested disputed frontline besieged damaged destroyed
        abandoned empty crowded busy quiet calm tense violent peaceful bitter
        brutal cruel harsh fair unfair equal unequal free poor rich wealthy
        expensive cheap affordable basic essential vital crucial
        particular special certain various different similar common rare unusual
        typical normal standard average total annual monthly weekly daily
        seasonal historic modern traditional cultural religious ethnic linguistic
        educational academic scientific technical digital online electronic
        environmental agricultural industrial commercial administrative judicial
        parliamentary presidential ministerial diplomatic strategic tactical
        defensive offensive armed unarmed wounded injured dead alive sick healthy
        hungry cold warm hot dry wet dark bright visible hidden unknown known famous
        anonymous unnamed named elderly adult teenage underage newborn orphaned
        adopted biological
        transparent accountable responsible liable guilty innocent convicted accused
        charged detained released returned reunited relocated transferred deported
        evacuated resettled registered unregistered undocumented stateless
        """
    ),
    q=10,
)

ADVERBS = WordClass.of(
    _words(
        """
        also still now already recently reportedly later again publicly officially
        quickly finally initially eventually previously currently largely mostly
        partly nearly almost only just even often rarely repeatedly formally
        informally directly personally privately separately jointly widely
        allegedly apparently clearly openly quietly firmly strongly
        sharply briefly gradually immediately temporarily permanently
        """
    ),
    s=1.2,
)

_IRREGULAR_VERBS = """
say:said:said tell:told:told take:took:taken give:gave:given make:made:made
see:saw:seen know:knew:known find:found:found think:thought:thought come:came:come
go:went:gone leave:left:left keep:kept:kept hold:held:held bring:brought:brought
begin:began:begun meet:met:met lead:led:led send:sent:sent build:built:built
spend:spent:spent lose:lost:lost pay:paid:paid win:won:won write:wrote:written
speak:spoke:spoken break:broke:broken seek:sought:sought fight:fought:fought
hear:heard:heard become:became:become choose:chose:chosen flee:fled:fled
buy:bought:bought sell:sold:sold hit:hit:hit set:set:set put:put:put cut:cut:cut
shut:shut:shut rise:rose:risen fall:fell:fallen drive:drove:driven steal:stole:stolen
forbid:forbade:forbidden withdraw:withdrew:withdrawn undertake:undertook:undertaken
overtake:overtook:overtaken uphold:upheld:upheld withhold:withheld:withheld
stop:stopped:stopped plan:planned:planned ban:banned:banned admit:admitted:admitted
commit:committed:committed submit:submitted:submitted permit:permitted:permitted
feed:fed:fed hide:hid:hidden ship:shipped:shipped cancel:cancelled:cancelled
rebuild:rebuilt:rebuilt acquit:acquitted:acquitted transfer:transferred:transferred
show:showed:shown
"""

# Transitive verbs (each is followed by an object), most frequent first. "say" is
# left out: the sentence templates write "said" themselves, as often as news does.
_VERB_RANKING = """
tell take report confirm make give announce accuse receive find see hold lead send
release launch open show leave bring meet keep call warn ask urge demand describe
support visit move transfer deport evacuate detain arrest charge investigate document
record identify register reunite relocate place build pay win lose seek fight hear
choose flee buy sell hit cut set put adopt protect prevent reduce increase raise use
need want include provide offer follow face create prepare publish issue sign approve
reject sanction condemn criticise welcome praise explain reveal discover examine
review analyse collect gather verify question interview prosecute sentence convict
acquit order request propose recommend pass introduce implement enforce monitor
observe track trace locate search rescue shelter treat vaccinate feed house educate
train employ fund finance donate deliver supply ship export import block attack shell
target destroy damage bomb repair rebuild restore reopen resume suspend cancel
postpone delay extend expand limit restrict end complete achieve reach secure obtain
gain remove replace change improve affect involve threaten promise pledge estimate
count compare link connect share discuss debate negotiate mediate broker host
organise attend join serve survive suffer endure escape hide cross enter withdraw
undertake uphold withhold stop plan ban admit commit submit permit steal drive break
write spend forbid overtake shut
"""


def _verb_forms() -> tuple[WordClass, dict[str, tuple[str, str, str]]]:
    irregular = {}
    for entry in _IRREGULAR_VERBS.split():
        base, past, participle = entry.split(":")
        irregular[base] = (base, past, participle)
    forms: dict[str, tuple[str, str, str]] = {}
    for base in _VERB_RANKING.split():
        forms[base] = irregular.get(base) or (base, past_tense(base), past_tense(base))
    return WordClass.of(forms, s=1.0, q=8), forms


VERBS, VERB_FORMS = _verb_forms()

PREPOSITIONS = WordClass.of(
    _words(
        """
        in to for on with from at by after during under against over about without
        into across between near within before since through outside despite
        among towards behind beyond amid alongside
        """
    ),
    s=1.2,
)

TOPIC_TERMS = {
    "child welfare": WordClass.of(
        _words(
            """
            children child welfare foster orphanage adoption foster_family guardian
            care_home custody social_services caseworker orphans minors boarding_school
            reunification reunion family_tracing guardianship child_protection
            safeguarding ombudsman children's_rights youth summer_camp rehabilitation
            trauma counselling psychologist paediatrician schooling education
            kindergarten birth_certificate identity_documents passports relatives
            grandmother deportation re-education camp_network abduction
            unaccompanied_minors separated_families humanitarian corridor
            """
        ),
        s=0.95,
    ),
    "war crimes": WordClass.of(
        _words(
            """
            evidence tribunal warrant shelling war_crimes prosecutor investigators
            arrest_warrant crimes_against_humanity genocide deportation forcible_transfer
            atrocity massacre mass_grave exhumation forensic witnesses testimony
            indictment chamber judges hearing war_crimes_unit accountability impunity
            commander chain_of_command civilians occupation torture detention filtration
            filtration_camp executions looting shelling_of_civilians cluster_munitions
            documentation open-source satellite_images
            international_law Geneva_Conventions jurisdiction prosecution
            """
        ),
        s=0.95,
    ),
    "conflict": WordClass.of(
        _words(
            """
            shelling frontline offensive troops artillery drones missile strike ceasefire
            evacuation humanitarian_corridor air_raid sirens shelter trenches
            counteroffensive occupation liberated villages casualties wounded
            reinforcements mobilisation conscription ammunition air_defence
            power_grid blackout infrastructure bridge convoy checkpoint
            """
        ),
        s=0.95,
    ),
    "politics": WordClass.of(
        _words(
            """
            parliament election coalition minister opposition vote bill reform
            referendum campaign candidate polls cabinet resignation scandal
            corruption constitution court_ruling budget_debate prime_minister
            presidential_office spokesperson legislation mandate lawmakers
            """
        ),
        s=0.95,
    ),
    "economy": WordClass.of(
        _words(
            """
            inflation prices growth exports grain harvest wages pensions budget
            deficit loan central_bank interest_rates currency investment unemployment
            energy_prices gas_supplies sanctions trade factories reconstruction_costs
            """
        ),
        s=0.95,
    ),
    "health": WordClass.of(
        _words(
            """
            hospital doctors patients vaccine outbreak clinic medicines surgery
            ambulance nurses mental_health trauma rehabilitation prosthetics
            epidemic infection shortages health_ministry paediatric_ward
            """
        ),
        s=0.95,
    ),
    "justice": WordClass.of(
        _words(
            """
            court judge trial verdict appeal sentence prosecutor defence lawyer
            charges indictment evidence testimony jury acquittal conviction
            extradition warrant hearing tribunal detention bail ruling
            """
        ),
        s=0.95,
    ),
    "environment": WordClass.of(
        _words(
            """
            flood drought dam reservoir pollution emissions climate wildfire
            farmland soil contamination water_supply river ecosystem mines
            demining unexploded_ordnance heatwave storm harvest_losses
            """
        ),
        s=0.95,
    ),
    "culture": WordClass.of(
        _words(
            """
            museum exhibition archive library heritage artists theatre festival
            concert film_festival looted_artworks cathedral monument restoration
            language poetry novel memorial commemoration anniversary
            """
        ),
        s=0.95,
    ),
    "education": WordClass.of(
        _words(
            """
            school teachers pupils students university exams curriculum classrooms
            lessons online_learning textbooks kindergarten scholarship bomb_shelter
            school_year headteacher enrolment re-education
            """
        ),
        s=0.95,
    ),
}

TOPIC_WEIGHTS = [
    ("child welfare", 2.2),
    ("war crimes", 1.8),
    ("conflict", 1.6),
    ("politics", 1.3),
    ("economy", 0.9),
    ("health", 0.7),
    ("justice", 0.8),
    ("environment", 0.5),
    ("culture", 0.5),
    ("education", 0.6),
]

TOPIC_TAGS = {
    "child welfare": ["children", "deportation", "foster-care", "reunification", "adoption"],
    "war crimes": ["evidence", "tribunal", "warrant", "witness", "deportation"],
    "conflict": ["shelling", "evacuation", "frontline", "infrastructure"],
    "politics": ["parliament", "elections", "sanctions", "diplomacy"],
    "economy": ["economy", "sanctions", "reconstruction"],
    "health": ["health", "hospitals", "mental-health"],
    "justice": ["court", "evidence", "trial", "warrant"],
    "environment": ["environment", "demining", "water"],
    "culture": ["culture", "heritage", "looting"],
    "education": ["education", "schools", "re-education"],
}

WORKFLOW_TAGS = [
    ("follow-up", 3.0),
    ("verified", 2.0),
    ("to-read", 2.0),
    ("key-source", 1.0),
    ("needs-translation", 0.7),
    ("disputed", 0.5),
]

PLACES = WordClass.of(
    _words(
        """
        Velmora Tarnovia Kesterovo Orvesk Lysovsk Halmyr Dravenko Pelmarin Zhelanka
        Brevka Ostrelsk Marivka Sandoria Kaldera Ulvany Serevan Norvik Valdoria
        Estrenia Morvania Kestria North_Halmyr South_Velmora Lower_Brevka Dubrany
        Korsavets Yaremlyn Vostrivka Pylypove Zarichany Myrovka Kostrel Bilohora
        Chervensk Lozivets Teplavka Sosnivka Hranitne Ozerne Stepova Zlatoriv
        Ternopolye Berezhany_Pass Ivanivets Radomyrka Svitlodolsk Kamyanets_Nova
        """
    ),
    s=1.0,
)

ORGANISATIONS = WordClass.of(
    _words(
        """
        the_tribunal the_prosecutor's_office the_Commission_for_Missing_Children
        the_city_council the_regional_administration the_Conflict_Observatory
        the_Regional_Children's_Service the_Continental_Court_of_Justice
        the_Eastern_Human_Rights_Monitor the_ministry_of_social_policy
        the_Northern_Relief_Network the_Council_of_Valdoria the_Family_Reunion_Project
        the_Office_of_the_Ombudsman the_interior_ministry the_Velmora_Legal_Aid_Centre
        the_Independent_Investigative_Mission the_Red_Harbour_Society the_foreign_ministry
        the_Child_Rights_Alliance the_Open_Archive_Initiative the_Kestria_Institute
        the_border_service the_defence_ministry the_health_ministry
        the_Humanitarian_Coordination_Office
        """
    ),
    s=0.9,
)

FIRST_NAMES = WordClass.of(
    _words(
        """
        Anna Olena Maria Iryna Daria Kateryna Sofia Natalia Yulia Oksana Tetiana Alina
        Viktoria Halyna Larysa Marta Zoë Elena Clara Hanna Ines Lucia Amira Leila Nadia
        Sara Eva Mira Petra Ilse Agnieszka Mirela Dragana Ana Lena Greta Noor Fatima
        Andrii Oleksandr Serhii Dmytro Mykola Ivan Yurii Pavlo Taras Bohdan Maksym
        Vasyl Petro Roman Artem Denys Viktor Ihor Stepan Mark Daniel Tomas Lukáš Pieter
        Jonas Henrik Matteo Pablo Rafael Karim Omar Samir David Michael Peter James Paul
        Thomas Martin Jan Filip Marek Nikola Goran Milan Emil Felix Hugo Anton
        """
    ),
    s=0.8,
)

SURNAMES = WordClass.of(
    _words(
        """
        Kovalenko Marenko Dravic Holtsberg Ostrovska Varga Lindqvist Petrescu Havel
        Moravec Sandoval Brennan Okafor Castellano Novak Horvat Kuznets Melnyk Shevchuk
        Bondar Tkachenko Kravets Oliynyk Lysenko Rudenko Savchuk Hrytsenko Voronina
        Zelinska Tarasiuk Polishchuk Kostenko Yaremchuk Danyliuk Stepanenko Bilyk
        Fedoriv Hnatiuk Karpenko Levchenko Mazur Nazarenko Pavliuk Romaniv Sydorenko
        Tymoshuk Ushakova Vasylenko Yakymiv Zhuravel Achterberg Bergström Cadogan
        Delacroix-Venn Eriksen Falkenrath Grünwald Hadžić Iversen Jankowska Kaminski
        Lemaire Mortensen Nieminen Oyelaran Pellegrini Quist Ramadani Sørensen Tavares
        Ulrich Valentyn Whitcombe Ximenes Yildirim Zeller Abernethy Brandvold Corwell
        Dunmore Everholt Farrance Galloway Hartigan Ingersleben Jessop Kilbride Larkholm
        """
    ),
    s=0.8,
)

ROLES = WordClass.of(
    [
        "a spokesperson for the ministry",
        "the regional governor",
        "a senior prosecutor",
        "the head of the commission",
        "a lawyer representing the families",
        "the children's ombudsman",
        "a researcher at the Conflict Observatory",
        "a local volunteer",
        "the mayor",
        "an investigator with the tribunal",
        "a teacher from the village",
        "a social worker",
        "the foreign minister",
        "a human rights monitor",
        "a doctor at the regional hospital",
        "who runs a shelter in the city",
        "a former official",
        "an analyst",
        "the deputy minister",
        "a mother of three",
    ],
    s=0.7,
)

SOURCES = [
    ("The Northern Ledger", 1.6),
    ("Harbour Times", 1.4),
    ("Meridian Post", 1.3),
    ("Valdoria Today", 1.2),
    ("Eastern Wire", 1.1),
    ("Global Dispatch", 1.0),
    ("The Civic Record", 0.9),
    ("Riverside Herald", 0.8),
    ("Continental Review", 0.7),
    ("Frontline Weekly", 0.6),
    ("Open Report", 0.5),
    ("The Daily Courier", 0.5),
]

AGENCIES = [
    ("Reuters", 3.0),
    ("AP", 2.0),
    ("AFP", 1.8),
    ("Getty Images", 1.5),
    ("AFP via Getty Images", 1.0),
    ("Wikimedia Commons", 0.8),
    ("EPA", 0.8),
    ("Anadolu", 0.5),
    ("Handout", 0.4),
    ("Northern Ledger", 0.4),
]

CREDIT_FORMATS = [
    "{name}/{agency}",
    "{name}/{agency}",
    "{name}/{agency}",
    "Photo: {name}/{agency}",
    "Photograph: {name}/{agency}",
    "({name}/{agency})",
]

IRREGULAR_PLURALS = frozenset(
    {"children", "people", "police", "men", "women", "troops", "civilians", "minors"}
)
SINGULAR_S = frozenset(
    {"news", "crisis", "analysis", "process", "status", "basis", "census", "campus",
     "series", "species", "emphasis", "diagnosis", "thesis", "access", "address", "business",
     "witness", "progress", "success", "congress", "class", "glass", "grass", "loss",
     "press", "boss", "chaos", "virus", "bus", "focus", "bonus", "consensus", "genesis",
     "is", "was", "has", "this", "its", "his"}
)  # fmt: skip

A_BEFORE_VOWEL = re.compile(r"\b([Aa]) ([aeiouAEIOU])")
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
SMALL_NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
RELATIVE_TIMES = [
    "last week",
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "at the weekend",
    "earlier this year",
    "last month",
    "this week",
    "last year",
    "in recent months",
    "since the start of the war",
    "two years ago",
    "overnight",
]
SINGULAR_DETERMINERS = ["its", "this", "that", "their", "his", "her", "one", "another"]
PUNCTUATION_FIXES = [(",,", ","), (", ,", ","), (",.", "."), (",?", "?")]
PLURAL_DETERMINERS = ["many", "several", "some", "their", "these", "two", "dozens of", "more"]
GROUP_SUBJECTS = [
    "officials",
    "investigators",
    "local authorities",
    "residents",
    "witnesses",
    "families",
    "human rights groups",
    "prosecutors",
    "volunteers",
    "aid workers",
    "parents",
    "the judges",
]
TO_VERBS = [
    "wanted", "tried", "agreed", "refused", "planned", "continued", "promised", "failed",
    "was expected", "has yet", "is due", "had hoped", "was able", "called for efforts",
]  # fmt: skip
MODALS = ["would", "could", "will", "may", "must", "should", "might"]
CONJUNCTIONS = ["while", "but", "as", "after", "because", "although", "and", "before", "when"]

HEADLINE_TEMPLATES = [
    "{org} {verb3} {topic} in {place}",
    "{person} {verb3} {adj} {topic} over {noun}",
    "{num} {plural} {verb} {place} as {topic} {verb3}",
    "{place}: {adj} {topic} {verb3} {noun}",
    "Inside the {topic} of {place}",
    "How {place} {verb3} its {topic}",
    "{topic} in {place} {verb3} {adj} {noun}, {org} says",
    "{person}: '{adj} {topic} {verb3} {noun}'",
    "{adj} {topic} {verb3} {plural} in {place}",
    "The {topic} that {verb3} {place}",
    "{org} to {verb} {topic} after {noun} in {place}",
    "Why {plural} in {place} {verb} the {topic}",
    "{year}: {topic} and {noun} in {place}",
    "{surname} {verb3} {topic} as {plural} {verb} {noun}",
]
HEADING_TEMPLATES = [
    "{adj} {topic}",
    "The {topic} of {place}",
    "{topic} and {noun}",
    "A {adj} {noun}",
    "What {org} {verb3}",
    "{place} after {year}",
    "{adj} {plural}",
    "Questions over {topic}",
    "{topic} in {place}",
    "The road to {place}",
    "Looking for {plural}",
]
IMAGE_TITLE_TEMPLATES = [
    "{place} ({year})",
    "{person} ({year})",
    "{topic} in {place}",
    "{place} {noun}",
    "{org} {noun} ({year})",
    "{adj} {topic}, {place}",
]
CAPTION_TEMPLATES = [
    "{person} speaks at a {noun} in {place} in {year}.",
    "{plural} wait near a {noun} in {place}.",
    "A {adj} {noun} in {place}, where {plural} {verb} the {topic}.",
    "{plural} and {plural} gather outside the {noun} in {place}.",
    "The {topic} in {place}, seen in {year}.",
    "{person} holds a photograph of {plural} at a {noun} in {place}.",
    "Members of {org} visit a {noun} near {place}.",
    "A {noun} damaged by {topic} in {place}.",
]


if __name__ == "__main__":
    raise SystemExit(main())
