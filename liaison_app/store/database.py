"""Opening the SQLite database: durable pragmas, schema checks, Alembic migrations.

The schema is created and upgraded only by the migrations in ``db/``. A database written by a
newer version of the app (a revision we do not know) is refused, never touched.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from liaison_app import paths
from liaison_app.store import backup
from liaison_app.store.records import StorageError
from liaison_app.store.sqlite_read import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    DamagedDatabaseError,
    DatabaseError,
    MissingDatabaseError,
    NewerDatabaseError,
    SchemaUpgradeRefused,
    check_not_lost,
    checked_revision,
    read_only_uri,
)
from liaison_app.store.sqlite_write import READER_PRAGMAS, WRITER_PRAGMAS, run_pragmas, storage_message

# The checks and their errors live in sqlite_read (free of SQLAlchemy); callers import them here.
__all__ = [
    "HEAD_REVISION",
    "KNOWN_REVISIONS",
    "DamagedDatabaseError",
    "Database",
    "DatabaseError",
    "MissingDatabaseError",
    "NewerDatabaseError",
    "SchemaUpgradeRefused",
    "check_not_lost",
    "current_revision",
    "make_engine",
    "make_read_only_engine",
    "open_database",
    "open_read_only",
    "raw_connection",
    "storage_message",
    "upgrade",
]

log = logging.getLogger(__name__)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    run_pragmas(dbapi_connection, *WRITER_PRAGMAS)


def _on_connect_read_only(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    run_pragmas(dbapi_connection, *READER_PRAGMAS)


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


def make_read_only_engine(db_path: Path) -> Engine:
    """An engine that can only read (see :func:`~liaison_app.store.sqlite_read.read_only_uri`)."""
    uri = read_only_uri(db_path)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, future=True)
    event.listen(engine, "connect", _on_connect_read_only)
    return engine


def raw_connection(session: Session) -> sqlite3.Connection:
    """The DB-API connection under ``session`` (in its transaction), for the plain-SQL readers
    shared with the SQLAlchemy-free start (:mod:`liaison_app.store.catalogue_index`)."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        has_table = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if not has_table:
            return None
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return str(row[0]) if row else None


def _migration_engine(url: Any) -> Engine:
    """An engine whose transactions are real SQLite transactions around DDL too.

    pysqlite starts a transaction only before INSERT/UPDATE/DELETE, so by default every CREATE,
    DROP and ALTER of a migration commits on its own. Here the driver's own handling is off and
    each SQLAlchemy transaction is one ``BEGIN IMMEDIATE`` … ``COMMIT``. Foreign keys are off
    while tables are rebuilt (dropping a parent must not cascade) and checked before commit.
    """
    engine = create_engine(url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        run_pragmas(dbapi_connection, "foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run the Alembic migrations up to ``target`` in ONE transaction: all of them or none.

    Alembic is imported lazily: only needed on change. Before committing, every foreign key is
    checked; a violation (or a migration refusing a row) rolls everything back.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    migration_engine = _migration_engine(engine.url)
    try:
        with migration_engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, target)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                table, _rowid, parent, _fk = broken[0]
                raise SchemaUpgradeRefused(
                    f"升级后有 {len(broken)} 条记录的引用不成立(如 {table} → {parent})，"
                    "升级已撤销，数据库没有被改动。请把数据文件夹交给技术支持处理。"
                )
    finally:
        migration_engine.dispose()


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    read_only: bool = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action = one transaction, committed on success, rolled back on failure.

        A storage failure becomes a :class:`StorageError` the UI can show; nothing is half saved.
        """
        try:
            with self.sessions() as session, session.begin():
                yield session
        except (OperationalError, sqlite3.OperationalError) as exc:
            log.error("write to %s failed: %s", self.path, exc)
            raise StorageError(storage_message(exc)) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def open_read_only(db_path: Path) -> Database:
    """Open an existing database at the current schema for reading only (no lock, no write)."""
    if not db_path.is_file() or db_path.stat().st_size == 0:
        check_not_lost(db_path)
        raise DatabaseError(f"数据文件夹中还没有台账数据库:{db_path}")
    if checked_revision(db_path) != HEAD_REVISION:
        raise DatabaseError(f"数据库 {db_path} 需要先升级结构，才能只读打开。请关闭其他程序后再试。")
    engine = make_read_only_engine(db_path)
    return Database(db_path, engine, sessionmaker(engine, expire_on_commit=False), read_only=True)


def open_database(db_path: Path, now: dt.datetime | None = None) -> Database:
    """Open (creating or upgrading as needed) the database at ``db_path``.

    An existing file is first checked read-only; a damaged file or one written by a newer
    version is refused untouched; a missing or empty one is refused when the folder shows an
    earlier ledger existed. Before a schema upgrade the database is snapshotted.
    """
    check_not_lost(db_path)
    checked: str | None = None
    if db_path.exists() and db_path.stat().st_size > 0:
        checked = checked_revision(db_path)
        if checked is not None and checked != HEAD_REVISION:
            backup.before_migration(db_path.parent, db_path, checked, HEAD_REVISION, now or dt.datetime.now())
    try:
        engine = make_engine(db_path)
        # The read-only check above already read the revision; the usual start (schema current)
        # asks nothing more. Only a database to create or upgrade is asked again, then migrated.
        revision = checked if checked == HEAD_REVISION else current_revision(engine)
    except Exception as exc:  # sqlite3.DatabaseError: not a database, or damaged
        raise DatabaseError(f"无法读取数据库 {db_path}:{exc}") from exc
    if revision is not None and revision not in KNOWN_REVISIONS:
        engine.dispose()
        raise NewerDatabaseError(
            f"数据库 {db_path} 由更新版本的程序创建(结构版本 {revision})，"
            "本程序不会改动它。请安装新版本的程序。"
        )
    if revision != HEAD_REVISION:
        log.info("upgrading %s from schema %s to %s", db_path, revision, HEAD_REVISION)
        upgrade(engine)
    return Database(db_path, engine, sessionmaker(engine, expire_on_commit=False))
