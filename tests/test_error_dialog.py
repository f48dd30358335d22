"""A bug in the window leaves a trace: the log line with its traceback, and a Chinese dialog with
the version, what happened and where the log is, whose 复制详情 copies it all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from liaison_app import APP_TITLE, __version__, logs
from liaison_app.ui import error_dialog
from liaison_app.ui.error_dialog import ErrorDialog
from liaison_app.ui.workers import BackgroundTask, PoolRunner


@pytest.fixture
def installed(qapp: QApplication, data_dir: Path) -> Iterator[Path]:
    log_file = logs.setup(data_dir)
    assert log_file == data_dir / "logs" / "liaison-app.log"
    uninstall = error_dialog.install(qapp)
    yield log_file
    uninstall()
    logs.shutdown()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ErrorDialog):
            widget.close()


def shown_dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]


def broken_work(_progress: object, _cancelled: object) -> None:
    raise RuntimeError("统计表第 3 行缺少单位")


def test_background_task_bug_shows_dialog_and_logs_traceback(qtbot: QtBot, installed: Path) -> None:
    failures: list[BaseException] = []
    task = BackgroundTask(broken_work)
    task.signals.failed.connect(failures.append)
    PoolRunner(QThreadPool()).start(task)  # a real worker thread

    qtbot.waitUntil(lambda: bool(shown_dialogs()) and bool(failures), timeout=5000)
    (dialog,) = shown_dialogs()
    assert isinstance(failures[0], RuntimeError)  # the caller still hears of it and cleans up
    assert dialog.windowTitle() == "程序出错"
    text = dialog.message.text()
    assert "统计表第 3 行缺少单位" in text
    assert f"{APP_TITLE} {__version__}" in text
    assert str(installed) in text

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "Traceback" in copied and "broken_work" in copied and str(installed) in copied
    assert dialog.copy_button.text() == "已复制"

    logs.shutdown()  # flush and close before reading
    logged = installed.read_text(encoding="utf-8")
    assert "ERROR" in logged and "RuntimeError: 统计表第 3 行缺少单位" in logged
    assert 'in broken_work\n    raise RuntimeError("统计表第 3 行缺少单位")' in logged

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shown_dialogs())


def test_expected_failure_is_logged_without_the_bug_dialog(qtbot: QtBot, installed: Path) -> None:
    def full_disk(_progress: object, _cancelled: object) -> None:
        raise OSError(28, "No space left on device", "/media/u盘/备份.zip")

    failures: list[BaseException] = []
    task = BackgroundTask(full_disk)
    task.signals.failed.connect(failures.append)
    PoolRunner(QThreadPool()).start(task)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    qtbot.wait(50)  # a queued dialog would have arrived by now
    assert not shown_dialogs()
    logs.shutdown()
    logged = installed.read_text(encoding="utf-8")
    assert "WARNING" in logged and "磁盘已满:/media/u盘/备份.zip" in logged


def test_uncaught_exception_in_a_python_thread_reaches_the_dialog(qtbot: QtBot, installed: Path) -> None:
    def crash() -> None:
        raise ValueError("线程里出的错")

    thread = threading.Thread(target=crash, name="导入线程")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(shown_dialogs()), timeout=5000)
    assert "线程里出的错" in shown_dialogs()[0].message.text()


@pytest.mark.qt_no_exception_capture  # the point is what the program does with it, not pytest-qt
def test_bug_in_a_button_handler_reaches_the_dialog(qtbot: QtBot, installed: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    def on_click() -> None:
        raise KeyError("没有这一列")

    button = QPushButton("导出")
    qtbot.addWidget(button)
    button.clicked.connect(on_click)
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown_dialogs()), timeout=5000)
    assert "KeyError" in shown_dialogs()[0].message.text()
    logs.shutdown()
    assert "in on_click" in installed.read_text(encoding="utf-8")
