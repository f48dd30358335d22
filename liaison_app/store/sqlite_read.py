"""Checking the database file and reading it with the standard library's ``sqlite3`` alone.

SQLAlchemy costs ~250 ms to import on an old PC: the paths that only read and must answer at
once (the window's first screen, read-only commands) open the file here. Everything in this
module is free of SQLAlchemy; :mod:`liaison_app.store.database` builds the full (ORM) opening on
the same checks, so both refuse the same files with the same words.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

# Every schema revision this version knows, oldest first; the last one is the head.
# tests/test_migrations.py proves this list matches db/versions.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]


class DatabaseError(RuntimeError):
    """The database cannot be opened as it is (message in Chinese, for the user)."""


class NewerDatabaseError(DatabaseError):
    """Written by a newer version of the program (a schema revision we do not know): never touched."""


class DamagedDatabaseError(DatabaseError):
    """Fails the integrity check or is not a database: refused untouched, a backup is offered."""


class MissingDatabaseError(DamagedDatabaseError):
    """The database is gone or empty while the folder still holds the ledger's evidence or
    snapshots: never silently replaced by an empty ledger."""


def _has_earlier_data(data_dir: Path) -> list[str]:
    """What the folder still holds of an earlier ledger (evidence files, snapshots)."""
    from liaison_app.store import backup  # zipfile, tempfile: only when the database is missing

    found = []
    if any(p.is_file() for p in (data_dir / "evidence").glob("??/*")):
        found.append("佐证材料")
    if backup.automatic_backups(data_dir) or any((data_dir / "backups").glob("before-restore-*.zip")):
        found.append("自动备份")
    return found


def check_not_lost(db_path: Path) -> None:
    """Refuse to start a new, empty ledger where an earlier one evidently existed."""
    if db_path.exists() and db_path.stat().st_size > 0:
        return
    earlier = _has_earlier_data(db_path.parent)
    if not earlier:
        return
    state = "是空文件(0 字节)" if db_path.exists() else "不见了"
    raise MissingDatabaseError(
        f"数据库 {db_path} {state}，但数据文件夹中还有{'和'.join(earlier)}:"
        "台账不会被一个空台账替代。原文件不会被改动。请从最近的自动备份恢复。"
    )


class SchemaUpgradeRefused(DatabaseError):
    """A migration found rows the new schema cannot hold; the database was left as it was."""


@dataclass(frozen=True)
class DatabaseCheck:
    ok: bool
    revision: str | None
    problem: str  # "" when ok


def check_database(path: Path, known_revisions: tuple[str, ...]) -> DatabaseCheck:
    """Open read-only (nothing is written, not even the journal mode) and check integrity and
    schema revision."""
    if not path.exists():
        return DatabaseCheck(False, None, "文件不存在")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return DatabaseCheck(False, None, f"无法打开:{exc}")
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":  # one line per bad cell, under a "*** in database main ***" heading
            found = [line for line in str(verdict).splitlines() if line and not line.startswith("***")]
            more = f" 等 {len(found)} 处" if len(found) > 1 else ""
            return DatabaseCheck(False, None, f"数据库内容已损坏({(found or [verdict])[0]}{more})")
        has_version = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        revision = None
        if has_version:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
    except sqlite3.Error as exc:
        return DatabaseCheck(False, None, f"不是有效的数据库文件({exc})")
    finally:
        connection.close()
    if revision is not None and revision not in known_revisions:
        return DatabaseCheck(False, revision, f"由更新版本的程序创建(结构版本 {revision})")
    return DatabaseCheck(True, revision, "")


def checked_revision(db_path: Path) -> str | None:
    """The schema revision of an existing, non-empty database after the read-only check
    (``quick_check``); a damaged file or one written by a newer version is refused untouched."""
    check = check_database(db_path, KNOWN_REVISIONS)
    if not check.ok and check.revision is not None:
        raise NewerDatabaseError(
            f"数据库 {db_path} 由更新版本的程序创建(结构版本 {check.revision})，"
            "本程序不会改动它。请安装新版本的程序。"
        )
    if not check.ok:
        log.error("damaged database %s: %s", db_path, check.problem)
        raise DamagedDatabaseError(f"数据库 {db_path} 无法使用:{check.problem}。原文件不会被改动。")
    return check.revision


def read_only_uri(db_path: Path) -> str:
    """``mode=ro`` (the file is never written, its WAL is read while another program writes),
    and ``immutable`` when the folder is read-only and no one can be writing (SQLite could not
    open a WAL database there otherwise)."""
    uri = db_path.resolve().as_uri() + "?mode=ro"  # file:///… works on every platform
    if not os.access(db_path.parent, os.W_OK) and not Path(str(db_path) + "-shm").exists():
        uri += "&immutable=1"
    return uri


def connect_read_only(db_path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(read_only_uri(db_path), uri=True, check_same_thread=False)
    connection.execute("PRAGMA query_only=ON")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def open_current(db_path: Path) -> sqlite3.Connection | None:
    """A read-only ``sqlite3`` connection to a database that is already at this version's schema.

    ``None`` when the full opening (:func:`liaison_app.store.database.open_database`) has work
    to do first: the file is missing or empty (to create, or to refuse as lost) or its schema is
    older (to upgrade). A damaged file or a newer one is refused here as it would be there.
    """
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    if checked_revision(db_path) != HEAD_REVISION:
        return None
    return connect_read_only(db_path)


T = TypeVar("T")


def if_planned(connection: sqlite3.Connection, make: Callable[[sqlite3.Connection], T]) -> T | None:
    """``make(connection)`` when the database holds a plan; ``None`` for an empty ledger (the full
    opening loads the bundled plan into it). The connection is closed unless ``make`` took it."""
    try:
        if connection.execute("SELECT 1 FROM plan LIMIT 1").fetchone() is None:
            connection.close()
            return None
        return make(connection)
    except BaseException:
        connection.close()
        raise
