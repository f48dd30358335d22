"""How a failure is told: to the user in one Chinese sentence, or in full for support.

An *expected* failure (a full disk, a missing file, an unknown unit, a damaged backup) is said
in one sentence and the program carries on. Anything else is a bug: it is logged with its
traceback and shown with the details support needs (version, what happened, the log file).
"""

from __future__ import annotations

import traceback
from pathlib import Path

from liaison_app import APP_NAME, __version__
from liaison_app.paths import os_reason

_OUR_PACKAGE = "liaison_app"


class AlreadyTold(RuntimeError):
    """A failure the user has just been told about in its own message box: nothing more to show
    (not the internal-error dialog), only a line in the log."""


class DataNotOpened(AlreadyTold):
    """An action waited for the data, and the data could not be opened (the window said why and
    is closing)."""


def is_ours(exc: BaseException) -> bool:
    """Every exception class of this program carries a Chinese sentence for the user."""
    return type(exc).__module__.startswith(f"{_OUR_PACKAGE}.")


def is_expected(exc: BaseException) -> bool:
    """Our own errors, and the operating system's OSError (what went wrong with a file), are
    expected; anything else is a bug."""
    return isinstance(exc, OSError) or is_ours(exc)


def os_error_reason(exc: OSError) -> str:
    """The system's reason in the user's words (one table, in paths.os_reason)."""
    return os_reason(exc)


def os_error_text(exc: OSError) -> str:
    reason = os_error_reason(exc)
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    return f"{reason}:{' → '.join(names)}" if names else reason


def user_message(exc: BaseException) -> str:
    """One line for the user: our own errors say it already; the system's are translated."""
    text = os_error_text(exc) if isinstance(exc, OSError) and not is_ours(exc) else str(exc)
    if not is_expected(exc):
        text = f"程序内部错误({type(exc).__name__}: {exc})"
    return " ".join(text.split()) or type(exc).__name__


def details(exc: BaseException, log_file: Path | None) -> str:
    """Everything support needs about one failure, as text to paste into a message."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{APP_NAME} {__version__}\n日志文件:{log_file or '(未能写入日志)'}\n\n{trace}"
