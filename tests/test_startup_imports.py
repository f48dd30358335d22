"""Start-up loads only what the first screen or the command needs (issue #18 goals 1 and 3).

Each test starts the real program in a fresh process, exactly as the desktop shortcut or a script
does, and lists the modules loaded at the moment the work is done: for the window, when the unit's
items are painted (``LIAISON_APP_REPORT_STARTUP``); for a command, when it returns. What a liaison's
start never needs (workbooks, migrations, signatures, the office's modules) must not be among
them, so that the time won cannot be lost again by one careless import.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from liaison_app.store.database import HEAD_REVISION
from liaison_app.store.service import LiaisonService
from tests.helpers import REPO

UNIT = "区市场监管局"
SPY = """
import sys
from liaison_app import cli

window = len(sys.argv) == 3  # only --data-dir DIR: the window; else a command
if window:
    from liaison_app import app

    def spy(application, shown_window, shown):
        report(application, shown_window, shown)  # prints 'startup …' once the items are painted
        print("modules", *sorted(sys.modules))

    report, app.report_startup = app.report_startup, spy
code = cli.main(sys.argv[1:])
if not window:  # what the command loaded by the time it returned
    print("modules", *sorted(sys.modules), file=sys.stderr)
sys.exit(code)
"""
# What only exports, consolidation, the office, signing or a schema upgrade needs.
NOT_AT_START = {
    "openpyxl",
    "alembic",
    "cryptography",
    "pypinyin",
    "liaison_app.reports.consolidation",
    "liaison_app.reports.unit_report",
    "liaison_app.reports.report_reader",
    "liaison_app.store.reporting",
    "liaison_app.store.ledger",
    "liaison_app.signing",
    "liaison_app.office_cli",
    "liaison_app.ui.office_window",
    "liaison_app.ui.report_actions",
}
# The side panels (item details, typical cases, duties), the evidence actions, the liaison's
# dialogs: made after the first paint (``MainWindow.build_after_paint``) or when first used.
NOT_AT_FIRST_PAINT = {
    "liaison_app.ui.detail_pane",
    "liaison_app.ui.duties_panels",
    "liaison_app.ui.evidence_panel",
    "liaison_app.ui.evidence_actions",
    "liaison_app.ui.milestones_panel",
    "liaison_app.ui.targets_panel",
    "liaison_app.ui.history_model",
    "liaison_app.ui.task_editor",
    "liaison_app.ui.profile_dialog",
    "liaison_app.store.duty_records",
}
NOT_IN_THE_CLI = {"PySide6", "shiboken6", "openpyxl", "alembic", "cryptography"}


def start(data_dir: Path, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_APP_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", LIAISON_APP_REPORT_STARTUP="1")
    env["LIAISON_APP_CONFIG_DIR"] = str(config)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-c", SPY, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=120,
    )


def modules(output: str) -> set[str]:
    line = next(line for line in output.splitlines() if line.startswith("modules "))
    return set(line.split()[1:])


def top_level(names: set[str]) -> set[str]:
    return names | {name.split(".")[0] for name in names}


@pytest.fixture
def started(data_dir: Path, bundled_template: Path) -> Path:
    """A data folder after the first start, its liaison's unit chosen."""
    shutil.copytree(bundled_template, data_dir)
    service = LiaisonService.open(data_dir)
    service.set_settings({"ui.last_unit": UNIT})
    service.close()
    return data_dir


def test_the_window_is_usable_before_reports_office_or_migrations_load(started: Path, tmp_path: Path) -> None:
    result = start(started, config=tmp_path / "config")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("startup "))
    fields = dict(pair.split("=", 1) for pair in line.split()[1:])
    assert int(fields["rows"]) > 0, "the unit's items are in the window"
    assert float(fields["shown"]) < float(fields["usable"])
    loaded = modules(result.stdout)
    assert "PySide6.QtWidgets" in loaded and "liaison_app.ui.main_window" in loaded  # the real start
    assert top_level(loaded) & NOT_AT_START == set()
    # the items were read and painted with sqlite3 alone; the data is opened after the first paint
    assert "sqlalchemy" not in top_level(loaded)
    assert any(line.startswith("attached=") for line in result.stdout.splitlines()), "then the data"
    assert loaded & NOT_AT_FIRST_PAINT == set()  # the side panels come after the first paint


