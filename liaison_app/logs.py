"""The program's log: one rotating file in ``<data>/logs/``, set up once per process.

The windowed program has no console, so this file is the only trace a failure on a liaison's PC
leaves for support. Modules log through ``logging.getLogger(__name__)``; only :func:`setup`
decides where the lines go. Writing the log must never break the program: a line that cannot be
written (disk full, another process rotating the file) is dropped silently.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from liaison_app import APP_NAME, __version__, paths

LOG_FILE_NAME = f"{APP_NAME}.log"
MAX_BYTES = 1_000_000  # about a month of ordinary use per file
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"

_ROOT = "liaison_app"
_handler: logging.Handler | None = None
_log_file: Path | None = None


class _QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        """A lost log line is better than a traceback printed over the user's work."""


def log_file(data_dir: Path) -> Path:
    return paths.logs_dir(data_dir) / LOG_FILE_NAME


def current_log_file() -> Path | None:
    """The file this process logs to, or None when no log could be opened."""
    return _log_file


def setup(data_dir: Path, *, debug: bool = False) -> Path | None:
    """Send this program's log lines to ``<data>/logs/liaison-app.log`` (rotated at 1 MB, five
    old files kept). Returns the file, or None when the folder cannot be written (the program
    still runs; nothing is logged). With ``debug`` every line also goes to stderr."""
    global _handler, _log_file
    logger = logging.getLogger(_ROOT)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    if not logger.handlers:  # without any handler, logging's last resort would print to stderr
        logger.addHandler(logging.NullHandler())
    if debug and not any(type(h) is logging.StreamHandler for h in logger.handlers):
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(console)
    target = log_file(data_dir)
    if _handler is not None and _log_file == target:
        return target
    shutdown()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = _QuietRotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    _handler, _log_file = handler, target
    logger.info("%s %s started, data folder %s", APP_NAME, __version__, data_dir)
    return target


def shutdown() -> None:
    """Close the log file (before a restore replaces the data folder, and in tests)."""
    global _handler, _log_file
    if _handler is not None:
        logging.getLogger(_ROOT).removeHandler(_handler)
        _handler.close()
    _handler, _log_file = None, None
