"""Unexpected failures in the window: logged with their traceback, and shown in Chinese with
what support needs (the version, what happened, where the log is), one click to copy it.

:func:`install` makes this the answer to any exception nobody caught: in a Qt slot or event
handler (PySide routes them to ``sys.excepthook``), in a Python thread, or in a background task
(:mod:`liaison_app.ui.workers`). A failure in another thread is handed to the GUI thread by a
queued signal; the dialog is always built there.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_app import APP_TITLE, __version__, errors, logs

log = logging.getLogger(__name__)

TITLE = "程序出错"


class ErrorDialog(QDialog):
    def __init__(self, summary: str, details: str, log_file: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.details = details
        where = str(log_file) if log_file else "(未能写入日志)"
        self.message = QLabel(
            f"很抱歉，程序遇到了意外的错误，刚才的操作可能没有完成。已保存的数据不受影响。\n\n"
            f"发生了什么:{summary}\n"
            f"程序版本:{APP_TITLE} {__version__}\n"
            f"日志文件:{where}\n\n"
            "请点“复制详情”，把内容连同日志文件发给技术支持。"
        )
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(details)
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(160)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("复制详情")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)
        self.copy_button.setText("已复制")


class ErrorReporter(QObject):
    """Lives in the GUI thread; any thread may call :meth:`report`."""

    _reported = Signal(str, str)  # summary, details

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialogs: list[ErrorDialog] = []
        self._reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, exc: BaseException) -> None:
        log.error("unexpected error: %s", exc, exc_info=exc)
        self._reported.emit(errors.user_message(exc), errors.details(exc, logs.current_log_file()))

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        parent = QApplication.activeWindow()
        dialog = ErrorDialog(summary, details, logs.current_log_file(), parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self.dialogs.remove(dialog))
        self.dialogs.append(dialog)
        dialog.open()  # not exec(): a second failure must not stack event loops


_reporter: ErrorReporter | None = None


def reporter() -> ErrorReporter | None:
    return _reporter


def report_unexpected(exc: BaseException) -> None:
    """Log a failure nobody could handle and show it, from any thread."""
    if _reporter is not None:
        _reporter.report(exc)
    else:
        log.error("unexpected error: %s", exc, exc_info=exc)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if isinstance(exc, errors.AlreadyTold):
        log.info("action not done: %s", exc)
        return
    report_unexpected(exc.with_traceback(tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        report_unexpected(args.exc_value)


def install(app: QApplication) -> Callable[[], None]:
    """Route every uncaught exception to the log and the dialog; returns the undo (tests)."""
    global _reporter
    previous = sys.excepthook, threading.excepthook
    _reporter = ErrorReporter(app)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook

    def uninstall() -> None:
        global _reporter
        sys.excepthook, threading.excepthook = previous
        _reporter = None

    return uninstall
