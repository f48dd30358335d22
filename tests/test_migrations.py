"""The schema comes from the Alembic migrations, and a newer database is refused untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from liaison_app import paths
from liaison_app.store.database import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    NewerDatabaseError,
    open_database,
)
from liaison_app.store.service import LiaisonService


def test_known_revisions_match_the_migration_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    script = ScriptDirectory.from_config(config)
    assert script.get_current_head() == HEAD_REVISION
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(chain) == KNOWN_REVISIONS


def test_models_match_the_migrated_schema(data_dir: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from liaison_app.store.models import Base

    paths.ensure_data_dir(data_dir)
    database = open_database(paths.database_path(data_dir))
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    database.dispose()
    # CHECK constraints and indexes live only in the migration; tables and columns must agree
    assert [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")] == []


def test_newer_database_is_refused_and_untouched(data_dir: Path) -> None:
    LiaisonService.open(data_dir).close()
    db = paths.database_path(data_dir)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = db.read_bytes()
    with pytest.raises(NewerDatabaseError, match="更新版本"):
        LiaisonService.open(data_dir)
    assert db.read_bytes() == before
