"""The main window: search bar, sidebar, results and reader over one archive.

The window opens at once and opens the archive in the background (which may
mean building the sample archive or rebuilding a damaged index), showing
progress meanwhile. Every call into the archive that can take longer than a
frame goes through the task runner; this module only wires widgets together.
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from archive_app import __version__
from archive_app.core import backups
from archive_app.core.archive import Archive, ArchiveReadOnly
from archive_app.core.catalog import CatalogDamaged
from archive_app.core.index import IndexDamaged, QuerySyntaxError
from archive_app.core.models import ResultIds, SavedSearch, SearchRequest
from archive_app.gui.check_flow import CheckFlow
from archive_app.gui.compare_view import CompareView
from archive_app.gui.export_dialog import ExportDialog
from archive_app.gui.filters import Filters
from archive_app.gui.import_flow import (
    DropImportFilter,
    ImportController,
    ImportProgressWidget,
    choose_files,
    choose_folder,
)
from archive_app.gui.import_summary import ImportSummaryDialog
from archive_app.gui.limits_dialog import LimitsDialog
from archive_app.gui.long_lived import freeze_long_lived_objects, unfreeze_long_lived_objects
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.reader import ArticleReader
from archive_app.gui.results_view import ResultsView
from archive_app.gui.search_bar import SearchBar
from archive_app.gui.settings import Settings
from archive_app.gui.sidebar import Sidebar
from archive_app.gui.tasks import TaskRunner
from archive_app.gui.welcome import BusyPanel, ProblemPanel, WelcomePanel

APP_TITLE = "archive-app"


@dataclass(frozen=True)
class Places:
    """Where archives live; passed in so that tests use temporary folders."""

    default_archive: Path
    demo_archive: Path
    sample: Path


@dataclass(frozen=True)
class ArchiveChoice:
    path: Path
    demo: bool = False


def open_archive(choice: ArchiveChoice, places: Places, progress=None) -> Archive:
    """Open (or create, or build the sample into) an archive. Runs on the writer.

    `progress(done, total)` reports an index rebuild. While another program has
    the archive open for changes, it opens for reading only (`archive.read_only`).
    """
    if choice.demo:
        from archive_app.core.demo import open_demo_archive

        return open_demo_archive(choice.path, places.sample)
    return Archive.open(choice.path, progress=progress, backup_now=False)


def restore_catalog(root: Path) -> backups.RestoreReport:
    """Put back the newest good catalog backup. Runs on the writer, with no archive open."""
    return backups.restore(root)


class Library(QWidget):
    """The three panes over one open archive; rebuilt when another archive is opened."""

    def __init__(self, archive: Archive, tasks: TaskRunner, settings: Settings) -> None:
        super().__init__()
        self.sidebar = Sidebar(archive, tasks)
        self.results = ResultsView(archive, tasks)
        self.reader = ArticleReader(archive, tasks)
        self.reader.set_blur_policy(settings.blur_policy)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(self.reader)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([230, 420, 620])
        # Comparisons open as tabs beside the library; the bar shows only when there are some.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.splitter, "Library")
        self.tabs.tabBar().setTabButton(0, QTabBar.ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def open_tab(self, widget: QWidget, title: str) -> None:
        index = self.tabs.addTab(widget, title)
        self.tabs.setTabToolTip(index, title)
        self.tabs.setCurrentIndex(index)

    def close_tab(self, index: int) -> bool:
        """Close a comparison tab; the library tab (0) stays. False when there was none."""
        if index <= 0:
            return False
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        stop = getattr(widget, "stop", None)  # a comparison still loading drops its tasks
        if stop is not None:
            stop()
        widget.deleteLater()
        return True


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        tasks: TaskRunner,
        places: Places,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.tasks = tasks
        self.places = places
        self.archive: Archive | None = None
        self._rebuilding = False  # an index rebuild after damage found while searching
        self.choice: ArchiveChoice | None = None
        self.library: Library | None = None
        self.importer: ImportController | None = None
        self.checker: CheckFlow | None = None
        self.last_report = None
        self.result_ids: ResultIds | None = None
        self._search_pending = False

        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(1024, 640)
        self.search_bar = SearchBar()
        self.search_bar.query_changed.connect(lambda _q: self.search())
        self.search_bar.explain_requested.connect(self.explain_query)
        self.banner = QLabel()
        self.banner.setObjectName("sampleBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.linkActivated.connect(self._banner_link)
        self.banner.setContentsMargins(10, 4, 10, 4)
        self.banner.setStyleSheet(
            "#sampleBanner { background: palette(alternate-base); border-bottom: 1px solid"
            " palette(mid); }"
        )
        self.banner.hide()
        self.pages = QStackedWidget()
        self.busy = BusyPanel()
        self.problem = ProblemPanel()
        self.welcome = WelcomePanel()
        for page in (self.busy, self.problem, self.welcome):
            self.pages.addWidget(page)
        self.problem.retry.connect(lambda: self.choice and self.open_archive(self.choice))
        self.restore_button = self.problem.add_action("Restore last good backup…")
        self.restore_button.clicked.connect(self.restore_backup)
        self.restore_button.hide()
        self.problem.choose_archive.connect(self.choose_archive)
        self.problem.open_sample.connect(self.open_sample_archive)
        self.welcome.import_files.connect(self.import_files)
        self.welcome.import_folder.connect(self.import_folder)
        self.welcome.open_sample.connect(self.open_sample_archive)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.search_bar)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.import_progress = ImportProgressWidget()
        self.statusBar().addPermanentWidget(self.import_progress)
        self.summary_link = QLabel()
        self.summary_link.setTextFormat(Qt.TextFormat.RichText)
        self.summary_link.linkActivated.connect(lambda _l: self.show_import_summary())
        self.statusBar().addWidget(self.summary_link, 1)
        self.drop_filter = DropImportFilter(self, self.import_paths)
        self.setAcceptDrops(True)
        self.installEventFilter(self.drop_filter)

        self._build_menus()
        self._restore_layout()
        self._set_archive_actions(False)

    # -- menus ----------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.import_files_action = self._action(
            file, "&Import Files…", self.import_files, "Ctrl+I", "Import articles into the archive"
        )
        self.import_folder_action = self._action(
            file, "Import &Folder…", self.import_folder, "Ctrl+Shift+I"
        )
        self.export_action = self._action(
            file, "&Export…", self.export, "Ctrl+E", "Export the selected or all results"
        )
        self.check_action = self._action(
            file,
            "&Check Archive…",
            self.check_archive,
            tip="Verify every stored file, the catalog, the search index and the log",
        )
        file.addSeparator()
        self._action(file, "&Open Archive…", self.choose_archive, QKeySequence.StandardKey.Open)
        self._action(file, "Open the &Sample Archive", self.open_sample_archive)
        file.addSeparator()
        self._action(
            file, "&Close Tab or Window", self.close_tab_or_window, QKeySequence.StandardKey.Close
        )
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        self._action(edit, "&Find", self.search_bar.focus, QKeySequence.StandardKey.Find)
        self.save_search_action = self._action(edit, "&Save Search…", self.save_search, "Ctrl+S")
        edit.addSeparator()
        self.compare_action = self._action(
            edit, "&Compare Selected", self.compare_selected, "Ctrl+Shift+C"
        )
        # The list's own action takes the key while the list has focus; this one is for
        # the menu and for the key elsewhere in the window.
        self.compare_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.edit_metadata_action = self._action(
            edit, "Edit &Metadata…", self._edit_metadata, "Ctrl+Shift+E"
        )
        self.delete_action = self._action(
            edit, "&Delete Article…", self.delete_selected, QKeySequence.StandardKey.Delete
        )
        # The key itself belongs to the results list's own action, so that it never fires
        # while typing in the search field, a tag editor or the notes; here it is a hint.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        edit.addSeparator()
        self.limits_action = self._action(edit, "Import &Limits…", self.show_limits)

        view = bar.addMenu("&View")
        self._action(view, "Clear All &Filters", self.clear_filters, "Ctrl+Shift+L")
        self._action(
            view, "Next Hit in Article", self._find_next, QKeySequence.StandardKey.FindNext
        )
        self._action(
            view,
            "Previous Hit in Article",
            self._find_previous,
            QKeySequence.StandardKey.FindPrevious,
        )
        blur = view.addMenu("&Blur Images")
        group = QActionGroup(self)
        self.blur_actions: dict[str, QAction] = {}
        for policy, text in (
            ("topic", "In Child-Welfare Articles"),
            ("always", "Always"),
            ("never", "Never"),
        ):
            action = QAction(text, self, checkable=True)
            action.setChecked(policy == self.settings.blur_policy)
            action.triggered.connect(lambda _c=False, p=policy: self.set_blur_policy(p))
            group.addAction(action)
            blur.addAction(action)
            self.blur_actions[policy] = action

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Search &Syntax", self.search_bar.show_help, "F1")
        self._action(help_menu, "&About archive-app", self.about)
        self.archive_actions = [
            self.import_files_action,
            self.import_folder_action,
            self.export_action,
            self.check_action,
            self.save_search_action,
            self.compare_action,
            self.edit_metadata_action,
            self.delete_action,
            self.limits_action,
        ]
        self.write_actions = [
            self.import_files_action,
            self.import_folder_action,
            self.save_search_action,
            self.edit_metadata_action,
            self.delete_action,
            self.limits_action,
        ]

    def _set_archive_actions(self, enabled: bool) -> None:
        for action in self.archive_actions:
            action.setEnabled(enabled)
        self.search_bar.setEnabled(enabled)
        if enabled and self.archive is not None and self.archive.read_only:
            # Reading, searching, comparing and exporting go on; changing does not.
            for action in self.write_actions:
                action.setEnabled(False)
                action.setStatusTip(f"Not possible here: {self.archive.read_only}")
        else:
            for action in self.write_actions:
                action.setStatusTip("")
        writable = enabled and self.archive is not None and not self.archive.read_only
        for button in (self.welcome.import_files_button, self.welcome.import_folder_button):
            button.setEnabled(writable or not enabled)

    # -- opening archives -----------------------------------------------------------------

    def open_initial_archive(self, choice: ArchiveChoice | None = None) -> None:
        """The archive named on the command line, else the last one, else the default."""
        if choice is None:
            last = self.settings.last_archive
            if last is not None and (last / "archive.json").exists():
                choice = ArchiveChoice(last, demo=self.settings.last_was_demo)
            else:
                choice = ArchiveChoice(self.places.default_archive)
        self.open_archive(choice)

    def open_default_archive(self) -> None:
        self.open_archive(ArchiveChoice(self.places.default_archive))

    def open_sample_archive(self) -> None:
        self.open_archive(ArchiveChoice(self.places.demo_archive, demo=True))

    def choose_archive(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open an archive folder (or an empty folder for a new archive)"
        )
        if folder:
            self.open_archive(ArchiveChoice(Path(folder)))

    def open_archive(self, choice: ArchiveChoice) -> None:
        if self.importer is not None and self.importer.busy:
            QMessageBox.information(
                self, APP_TITLE, "Please wait for the import to finish, or cancel it, first."
            )
            return
        self._close_archive()
        self.choice = choice
        title = "Building the sample archive…" if choice.demo else "Opening the archive…"
        self.busy.show_progress(title, detail=str(choice.path))
        self.pages.setCurrentWidget(self.busy)
        self.search_bar.hide()
        places = self.places
        self.tasks.run(
            lambda job: open_archive(choice, places, job.progress),
            on_done=self._archive_opened,
            on_error=self._archive_failed,
            on_progress=lambda done, total, _text: self._opening_progress(choice, done, total),
            write=True,
            key="open-archive",
        )

    def _opening_progress(self, choice: ArchiveChoice, done: int, total: int) -> None:
        if self.choice is choice and self.archive is None:
            self.busy.show_progress(
                "Rebuilding the search index…", done, total, f"{done:,} of {total:,} articles"
            )

    def _archive_failed(self, exc: Exception, details: str) -> None:
        where = self.choice.path if self.choice else ""
        self.problem.show_problem(f"{friendly_message(exc)}\n\n{where}", details)
        # A damaged catalog: offer its last good backup (demo archives are rebuilt instead).
        self.restore_button.setVisible(
            isinstance(exc, CatalogDamaged | sqlite3.DatabaseError)
            and self.choice is not None
            and not self.choice.demo
        )
        self.pages.setCurrentWidget(self.problem)
        self.search_bar.hide()
        self.setWindowTitle(APP_TITLE)

    def restore_backup(self) -> None:
        """Put back the newest good catalog backup (after asking), then open the archive again."""
        choice = self.choice
        if choice is None or self.archive is not None:
            return
        found = backups.list_backups(backups.backup_folder(choice.path), count_articles=False)
        if not found:
            show_error(
                self,
                "No backup to restore",
                f"There is no catalog backup in {backups.backup_folder(choice.path)}.",
            )
            return
        newest = found[0]
        answer = QMessageBox.question(
            self,
            "Restore last good backup",
            "Put back the newest good backup of the catalog (the one from "
            f"{newest.created_at:%Y-%m-%d %H:%M} UTC, if it passes its check)?\n\n"
            "The damaged catalog is kept beside it, not deleted. Articles imported after "
            "the backup are not in it; their files are moved to the archive's “recovered” "
            "folder, from where they can be imported again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.busy.show_progress("Restoring the catalog…", detail=str(choice.path))
        self.pages.setCurrentWidget(self.busy)
        self.tasks.run(
            lambda job: restore_catalog(choice.path),
            on_done=lambda report: self._restored(choice, report),
            on_error=self._archive_failed,
            write=True,
            key="open-archive",
        )

    def _restored(self, choice: ArchiveChoice, report: backups.RestoreReport) -> None:
        self.open_archive(choice)
        message = f"Restored the catalog backup {report.restored.name}."
        if report.recovered:
            message += (
                f" {len(report.recovered)} file(s) added since are in {report.recovered_folder};"
                " import that folder to bring them back."
            )
        self.statusBar().showMessage(message)

    def _archive_opened(self, archive: Archive) -> None:
        self.archive = archive
        assert self.choice is not None
        self.settings.last_archive = self.choice.path
        self.settings.last_was_demo = self.choice.demo
        self.library = library = Library(archive, self.tasks, self.settings)
        self.pages.addWidget(library)
        state = self.settings.splitter_state("library")
        if state is not None:
            library.splitter.restoreState(state)
        library.sidebar.filters_changed.connect(lambda _f: self.search())
        library.sidebar.saved_search_activated.connect(self.run_saved_search)
        library.sidebar.save_requested.connect(self.save_search)
        library.sidebar.tags_changed.connect(self._tags_changed)
        library.results.current_changed.connect(self._show_article)
        library.results.sort_changed.connect(self._sort_changed)
        library.results.tags_changed.connect(self._tags_changed)
        library.results.export_requested.connect(lambda ids: self.export(ids))
        library.results.delete_requested.connect(self.delete_articles)
        library.reader.tags_changed.connect(self._tags_changed)
        library.reader.article_changed.connect(lambda _id: self.search(keep_selection=True))
        library.reader.open_article_requested.connect(self.show_article)
        library.reader.compare_requested.connect(self.open_comparison)
        library.results.compare_requested.connect(self.open_comparison)
        library.results.versions_requested.connect(self.open_versions)
        library.results.set_sort(self.settings.sort)
        self.importer = ImportController(archive, self.tasks, self)
        self.checker = CheckFlow(archive, self.tasks, self)
        self.checker.progress.connect(self.statusBar().showMessage)
        self.import_progress.attach(self.importer)
        self.importer.finished.connect(self._import_finished)
        self.importer.failed.connect(
            lambda message: show_error(
                self, "Import failed", message, self.importer.last_error_details
            )
        )
        self._set_archive_actions(True)
        name = "Sample archive (fictional articles)" if self.choice.demo else str(archive.root)
        if archive.read_only:
            name += " (read-only)"
        self.setWindowTitle(f"{name} — {APP_TITLE}")
        self._show_banner(archive)
        self.welcome.set_location(str(archive.root))
        if archive.topic_rules_error:
            self.statusBar().showMessage(f"Topic rules not used: {archive.topic_rules_error}")
        self._show_library_or_welcome()
        self.search()
        if archive.daily_backup_due:
            self.tasks.run(
                lambda job: archive.make_daily_backup(),
                on_done=self._backup_made,
                on_error=lambda exc, _details: self._backup_made(friendly_message(exc)),
                write=True,
                key="daily-backup",
            )
        # What exists now lives as long as the archive stays open: later full garbage
        # collections, which hold up the window whichever thread runs them, skip it.
        freeze_long_lived_objects()

    def _backup_made(self, warning: str) -> None:
        if warning:
            self.statusBar().showMessage(f"Catalog backup: {warning}")

    def _show_banner(self, archive: Archive) -> None:
        if archive.read_only:
            self.banner.setText(
                f"<b>Read-only.</b> {html.escape(_sentence_case(archive.read_only))}. "
                '<a href="reopen">Open again</a> once it has been closed there.'
            )
        else:
            self.banner.setText(
                "<b>Sample archive.</b> These articles, places and organisations are fictional, "
                "written to show what the app does. "
                '<a href="own">Open your own archive</a>'
            )
        self.banner.setVisible(bool(archive.read_only) or bool(self.choice and self.choice.demo))

    def _banner_link(self, link: str) -> None:
        if link == "reopen" and self.choice is not None:
            self.open_archive(self.choice)
        else:
            self.open_default_archive()

    def _show_library_or_welcome(self) -> None:
        if self.archive is None or self.library is None:
            return
        empty = self.archive.article_count() == 0
        self.pages.setCurrentWidget(self.welcome if empty else self.library)
        self.search_bar.setVisible(not empty)

    def _close_archive(self) -> None:
        if self.archive is None:
            return
        self.tasks.cancel_all()
        self.tasks.wait()
        if self.library is not None:
            self.pages.removeWidget(self.library)
            self.library.deleteLater()
            self.library = None
        if self.importer is not None:
            self.import_progress.detach()
            self.importer.deleteLater()
            self.importer = None
        if self.checker is not None:
            self.checker.deleteLater()
            self.checker = None
        self.archive.close()
        self.archive = None
        self.result_ids = None
        unfreeze_long_lived_objects()  # the closed archive's reference cycles can go now
        self._set_archive_actions(False)
        self.banner.hide()  # it spoke of the archive just closed

    # -- searching -----------------------------------------------------------------------

    def current_request(self) -> SearchRequest:
        request = SearchRequest(
            query=self.search_bar.query,
            sort=self.library.results.sort() if self.library else self.settings.sort,
        )
        return self.library.sidebar.filters().apply(request) if self.library else request

    def search(self, *, keep_selection: bool = False) -> None:
        if self.archive is None or self.library is None:
            return
        archive, request = self.archive, self.current_request()
        selected = self.library.results.selected_ids() if keep_selection else []
        self.tasks.run(
            lambda job: archive.search_ids(request),
            on_done=lambda result: self._show_results(result, selected),
            on_error=self._search_failed,
            key="search",
        )

    def _show_results(self, result: ResultIds, selected: list[str]) -> None:
        if self.library is None:
            return
        self.result_ids = result
        library = self.library
        library.results.set_results(result)
        library.sidebar.set_facets(result.facets)
        library.reader.set_query(result.request.query)
        browsing = not result.request.query and Filters.from_request(result.request).is_empty
        self.search_bar.show_count(result.total, browsing=browsing)
        self.search_bar.show_suggestion(result.suggestion if result.total < 5 else None)
        if selected:
            library.results.select_id(selected[0])

    def explain_query(self, query: str) -> None:
        """Show how the archive understood the query (spellings, forms, transliterations)."""
        if self.archive is None or not query.strip():
            return
        archive = self.archive
        self.tasks.run(
            lambda job: archive.explain_query(query),
            on_done=self.search_bar.show_explanation,
            on_error=self._search_failed,
            key="explain",
        )

    def _search_failed(self, exc: Exception, details: str) -> None:
        if isinstance(exc, QuerySyntaxError):
            self.search_bar.show_error(str(exc))
        elif isinstance(exc, IndexDamaged) and self.archive is not None:
            self.rebuild_damaged_index()
        else:
            show_error(self, "Search failed", friendly_message(exc), details)

    def rebuild_damaged_index(self) -> None:
        """The index failed while searching: build it again from the catalog, then search."""
        archive = self.archive
        if archive is None or self._rebuilding:
            return
        if archive.read_only:
            show_error(
                self,
                "Search failed",
                "The search index is damaged. It is rebuilt when the archive is next "
                "opened in the window that can change it.",
                archive.read_only,
            )
            return
        self._rebuilding = True
        title = "The search index was damaged; rebuilding it from the catalog…"
        self.busy.show_progress(title, detail=str(archive.root))
        self.pages.setCurrentWidget(self.busy)
        self.search_bar.hide()

        def rebuilt(_count: int) -> None:
            self._rebuilding = False
            self._show_library_or_welcome()
            self.search()

        def failed(exc: Exception, details: str) -> None:
            self._rebuilding = False
            self._show_library_or_welcome()
            show_error(
                self, "The search index could not be rebuilt", friendly_message(exc), details
            )

        self.tasks.run(
            lambda job: archive.rebuild_index(job.progress, job.cancel_event),
            on_done=rebuilt,
            on_error=failed,
            on_progress=lambda done, total, _text: self.busy.show_progress(
                title, done, total, f"{done:,} of {total:,} articles"
            ),
            write=True,
            key="rebuild-index",
        )

    def _sort_changed(self, sort: str) -> None:
        self.settings.sort = sort
        self.search()

    def clear_filters(self) -> None:
        if self.library is not None:
            self.library.sidebar.clear_filters()
            self.search()

    def run_saved_search(self, saved: SavedSearch) -> None:
        if self.library is None:
            return
        self.library.sidebar.set_filters(Filters.from_request(saved.request))
        self.library.results.set_sort(saved.request.sort)
        self.search_bar.set_query(saved.request.query, search=False)
        self.search()

    def save_search(self) -> None:
        if self.library is not None:
            self.library.sidebar.save_current(self.current_request())

    def _tags_changed(self) -> None:
        if self.library is not None:
            self.library.sidebar.refresh_tags()
            self.search(keep_selection=True)

    # -- reading ----------------------------------------------------------------------------

    def _show_article(self, article_id: str | None) -> None:
        if self.library is not None:
            self.library.reader.show_article(article_id, self.search_bar.query)

    def show_article(self, article_id: str) -> None:
        """Show one article, even when the current search does not list it."""
        if self.library is None:
            return
        if not self.library.results.select_id(article_id):
            self.library.reader.show_article(article_id, self.search_bar.query)

    # -- comparing ------------------------------------------------------------------------

    def compare_selected(self) -> None:
        if self.library is not None:
            ids = self.library.results.selected_ids()
            if 2 <= len(ids) <= 4:
                self.open_comparison(ids)
            else:
                self.statusBar().showMessage("Select two to four articles to compare.", 5000)

    def open_comparison(self, ids: list[str]) -> CompareView | None:
        if self.archive is None or self.library is None:
            return None
        view = CompareView(self.archive, self.tasks, ids, self.search_bar.query)
        return self._open_comparison_tab(view)

    def open_versions(self, article_id: str) -> CompareView | None:
        """The article beside its near-duplicates ("n versions" in the results)."""
        if self.archive is None or self.library is None:
            return None
        view = CompareView.versions(self.archive, self.tasks, article_id, self.search_bar.query)
        return self._open_comparison_tab(view)

    def _open_comparison_tab(self, view: CompareView) -> CompareView:
        library = self.library
        assert library is not None
        view.open_article_requested.connect(self._read_in_library)
        library.open_tab(view, view.title)

        def retitle(title: str) -> None:
            index = library.tabs.indexOf(view)
            if index > 0:
                library.tabs.setTabText(index, title)
                library.tabs.setTabToolTip(index, view.titles)

        view.title_changed.connect(retitle)
        return view

    def _read_in_library(self, article_id: str) -> None:
        if self.library is not None:
            self.library.tabs.setCurrentIndex(0)
            self.show_article(article_id)

    def _find_next(self) -> None:
        if self.library is not None:
            self.library.reader.find_next()

    def _find_previous(self) -> None:
        if self.library is not None:
            self.library.reader.find_previous()

    def _edit_metadata(self) -> None:
        if self.library is not None:
            self.library.reader.edit_metadata()

    def check_archive(self) -> None:
        if self.checker is not None:
            self.checker.start()

    def show_limits(self) -> LimitsDialog | None:
        if self.archive is None:
            return None
        dialog = LimitsDialog(self.archive, self.tasks, self)
        dialog.saved.connect(lambda _limits: self.statusBar().showMessage("Import limits saved"))
        dialog.open()
        return dialog

    def set_blur_policy(self, policy: str) -> None:
        self.settings.blur_policy = policy
        self.blur_actions[policy].setChecked(True)
        if self.library is not None:
            self.library.reader.set_blur_policy(policy)

    # -- deleting ------------------------------------------------------------------------------

    def delete_selected(self) -> None:
        if self.library is not None:
            self.delete_articles(self.library.results.selected_ids())

    def delete_articles(self, ids: list[str]) -> None:
        if self.archive is None or not ids:
            return
        what = "this article" if len(ids) == 1 else f"these {len(ids)} articles"
        answer = QMessageBox.question(
            self,
            "Delete from the archive",
            f"Delete {what} from the archive? Its stored original and images go too, unless "
            "another article uses them. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        archive = self.archive

        def delete(job) -> int:
            for done, article_id in enumerate(ids):
                job.check()
                archive.delete(article_id)
                job.progress(done + 1, len(ids))
            return len(ids)

        self.tasks.run(
            delete,
            on_done=lambda n: self._after_delete(n),
            on_error=lambda exc, details: show_error(
                self, "Could not delete", friendly_message(exc), details
            ),
            write=True,
        )

    def _after_delete(self, count: int) -> None:
        self.statusBar().showMessage(f"Deleted {count} article(s).", 5000)
        if self.library is not None:
            self.library.reader.show_article(None)
            self.library.sidebar.refresh_tags()
            self.library.sidebar.refresh_saved()
        self._show_library_or_welcome()
        self.search()

    # -- importing and exporting ----------------------------------------------------------------

    def import_files(self) -> None:
        paths, folder = choose_files(self, self.settings.last_import_dir)
        if paths:
            self.settings.last_import_dir = folder
            self.import_paths(paths)

    def import_folder(self) -> None:
        folder = choose_folder(self, self.settings.last_import_dir)
        if folder is not None:
            self.settings.last_import_dir = str(folder)
            self.import_paths([folder])

    def import_paths(self, paths: list[Path]) -> None:
        if self.importer is None:
            QMessageBox.information(self, APP_TITLE, "Open an archive first.")
            return
        if self.archive is not None and self.archive.read_only:
            show_error(
                self,
                "Cannot import here",
                friendly_message(ArchiveReadOnly(self.archive.read_only)),
            )
            return
        self.summary_link.clear()
        self.importer.import_paths(paths)

    def _import_finished(self, report) -> None:
        self.last_report = report
        self.summary_link.setText(
            f'{ImportSummaryDialog.status_text(report)} — <a href="summary">Show summary</a>'
        )
        if self.library is not None:
            self.library.sidebar.refresh_tags()
            self.library.sidebar.refresh_saved()
        self._show_library_or_welcome()
        self.search()

    def show_import_summary(self) -> None:
        if self.last_report is None:
            return
        dialog = ImportSummaryDialog(self.last_report, self)
        dialog.open_article_requested.connect(self.show_article)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def export(self, ids: list[str] | None = None) -> None:
        if self.archive is None or self.library is None:
            return
        selected = ids if ids is not None else self.library.results.selected_ids()
        every = list(self.result_ids.ids) if self.result_ids else []
        dialog = ExportDialog(
            self.archive, self.tasks, selected, every, self.search_bar.query, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def close_tab_or_window(self) -> None:
        library = self.library
        if library is None or not library.close_tab(library.tabs.currentIndex()):
            self.close()

    # -- about, layout and closing ----------------------------------------------------------------

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About archive-app",
            f"<h3>archive-app {__version__}</h3>"
            "<p>A local research archive for articles, reports and saved web pages "
            "about child welfare and war crimes.</p>"
            "<p>Everything stays on this computer: originals are kept byte for byte "
            "with their SHA-256, and nothing is fetched from the network.</p>"
            "<p>Search by Whoosh; interface by Qt (PySide6).</p>",
        )

    def _restore_layout(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        splitters: dict[str, QByteArray] = {}
        if self.library is not None:
            splitters["library"] = self.library.splitter.saveState()
        self.settings.save_layout(self.saveGeometry(), self.saveState(), splitters)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.importer is not None and self.importer.busy:
            answer = QMessageBox.question(
                self,
                APP_TITLE,
                "An import is running. Stop it and quit? Articles imported so far are kept.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self.library is not None:
            self.library.reader.flush()
        self.save_layout()
        self.tasks.shutdown()
        self._close_archive()
        event.accept()


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
