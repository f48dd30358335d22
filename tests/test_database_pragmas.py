"""Every engine's connections carry the settings their job needs, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from liaison_app.store.database import _migration_engine, make_engine, make_read_only_engine


def pragmas(engine: Engine, *names: str) -> dict[str, object]:
    with engine.connect() as connection:
        return {name: connection.execute(text(f"PRAGMA {name}")).scalar() for name in names}


def test_the_writing_engine_survives_power_loss_and_keeps_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "liaison.sqlite3")
    found = pragmas(engine, "journal_mode", "synchronous", "foreign_keys", "busy_timeout", "query_only")
    engine.dispose()
    assert found == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "query_only": 0,
    }


def test_the_read_only_engine_cannot_write_and_waits_for_a_writer(tmp_path: Path) -> None:
    db = tmp_path / "liaison.sqlite3"
    make_engine(db).dispose()
    with make_engine(db).begin() as connection:
        connection.execute(text("CREATE TABLE t (x)"))
    engine = make_read_only_engine(db)
    found = pragmas(engine, "query_only", "busy_timeout")
    engine.dispose()
    assert found == {"query_only": 1, "busy_timeout": 5000}


def test_the_migration_engine_turns_foreign_keys_off_while_tables_are_rebuilt(tmp_path: Path) -> None:
    engine = _migration_engine(f"sqlite:///{tmp_path / 'liaison.sqlite3'}")
    with engine.connect() as connection:
        found = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert found == {"foreign_keys": 0, "busy_timeout": 5000}
