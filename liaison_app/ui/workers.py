"""Background work: snapshot in, signal out.

A :class:`BackgroundTask` gets everything it needs when created, runs one function off the GUI
thread, reports progress, and emits its result (or the reason it failed) as a signal, which Qt
delivers in the GUI thread. It never touches the database or widgets. A failure that is a bug
(not a full disk or a missing file) is also logged and shown in the error dialog. The window owns a
:class:`Runner`; tests use :class:`ImmediateRunner` to run tasks synchronously.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from liaison_app.errors import is_expected, user_message
from liaison_app.ui.error_dialog import report_unexpected

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]
Work = Callable[[ProgressFn, CancelledFn], Any]


class TaskSignals(QObject):
    progress = Signal(int, int)  # done, total (bytes or steps)
    finished = Signal(object)  # the function's result
    failed = Signal(object)  # the exception


class BackgroundTask(QRunnable):
    def __init__(self, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the window keeps it until its signal has arrived
        self.work = work
        self.signals = TaskSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self.is_cancelled)
        except BaseException as exc:  # reported to the GUI thread, never lost in a thread
            if is_expected(exc):
                log.warning("background task failed: %s", user_message(exc))
            else:  # a bug: logged with its traceback and shown with the details for support
                report_unexpected(exc)
            self.signals.failed.emit(exc)  # the caller still cleans up and says what was not done
        else:
            self.signals.finished.emit(result)


class Runner(Protocol):
    def start(self, task: BackgroundTask) -> None: ...


class PoolRunner:
    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()

    def start(self, task: BackgroundTask) -> None:
        self.pool.start(task)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)


class ImmediateRunner:
    """Runs each task at once in the calling thread (tests)."""

    def start(self, task: BackgroundTask) -> None:
        task.run()
