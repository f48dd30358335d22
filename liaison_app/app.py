"""Starting the window: QApplication, Chinese Qt translations, the data, the first-run prompt."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from liaison_app import APP_NAME, APP_TITLE, __version__, paths

if TYPE_CHECKING:
    from liaison_app.store.service import LiaisonService


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
    return translators


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_translations(app)
    font = app.font()
    font.setFamilies(["Microsoft YaHei UI", "Microsoft YaHei", "WenQuanYi Micro Hei",
                      "Noto Sans CJK SC", *font.families()])
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return app


def open_service(data_dir: Path) -> LiaisonService:
    from liaison_app.store.service import LiaisonService  # SQLAlchemy loads here, not earlier

    try:
        actor = getpass.getuser()
    except (KeyError, OSError):
        actor = ""
    service = LiaisonService.open(data_dir, actor=actor)
    name = service.setting("profile.name")
    if name:
        service.actor = name
    return service


def run_gui(data_dir: Path) -> int:
    """Show the window at once, then open the data (the slow part) and fill it."""
    app = make_application()
    from liaison_app.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    app.processEvents()
    from liaison_app.store.database import DatabaseError

    try:
        service = open_service(data_dir)
    except (DatabaseError, paths.DataDirError) as exc:
        QMessageBox.critical(window, "无法打开数据", str(exc))
        window.close()
        return 1
    window.attach(service)
    if not window.unit and not window.ask_profile(first_run=True):
        window.statusBar().showMessage("尚未选择本单位:请在上方“本单位”中选择。")
    code = app.exec()
    window.deleteLater()
    app.processEvents()
    service.close()
    return int(code)
