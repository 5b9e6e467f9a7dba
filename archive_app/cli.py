"""`archive-app`: the command line, a twin of every capability of the desktop app.

Exit status: 0 success, 1 some inputs or checks failed, 2 usage error.
`--json` output is a contract (see README): keys are added, never renamed.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from archive_app import __version__
from archive_app.core import backups
from archive_app.core.archive import (
    CATALOG_FILE,
    Archive,
    ArchiveError,
    ArchiveReadOnly,
    ArticleNotFound,
    InvalidValue,
)
from archive_app.core.audit_log import describe
from archive_app.core.catalog import CatalogError, check_damage
from archive_app.core.dates import normalize_date
from archive_app.core.exporting import FORMATS, export_articles
from archive_app.core.importing import readable_path
from archive_app.core.index import IndexDamaged, QuerySyntaxError
from archive_app.core.locations import default_archive_dir, demo_archive_dir, sample_dir
from archive_app.core.locking import ArchiveLocked
from archive_app.core.models import (
    Comparison,
    ImportReport,
    Related,
    SavedSearch,
    SearchPage,
    SearchRequest,
    TagCount,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-app",
        description=(
            "A local research archive: import, search, tag and read articles."
            " Without a command, opens the desktop window."
        ),
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

    command("status", "a summary of the archive")

    p = command("import", "import files and folders (recursively)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")

    p = command("search", "full-text search with the Whoosh query language")
    p.add_argument("query", nargs="?", default="", metavar="QUERY")
    _add_filters(p)
    _add_paging(p)
    p.add_argument(
        "--explain",
        action="store_true",
        help="first show how the query was understood (spellings, transliterations, word forms)",
    )

    p = command("show", "one article with its images, tags, topics and provenance")
    p.add_argument("id")

    p = command("tag", "add tags to an article (hierarchical: region/kherson)")
    p.add_argument("id")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p = command("untag", "remove tags from an article")
    p.add_argument("id")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p = command("tags", "every tag with its count; rename, merge or delete tags")
    actions = p.add_subparsers(dest="tags_action", metavar="ACTION")
    rename = actions.add_parser(
        "rename", help="rename a tag and the tags below it (merging into an existing name)"
    )
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    merge = actions.add_parser("merge", help="merge tags (and the tags below them) into one")
    merge.add_argument("sources", nargs="+", metavar="SOURCE")
    merge.add_argument("target", metavar="TARGET")
    remove = actions.add_parser("delete", help="remove a tag and the tags below it everywhere")
    remove.add_argument("tag", metavar="TAG")
    for action in (rename, merge, remove):
        action.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("note", 'show an article\'s note, or set it ("" removes it)')
    p.add_argument("id")
    p.add_argument("text", nargs="?", default=None, metavar="TEXT")

    p = command("saved", "saved searches with their current counts; run, save, rename, delete")
    actions = p.add_subparsers(dest="saved_action", metavar="ACTION")
    run = actions.add_parser("run", help="run a saved search (output as `search`)")
    run.add_argument("name", metavar="NAME")
    _add_paging(run)
    save = actions.add_parser("save", help="save a search under a name (a same name replaces)")
    save.add_argument("name", metavar="NAME")
    save.add_argument("query", nargs="?", default="", metavar="QUERY")
    _add_filters(save)
    rename = actions.add_parser("rename", help="rename a saved search")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    remove = actions.add_parser("delete", help="delete a saved search")
    remove.add_argument("name", metavar="NAME")
    for action in (run, save, rename, remove):
        action.add_argument("--json", action="store_true", help="machine-readable output")

    p = command(
        "compare", "what two articles share: passages (character offsets), similarity, metadata"
    )
    p.add_argument("a", metavar="ID")
    p.add_argument("b", metavar="ID")

    p = command("related", "articles like this one, and its versions (near-duplicates)")
    p.add_argument("id")
    p.add_argument("--limit", type=int, default=10, help="how many related articles (10)")

    p = command(
        "export",
        "export every hit of a search (or the given ids) as CSV, JSON or HTML,"
        " or the whole archive as a bundle (one .zip) to restore elsewhere with `import`",
    )
    p.add_argument("query", nargs="?", default="", metavar="QUERY")
    p.add_argument(
        "--format",
        required=True,
        choices=(*FORMATS, "bundle"),
        help="csv, json, html, or bundle (the whole archive; no query or filters)",
    )
    p.add_argument("--output", "--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--ids", nargs="+", default=None, metavar="ID", help="these articles instead")
    _add_filters(p)

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
    p.add_argument(
        "--language",
        default=None,
        metavar="CODE",
        help='the article\'s language, such as uk, ru, en ("" detects it again)',
    )

    p = command("delete", "remove an article (its files go when nothing else uses them)")
    p.add_argument("id")

    p = command("log", "the audit log of changes, newest first; --verify checks its hash chain")
    p.add_argument("id", nargs="?", default=None, help="only this article's entries (deleted too)")
    p.add_argument("--limit", type=int, default=50, help="how many entries (50)")
    p.add_argument(
        "--verify", action="store_true", help="check the chain; exit 1 naming the first bad entry"
    )

    p = command("backups", "the catalog's backups: list them, make one now, or restore one")
    actions = p.add_subparsers(dest="backups_action", metavar="ACTION")
    listing = actions.add_parser("list", help="every backup: when, why, size, articles (default)")
    create = actions.add_parser("create", help="make a verified backup of the catalog now")
    restore = actions.add_parser(
        "restore",
        help="put back the newest good backup (or NAME); the catalog in use is kept aside",
    )
    restore.add_argument("name", nargs="?", default="latest", metavar="NAME")
    for action in (listing, create, restore):
        action.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("check", "verify every stored file and the index")
    p.add_argument("--repair", action="store_true", help="fix what can be fixed")
    command("rebuild-index", "rebuild the search index from the catalog")

    p = command("limits", "show or change the import limits (largest file, image, text)")
    p.add_argument("--max-file-mb", type=int, default=None, metavar="MB")
    p.add_argument("--max-image-megapixels", type=int, default=None, metavar="MP")
    p.add_argument("--max-text-chars", type=int, default=None, metavar="N")
    return parser


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--topic", action="append", default=[], metavar="T", help="repeat: all of")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="repeat: all of")
    p.add_argument("--source", action="append", default=[], metavar="S", help="repeat: any of")
    p.add_argument("--since", default="", metavar="DATE")
    p.add_argument("--until", default="", metavar="DATE")
    p.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")


def _add_paging(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--offset", type=int, default=0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # No command: the desktop window, which opens the archive itself (in the background).
        from archive_app.gui.app import run

        return run(args.archive, demo=args.demo)
    if args.command == "backups":  # works on an archive that cannot be opened
        return cmd_backups(demo_archive_dir() if args.demo else args.archive, args)
    opening = _opening_progress()
    try:
        if args.demo:
            from archive_app.core.demo import open_demo_archive

            archive = open_demo_archive(demo_archive_dir(), sample_dir(), log=_err)
        else:
            archive = Archive.open(args.archive or default_archive_dir(), progress=opening)
    except (ArchiveError, ArchiveLocked, CatalogError, OSError) as exc:
        _err(f"archive-app: {exc}")
        return EXIT_FAILED
    finally:
        opening(-1, -1)
    if archive.read_only:
        _err(f"archive-app: read-only: {archive.read_only}")
    if archive.backup_warning:
        _err(f"archive-app: warning: {archive.backup_warning}")
    if archive.topic_rules_error:
        _err(f"archive-app: warning: {archive.topic_rules_error}")
    try:
        with archive:
            handler = COMMANDS[args.command]
            try:
                return handler(archive, args)
            except IndexDamaged as exc:
                # The catalog is intact: rebuild the index from it and answer anyway.
                if archive.read_only:
                    raise ArchiveError(
                        f"the search index is damaged ({exc}); it is rebuilt when the archive"
                        " is next opened for changes"
                    ) from exc
                _err(f"archive-app: the search index is damaged ({exc}); rebuilding it…")
                archive.rebuild_index(_progress_printer("Rebuilding the search index…"))
                return handler(archive, args)
    except (UsageError, ArticleNotFound, InvalidValue, QuerySyntaxError) as exc:
        _err(f"archive-app: {exc}")
        return EXIT_USAGE
    except ArchiveReadOnly as exc:
        _err(f"archive-app: nothing was changed: {exc}")
        return EXIT_FAILED
    except ArchiveError as exc:
        _err(f"archive-app: {exc}")
        return EXIT_FAILED
    except sqlite3.DatabaseError as exc:
        _err(
            f"archive-app: the catalog of {archive.root} could not be read ({exc}); it may be"
            f" damaged. Check it with: archive-app --archive {archive.root} check; restore the"
            " last good backup with: archive-app backups restore"
        )
        return EXIT_FAILED


def _opening_progress():
    """Reports an index rebuild while opening: "Rebuilding the search index… n/N" on stderr.

    On a terminal the line is redrawn; elsewhere it is written when the rebuild
    starts and when it ends. Called with (-1, -1) when opening is over.
    """
    label = "Rebuilding the search index…"
    terminal = sys.stderr.isatty()
    shown = False

    def report(done: int, total: int) -> None:
        nonlocal shown
        if done < 0:
            if shown and terminal:
                sys.stderr.write("\n")
            return
        if terminal:
            sys.stderr.write(f"\r{label} {done}/{total}")
        elif not shown or done >= total:
            sys.stderr.write(f"{label} {done}/{total}\n")
        sys.stderr.flush()
        shown = True

    return report


def cmd_backups(where: Path | None, args: argparse.Namespace) -> int:
    root = where or default_archive_dir()
    folder = backups.backup_folder(root)
    action = args.backups_action or "list"
    if not (root / "archive.json").exists():
        _err(f"archive-app: {root} is not an archive (no archive.json)")
        return EXIT_FAILED
    try:
        if action == "create":
            check_damage(root / CATALOG_FILE, thorough=True)
            made = backups.create_backup(root / CATALOG_FILE, folder, backups.MANUAL)
            backups.prune(folder)
            if args.json:
                return _print_json(_backup_json(made))
            print(f"Backup made and verified: {made.path}")
            return EXIT_OK
        if action == "restore":
            report = backups.restore(root, args.name)
            return _print_restore(report, root, args.json)
    except (backups.BackupError, ArchiveLocked, CatalogError, OSError) as exc:
        _err(f"archive-app: {exc}")
        return EXIT_FAILED
    found = backups.list_backups(folder)
    if args.json:
        return _print_json({"backups": [_backup_json(b) for b in found]})
    if not found:
        print(f"No catalog backups yet in {folder}.")
    for b in found:
        articles = "unreadable" if b.articles is None else f"{b.articles} articles"
        when = b.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"{when}  {b.reason:<10} {b.size / 1e6:8.1f} MB  {articles:<14} {b.name}")
    return EXIT_OK


def _backup_json(b: backups.Backup) -> dict:
    return {
        "name": b.name,
        "path": str(b.path),
        "created_at": b.created_at.isoformat(),
        "reason": b.reason,
        "size": b.size,
        "articles": b.articles,
    }


def _print_restore(report: backups.RestoreReport, root: Path, as_json: bool) -> int:
    if as_json:
        return _print_json(
            {
                "restored": _backup_json(report.restored),
                "replaced": str(report.replaced) if report.replaced else None,
                "recovered": [str(p) for p in report.recovered],
                "recovered_folder": str(report.recovered_folder or "") or None,
            }
        )
    restored = report.restored
    print(f"Restored {restored.name} ({restored.articles} articles, made {restored.created_at}).")
    if report.replaced is not None:
        print(f"The catalog that was in use is kept as {report.replaced}.")
    print("The search index is rebuilt from the restored catalog when the archive next opens.")
    if report.recovered:
        print(
            f"{len(report.recovered)} stored file(s) were added after this backup; they are"
            f" now in {report.recovered_folder}:"
        )
        for path in report.recovered:
            print(f"  {path}")
        print(
            f"Import them again with: archive-app --archive {root} import {report.recovered_folder}"
        )
    return EXIT_OK


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
                "path": readable_path(i.path),
                "title": i.title,
                "record": i.record,
                "warnings": list(i.warnings),
            }
            for i in report.imported
        ],
        "duplicates": [
            {"id": d.id, "path": readable_path(d.path), "record": d.record}
            for d in report.duplicates
        ],
        # Names are escaped where they are not UTF-8 (or hold a newline): JSON needs text.
        "failed": [{"path": readable_path(p.path), "error": p.reason} for p in report.failed],
        "skipped": [{"path": readable_path(p.path), "reason": p.reason} for p in report.skipped],
        "cancelled": report.cancelled,
    }


def _print_import_report(report: ImportReport) -> None:
    print(
        f"Imported {len(report.imported)} article(s); {len(report.duplicates)} duplicate(s), "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped."
    )
    for item in report.imported:
        where = f" {item.record}" if item.record else ""
        print(f"  imported   {item.id}  {item.title}  ({readable_path(item.path)}{where})")
        for warning in item.warnings:
            print(f"    warning: {warning}")
    for dup in report.duplicates:
        print(f"  duplicate  {readable_path(dup.path)}: already in the archive as {dup.id}")
    for problem in report.failed:
        print(f"  failed     {readable_path(problem.path)}: {problem.reason}")
    for problem in report.skipped:
        print(f"  skipped    {readable_path(problem.path)}: {problem.reason}")


def cmd_search(archive: Archive, args: argparse.Namespace) -> int:
    request = _search_request(args)
    if archive.variants_error:
        _err(f"archive-app: warning: {archive.variants_error}")
    if not args.explain:
        return _run_search(archive, request, args)
    explanation = archive.explain_query(request.query)
    if args.json:
        if args.limit < 0 or args.offset < 0:
            raise UsageError("--limit and --offset must not be negative")
        page = archive.search(replace(request, limit=args.limit, offset=args.offset))
        return _print_json(search_page_json(page) | {"explanation": explanation})
    print(explanation)
    print()
    return _run_search(archive, request, args)


def _search_request(args: argparse.Namespace) -> SearchRequest:
    """The request the filter options describe (paging from --limit/--offset when given)."""
    return SearchRequest(
        query=args.query,
        topics=tuple(args.topic),
        tags=tuple(args.tag),
        sources=tuple(args.source),
        since=_date_arg("--since", args.since),
        until=_date_arg("--until", args.until),
        sort=args.sort,
    )


def _run_search(archive: Archive, request: SearchRequest, args: argparse.Namespace) -> int:
    if args.limit < 0 or args.offset < 0:
        raise UsageError("--limit and --offset must not be negative")
    page = archive.search(replace(request, limit=args.limit, offset=args.offset))
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
                "author": h.author,
                "lead_image": h.lead_image,
                "versions": h.versions,
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
        versions = f"  ({_versions(hit.versions)})" if hit.versions else ""
        print(f"{number:>3}. {hit.id}  {hit.title}" + (f"  — {meta}" if meta else "") + versions)
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


def _versions(count: int) -> str:
    return f"{count} other version{'s' if count != 1 else ''}"


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
        ("note", article.note.replace("\n", "\n             ")),
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
        "note": article.note,
    }


def cmd_compare(archive: Archive, args: argparse.Namespace) -> int:
    comparison = archive.compare(args.a, args.b)
    if args.json:
        return _print_json(comparison_json(comparison))
    a, b = archive.get(comparison.a), archive.get(comparison.b)
    print(f"a  {a.id}  {a.title}")
    print(f"b  {b.id}  {b.title}")
    count = len(comparison.shared)
    print(
        f"Similarity {comparison.similarity:.0%}: {count} shared passage{'s' if count != 1 else ''}"
        " (character offsets into each article's text)"
    )
    for number, passage in enumerate(comparison.shared, start=1):
        kind = "exact" if passage.exact else "with small edits"
        print(
            f"{number:>3}. a {passage.a.start}–{passage.a.end}, b {passage.b.start}–{passage.b.end}"
            f" ({kind})"
        )
        print(f"     a: “{quote(a.text[passage.a.start : passage.a.end])}”")
        if not passage.exact:
            print(f"     b: “{quote(b.text[passage.b.start : passage.b.end])}”")
    if comparison.metadata_differences:
        print("Metadata differences:")
        for name, (in_a, in_b) in comparison.metadata_differences.items():
            print(f"  {name:<10} a: {in_a or '(none)'}")
            print(f"  {'':<10} b: {in_b or '(none)'}")
    else:
        print("Metadata: the same title, author, source, date and URL.")
    if comparison.shared_images:
        print(f"Shared images: {', '.join(comparison.shared_images)}")
    return EXIT_OK


def comparison_json(comparison: Comparison) -> dict:
    return {
        "a": comparison.a,
        "b": comparison.b,
        "similarity": comparison.similarity,
        "shared": [
            {
                "a": {"start": p.a.start, "end": p.a.end},
                "b": {"start": p.b.start, "end": p.b.end},
                "exact": p.exact,
            }
            for p in comparison.shared
        ],
        "metadata_differences": {
            name: {"a": in_a, "b": in_b}
            for name, (in_a, in_b) in comparison.metadata_differences.items()
        },
        "shared_images": list(comparison.shared_images),
    }


def quote(text: str, width: int = 90) -> str:
    """A passage on one line, its middle left out when it is long."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    half = (width - 3) // 2
    head = text[:half].rsplit(" ", 1)[0]  # whole words at both ends
    tail = text[-half:].split(" ", 1)[-1]
    return f"{head} … {tail}"


