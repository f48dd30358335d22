"""Starting the window: QApplication, Chinese Qt translations, the data, the first-run prompt."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from liaison_app import APP_NAME, APP_TITLE, __version__, logs, paths

if TYPE_CHECKING:
    from liaison_app.store.backup import DailyBackup
    from liaison_app.store.service import LiaisonService
    from liaison_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)
# Set by benchmarks/bench_launch.py: print when the window was shown and when it was usable
# (time.perf_counter, comparable across processes), then close as if the user had.
ENV_REPORT_STARTUP = "LIAISON_APP_REPORT_STARTUP"


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

    try:
        actor = getpass.getuser()
    except (KeyError, OSError):
        actor = ""
    # the window names the unit's liaison
    return LiaisonService.open(data_dir, actor=actor, defer_backup=True)


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
        window.show()
        app.processEvents()
        shown = time.perf_counter()
        service = open_or_recover(window, data_dir)
        if service is None:
            window.close()
            return 1
        window.attach(service)
        from liaison_app.cli import start_collecting

        start_collecting()  # cli.main held the collector off during start-up
        for warning in service.warnings:
            window.statusBar().showMessage(warning, 30000)
        if service.daily_backup is not None:
            watch_daily_backup(window, service.daily_backup)
        if not window.unit and not window.ask_profile(first_run=True):
            window.statusBar().showMessage("尚未选择本单位:请在上方“本单位”中选择。")
        if os.environ.get(ENV_REPORT_STARTUP):
            report_startup(app, window, shown)
        code = int(app.exec())
        pending = window.pending_restore
        instance.activated.disconnect(window.bring_to_front)
        window.deleteLater()
        app.processEvents()
        service.close()
        if pending is None:
            instance.close()
            log.info("window closed (exit %d)", code)
            return code
        restore_now(None, data_dir, pending)  # then the loop opens the data again


def report_startup(app: QApplication, window: MainWindow, shown: float) -> None:
    """For the launch benchmark: paint the filled window, print the moments, then quit."""
    app.processEvents()
    usable = time.perf_counter()
    rows = window.model.rowCount()
    print(
        f"startup platform={app.platformName()} shown={shown:.6f} usable={usable:.6f} rows={rows}", flush=True
    )
    QTimer.singleShot(0, app.quit)


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
