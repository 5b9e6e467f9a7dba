"""A segment written by BatchWriter is the segment Whoosh's own writer writes, term for term."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats, index
from whoosh.codec import default_codec

from archive_app.core import index as index_module
from archive_app.core import segment_writing
from archive_app.core.analysis import TaggedText, spelling_analyzer, text_analyzer
from archive_app.core.index import IndexDocument, SearchIndex, _fields_of, build_schema
from archive_app.core.segment_writing import BatchWriter, _positions_encoder, _TermPool, batches

BODIES = (
    ("en", "The children were deported from Kherson; the children's files were lost. " * 3),
    ("en", "Foster families in Lviv took in 1,200 children (U.N. figures, 2023-03-17)."),
    ("uk", "Діти з Херсона були депортовані до Росії. Харківська область, Харкові, Харкова."),
    ("ru", "Детей из Мариуполя вывезли в Россию, сообщает Омбудсмен Лубинец. Ёлка, ещё."),
    ("de", "Die Kinder wurden aus der Ukraine verschleppt; die Verschleppung ist belegt."),
    ("fr", "Les enfants déportés : la Cour pénale internationale a émis des mandats."),
    ("", "Mixed text: Zelensky and Зеленський met the ICC's prosecutor in Den Haag."),
    ("en", ""),
)


def documents() -> list[IndexDocument]:
    docs = []
    for number, (language, body) in enumerate(BODIES * 3):
        docs.append(
            IndexDocument(
                id=f"doc{number:03d}",
                title=f"Report {number}: {body[:30]}",
                body=body,
                captions="A photograph of the orphanage" if number % 2 else "",
                author=("Olena Kovalenko", "Анна Петренко", "")[number % 3],
                source=("Reuters", "Українська правда", "")[number % 3],
                published=("2023-03-17", "2022-11-01T08:30:00", "")[number % 3],
                language=language,
                tags=("region/kherson", "evidence") if number % 2 else (),
                topics=("war-crimes",) if number % 3 else ("child-welfare", "war-crimes"),
                note="Checked against the ICC's warrant." if number % 4 == 0 else "",
            )
        )
    return docs


def write(folder: Path, docs: list[IndexDocument], *, batch_writer: bool) -> index.FileIndex:
    folder.mkdir()
    ix = index.create_in(str(folder), build_schema())
    writer = BatchWriter(ix) if batch_writer else ix.writer()
    for doc in docs:
        writer.add_document(**_fields_of(doc))
    writer.commit(merge=False)
    return index.open_dir(str(folder))


def postings(reader, fieldname: str, term: bytes) -> list[tuple]:
    matcher = reader.postings(fieldname, term)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def term_stats(reader, fieldname: str, term: bytes) -> tuple:
    info = reader.term_info(fieldname, term)
    return (
        info.weight(),
        info.doc_frequency(),
        info.min_length(),
        info.max_length(),
        info.max_weight(),
    )


def test_a_batch_segment_holds_what_whoosh_writes(tmp_path: Path) -> None:
    docs = documents()
    ours = write(tmp_path / "batch", docs, batch_writer=True).reader()
    theirs = write(tmp_path / "whoosh", docs, batch_writer=False).reader()
    try:
        terms = list(theirs.all_terms())
        assert list(ours.all_terms()) == terms
        assert len(terms) > 200
        for fieldname, term in terms:
            assert postings(ours, fieldname, term) == postings(theirs, fieldname, term)
            assert term_stats(ours, fieldname, term) == term_stats(theirs, fieldname, term)
        assert list(ours.iter_docs()) == list(theirs.iter_docs())
        schema = build_schema()
        for fieldname in schema.names():
            assert ours.field_length(fieldname) == theirs.field_length(fieldname)
            if schema[fieldname].scorable:
                assert ours.max_field_length(fieldname) == theirs.max_field_length(fieldname)
            for docnum in range(theirs.doc_count_all()):
                assert ours.doc_field_length(docnum, fieldname) == theirs.doc_field_length(
                    docnum, fieldname
                )
        date_key = list(theirs.column_reader("date_key"))
        assert list(ours.column_reader("date_key")) == date_key
    finally:
        ours.close()
        theirs.close()


def segment_files(ix: index.FileIndex) -> dict[str, bytes]:
    """Every file of the index's one (compound) segment, by extension."""
    (segment,) = ix._segments()
    files = segment.open_compound_file(ix.storage)
    prefix = segment.segment_id()
    contents = {}
    try:
        for name in files.list():
            with files.open_file(name) as file:
                contents[name.removeprefix(prefix)] = file.read()
    finally:
        files.close()
    return contents


