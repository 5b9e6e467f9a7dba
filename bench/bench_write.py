"""Index writing at scale: one segment, an import, a rebuild.

    .venv/bin/python bench/bench_write.py segment ARCHIVE [--count 1000] [--offset 50000]
    .venv/bin/python bench/bench_write.py import ARCHIVE FILES...
    .venv/bin/python bench/bench_write.py rebuild ARCHIVE

`segment` writes the same documents of ARCHIVE (read from its catalog) as one
new segment with Whoosh's own writer and with `segment_writing.BatchWriter`,
in temporary folders, and says whether the two segments hold the same terms,
postings, lengths and stored fields. `import` runs `Archive.import_paths` on
ARCHIVE (created when missing; it is changed: use a copy) and `rebuild` runs
`Archive.rebuild_index`, printing the rate, the CPU of this process and of its
helper processes, and peak resident memory. `rebuild` also checks that five
queries find as many articles after it as before.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import tempfile
import time
from pathlib import Path

from archive_app.core.archive import Archive
from archive_app.core.index import _fields_of, build_schema
from archive_app.core.models import SearchRequest
from archive_app.core.segment_writing import BatchWriter

QUERIES = ("children", '"arrest warrant"', "tribunal AND evidence", "title:children", "deport*")


def resources() -> str:
    own, helpers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return (
        f"CPU {own.ru_utime + own.ru_stime:.1f} s here, "
        f"{helpers.ru_utime + helpers.ru_stime:.1f} s in helpers; "
        f"peak {own.ru_maxrss / 1024:.0f} MB here, {helpers.ru_maxrss / 1024:.0f} MB largest helper"
    )


def segment(archive_path: Path, count: int, offset: int) -> None:
    from whoosh import index

    archive = Archive.open(archive_path, mode="read")
    ids = [
        r["id"]
        for r in archive.catalog.query(
            "SELECT id FROM articles ORDER BY rowid LIMIT ? OFFSET ?", (count, offset)
        )
    ]
    docs = [archive._index_document(article_id) for article_id in ids]
    archive.close()
    digests = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("Whoosh's writer", None), ("BatchWriter", BatchWriter)):
            folder = Path(tmp) / name.replace(" ", "_")
            folder.mkdir()
            ix = index.create_in(str(folder), build_schema())
            started = time.perf_counter()
            writer = make(ix) if make else ix.writer(limitmb=128)
            for doc in docs:
                writer.add_document(**_fields_of(doc))
            writer.commit(merge=False)
            print(f"{name}: {len(docs)} documents in {time.perf_counter() - started:.2f} s")
            with index.open_dir(str(folder)).reader() as reader:
                digests.append(_digest(reader))
    print("same segment:", digests[0] == digests[1])


def _digest(reader) -> str:
    digest = hashlib.sha256()
    for posting in reader.iter_postings():
        digest.update(repr(posting).encode())
    for fieldname, term in reader.all_terms():
        info = reader.term_info(fieldname, term)
        stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
        digest.update(repr(stats).encode())
    for field in build_schema().names():
        lengths = [reader.doc_field_length(d, field) for d in range(reader.doc_count_all())]
        digest.update(repr((reader.field_length(field), lengths)).encode())
    digest.update(repr(list(reader.iter_docs())).encode())
    return digest.hexdigest()


def import_files(archive_path: Path, files: list[Path]) -> None:
    archive = Archive.open(archive_path)
    before = int(archive.catalog.scalar("SELECT count(*) FROM articles"))
    started = time.perf_counter()
    report = archive.import_paths(files)
    elapsed = time.perf_counter() - started
    archive.close()
    count = len(report.imported)
    print(
        f"{count} articles imported into {before:,} in {elapsed:.1f} s = {count / elapsed:.1f}/s"
        f" ({len(report.failed)} failed, {len(report.duplicates)} duplicates); {resources()}"
    )


def rebuild(archive_path: Path) -> None:
    archive = Archive.open(archive_path)
    before = _totals(archive)
    started = time.perf_counter()
    count = archive.rebuild_index()
    elapsed = time.perf_counter() - started
    same = _totals(archive) == before
    archive.close()
    print(f"{count:,} articles rebuilt in {elapsed:.1f} s = {count / elapsed:.0f}/s; {resources()}")
    print(f"same query totals after: {same} {before}")


def _totals(archive: Archive) -> dict[str, int]:
    return {q: archive.search(SearchRequest(query=q, snippets=False)).total for q in QUERIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("segment")
    one.add_argument("archive", type=Path)
    one.add_argument("--count", type=int, default=1000)
    one.add_argument("--offset", type=int, default=0)
    many = sub.add_parser("import")
    many.add_argument("archive", type=Path)
    many.add_argument("files", type=Path, nargs="+")
    again = sub.add_parser("rebuild")
    again.add_argument("archive", type=Path)
    args = parser.parse_args(argv)
    if args.command == "segment":
        segment(args.archive, args.count, args.offset)
    elif args.command == "import":
        import_files(args.archive, args.files)
    else:
        rebuild(args.archive)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
