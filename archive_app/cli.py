"""`archive-app`: the command line, a twin of every capability of the desktop app.

Exit status: 0 success, 1 some inputs or checks failed, 2 usage error.
`--json` output is a contract (see README): keys are added, never renamed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from archive_app import __version__
from archive_app.core.archive import Archive, ArchiveError, ArticleNotFound, InvalidValue
from archive_app.core.catalog import CatalogError
from archive_app.core.dates import normalize_date
from archive_app.core.index import QuerySyntaxError
from archive_app.core.locations import default_archive_dir, demo_archive_dir, sample_dir
from archive_app.core.locking import ArchiveLocked
from archive_app.core.models import ImportReport, SearchPage, SearchRequest

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-app",
        description="A local research archive: import, search, tag and read articles.",
    )
    parser.add_argument("--version", action="version", version=f"archive-app {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--archive", type=Path, metavar="DIR", help="the archive folder")
    where.add_argument(
        "--demo", action="store_true", help="use the sample archive (built on first use)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if json_flag:
            p.add_argument("--json", action="store_true", help="machine-readable output")
        return p

    command("status", "summary of the archive (the default command)")

    p = command("import", "import files and folders (recursively)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")

    p = command("search", "full-text search with the Whoosh query language")
    p.add_argument("query", nargs="?", default="", metavar="QUERY")
    p.add_argument("--topic", action="append", default=[], metavar="T", help="repeat: all of")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="repeat: all of")
    p.add_argument("--source", action="append", default=[], metavar="S", help="repeat: any of")
    p.add_argument("--since", default="", metavar="DATE")
    p.add_argument("--until", default="", metavar="DATE")
    p.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--offset", type=int, default=0)

    p = command("show", "one article with its images, tags, topics and provenance")
    p.add_argument("id")

    p = command("tag", "add tags to an article (hierarchical: region/kherson)")
    p.add_argument("id")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p = command("untag", "remove tags from an article")
    p.add_argument("id")
    p.add_argument("tags", nargs="+", metavar="TAG")
    command("tags", "every tag with its count")

    p = command("topics", "the archive's topics with counts; explain or reclassify")
    actions = p.add_subparsers(dest="topics_action", metavar="ACTION")
    explain = actions.add_parser("explain", help="why an article has (or lacks) each topic")
    explain.add_argument("id")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    again = actions.add_parser(
        "reclassify", help="apply the archive's topic rules to every article again"
    )
    again.add_argument("--json", action="store_true", help="machine-readable output")
    p = command(
        "topic", "set (+topic) or remove (-topic) topics by hand; =topic hands back to the rules"
    )
    p.add_argument("id")
    # REMAINDER, so that "-child-welfare" is read as a change, not as an option.
    p.add_argument("changes", nargs=argparse.REMAINDER, metavar="±TOPIC")

    p = command("edit", "correct an article's metadata (your values win over extracted ones)")
    p.add_argument("id")
    for field in ("title", "author", "source", "url", "published"):
        p.add_argument(f"--{field}", default=None, help=f'new {field} ("" restores extracted)')

    p = command("delete", "remove an article (its files go when nothing else uses them)")
    p.add_argument("id")

    p = command("check", "verify every stored file and the index")
    p.add_argument("--repair", action="store_true", help="fix what can be fixed")
    command("rebuild-index", "rebuild the search index from the catalog")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.demo:
            from archive_app.core.demo import open_demo_archive

            archive = open_demo_archive(demo_archive_dir(), sample_dir(), log=_err)
        else:
            archive = Archive.open(args.archive or default_archive_dir())
    except (ArchiveError, ArchiveLocked, CatalogError, OSError) as exc:
        _err(f"archive-app: {exc}")
        return EXIT_FAILED
    if archive.topic_rules_error:
        _err(f"archive-app: warning: {archive.topic_rules_error}")
    try:
        with archive:
            handler = COMMANDS[args.command or "status"]
            return handler(archive, args)
    except (UsageError, ArticleNotFound, InvalidValue, QuerySyntaxError) as exc:
        _err(f"archive-app: {exc}")
        return EXIT_USAGE
    except ArchiveError as exc:
        _err(f"archive-app: {exc}")
        return EXIT_FAILED


# -- commands ------------------------------------------------------------------


def cmd_status(archive: Archive, args: argparse.Namespace) -> int:
    page = archive.search(SearchRequest(limit=0, snippets=False))
    info = {
        "archive": str(archive.root),
        "articles": page.total,
        "topics": page.facets.topics,
        "sources": page.facets.sources,
        "years": page.facets.years,
    }
    if getattr(args, "json", False):
        return _print_json(info)
    print(f"Archive {archive.root}: {page.total} articles")
    for label, counts in (("Topics", page.facets.topics), ("Sources", page.facets.sources)):
        if counts:
            print(f"{label}: " + ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:10]))
    print("Try: archive-app search QUERY, archive-app import PATH, archive-app --help")
    return EXIT_OK


def cmd_import(archive: Archive, args: argparse.Namespace) -> int:
    progress = _progress_printer("importing") if sys.stderr.isatty() and not args.json else None
    report = archive.import_paths(args.paths, progress=progress)
    if progress is not None:
        sys.stderr.write("\n")
    if args.json:
        _print_json(import_report_json(report))
    else:
        _print_import_report(report)
    return EXIT_FAILED if report.failed else EXIT_OK


def import_report_json(report: ImportReport) -> dict:
    return {
        "imported": [
            {
                "id": i.id,
                "path": i.path,
                "title": i.title,
                "record": i.record,
                "warnings": list(i.warnings),
            }
            for i in report.imported
        ],
        "duplicates": [{"id": d.id, "path": d.path, "record": d.record} for d in report.duplicates],
        "failed": [{"path": p.path, "error": p.reason} for p in report.failed],
        "skipped": [{"path": p.path, "reason": p.reason} for p in report.skipped],
        "cancelled": report.cancelled,
    }


def _print_import_report(report: ImportReport) -> None:
    print(
        f"Imported {len(report.imported)} article(s); {len(report.duplicates)} duplicate(s), "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped."
    )
    for item in report.imported:
        where = f" {item.record}" if item.record else ""
        print(f"  imported   {item.id}  {item.title}  ({item.path}{where})")
        for warning in item.warnings:
            print(f"    warning: {warning}")
    for dup in report.duplicates:
        print(f"  duplicate  {dup.path}: already in the archive as {dup.id}")
    for problem in report.failed:
        print(f"  failed     {problem.path}: {problem.reason}")
    for problem in report.skipped:
        print(f"  skipped    {problem.path}: {problem.reason}")


def cmd_search(archive: Archive, args: argparse.Namespace) -> int:
    if args.limit < 0 or args.offset < 0:
        raise UsageError("--limit and --offset must not be negative")
    request = SearchRequest(
        query=args.query,
        topics=tuple(args.topic),
        tags=tuple(args.tag),
        sources=tuple(args.source),
        since=_date_arg("--since", args.since),
        until=_date_arg("--until", args.until),
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
    )
    page = archive.search(request)
    if args.json:
        return _print_json(search_page_json(page))
    _print_search_page(page)
    return EXIT_OK


def search_page_json(page: SearchPage) -> dict:
    return {
        "query": page.request.query,
        "total": page.total,
        "offset": page.request.offset,
        "limit": page.request.limit,
        "hits": [
            {
                "id": h.id,
                "title": h.title,
                "source": h.source,
                "published": h.published or None,
                "tags": list(h.tags),
                "topics": list(h.topics),
                "score": h.score,
                "snippet": h.snippet,
            }
            for h in page.hits
        ],
        "facets": asdict(page.facets),
        "suggestion": page.suggestion,
    }


def _print_search_page(page: SearchPage) -> None:
    query = page.request.query or "(everything)"
    first = page.request.offset + 1 if page.hits else 0
    last = page.request.offset + len(page.hits)
    print(
        f"{page.total} result(s) for {query}" + (f", showing {first}–{last}" if page.hits else "")
    )
    if page.suggestion:
        print(f"Did you mean: {page.suggestion}")
    bold = sys.stdout.isatty()
    for number, hit in enumerate(page.hits, start=first):
        meta = " · ".join(filter(None, (hit.source, hit.published[:10])))
        print(f"{number:>3}. {hit.id}  {hit.title}" + (f"  — {meta}" if meta else ""))
        extras = [f"#{t}" for t in hit.tags] + [f"[{t}]" for t in hit.topics]
        if extras:
            print("     " + " ".join(extras))
        if hit.snippet:
            print("     " + snippet_for_terminal(hit.snippet, bold))
    facets = page.facets
    for label, counts in (
        ("topics", facets.topics),
        ("sources", facets.sources),
        ("years", facets.years),
        ("tags", facets.tags),
    ):
        if counts:
            shown = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:8])
            print(f"  {label}: {shown}")


def snippet_for_terminal(snippet: str, bold: bool) -> str:
    """<mark> becomes bold on a terminal and **…** elsewhere; entities are unescaped."""
    import html

    start, end = ("\033[1m", "\033[0m") if bold else ("**", "**")
    text = re.sub(r"<mark[^>]*>", start, snippet).replace("</mark>", end)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def cmd_show(archive: Archive, args: argparse.Namespace) -> int:
    article = archive.get(args.id)
    if args.json:
        return _print_json(article_json(article))
    print(article.title)
    for label, value in (
        ("id", article.id),
        ("author", article.author),
        ("source", article.source),
        ("published", article.published),
        ("url", article.url),
        ("language", article.language),
        ("tags", ", ".join(article.tags)),
        ("topics", ", ".join(f"{t.topic} ({t.source})" for t in article.topics)),
        ("duplicates", ", ".join(article.duplicates)),
        ("edited", ", ".join(article.edited_fields)),
    ):
        if value:
            print(f"  {label:<10} {value}")
    p = article.provenance
    print(f"  original   {p.filename} ({p.size:,} bytes, sha256 {p.sha256})")
    print(
        f"  imported   {p.imported_at} by the {p.importer} importer (archive-app {p.app_version})"
    )
    for image in article.images:
        size = f"{image.width}×{image.height} {image.format}" if image.sha256 else "not stored"
        label = image.caption or image.alt or image.title or "(no caption)"
        credit = f" — {image.credit}" if image.credit else ""
        print(f"  image {image.position}    {label}{credit} [{size}]")
    for warning in article.warnings:
        print(f"  warning    {warning}")
    print()
    print(article.text)
    return EXIT_OK


def article_json(article) -> dict:
    p = article.provenance
    return {
        "id": article.id,
        "title": article.title,
        "author": article.author,
        "source": article.source,
        "url": article.url,
        "published": article.published or None,
        "language": article.language,
        "text": article.text,
        "html": article.html,
        "images": [
            {
                "sha256": i.sha256,
                "width": i.width,
                "height": i.height,
                "format": i.format or None,
                "caption": i.caption,
                "credit": i.credit,
                "alt": i.alt,
                "title": i.title,
                "url": i.url or None,
                "role": i.role,
            }
            for i in article.images
        ],
        "tags": list(article.tags),
        "topics": [t.topic for t in article.topics],
        "topic_assignments": [
            {"topic": t.topic, "source": t.source, "score": t.score} for t in article.topics
        ],
        "provenance": {
            "sha256": p.sha256,
            "filename": p.filename,
            "size": p.size,
            "imported_at": p.imported_at,
            "importer": p.importer,
            "app_version": p.app_version,
            "record": p.record,
        },
        "duplicates": list(article.duplicates),
        "edited_fields": list(article.edited_fields),
        "warnings": list(article.warnings),
    }


def cmd_tag(archive: Archive, args: argparse.Namespace) -> int:
    return _print_tags_of(archive.resolve_id(args.id), archive.tag(args.id, args.tags), args)


def cmd_untag(archive: Archive, args: argparse.Namespace) -> int:
    return _print_tags_of(archive.resolve_id(args.id), archive.untag(args.id, args.tags), args)


def _print_tags_of(article_id: str, tags: tuple[str, ...], args: argparse.Namespace) -> int:
    if args.json:
        return _print_json({"id": article_id, "tags": list(tags)})
    print(f"{article_id}: {', '.join(tags) or '(no tags)'}")
    return EXIT_OK


def cmd_tags(archive: Archive, args: argparse.Namespace) -> int:
    tags = archive.tags()
    if args.json:
        return _print_json(
            {"tags": [{"name": t.name, "count": t.count, "direct": t.direct} for t in tags]}
        )
    if not tags:
        print("No tags yet.")
    for t in tags:
        depth = t.name.count("/")
        print(f"{'  ' * depth}{t.name.rsplit('/', 1)[-1]}  ({t.count})")
    return EXIT_OK


def cmd_topics(archive: Archive, args: argparse.Namespace) -> int:
    if args.topics_action == "explain":
        return _explain_topics(archive, args)
    if args.topics_action == "reclassify":
        return _reclassify(archive, args)
    counts = archive.topic_counts()
    outdated = archive.topic_rules_outdated()
    if args.json:
        return _print_json(
            {
                "topics": [asdict(c) | {"count": c.total} for c in counts],
                "rules_error": archive.topic_rules_error or None,
                "rules_outdated": outdated,
            }
        )
    print(f"{'topic':<18} {'articles':>8} {'auto':>6} {'manual':>7} {'removed':>8}  label")
    for c in counts:
        print(f"{c.id:<18} {c.total:>8} {c.automatic:>6} {c.manual:>7} {c.removed:>8}  {c.label}")
    if outdated:
        print("The topic rules changed since articles were classified: run `topics reclassify`.")
    return EXIT_OK


def _explain_topics(archive: Archive, args: argparse.Namespace) -> int:
    article = archive.get(args.id)
    explanations = archive.explain_topics(article.id)
    if args.json:
        return _print_json(
            {
                "id": article.id,
                "topics": [
                    asdict(e.score) | {"manual": e.manual, "has_topic": e.assigned}
                    for e in explanations
                ],
            }
        )
    print(f"{article.id}  {article.title}")
    for e in explanations:
        s = e.score
        verdict = "yes" if e.assigned else "no"
        if e.manual is not None:
            verdict += f" (set by hand; the rules say {'yes' if s.assigned else 'no'})"
        print(
            f"\n{s.label} [{s.topic}]: {verdict} — score {s.score:.1f} of {s.threshold:.1f} needed"
        )
        for c in s.contributions:
            print(f"  +{c.points:5.1f}  {c.term}  ×{c.count} (weight {c.weight:g})")
            for sentence in c.sentences:
                print(f"           “{sentence}”")
        for c in s.cancellations:
            print(f"   (not counted) {c.term} ×{c.count}: next to “{c.context}”")
            for sentence in c.sentences[:1]:
                print(f"           “{sentence}”")
        if not s.contributions:
            print("  nothing in the text matched this topic's rules")
    return EXIT_OK


def _reclassify(archive: Archive, args: argparse.Namespace) -> int:
    progress = _progress_printer("classifying") if sys.stderr.isatty() and not args.json else None
    report = archive.reclassify(progress=progress)
    if progress is not None:
        sys.stderr.write("\n")
    if args.json:
        return _print_json(asdict(report))
    print(f"Reclassified {report.articles} articles: {report.changed} changed topics.")
    return EXIT_OK


def cmd_topic(archive: Archive, args: argparse.Namespace) -> int:
    changes = [c for c in args.changes if c != "--json"]
    args.json = args.json or len(changes) != len(args.changes)
    if not changes:
        raise UsageError("give at least one +TOPIC or -TOPIC")
    article_id = archive.resolve_id(args.id)
    decisions = {"+": True, "-": False, "=": None}
    for change in changes:
        if len(change) < 2 or change[0] not in decisions:
            raise UsageError(
                f"write +TOPIC to set, -TOPIC to remove or =TOPIC to leave it to the rules, "
                f"not {change!r}"
            )
        archive.set_topic(article_id, change[1:], assigned=decisions[change[0]])
    topics = [t.topic for t in archive.get(article_id).topics]
    if args.json:
        return _print_json({"id": article_id, "topics": topics})
    print(f"{article_id}: {', '.join(topics) or '(no topics)'}")
    return EXIT_OK


def cmd_edit(archive: Archive, args: argparse.Namespace) -> int:
    changes = {
        f: getattr(args, f)
        for f in ("title", "author", "source", "url", "published")
        if getattr(args, f) is not None
    }
    if not changes:
        raise UsageError("nothing to edit: give --title, --author, --source, --url or --published")
    article = archive.edit(args.id, **changes)
    if args.json:
        return _print_json(article_json(article))
    print(f"{article.id}: edited {', '.join(sorted(changes))}")
    return EXIT_OK


def cmd_delete(archive: Archive, args: argparse.Namespace) -> int:
    article_id = archive.resolve_id(args.id)
    archive.delete(article_id)
    if args.json:
        return _print_json({"deleted": article_id})
    print(f"Deleted {article_id}.")
    return EXIT_OK


def cmd_check(archive: Archive, args: argparse.Namespace) -> int:
    report = archive.check(repair=args.repair)
    if args.json:
        _print_json(asdict(report))
    else:
        verdict = "consistent" if report.ok else "NOT consistent"
        print(f"{report.articles} articles, {report.blobs} stored files: {verdict}.")
        for line in report.problems:
            print(f"  problem   {line}")
        for line in report.repaired:
            print(f"  repaired  {line}")
        for line in report.unrepairable:
            print(f"  cannot repair: {line}")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_rebuild_index(archive: Archive, args: argparse.Namespace) -> int:
    progress = _progress_printer("indexing") if sys.stderr.isatty() and not args.json else None
    count = archive.rebuild_index(progress=progress)
    if progress is not None:
        sys.stderr.write("\n")
    if args.json:
        return _print_json({"indexed": count})
    print(f"Index rebuilt: {count} articles.")
    return EXIT_OK


COMMANDS = {
    "status": cmd_status,
    "import": cmd_import,
    "search": cmd_search,
    "show": cmd_show,
    "tag": cmd_tag,
    "untag": cmd_untag,
    "tags": cmd_tags,
    "topics": cmd_topics,
    "topic": cmd_topic,
    "edit": cmd_edit,
    "delete": cmd_delete,
    "check": cmd_check,
    "rebuild-index": cmd_rebuild_index,
}


# -- helpers -------------------------------------------------------------------


def _date_arg(flag: str, value: str) -> str:
    try:
        return normalize_date(value)
    except ValueError:
        raise UsageError(f"{flag}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _print_json(data: object) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _progress_printer(label: str):
    def report(done: int, total: int) -> None:
        sys.stderr.write(f"\r{label} {done}/{total}")
        sys.stderr.flush()

    return report
