"""Opening the SQLite database: durable pragmas, schema checks, Alembic migrations.

The schema is created and upgraded only by the migrations in ``db/``. A database written by a
newer version of the app (a revision we do not know) is refused, never touched.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from liaison_app import paths

# Every schema revision this version knows, oldest first; the last one is the head.
# tests/test_migrations.py proves this list matches db/versions.
KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004")
HEAD_REVISION = KNOWN_REVISIONS[-1]


class DatabaseError(RuntimeError):
    """The database cannot be opened as it is (message in Chinese, for the user)."""


class NewerDatabaseError(DatabaseError):
    pass


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL + synchronous=FULL: a committed transaction survives power loss.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        has_table = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if not has_table:
            return None
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return str(row[0]) if row else None


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run the Alembic migrations up to ``target`` (imported lazily: only needed on change)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(db_path: Path) -> Database:
    """Open (creating or upgrading as needed) the database at ``db_path``."""
    try:
        engine = make_engine(db_path)
        revision = current_revision(engine)
    except Exception as exc:  # sqlite3.DatabaseError: not a database, or damaged
        raise DatabaseError(f"无法读取数据库 {db_path}:{exc}") from exc
    if revision is not None and revision not in KNOWN_REVISIONS:
        engine.dispose()
        raise NewerDatabaseError(
            f"数据库 {db_path} 由更新版本的程序创建(结构版本 {revision})，"
            "本程序不会改动它。请安装新版本的程序。"
        )
    if revision != HEAD_REVISION:
        upgrade(engine)
    return Database(db_path, engine, sessionmaker(engine, expire_on_commit=False))