def test_a_window_on_an_older_schema_opens_the_data_before_showing_the_items(tmp_path: Path) -> None:
    older = tmp_path / "older"
    shutil.copytree(Path(__file__).parent / "fixtures" / "db" / "0009", older)
    with sqlite3.connect(older / "liaison.sqlite3") as connection:  # chosen before (no first-run question)
        connection.execute("INSERT OR REPLACE INTO setting VALUES ('ui.last_unit', '区城管局')")
    result = start(older, config=tmp_path / "config")
    assert result.returncode == 0, result.stderr
    assert "sqlalchemy" in top_level(modules(result.stdout))  # the full opening: it upgrades
    with sqlite3.connect(older / "liaison.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION


@pytest.mark.parametrize(
    ("command", "orm", "snapshots"),
    [
        (("tasks", "--unit", UNIT, "--json"), False, False),
        (("units",), False, False),
        (("catalog", "--json"), False, False),
        (("set", "--unit", UNIT, "--item", "1.1", "--status", "in_progress"), False, True),
        (("attach", "--unit", UNIT, "--item", "1.1", str(REPO / "README.md")), True, True),
        (("office", "register", "--period", "2019-11", "--json"), False, False),
    ],
    ids=["tasks", "units", "catalog", "set", "attach", "office-register"],
)
def test_a_command_loads_neither_qt_nor_workbooks_nor_migrations(
    started: Path, tmp_path: Path, command: tuple[str, ...], orm: bool, snapshots: bool
) -> None:
    result = start(started, *command, config=tmp_path / "config")
    assert result.returncode == 0, result.stderr
    loaded = top_level(modules(result.stderr))
    assert "liaison_app.store.sqlite_read" in loaded  # it did open the data
    # readers of a current database read it with sqlite3 alone, and so does `set` write;
    # the other writers need the ORM
    assert ("sqlalchemy" in loaded) is orm
    assert loaded & NOT_IN_THE_CLI == set()
    # checking the database needs sqlite3 alone; backups (zipfile) only where a writer opens it
    assert ("liaison_app.store.backup" in loaded) is snapshots and ("zipfile" in loaded) is snapshots


def test_a_reader_on_an_older_schema_takes_the_full_opening_and_upgrades(tmp_path: Path) -> None:
    older = tmp_path / "older"
    shutil.copytree(Path(__file__).parent / "fixtures" / "db" / "0009", older)
    result = start(older, "tasks", "--unit", "区城管局", "--json", config=tmp_path / "config")
    assert result.returncode == 0, result.stderr
    assert "sqlalchemy" in top_level(modules(result.stderr))
    tasks = {task["id"]: task for task in json.loads(result.stdout)}
    assert tasks["16"]["status"] == "done" and tasks["11.2"]["status"] == "in_progress"
    with sqlite3.connect(older / "liaison.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION


def test_office_register_on_an_older_schema_upgrades_then_reads_without_the_orm(tmp_path: Path) -> None:
    """The 0009 ledger (one return received for 2019-11) takes the full opening once, is upgraded,
    and from then on is read with sqlite3 alone: the same register either way."""
    older = tmp_path / "older"
    shutil.copytree(Path(__file__).parent / "fixtures" / "db" / "0009", older)
    command = ("office", "register", "--period", "2019-11", "--json")
    upgraded = start(older, *command, config=tmp_path / "config")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "sqlalchemy" in top_level(modules(upgraded.stderr))
    with sqlite3.connect(older / "liaison.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    connection.close()
    quick = start(older, *command, config=tmp_path / "config")
    assert quick.returncode == 0, quick.stderr
    assert "sqlalchemy" not in top_level(modules(quick.stderr))
    assert json.loads(quick.stdout) == json.loads(upgraded.stdout)
    register = {line["unit"]: line for line in json.loads(quick.stdout)["units"]}
    received = register.pop("区城管局")
    assert received["state"] in ("按时", "迟报") and received["received_at"] and received["file"]
    assert {line["state"] for line in register.values()} == {"未报"}
