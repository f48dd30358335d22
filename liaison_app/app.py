"""Starting the window: QApplication, Chinese Qt translations, the data, the first-run prompt."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from liaison_app import APP_NAME, APP_TITLE, __version__, logs, paths
from liaison_app.settings import login_name

if TYPE_CHECKING:
    from liaison_app.store.backup import DailyBackup
    from liaison_app.store.read_view import ReadView
    from liaison_app.store.service import LiaisonService
    from liaison_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)
# Set by benchmarks/bench_launch.py: print when the window was shown and when it was usable
# (time.perf_counter, comparable across processes), then close as if the user had.
ENV_REPORT_STARTUP = "LIAISON_APP_REPORT_STARTUP"
# Set by the benchmark to compare: "gui" opens the data by a queued call on the GUI thread instead
# of importing SQLAlchemy on a worker thread first; "full" starts as before the first screen read
# with sqlite3 (the data opened before the items are shown).
ENV_OPEN_ON = "LIAISON_APP_OPEN_ON"


def app_icon() -> QIcon:
    icon = QIcon()
    folder = paths.resources_dir() / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addFile(str(folder / f"liaison-app-{size}.png"))
    return icon


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own strings (file dialogs, standard buttons) in Chinese."""
    translators = []
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            translators.append(translator)
            break
    from liaison_app.ui.qt_texts import install_missing_texts

    translators.append(install_missing_texts(app))  # what qtbase_zh_CN.qm leaves in English
    return translators


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(f"{APP_TITLE} {__version__}")  # Qt appends it to window titles
    app.setApplicationVersion(__version__)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_translations(app)
    app.setWindowIcon(app_icon())
    font = app.font()
    font.setFamilies(
        ["Microsoft YaHei UI", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", *font.families()]
    )
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return app


def open_service(data_dir: Path) -> LiaisonService:
    """The window's data. Today's automatic backup is pinned (the state at start-up) but not yet
    copied: :func:`watch_daily_backup` copies it once the window is usable."""
    from liaison_app.store.service import LiaisonService  # SQLAlchemy loads here, not earlier

    # the window names the unit's liaison
    return LiaisonService.open(data_dir, actor=login_name(), defer_backup=True)


def first_screen(data_dir: Path) -> ReadView | None:
    """What the first screen shows, read with ``sqlite3`` alone from a database already at this
    version's schema; ``None`` when the full opening has work to do or something to say (no
    database yet, an older schema, a damaged or newer file: it explains and offers the backup)."""
    from liaison_app.store.read_view import ReadView
    from liaison_app.store.sqlite_read import DatabaseError

    try:
        return ReadView.open(data_dir)
    except (DatabaseError, sqlite3.Error, OSError):
        return None


def import_the_store() -> None:
    """What opening the data imports and sets up first: SQLAlchemy, the ORM mapping."""
    from sqlalchemy.orm import configure_mappers

    from liaison_app.store import service  # noqa: F401  (the mapping of every table)

    configure_mappers()


class DataOpening(QObject):
    """Opens the window's data after the first screen (:meth:`MainWindow.preview`) is painted.

    SQLAlchemy and the ORM mapping (most of the time) are imported on a worker thread while the
    window answers; then the data is opened and attached on the GUI thread (dialogs, the data's
    thread). Whatever the user does that needs the data before then waits for it
    (:meth:`MainWindow.finish_loading`: the worker is joined and the opening done at once)."""

    imported = Signal()

    def __init__(
        self,
        window: MainWindow,
        data_dir: Path,
        then: Callable[[LiaisonService], None],
        in_thread: bool = True,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.data_dir = data_dir
        self.then = then
        self.in_thread = in_thread
        self.failed = False
        self._thread: threading.Thread | None = None
        self.imported.connect(window.finish_loading)  # queued: emitted on the worker thread

    def start(self) -> None:
        if not self.window.loading:
            return  # something the user did opened the data already
        if not self.in_thread:
            QTimer.singleShot(0, self.window, self.window.finish_loading)
            return
        self._thread = threading.Thread(target=self._import, name="store-import", daemon=True)
        self._thread.start()

    def _import(self) -> None:
        with contextlib.suppress(Exception):  # the opening imports again on the GUI thread and says why
            import_the_store()
        self.imported.emit()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def open(self) -> None:
        """The window's ``load``: on the GUI thread, once."""
        self.wait()
        service = open_or_recover(self.window, self.data_dir)
        if service is None:
            self.failed = True
            self.window.close()
            QApplication.exit(1)
            return
        self.window.attach(service)
        QTimer.singleShot(0, self.window, lambda: self.then(service))  # after the action that waited


def watch_daily_backup(window: QMainWindow, pending: DailyBackup) -> QTimer:
    """Copy today's backup in a background thread once the window has painted (the first tick of
    the event loop's timer); say so in the status bar if it failed. The data is closed only after
    it is done (LiaisonService.close waits for it)."""
    timer = QTimer(window)
    timer.setInterval(200)

    def check() -> None:
        pending.start()  # once; later ticks only look
        if not pending.done():
            return
        timer.stop()
        if pending.error is not None:
            window.statusBar().showMessage(f"今天的自动备份没有完成:{pending.error}", 30000)

    timer.timeout.connect(check)
    timer.start()
    return timer


def open_or_recover(window: QWidget | None, data_dir: Path) -> LiaisonService | None:
    """Open the data; a damaged database is never touched: offer the latest good backup."""
    from liaison_app.data_lock import DataInUseError
    from liaison_app.store.backup import BackupError
    from liaison_app.store.database import DamagedDatabaseError, DatabaseError
    from liaison_app.store.restore import latest_good_backup, restore

    while True:
        try:
            return open_service(data_dir)
        except paths.DataDirError as exc:
            QMessageBox.critical(
                window, "无法使用数据文件夹", f"{exc}\n\n可用 --data-dir 指定另一个可写的文件夹。"
            )
            return None
        except DamagedDatabaseError as exc:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "数据库无法使用",
                f"{exc}\n\n可以从最近一次通过校验的自动备份恢复(损坏的文件会保留)，或退出。",
                parent=window,
            )
            recover = box.addButton("从最近的备份恢复", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is not recover:
                return None
            latest = latest_good_backup(data_dir)
            if latest is None:
                QMessageBox.critical(
                    window,
                    "没有可用的备份",
                    "数据文件夹中没有通过校验的自动备份。请用“完整备份”文件恢复:"
                    "liaison-app restore 备份文件.zip",
                )
                return None
            try:
                report = restore(data_dir, latest, dt.datetime.now())
            except (BackupError, OSError) as exc:
                reason = str(exc) if isinstance(exc, BackupError) else paths.os_reason(exc)
                QMessageBox.critical(window, "没有恢复", reason)
                return None
            QMessageBox.information(window, "已恢复", "\n".join(report.lines()))
        except DataInUseError as exc:
            QMessageBox.critical(window, "数据正被使用", str(exc))
            return None
        except DatabaseError as exc:  # written by a newer version, or unreadable
            QMessageBox.critical(window, "数据库无法使用", str(exc))
            return None


def claim_data_folder(window: QWidget | None, data_dir: Path, wait_seconds: float = 10.0) -> bool:
    """Take the data folder's lock for the life of the window (the same lock every writing
    command takes). False, after saying so, when another program keeps it."""
    from liaison_app import data_lock

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        data_lock.acquire(data_dir, wait_seconds)
    except data_lock.DataInUseError as exc:
        QMessageBox.critical(window, "数据正被使用", str(exc))
        return False
    except OSError:
        return True  # a folder that cannot be used: open_or_recover explains it
    return True


def restore_now(window: QWidget | None, data_dir: Path, source: Path) -> None:
    """Run a restore the user asked for, with the database closed; say what happened."""
    from liaison_app.store.backup import BackupError, RestoreIncompleteError
    from liaison_app.store.restore import restore

    try:
        report = restore(data_dir, source, dt.datetime.now())
    except RestoreIncompleteError as exc:
        QMessageBox.critical(window, "恢复没有完成", str(exc))
        return
    except (BackupError, OSError) as exc:
        reason = str(exc) if isinstance(exc, BackupError) else paths.os_reason(exc)
        QMessageBox.warning(window, "没有恢复", f"现有数据未被改动。\n{reason}")
        return
    QMessageBox.information(window, "已恢复", "\n".join(report.lines()))


def run_gui(data_dir: Path) -> int:
    """Show the window at once, then open the data (the slow part) and fill it."""
    from liaison_app import display_check

    if display_check.wants_xcb() and (missing := display_check.missing_packages()):
        print(display_check.missing_message(missing), file=sys.stderr)  # Qt would abort instead
        return 1
    logs.setup(data_dir)
    app = make_application()
    from liaison_app.ui.error_dialog import install

    install(app)
    from liaison_app.ui.single_instance import SingleInstance, instance_key

    instance = SingleInstance(instance_key(data_dir))
    if instance.notify_running():
        return 0  # the running window came to the front instead
    instance.listen()
    if not claim_data_folder(None, data_dir):
        instance.close()
        return 1
    from liaison_app.ui.main_window import MainWindow

    code = 0
    while True:
        window = MainWindow()
        instance.activated.connect(window.bring_to_front)
        opening, shown = start_window(window, data_dir)
        if opening is None and window.service is None:
            window.close()
            return 1
        if os.environ.get(ENV_REPORT_STARTUP):
            report_startup(app, window, shown)
        # after the first paint: the side panels, then SQLAlchemy imported on a worker thread (not
        # while the panels are made: every Python call of the GUI thread would wait for the GIL)
        window.build_after_paint(opening.start if opening is not None else lambda: None)
        code = int(app.exec())
        if opening is not None:
            opening.wait()
            code = 1 if opening.failed else code
        pending = window.pending_restore
        service = window.service
        instance.activated.disconnect(window.bring_to_front)
        window.deleteLater()
        app.processEvents()
        if service is None:
            return code
        service.close()
        if pending is None:
            instance.close()
            log.info("window closed (exit %d)", code)
            return code
        restore_now(None, data_dir, pending)  # then the loop opens the data again


def after_opening(window: MainWindow, service: LiaisonService) -> None:
    """Once the data is attached: collector, warnings, today's backup, the first-run question."""
    from liaison_app.cli import start_collecting

    start_collecting()  # cli.main held the collector off during start-up
    for warning in service.warnings:
        window.statusBar().showMessage(warning, 30000)
    if service.daily_backup is not None:
        watch_daily_backup(window, service.daily_backup)
    if not window.unit and not window.ask_profile(first_run=True):
        window.statusBar().showMessage("尚未选择本单位:请在上方“本单位”中选择。")


def start_window(window: MainWindow, data_dir: Path) -> tuple[DataOpening | None, float]:
    """Show the window usable as soon as possible. On a current database the first screen is read
    with ``sqlite3`` and painted, and the returned :class:`DataOpening` (to be started) opens the
    data after; otherwise the window shows, the data is opened at once and attached (``None``
    returned; ``window.service`` is ``None`` when it could not be opened, after saying why).
    Also returned: when the window was first painted (``time.perf_counter``)."""
    view = first_screen(data_dir) if os.environ.get(ENV_OPEN_ON) != "full" else None
    if view is not None:
        opening = DataOpening(
            window,
            data_dir,
            lambda service: after_opening(window, service),
            in_thread=os.environ.get(ENV_OPEN_ON) != "gui",
        )
        try:
            window.preview(view, login_name(), opening.open)
        finally:
            view.close()
        window.show()
        QApplication.processEvents()
        return opening, time.perf_counter()
    window.show()
    QApplication.processEvents()
    shown = time.perf_counter()
    service = open_or_recover(window, data_dir)
    if service is not None:
        window.attach(service)
        after_opening(window, service)
    return None, shown


def report_startup(app: QApplication, window: MainWindow, shown: float) -> None:
    """For the launch benchmark: paint the filled window, print the moments, then quit."""
    app.processEvents()
    usable = time.perf_counter()
    rows = window.model.rowCount()
    print(
        f"startup platform={app.platformName()} shown={shown:.6f} usable={usable:.6f} rows={rows}", flush=True
    )
    longest = [0.0, time.perf_counter()]  # the longest the event loop did not answer, and when it last did

    def quit_when_attached() -> None:
        now = time.perf_counter()
        longest[0], longest[1] = max(longest[0], now - longest[1]), now
        if window.loading:
            QTimer.singleShot(1, quit_when_attached)
            return
        print(f"attached={now:.6f} stall_ms={longest[0] * 1000:.1f}", flush=True)
        app.quit()

    QTimer.singleShot(0, quit_when_attached)


def selftest(data_dir: Path) -> int:
    """Check an installation end to end and say what was found (for support staff and the
    packaging smoke test): files, data, translations, and the real window, opened and closed."""
    lines = [
        f"{APP_TITLE} {__version__}",
        f"程序文件:{paths.resources_dir().parent}",
        f"数据文件夹:{data_dir}",
        f"日志文件:{logs.current_log_file() or '(未能写入)'}",
    ]
    try:
        app = make_application()
        translated = QApplication.translate("QPlatformTheme", "Cancel")  # Qt 6 standard buttons
        lines.append(
            f"Qt {QLibraryInfo.version().toString()}，平台 {app.platformName()}，标准按钮文字:{translated}"
        )
        service = open_service(data_dir)
        info = service.plan_info()
        lines.append(f"工作方案:{info.name}({info.items} 条工作措施，{info.units} 个单位)")
        from liaison_app.ui.main_window import MainWindow

        window = MainWindow(service)
        window.show()
        app.processEvents()
        lines.append(f"窗口:{window.windowTitle()}，{window.width()}×{window.height()}")
        window.close()
        window.deleteLater()
        app.processEvents()
        service.close()
    except Exception as exc:  # the point is to report whatever is broken
        print("\n".join(lines))
        print(f"自检失败:{type(exc).__name__}: {exc}")
        return 1
    print("\n".join([*lines, "自检通过"]))
    return 0
