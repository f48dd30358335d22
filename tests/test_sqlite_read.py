"""The SQLAlchemy-free opening: read-only, only for a database already at this version's schema,
and refusing damaged or newer files exactly as the full opening does."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from liaison_app import paths
from liaison_app.store.service import LiaisonService
from liaison_app.store.sqlite_read import (
    HEAD_REVISION,
    DamagedDatabaseError,
    NewerDatabaseError,
    open_current,
)
from tests.helpers import db_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "db"


def test_a_current_database_is_opened_for_reading_only(small: LiaisonService, data_dir: Path) -> None:
    small.close()
    connection = open_current(paths.database_path(data_dir))
    assert connection is not None
    try:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert revision == HEAD_REVISION
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only"):
            connection.execute("DELETE FROM unit")
    finally:
        connection.close()


def test_missing_empty_or_older_ones_are_left_to_the_full_opening(data_dir: Path, tmp_path: Path) -> None:
    db = paths.database_path(data_dir)
    assert open_current(db) is None  # missing: to create (or refuse as lost)
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"")
    assert open_current(db) is None  # empty
    older = tmp_path / "older"
    shutil.copytree(FIXTURES / "0009", older)
    before = (older / "liaison.sqlite3").read_bytes()
    assert open_current(older / "liaison.sqlite3") is None  # to upgrade
    assert (older / "liaison.sqlite3").read_bytes() == before


def test_newer_and_damaged_databases_are_refused_untouched(small: LiaisonService, data_dir: Path) -> None:
    small.close()
    db = paths.database_path(data_dir)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = db_bytes(data_dir)
    with pytest.raises(NewerDatabaseError, match="更新版本"):
        open_current(db)
    assert db_bytes(data_dir) == before
    db.write_bytes(b"\0" * 4096)
    with pytest.raises(DamagedDatabaseError, match="原文件不会被改动"):
        open_current(db)
    assert db.read_bytes() == b"\0" * 4096
