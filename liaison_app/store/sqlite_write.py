"""Writing the database with the standard library's ``sqlite3``: the connection settings every
writer uses, one transaction per change, and the text SQLAlchemy stores dates and times as.

Free of SQLAlchemy. The SQLAlchemy engine (:mod:`liaison_app.store.database`) sets the same
pragmas on its connections through :func:`run_pragmas`; ``set`` on the command line writes
through a connection made here (:mod:`liaison_app.store.write_view`) with the same functions the
service writes with (:mod:`liaison_app.store.item_writing`), so both write the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from liaison_app.store.records import StorageError

log = logging.getLogger(__name__)

# WAL + synchronous=FULL: a committed transaction survives power loss; foreign keys enforced.
WRITER_PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")
READER_PRAGMAS = ("query_only=ON",)


def run_pragmas(connection: sqlite3.Connection, *pragmas: str) -> None:
    """Set ``pragmas`` (``"foreign_keys=ON"``…) on a new connection; every connection waits up
    to 5 s for another writer instead of failing at once."""
    cursor = connection.cursor()
    try:
        for pragma in (*pragmas, "busy_timeout=5000"):
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def connect_for_writing(db_path: Path) -> sqlite3.Connection:
    """A writing connection with the writer pragmas, in autocommit mode: transactions are
    opened by :func:`immediate_transaction`."""
    connection = sqlite3.connect(db_path, isolation_level=None)
    try:
        run_pragmas(connection, *WRITER_PRAGMAS)
    except BaseException:
        connection.close()
        raise
    return connection


def storage_message(exc: BaseException) -> str:
    """What a failed write means for the user, in Chinese (the driver's error may be wrapped)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "full" in text:
        return "磁盘已满，本次修改没有保存。请清理磁盘后重试。"
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "数据文件夹不可写(只读)，本次修改没有保存。"
    if "locked" in text or "busy" in text:
        return "数据正被另一个程序使用，本次修改没有保存，请稍后重试。"
    return f"保存失败，本次修改没有保存:{getattr(exc, 'orig', exc)}"


@contextmanager
def immediate_transaction(connection: sqlite3.Connection, db_path: Path) -> Iterator[sqlite3.Connection]:
    """One change = one transaction holding the write lock from its start (no other writer can
    slip in between what it reads and what it writes): committed on success, rolled back on any
    failure; a storage failure becomes a :class:`StorageError`. Nothing is half saved."""
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        log.error("write to %s failed: %s", db_path, exc)
        raise StorageError(storage_message(exc)) from exc
    try:
        yield connection
        connection.execute("COMMIT")
    except BaseException as exc:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            log.error("write to %s failed: %s", db_path, exc)
            raise StorageError(storage_message(exc)) from exc
        raise


def date_text(value: dt.date | None) -> str | None:
    """A DATE value as SQLAlchemy stores it in SQLite (``YYYY-MM-DD``)."""
    return None if value is None else f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def datetime_text(value: dt.datetime) -> str:
    """A DATETIME value as SQLAlchemy stores it in SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``,
    microseconds always written)."""
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )
