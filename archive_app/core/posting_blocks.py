"""Postings already grouped by term written into a Whoosh segment a block at a time.

Whoosh's `FieldWriter.add_postings` takes one (field, term, document, weight,
value) tuple at a time and `W3PostingsWriter.add_posting` checks, appends and
updates block statistics once per posting: about half the cost of writing a
batch of long articles. When a term's postings are at hand as one list in
document order, a block's worth is a slice: its ids and weights go into the
block buffers with one `extend` each and its statistics are a `max()` or a
`min()` over the slice.

Everything else is Whoosh's own code: `start_term` and `finish_term` of the
field writer, and the postings writer's `_write_block` and `finish_postings`
make the bytes, so the file format (block boundaries, block and term
statistics, inlined postings) is Whoosh's by construction. This fills exactly
the buffers and statistics `add_posting` fills, with the same comparisons, and
cuts blocks where it cuts them: before adding a posting to a full block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from whoosh.codec import whoosh3

# (document number, weight, encoded value), as Whoosh's pool gives them
Posting = tuple[int, float, bytes | None]
# Each field with its terms in order, each term with its postings in document order
FieldTerms = Iterable[tuple[str, Iterable[tuple[bytes, Sequence[Posting]]]]]
# Whoosh's marker for a word of the spelling dictionary in the postings stream
_SPELLING = -1


def writes_blocks(fieldwriter: Any) -> bool:
    """Whether `fieldwriter` is the Whoosh 3 field writer whose buffers this fills.

    A subclass may write postings its own way, so only the exact classes qualify.
    """
    return (
        type(fieldwriter) is whoosh3.W3FieldWriter
        and type(getattr(fieldwriter, "_codec", None)) is whoosh3.W3Codec
    )


def write_fields(fieldwriter: Any, schema: Any, lengths: Any, fields: FieldTerms) -> None:
    """Write `fields` through `fieldwriter` (see `writes_blocks`), what
    `fieldwriter.add_postings(schema, lengths, postings)` writes for the same postings.

    `lengths` is the new segment's per-document reader (or None when the codec
    keeps no length statistics).
    """
    if not writes_blocks(fieldwriter):
        raise TypeError(f"not a Whoosh 3 field writer: {type(fieldwriter).__name__}")
    for fieldname, terms in fields:
        started = False
        length_of = _length_reader(lengths, fieldname)
        for term, postings in terms:
            if postings and postings[0][0] == _SPELLING:
                # add_postings skips these (no term is started for them), but the
                # field is started all the same.
                postings = [posting for posting in postings if posting[0] != _SPELLING]
            if not started:
                fieldwriter.start_field(fieldname, schema[fieldname])
                started = True
            if postings:
                _write_term(fieldwriter, term, postings, length_of)
        if started:
            fieldwriter.finish_field()


def _length_reader(lengths: Any, fieldname: str) -> Callable[[int], int | None]:
    """The field length of a document, as `add_postings` asks for it."""
    if not lengths:
        return lambda _docnum: 0
    reader = getattr(lengths, "doc_field_length_reader", None)
    if reader is None:
        return lambda docnum: lengths.doc_field_length(docnum, fieldname)
    return reader(fieldname)


def _write_term(
    fieldwriter: Any,
    term: bytes,
    postings: Sequence[Posting],
    length_of: Callable[[int], int | None],
) -> None:
    fieldwriter.start_term(term)
    block = fieldwriter._postwriter
    if len(postings) == 1:
        # Most terms of a batch occur in one document: no slices for them.
        ((docnum, weight, value),) = postings
        block._ids.append(docnum)
        block._weights.append(weight)
        if weight > block._maxweight:
            block._maxweight = weight
        if value:
            block._values.append(value)
        length = length_of(docnum)
        if length:
            block._minlength = block._maxlength = length
    else:
        docnums, weights, values = zip(*postings, strict=True)
        limit = block._blocklimit
        for start in range(0, len(docnums), limit):
            if start:
                block._write_block()  # the block is full: add_posting writes it here
            _fill_block(
                block,
                docnums[start : start + limit],
                weights[start : start + limit],
                values[start : start + limit],
                length_of,
            )
    fieldwriter.finish_term()


def _fill_block(
    block: Any,
    docnums: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes | None],
    length_of: Callable[[int], int | None],
) -> None:
    """Into an empty block buffer, what `add_posting` puts there for these postings."""
    block._ids.extend(docnums)
    block._weights.extend(weights)
    # add_posting keeps the first weight greater than all before it, starting
    # from 0: that is max(), when it is above 0 (kept as given, not as a float32).
    heaviest = max(weights)
    if heaviest > block._maxweight:
        block._maxweight = heaviest
    # Empty (and None) values are not kept, nor lengths of 0 (or unknown).
    block._values.extend(filter(None, values))
    known = list(filter(None, map(length_of, docnums)))
    if known:
        block._minlength = min(known)
        block._maxlength = max(known)
