"""The schema comes from the Alembic migrations, and a newer database is refused untouched."""

from __future__ import annotations

import shutil
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
    SchemaUpgradeRefused,
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
    assert diff == []  # tables, columns, types, keys, foreign keys, unique constraints, indexes


def test_newer_database_is_refused_and_untouched(data_dir: Path) -> None:
    LiaisonService.open(data_dir).close()
    db = paths.database_path(data_dir)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = db.read_bytes()
    with pytest.raises(NewerDatabaseError, match="更新版本"):
        LiaisonService.open(data_dir)
    assert db.read_bytes() == before


# -- 0005: the database keeps the rules ---------------------------------------------------------
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def schema_sql(db: Path) -> dict[str, str]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        connection.close()


def normalized(sql: str) -> str:
    return " ".join(sql.replace('"', "").split())


def test_every_check_constraint_of_the_models_is_in_the_migrated_database(data_dir: Path) -> None:
    """compare_metadata does not look at CHECK constraints: compare their text here."""
    from sqlalchemy import CheckConstraint

    from liaison_app.store.models import Base

    LiaisonService.open(data_dir).close()
    tables = {name: normalized(sql) for name, sql in schema_sql(paths.database_path(data_dir)).items()}
    checks = [
        (table.name, constraint)
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    ]
    # 9 up to 0007, 4 of 0008 (milestone, target ×2, actual), 4 of 0009 (office ledger), 3 of 0010
    assert len(checks) == 20
    for table, constraint in checks:
        expected = f"CONSTRAINT {constraint.name} CHECK ({constraint.sqltext})"
        assert normalized(expected) in tables[table], (table, expected)


def test_the_database_itself_refuses_what_the_code_would(service: LiaisonService) -> None:
    service.update("区城管局", "16", status="done")
    db = paths.database_path(service.database.path.parent)
    unit, item = service.unit_id("区公安分局"), service.item_id("16")  # 区公安分局 is not on 16
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA foreign_keys=ON")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            connection.execute(
                "INSERT INTO progress (unit_id, item_id, status, note, updated_at) "
                "VALUES (?, ?, 'done', '', '2019-11-20')",
                (unit, item),
            )
        with pytest.raises(sqlite3.IntegrityError, match="ck_progress_status"):
            connection.execute("UPDATE progress SET status = '已完成'")
        with pytest.raises(sqlite3.IntegrityError, match="ck_attachment_one_owner"):
            connection.execute(
                "INSERT INTO attachment (sha256, size, original_name, added_at, added_by) "
                "VALUES ('x', 1, 'a.pdf', '2019-11-20', '')"
            )
    finally:
        connection.close()


def test_cases_files_and_related_items_move_to_real_keys(data_dir: Path) -> None:
    from liaison_app.store.duties import DutiesService

    shutil.copytree(FIXTURES / "db-duties" / "0004", data_dir)
    service = LiaisonService.open(data_dir)
    duties = DutiesService(service)
    positive, negative = sorted(duties.cases("区城管局"), key=lambda c: c.id)
    assert (positive.title, positive.related) == ("用水报装提速", ("16", "17"))
    assert [a.original_name for a in positive.attachments] == ["案例附件.pdf"]
    assert (negative.related, negative.attachments) == ((), ())
    measures = duties.deliverables("区城管局")[0]
    assert measures.status.value == "done" and [a.original_name for a in measures.attachments] == [
        "具体措施.docx"
    ]
    assert service.verify_evidence() == []
    # deleting a case takes its links and files with it (ON DELETE CASCADE), nothing else
    duties.delete_case("区城管局", positive.id)
    db = paths.database_path(data_dir)
    service.close()
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("SELECT count(*) FROM typical_case_item").fetchone() == (0,)
        kept = (
            "SELECT a.original_name, a.case_id, d.kind FROM attachment a "
            "JOIN deliverable d ON d.id = a.deliverable_id"
        )
        assert connection.execute(kept).fetchall() == [("具体措施.docx", None, "measures")]
        assert connection.execute("SELECT count(*) FROM attachment").fetchone() == (1,)
    finally:
        connection.close()


def _plant(data_dir: Path, *statements: str, revision: str = "0004") -> Path:
    shutil.copytree(FIXTURES / "db" / revision, data_dir)
    db = paths.database_path(data_dir)
    connection = sqlite3.connect(db)  # foreign keys off: the state a bug could have left
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return db