def blocks(reader, fieldname: str, term: bytes) -> list[tuple]:
    """The statistics of each block of a term's postings, as a search reads them to skip."""
    matcher = reader.postings(fieldname, term)
    found = []
    while matcher.is_active():
        found.append(
            (
                matcher.block_min_id(),
                matcher.block_max_id(),
                matcher.block_max_weight(),
                matcher.block_min_length(),
                matcher.block_max_length(),
            )
        )
        matcher.skip_to(matcher.block_max_id() + 1)
    return found


def test_a_batch_segment_is_the_bytes_whoosh_writes(tmp_path: Path) -> None:
    docs = documents()
    ours = segment_files(write(tmp_path / "batch", docs, batch_writer=True))
    theirs = segment_files(write(tmp_path / "whoosh", docs, batch_writer=False))
    assert {".pst", ".trm", "._stored.col"} <= set(theirs)
    assert ours.keys() == theirs.keys()
    for extension, contents in theirs.items():
        assert ours[extension] == contents, extension


def _letters(number: int) -> str:
    """A word of its own for each number (the analyzer keeps letters, not digits)."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not number:
            return "zq" + word


def test_postings_longer_than_a_block_and_single_postings_are_written_as_whoosh_writes_them(
    tmp_path: Path,
) -> None:
    limit = default_codec()._blocklimit
    count = 2 * limit + 44
    docs = [
        IndexDocument(
            id=f"doc{number:03d}",
            title="Deportation",
            # The shared word's weight and the body's length vary from document to
            # document, so each block has its own maximum weight and lengths.
            body=" ".join(
                ["deportation"] * (1 + number // limit + (number % 3 == 1))
                + [_letters(number)]
                + ["orphanage", "lviv", "kherson"][: number % 4]
            ),
            captions="",
            author="",
            source="",
            published="",
            language="en",
            tags=(),
            topics=(),
        )
        for number in range(count)
    ]
    ours_ix = write(tmp_path / "batch", docs, batch_writer=True)
    theirs_ix = write(tmp_path / "whoosh", docs, batch_writer=False)
    ours, theirs = ours_ix.reader(), theirs_ix.reader()
    try:
        shared = blocks(theirs, "content", b"deport")
        assert [last - first for first, last, *_ in shared] == [limit - 1, limit - 1, 43]
        assert len({weight for *_, weight, _, _ in shared}) > 1
        for fieldname, term in theirs.all_terms():
            assert blocks(ours, fieldname, term) == blocks(theirs, fieldname, term)
            assert postings(ours, fieldname, term) == postings(theirs, fieldname, term)
            assert term_stats(ours, fieldname, term) == term_stats(theirs, fieldname, term)
        single = theirs.term_info("content", _letters(7).encode())
        assert single.doc_frequency() == 1
        assert term_stats(ours, "content", _letters(7).encode()) == term_stats(
            theirs, "content", _letters(7).encode()
        )
    finally:
        ours.close()
        theirs.close()
    assert segment_files(ours_ix) == segment_files(theirs_ix)


def test_spelling_words_in_the_pool_are_left_out_as_whoosh_leaves_them(tmp_path: Path) -> None:
    """Whoosh's pool marks a spelling-dictionary word with document -1: no posting is
    written for it, but its field is opened all the same."""
    contents = []
    for name, batch_writer in (("batch", True), ("whoosh", False)):
        folder = tmp_path / name
        folder.mkdir()
        ix = index.create_in(str(folder), build_schema())
        writer = BatchWriter(ix) if batch_writer else ix.writer()
        writer.add_document(**_fields_of(documents()[0]))
        writer.pool.add(("author", b"kovalenko", -1, 1.0, b""))
        writer.pool.add(("content", b"children", -1, 1.0, b""))
        writer.pool.add(("captions", b"photograph", -1, 1.0, b""))  # the field's only word
        writer.commit(merge=False)
        contents.append(segment_files(index.open_dir(str(folder))))
    ours, theirs = contents
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=30, unique=True))
def test_positions_are_encoded_as_whoosh_encodes_them(positions: list[int]) -> None:
    positions.sort()
    encode = _positions_encoder()
    first = encode(list(positions))
    assert first == formats.Positions().encode(positions)
    again = encode(list(positions))
    assert again == first
    assert again is not first  # a value shared by two postings would pickle differently


def test_documents_with_boosts_are_indexed_the_way_whoosh_indexes_them(tmp_path: Path) -> None:
    doc = _fields_of(documents()[0]) | {"_title_boost": 3.0}
    readers = []
    for name, batch_writer in (("batch", True), ("whoosh", False)):
        folder = tmp_path / name
        folder.mkdir()
        ix = index.create_in(str(folder), build_schema())
        writer = BatchWriter(ix) if batch_writer else ix.writer()
        writer.add_document(**doc)
        writer.commit(merge=False)
        readers.append(index.open_dir(str(folder)).reader())
    ours, theirs = readers
    assert [postings(ours, *t) for t in theirs.all_terms()] == [
        postings(theirs, *t) for t in theirs.all_terms()
    ]
    assert postings(ours, "title", b"report")[0][1] == 3.0


def test_a_batch_writer_does_not_merge(tmp_path: Path) -> None:
    ix = index.create_in(str(tmp_path), build_schema())
    writer = BatchWriter(ix)
    try:
        with pytest.raises(TypeError, match="does not merge"):
            writer.add_reader(None)
    finally:
        writer.cancel()


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcXYZ éèüДіїщыё.'’-_0123 \n,")),
        max_size=120,
    ),
    st.sampled_from(["en", "uk", "ru", "de", ""]),
)
def test_positions_are_the_tokens_of_the_analyzer(text: str, language: str) -> None:
    value = TaggedText(text, language)
    for analyzer in (text_analyzer(), spelling_analyzer()):
        expected: dict[str, list[int]] = {}
        for token in analyzer(value, positions=True):
            expected.setdefault(token.text, []).append(token.pos)
        assert analyzer.positions(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), max_size=40), st.integers(1, 6))
def test_batches_keep_order_and_limits(sizes: list[int], documents_per_batch: int) -> None:
    limit = segment_writing.BATCH_CHARACTERS
    docs = [size * limit // 20 for size in sizes]  # each "document" is its own size
    cut = list(batches(docs, lambda size: size, documents_per_batch))
    assert [doc for batch in cut for doc in batch] == docs
    for batch in cut:
        assert 1 <= len(batch) <= documents_per_batch
        assert len(batch) == 1 or sum(batch) <= limit


def test_the_term_pool_orders_postings_added_out_of_order() -> None:
    pool = _TermPool()
    pool.add(("content", b"child", 5, 1.0, b"x"))
    pool.add(("content", b"child", 2, 2.0, b"y"))
    pool.add(("author", b"olena", 1, 1.0, b""))
    assert list(pool.iter_postings()) == [
        ("author", b"olena", 1, 1.0, b""),
        ("content", b"child", 2, 2.0, b"y"),
        ("content", b"child", 5, 1.0, b"x"),
    ]


def test_a_large_bulk_batch_becomes_several_segments(tmp_path: Path, monkeypatch) -> None:
    docs = documents()
    whole = SearchIndex(tmp_path / "whole")
    whole.write(docs)
    expected = {
        text: [hit.id for hit in whole.search(text, limit=100).hits]
        for text in ("deported", "Херсон", '"foster families"', "ICC")
    }
    whole.close()
    monkeypatch.setattr(segment_writing, "BATCH_CHARACTERS", 400)
    search = SearchIndex(tmp_path / "index")
    try:
        written = search.write(docs, merge=False, new_ids={d.id for d in docs})
        assert written == len(docs)
        segments = search._ix._segments()
        assert len(segments) > 3
        assert len(search.health().ids) == len(docs)
        assert not search.health().problems
        for text, ids in expected.items():
            assert [hit.id for hit in search.search(text, limit=100).hits] == ids, text
            assert ids
    finally:
        search.close()


def test_a_bulk_batch_with_removals_removes_them(tmp_path: Path) -> None:
    docs = documents()
    search = SearchIndex(tmp_path / "index")
    try:
        search.write(docs[:5], merge=False, new_ids={d.id for d in docs[:5]})
        search.write(docs[5:], deletes=["doc000", "doc001"], merge=False)
        assert search.doc_count() == len(docs) - 2
        assert "doc000" not in search.all_ids()
    finally:
        search.close()


def test_index_writes_in_the_main_process_use_the_batch_writer(tmp_path: Path, monkeypatch) -> None:
    made: list[BatchWriter] = []

    class Counting(BatchWriter):
        def __init__(self, ix, **kwargs) -> None:
            super().__init__(ix, **kwargs)
            made.append(self)

    monkeypatch.setattr(segment_writing, "BatchWriter", Counting)
    docs = documents()
    SearchIndex.build(tmp_path / "built", docs, total=len(docs), batch=10, two_cores=False)
    assert len(made) == 3
    assert index_module.SearchIndex(tmp_path / "built").doc_count() == len(docs)
