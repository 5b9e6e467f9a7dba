"""Writing a batch of new documents as one Whoosh segment, at about a third of the cost.

Whoosh's writer is general, and three of its costs dominate a batch of long
articles:

- every word passes through four generator stages (analyzer, `tokens()`,
  `Format.word_values`, `Field.index`), one token object at a time; here a
  text field of our own analyzer gives each form with its positions in one
  loop (`NormalizingTokenizer.positions`);
- its posting pool keeps one tuple per posting and sorts them all at commit;
  past its memory estimate (which 1,000 articles of 1,200 words exceed) it
  pickles them to temporary files and merges them back. Here postings are
  grouped by term as they arrive, in document order, so only the terms are
  sorted and nothing goes to disk: a batch's size bounds the memory instead
  (`batches`);
- writing each posting looked up its document's field length in the column
  file just written, one seek and read each; here each column is read once.

Other fields (ids, keywords, dates, the names shadow field) are indexed by
Whoosh as usual, and the segment's files are the ones Whoosh's own writer
writes: tests compare every term, posting, length and stored value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from archive_app.core.analysis import NormalizingTokenizer
from archive_app.core.index_columns import fixed_width

BATCH_DOCUMENTS = 1000
# Text per batch, in characters: postings grow with it, and they are held in
# memory until the segment is written (about 120 MB for 1,000 articles of
# 1,200 words, 7.5 million characters).
BATCH_CHARACTERS = 10_000_000
_LENGTH_OF_BYTE: list[int | None] = [None] + [byte_to_length(b) for b in range(1, 256)]


def batches(
    docs: Iterable[Any], text_size, documents: int = BATCH_DOCUMENTS
) -> Iterator[list[Any]]:
    """`docs` cut into lists of at most `documents`, and of at most
    BATCH_CHARACTERS of text by `text_size(doc)` (a longer document is a batch alone)."""
    batch: list[Any] = []
    characters = 0
    for doc in docs:
        size = text_size(doc)
        if batch and (len(batch) == documents or characters + size > BATCH_CHARACTERS):
            yield batch
            batch, characters = [], 0
        batch.append(doc)
        characters += size
    if batch:
        yield batch


class BatchWriter(SegmentWriter):
    """A writer of new documents into one new segment (deleting by term works too).

    It does not merge: commit with `merge=False`. Documents given boosts
    (`_boost` keys) are indexed the way Whoosh indexes them.
    """

    def __init__(self, ix, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        unsupported = [
            name for name, field in self.schema.items() if field.vector or field.separate_spelling()
        ]
        if unsupported:
            self.cancel()
            raise TypeError(f"fields with term vectors or spelling words: {unsupported}")
        self.pool = _TermPool()

    def add_reader(self, reader) -> None:
        raise TypeError("a BatchWriter writes new documents only: it does not merge segments")

    def add_document(self, **fields: Any) -> None:
        if any(name.startswith("_") for name in fields):  # boosts, stored variants
            super().add_document(**fields)
            return
        self._check_state()
        schema = self.schema
        names = sorted(fields)
        self._check_fields(schema, names)
        docnum = self.docnum
        perdoc = self.perdocwriter
        pool = self.pool
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    items = _text_postings(field, value)
                    if items is None:
                        items = field.index(value)
                    length = pool.add_document(name, docnum, items)
                    if not field.scorable:
                        length = 0
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def per_document_reader(self):
        return _LengthsInMemory(super().per_document_reader(), self.docnum - self.docbase)


def _text_postings(field, value: Any) -> list[tuple[bytes, int, float, bytes]] | None:
    """(term, frequency, weight, encoded value) of a text field our analyzer indexes,
    as Whoosh's `field.index(value)` gives them; None for any other field."""
    analyzer = field.analyzer
    if not isinstance(analyzer, NormalizingTokenizer) or not isinstance(value, str):
        return None
    kind = type(field.format)
    if kind is formats.Positions:
        encode = field.format.encode
    elif kind is formats.Frequency:
        encode = _frequency
    else:
        return None
    boost = field.format.field_boost
    return [
        (form.encode("utf-8"), len(at), len(at) * boost, encode(at))
        for form, at in analyzer.positions(value).items()
    ]


def _frequency(positions: list[int]) -> bytes:
    """What Whoosh's Frequency format stores for a word: how often it occurs."""
    return pack_uint(len(positions))


class _TermPool:
    """A batch's postings grouped by field and term, in document order.

    Stands in for Whoosh's posting pool: `add` takes its posting tuples,
    `iter_postings` gives them back sorted by (field, term, document).
    """

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}
        self._in_order = True

    def add_document(self, fieldname: str, docnum: int, items: Iterable[tuple]) -> int:
        """One document's postings in one field; returns the sum of their frequencies."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        length = 0
        for term, frequency, weight, value in items:
            length += frequency
            postings = terms.get(term)
            if postings is None:
                terms[term] = [(docnum, weight, value)]
            else:
                postings.append((docnum, weight, value))
        return length

    def add(self, item: tuple) -> None:
        fieldname, term, docnum, weight, value = item
        postings = self._fields.setdefault(fieldname, {}).setdefault(term, [])
        if postings and postings[-1][0] > docnum:
            self._in_order = False
        postings.append((docnum, weight, value))

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for term in sorted(terms):
                postings = terms[term]
                if not self._in_order:
                    postings.sort(key=lambda posting: posting[0])
                for docnum, weight, value in postings:
                    yield fieldname, term, docnum, weight, value

    def cleanup(self) -> None:
        self._fields = {}


class _LengthsInMemory:
    """The new segment's per-document reader, its field lengths read a column at a time.

    Writing the postings asks for the length of each posting's document; the
    reader it wraps seeks and reads one byte per question.
    """

    def __init__(self, reader, count: int) -> None:
        self._reader = reader
        self._count = count

    def doc_field_length_reader(self, fieldname: str, default: int = 0):
        try:
            column = self._reader._cached_reader(
                whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
            )
        except AttributeError:  # not the Whoosh layout this knows
            return self._reader.doc_field_length_reader(fieldname, default)
        if column is None:
            return lambda _docnum: default
        codes = fixed_width(column, self._count).astype(int).tolist()
        lengths = [_LENGTH_OF_BYTE[code] for code in codes]
        return lengths.__getitem__

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)