def _state(db: Path) -> tuple[object, ...]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return (
            connection.execute("SELECT version_num FROM alembic_version").fetchall(),
            sorted(schema_sql(db).items()),
            connection.execute("SELECT * FROM progress ORDER BY id").fetchall(),
            connection.execute("SELECT * FROM history ORDER BY id").fetchall(),
            connection.execute("SELECT * FROM evidence ORDER BY id").fetchall(),
        )
    finally:
        connection.close()


def test_progress_of_an_unassigned_unit_is_refused_and_nothing_changes(data_dir: Path) -> None:
    db = _plant(
        data_dir,
        "INSERT INTO progress (unit_id, item_id, status, note, updated_at) "
        "SELECT u.id, i.id, 'done', '', '2019-11-20' FROM unit u, item i "
        "WHERE u.name = '区公安分局' AND i.code = '16'",
    )
    before = _state(db)
    with pytest.raises(SchemaUpgradeRefused, match="区公安分局 16") as refused:
        open_database(db)
    assert "数据库没有被改动" in str(refused.value)
    assert _state(db) == before


def test_an_unknown_code_is_refused(data_dir: Path) -> None:
    db = _plant(data_dir, "UPDATE special_group_member SET role = 'leader' WHERE role = 'lead'")
    with pytest.raises(SchemaUpgradeRefused, match=r"无法识别的专项小组职责.*「leader」"):
        open_database(db)


def test_a_change_log_line_of_an_unknown_kind_is_refused(data_dir: Path) -> None:
    db = _plant(data_dir, "UPDATE history SET field = 'colour' WHERE field = 'note'", revision="0005")
    before = _state(db)
    with pytest.raises(SchemaUpgradeRefused, match=r"修改记录的内容类型无法识别.*「colour」"):
        open_database(db)
    assert _state(db) == before


def test_a_failure_late_in_the_upgrade_rolls_all_of_it_back(data_dir: Path) -> None:
    """Every table is rebuilt before the final foreign key check fails: none of it stays."""
    db = _plant(data_dir, "UPDATE report_export SET unit_id = 99999")
    before = _state(db)
    with pytest.raises(SchemaUpgradeRefused, match="升级已撤销"):
        open_database(db)
    after = _state(db)
    assert after == before and after[0] == [("0004",)]
    assert "typical_case_item" not in dict(after[1]) and "related" in dict(after[1])["typical_case"]


def test_files_of_a_deleted_owner_are_dropped_and_the_rest_kept(data_dir: Path) -> None:
    shutil.copytree(FIXTURES / "db-duties" / "0004", data_dir)
    db = paths.database_path(data_dir)
    connection = sqlite3.connect(db)
    with connection:
        connection.execute(
            "INSERT INTO attachment (owner_kind, owner_id, sha256, size, original_name, added_at, added_by)"
            " VALUES ('case', 999, 'ab', 2, '孤儿.pdf', '2019-11-20 00:00:00', '')"
        )
    connection.close()
    open_database(db).dispose()
    connection = sqlite3.connect(db)
    try:
        names = [r[0] for r in connection.execute("SELECT original_name FROM attachment ORDER BY id")]
    finally:
        connection.close()
    assert names == ["案例附件.pdf", "具体措施.docx"]


# -- 0007: several plans, units as organisations ----------------------------------------------------
def test_0007_keeps_the_corrected_issue_date_and_makes_the_plan_active(data_dir: Path) -> None:
    shutil.copytree(FIXTURES / "db" / "0006", data_dir)
    db = paths.database_path(data_dir)
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO setting (key, value) VALUES ('plan.issued_on', '2019-10-20')")
    service = LiaisonService.open(data_dir)
    info = service.plan_info()
    assert (info.plan_id, info.issued_on.isoformat(), info.revision, info.active) == (
        "nanan-2019",
        "2019-10-20",
        1,
        True,
    )
    assert info.units == 61 and service.resolve_unit("区城管局") == "区城管局"
    service.close()
    with sqlite3.connect(db) as connection:
        plan_units = connection.execute("SELECT COUNT(*) FROM plan_unit").fetchone()[0]
        columns = [r[1] for r in connection.execute("PRAGMA table_info(unit)")]
    assert plan_units == 61 and "plan_id" not in columns
