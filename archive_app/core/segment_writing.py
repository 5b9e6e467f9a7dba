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
  file just written, one seek and read each; here each column is read once;
- the postings go into the postings file one at a time, each checked and
  counted into its block's statistics; here, since each term's postings are
  at hand in document order, a block at a time (`posting_blocks`).

Other fields (ids, keywords, dates, the names shadow field) are indexed by
Whoosh as usual, and the segment's files are the ones Whoosh's own writer
writes, byte for byte: tests compare the files, and every term, posting, block,
length and stored value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import sub
from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from archive_app.core import posting_blocks
from archive_app.core.analysis import NormalizingTokenizer
from archive_app.core.index_columns import fixed_width
from archive_app.core.posting_blocks import Posting

BATCH_DOCUMENTS = 1000
# Text per batch, in characters: postings grow with it, and they are held in
# memory until the segment is written (about 120 MB for 1,000 articles of
# 1,200 words, 7.5 million characters).
BATCH_CHARACTERS = 10_000_000
_ONE = pack_uint(1)
_UNKNOWN = object()
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
        # Each field's encoder of posting values, None where Whoosh's field.index serves
        self._encoders: dict[str, Callable[[list[int]], bytes] | None] = {}

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
        encoders = self._encoders
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    encode = encoders.get(name, _UNKNOWN)
                    if encode is _UNKNOWN:
                        encode = encoders[name] = _value_encoder(field)
                    if encode is not None and isinstance(value, str):
                        words = field.analyzer.positions(value)
                        boost = field.format.field_boost
                        length = pool.add_positions(name, docnum, words, encode, boost)
                    else:
                        length = pool.add_document(name, docnum, field.index(value))
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

    def _flush_segment(self) -> None:
        # What SegmentWriter._flush_segment does, with the pool's terms written a
        # block of postings at a time rather than one posting at a time.
        if not posting_blocks.writes_blocks(self.fieldwriter):
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            posting_blocks.write_fields(self.fieldwriter, self.schema, lengths, self.pool.fields())
            self.fieldwriter.close()
        finally:
            if lengths:
                lengths.close()


def _value_encoder(field) -> Callable[[list[int]], bytes] | None:
    """How a text field our analyzer indexes encodes a word's positions into its posting
    value, byte for byte as its Whoosh format does; None for any other field."""
    if not isinstance(field.analyzer, NormalizingTokenizer):
        return None
    kind = type(field.format)
    if kind is formats.Positions:
        return _positions_encoder()
    if kind is formats.Frequency:
        return _frequency
    return None


def _positions_encoder() -> Callable[[list[int]], bytes]:
    """`formats.Positions.encode`: the count, then the pickled gaps between positions.

    Most words of an article occur once, at one of a few thousand positions, so
    the pickle of a single position is made once per writer. Each value is a new
    bytes object all the same: pickle would write a value shared by two postings
    of a block once, and the block would no longer be the bytes Whoosh writes.
    """
    single: dict[int, bytes] = {}

    def encode(positions: list[int]) -> bytes:
        if len(positions) == 1:
            position = positions[0]
            pickled = single.get(position)
            if pickled is None:
                # The gap from 0 is the position itself.
                pickled = single[position] = dumps(positions, 2)
            return _ONE + pickled
        gaps = list(map(sub, positions, [0, *positions]))
        return pack_uint(len(positions)) + dumps(gaps, 2)

    return encode


def _frequency(positions: list[int]) -> bytes:
    """What Whoosh's Frequency format stores for a word: how often it occurs."""
    return pack_uint(len(positions))


class _TermPool:
    """A batch's postings grouped by field and term, in document order.

    Stands in for Whoosh's posting pool: `add` takes its posting tuples,
    `iter_postings` gives them back sorted by (field, term, document), and
    `fields` gives each term's postings as one list, to be written a block at a time.
    """

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, list[Posting]]] = {}
        self._in_order = True

    def add_positions(
        self,
        fieldname: str,
        docnum: int,
        positions: dict[str, list[int]],
        encode: Callable[[list[int]], bytes],
        boost: float,
    ) -> int:
        """One document's words in one field, each with its positions (what
        `NormalizingTokenizer.positions` gives); returns the number of positions.

        The postings Whoosh's `field.index` gives for them, without a tuple of
        (term, frequency, weight, value) for each on the way.
        """
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        length = 0
        for form, at in positions.items():
            count = len(at)
            length += count
            posting = (docnum, count * boost, encode(at))
            term = form.encode("utf-8")
            postings = terms.get(term)
            if postings is None:
                terms[term] = [posting]
            else:
                postings.append(posting)
        return length

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

    def fields(self) -> Iterator[tuple[str, Iterator[tuple[bytes, list[Posting]]]]]:
        """Each field in order, with its terms in order, each with its postings by document."""
        for fieldname in sorted(self._fields):
            yield fieldname, self._terms(self._fields[fieldname])

    def _terms(self, terms: dict[bytes, list[Posting]]) -> Iterator[tuple[bytes, list[Posting]]]:
        for term in sorted(terms):
            postings = terms[term]
            if not self._in_order:
                postings.sort(key=lambda posting: posting[0])
            yield term, postings

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname, terms in self.fields():
            for term, postings in terms:
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