def cmd_related(archive: Archive, args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise UsageError("--limit must not be negative")
    found = archive.related(args.id, limit=args.limit)
    if args.json:
        return _print_json(related_json(found))
    print(f"{found.id}  {archive.get(found.id).title}")
    if found.near_duplicates:
        print(f"Versions of the same text ({len(found.near_duplicates)}):")
        for dup in found.near_duplicates:
            print(f"  {dup.id}  {dup.similarity:>4.0%}  {dup.title}")
    else:
        print("No other versions of this text in the archive.")
    if found.related:
        print("Related articles (by their distinctive words):")
        for item in found.related:
            print(f"  {item.id}  {item.score:>6.1f}  {item.title}")
    else:
        print("No related articles.")
    return EXIT_OK


def related_json(found: Related) -> dict:
    return {
        "id": found.id,
        "related": [{"id": r.id, "score": r.score, "title": r.title} for r in found.related],
        "near_duplicates": [
            {"id": d.id, "similarity": d.similarity, "title": d.title}
            for d in found.near_duplicates
        ],
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
    if args.tags_action is not None:
        return _change_tags(archive, args)
    tags = archive.tags()
    if args.json:
        return _print_json({"tags": _tags_json(tags)})
    if not tags:
        print("No tags yet.")
    for t in tags:
        depth = t.name.count("/")
        print(f"{'  ' * depth}{t.name.rsplit('/', 1)[-1]}  ({t.count})")
    return EXIT_OK


def _tags_json(tags: list[TagCount]) -> list[dict]:
    return [{"name": t.name, "count": t.count, "direct": t.direct} for t in tags]


def _change_tags(archive: Archive, args: argparse.Namespace) -> int:
    if args.tags_action == "rename":
        changed = archive.rename_tag(args.old, args.new)
        done = f"Renamed {args.old} to {args.new}"
    elif args.tags_action == "merge":
        changed = archive.merge_tags(args.sources, args.target)
        done = f"Merged {', '.join(args.sources)} into {args.target}"
    else:
        changed = archive.delete_tag(args.tag)
        done = f"Deleted {args.tag}"
    if args.json:
        return _print_json({"changed": changed, "tags": _tags_json(archive.tags())})
    print(f"{done}: {changed} article(s) changed.")
    return EXIT_OK


def cmd_note(archive: Archive, args: argparse.Namespace) -> int:
    article_id = archive.resolve_id(args.id)
    if args.text is not None:
        archive.set_note(article_id, args.text)
    note = archive.get(article_id).note
    if args.json:
        return _print_json({"id": article_id, "note": note})
    if args.text is None:
        if note:
            print(note)
    else:
        print(f"{article_id}: {'note saved' if note else 'note removed'}")
    return EXIT_OK


def cmd_saved(archive: Archive, args: argparse.Namespace) -> int:
    action = args.saved_action
    if action == "run":
        wanted = " ".join(args.name.split()).lower()  # names compare as the archive keeps them
        found = [s for s in archive.saved_searches() if s.name.lower() == wanted]
        if not found:
            raise UsageError(f"no saved search named {args.name!r} (see `saved`)")
        return _run_search(archive, found[0].request, args)
    if action == "save":
        kept = archive.save_search(args.name, _search_request(args))
        return _print_saved(archive, [kept], args, f"Saved {kept.name!r}.")
    if action == "rename":
        archive.rename_saved_search(args.old, args.new)
        return _print_saved(archive, archive.saved_searches(), args, f"Renamed to {args.new!r}.")
    if action == "delete":
        archive.delete_saved_search(args.name)
        return _print_saved(archive, archive.saved_searches(), args, f"Deleted {args.name!r}.")
    return _print_saved(archive, archive.saved_searches(), args, "")


def _print_saved(
    archive: Archive, searches: list[SavedSearch], args: argparse.Namespace, done: str
) -> int:
    counted = [
        (s, archive.search(replace(s.request, limit=0, snippets=False)).total) for s in searches
    ]
    if args.json:
        return _print_json({"saved": [_saved_json(s, count) for s, count in counted]})
    if done:
        print(done)
        return EXIT_OK
    if not counted:
        print("No saved searches yet. Save one with: archive-app saved save NAME QUERY")
    for s, count in counted:
        print(f"{s.name}  ({count})  {_describe(s.request)}")
    return EXIT_OK


def _saved_json(saved: SavedSearch, count: int) -> dict:
    r = saved.request
    return {
        "name": saved.name,
        "query": r.query,
        "topics": list(r.topics),
        "tags": list(r.tags),
        "sources": list(r.sources),
        "since": r.since or None,
        "until": r.until or None,
        "sort": r.sort,
        "count": count,
    }


def _describe(request: SearchRequest) -> str:
    parts = [request.query or "(everything)"]
    parts += [f"--topic {t}" for t in request.topics] + [f"--tag {t}" for t in request.tags]
    parts += [f"--source {s!r}" for s in request.sources]
    parts += [f"--{k} {v}" for k, v in (("since", request.since), ("until", request.until)) if v]
    if request.sort != "relevance":
        parts.append(f"--sort {request.sort}")
    return " ".join(parts)


def cmd_export(archive: Archive, args: argparse.Namespace) -> int:
    if args.format == "bundle":
        return _export_bundle(archive, args)
    if args.ids is not None:
        if args.topic or args.tag or args.source or args.since or args.until:
            raise UsageError("--ids cannot be combined with --topic, --tag, --source or dates")
        ids = list(dict.fromkeys(archive.resolve_id(i) for i in args.ids))
    else:
        ids = list(archive.search_ids(_search_request(args)).ids)
    report = _writing_export(
        args,
        "exporting",
        lambda progress: export_articles(
            archive, ids, args.output, args.format, query=args.query, progress=progress
        ),
    )
    if report is None:
        return EXIT_FAILED
    if args.json:
        return _print_json(asdict(report))
    print(f"Exported {report.count} article(s) to {report.path} ({report.format}).")
    return EXIT_OK


def _writing_export(
    args: argparse.Namespace, label: str, write: Callable[[Callable | None], object]
):
    """Run `write` with progress on a terminal; None (after saying why) when the file fails."""
    progress = _progress_printer(label) if sys.stderr.isatty() and not args.json else None
    try:
        return write(progress)
    except OSError as exc:
        _err(f"archive-app: cannot write {args.output}: {exc.strerror or exc}")
        return None
    finally:
        if progress is not None:
            sys.stderr.write("\n")


def _export_bundle(archive: Archive, args: argparse.Namespace) -> int:
    """The whole archive in one file; a query, filters or ids would make it a part."""
    given = [
        flag
        for flag, used in (
            ("QUERY", bool(args.query)),
            ("--ids", args.ids is not None),
            ("--topic", bool(args.topic)),
            ("--tag", bool(args.tag)),
            ("--source", bool(args.source)),
            ("--since", bool(args.since)),
            ("--until", bool(args.until)),
            ("--sort", args.sort != "relevance"),
        )
        if used
    ]
    if given:
        raise UsageError(f"--format bundle exports the whole archive; leave out {', '.join(given)}")
    report = _writing_export(
        args, "bundling", lambda progress: archive.export_bundle(args.output, progress=progress)
    )
    if report is None:
        return EXIT_FAILED
    if args.json:
        return _print_json(asdict(report))
    print(
        f"Exported the whole archive ({report.articles} article(s), {report.files} files,"
        f" {report.size / 1e6:.1f} MB) to {report.path}."
    )
    print("Restore it into a new, empty archive with: archive-app --archive DIR import FILE")
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
    if not changes and args.language is None:
        raise UsageError(
            "nothing to edit: give --title, --author, --source, --url, --published or --language"
        )
    article = archive.edit(args.id, **changes) if changes else None
    if args.language is not None:
        article = archive.set_language(args.id, args.language)
        changes["language"] = article.language
    if args.json:
        return _print_json(article_json(article))
    print(f"{article.id}: edited {', '.join(sorted(changes))}")
    if args.language is not None:
        print(f"  language   {article.language or '(not detected)'}")
    return EXIT_OK


def cmd_delete(archive: Archive, args: argparse.Namespace) -> int:
    article_id = archive.resolve_id(args.id)
    archive.delete(article_id)
    if args.json:
        return _print_json({"deleted": article_id})
    print(f"Deleted {article_id}.")
    return EXIT_OK


def cmd_log(archive: Archive, args: argparse.Namespace) -> int:
    if args.verify:
        return _verify_log(archive, args)
    if args.limit < 0:
        raise UsageError("--limit must not be negative")
    entries = archive.log(args.id, limit=args.limit)
    if args.json:
        return _print_json({"entries": [asdict(e) for e in entries]})
    if not entries:
        print("No log entries" + (f" for {args.id}." if args.id else "."))
    for e in entries:
        print(f"{e.seq:>6}  {e.at}  {e.action:<17} {e.article_id or '-':<12}  {describe(e)}")
    return EXIT_OK


def _verify_log(archive: Archive, args: argparse.Namespace) -> int:
    problems = archive.verify_log()
    newest = archive.log(limit=1)
    count, head = (newest[0].seq, newest[0].hash) if newest else (0, "")
    if args.json:
        _print_json({"ok": not problems, "entries": count, "head": head, "problems": problems})
    elif problems:
        print(f"The log is NOT intact ({len(problems)} problem(s)); the first bad entry:")
        print(f"  {problems[0]}")
        for problem in problems[1:]:
            print(f"  problem   {problem}")
    else:
        # Kept elsewhere, the newest hash proves later that nothing before it was rewritten.
        print(f"The log is intact: {count} entries, the newest {head or '(none)'}.")
    return EXIT_FAILED if problems else EXIT_OK


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


def cmd_limits(archive: Archive, args: argparse.Namespace) -> int:
    from archive_app.core.limits import LABELS, OPTIONS

    for warning in archive.limits_warnings:
        _err(f"archive-app: warning: {warning}")
    changes = {name: getattr(args, name) for name in OPTIONS}
    if any(value is not None for value in changes.values()):
        archive.set_limits(**changes)
    values = archive.limits.as_dict()
    if args.json:
        return _print_json(values)
    for name, value in values.items():
        print(f"{LABELS[name]:<36} {value:>13,}   ({OPTIONS[name]})")
    return EXIT_OK


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
    "note": cmd_note,
    "saved": cmd_saved,
    "compare": cmd_compare,
    "related": cmd_related,
    "export": cmd_export,
    "topics": cmd_topics,
    "topic": cmd_topic,
    "edit": cmd_edit,
    "delete": cmd_delete,
    "log": cmd_log,
    "check": cmd_check,
    "rebuild-index": cmd_rebuild_index,
    "limits": cmd_limits,
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
    def report(done: int, total: int, _current: str = "") -> None:
        sys.stderr.write(f"\r{label} {done}/{total}")
        sys.stderr.flush()

    return report
