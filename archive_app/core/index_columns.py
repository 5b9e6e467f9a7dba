"""Whole per-document columns of a Whoosh index as numpy arrays, read in one go.

Whoosh reads a column value by value: one seek and one read per document, a
few microseconds each, seconds for 100,000 documents across a hundred
segments. Fixed-width columns (numbers, and the one-byte field lengths) are
contiguous bytes in each segment, so each segment's column is read with one
read and decoded by numpy. Whoosh keeps that layout behind private names; where
they are not as expected, the value-by-value reading is used instead, slower
and the same.
"""

from __future__ import annotations

import struct

import numpy as np
from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

# Whoosh's one-byte field length code → the length it stands for.
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)


def numeric_column(reader, field: str, dtype=np.int64) -> np.ndarray:
    """A numeric column's value for every document number of `reader` (0 where unset)."""
    out = np.zeros(reader.doc_count_all(), dtype=dtype)
    if not reader.has_column(field):
        return out
    for segment, base in reader.leaf_readers():
        count = segment.doc_count_all()
        if count and segment.has_column(field):
            values = fixed_width(segment.column_reader(field, translate=False), count)
            out[base : base + count] = values
    return out


def field_lengths(reader, field: str) -> np.ndarray:
    """The length Whoosh scores with, for `field` in every document (0 where absent)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.float64)
    for segment, base in reader.leaf_readers():
        count = segment.doc_count_all()
        if not count:
            continue
        try:
            column = _length_column(segment, field)
        except AttributeError:  # not the Whoosh layout this knows: ask document by document
            length = segment.doc_field_length
            out[base : base + count] = [length(d, field, 0) or 0 for d in range(count)]
            continue
        if column is not None:  # None: no document of the segment has the field
            out[base : base + count] = _LENGTH_OF_BYTE[fixed_width(column, count)]
    return out


def _length_column(segment, field: str):
    """The segment's column of one-byte length codes for `field`, None if it has none."""
    return segment._perdoc._cached_reader(whoosh3._lenfield(field), whoosh3.LENGTHS_COLUMN)


def fixed_width(column, count: int) -> np.ndarray:
    """A fixed-width column reader's values for documents 0..count-1."""
    try:
        source, start = column._dbfile, column._basepos
        width, stored, typecode = column._fixedlen, column._count, column._typecode
        default = column._default
    except AttributeError:
        return np.fromiter((column[d] for d in range(count)), dtype=np.float64, count=count)
    dtype = np.dtype(struct.Struct("!" + typecode).format.lstrip("!")).newbyteorder(">")
    if dtype.itemsize != width:
        return np.fromiter((column[d] for d in range(count)), dtype=np.float64, count=count)
    present = min(stored, count)
    raw = source.get(start, present * width) if present else b""
    values = np.full(count, default, dtype=dtype.newbyteorder("="))
    values[:present] = np.frombuffer(raw, dtype=dtype)
    return values
