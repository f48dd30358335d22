"""Several plans in one data folder: import, list, activate, --plan, the round trip of a package."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from liaison_app import paths
from liaison_app.store.service import LiaisonService
from tests.helpers import run, run_json, table_counts
from tests.plan_tables import EXPECTED_2020, EXPECTED_NOTICE, NOTICE_TXT, write_2020_table


def _without_plan(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "plan"} for row in rows]


def test_round_trip_of_the_bundled_plan_into_a_fresh_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    office, liaison = tmp_path / "office", tmp_path / "liaison"
    package = tmp_path / "方案.xlsx"
    assert run(capsys, office, "plan", "export", "-o", str(package))[0] == 0
    code, out, err = run(capsys, liaison, "plan", "import", str(package))
    assert code == 0, err
    assert "已载入" in out
    catalog = run_json(capsys, liaison, "catalog")
    assert len(catalog) == 162 and {row["plan"] for row in catalog} == {"nanan-2019"}
    assert _without_plan(catalog) == _without_plan(run_json(capsys, office, "catalog"))
    assert run_json(capsys, liaison, "units") == run_json(capsys, office, "units")
    with _open(liaison) as service:
        assert service.plan_info().items == 162 and service.plan_info().units == 61

    before = table_counts(liaison)
    code, out, err = run(capsys, liaison, "plan", "import", str(package))
    assert code == 0 and "已经载入" in out, err
    assert table_counts(liaison) == before  # the same package twice changes nothing

    tampered = tmp_path / "改过的方案.xlsx"
    from openpyxl import load_workbook

    workbook = load_workbook(package)
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 20:
                cell.value = cell.value + "(已改)"
                break
        else:
            continue
        break
    workbook.save(tampered)
    code, _out, err = run(capsys, liaison, "plan", "import", str(tampered))
    assert code == 2 and "改动" in err
    assert table_counts(liaison) == before


class _open:
    def __init__(self, folder: Path, plan: str | None = None) -> None:
        self.service = LiaisonService.open(folder, plan=plan)

    def __enter__(self) -> LiaisonService:
        return self.service

    def __exit__(self, *_: object) -> None:
        self.service.close()


def test_a_2020_table_becomes_a_second_plan_with_shared_units(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    run(
        capsys,
        data_dir,
        "set",
        "--unit",
        "区城管局",
        "--item",
        "11.2",
        "--status",
        "ongoing",
        "--note",
        "2019年的",
    )
    with _open(data_dir) as service:
        from liaison_app.store.duties import DutiesService

        DutiesService(service).save_case(
            "区城管局", period="2019-12", kind="positive", title="2019年的案例", related=["11.2"]
        )
    table = write_2020_table(tmp_path / "南岸区2020年任务分解表.xlsx")
    code, _out, err = run(
        capsys,
        data_dir,
        "plan",
        "import",
        str(table),
        "--id",
        "nanan-2020",
        "--alias",
        "区发改委=区发展改革委",
    )
    assert code == 0, err
    listed = run_json(capsys, data_dir, "plan", "list")
    assert [(p["id"], p["active"], p["items"]) for p in listed] == [
        ("nanan-2019", False, 162),
        ("nanan-2020", True, 10),
    ]
    expected = {("区发展改革委" if u == "区发改委" else u): tasks for u, tasks in EXPECTED_2020.items()}
    with _open(data_dir) as service:
        assert service.plan_id == "nanan-2020"
        for unit, tasks in expected.items():
            assert [(t.item.id, t.role) for t in service.tasks(unit)] == tasks, unit
    # the unit is one organisation: its 2019 progress is still there under the 2019 plan
    tasks = run_json(capsys, data_dir, "tasks", "--plan", "nanan-2019", "--unit", "区城管局")
    assert {t["plan"] for t in tasks} == {"nanan-2019"}
    assert next(t for t in tasks if t["id"] == "11.2")["note"] == "2019年的"
    cases = run_json(capsys, data_dir, "cases", "--unit", "区城管局")  # under the 2020 plan
    assert [c["title"] for c in cases] == ["2019年的案例"]  # the unit's cases stay with it
    tasks_2020 = run_json(capsys, data_dir, "tasks", "--unit", "区城管局")
    assert [(t["plan"], t["id"], t["role"]) for t in tasks_2020] == [("nanan-2020", "4.1", "coop")]
    with sqlite3.connect(paths.database_path(data_dir)) as connection:
        assert connection.execute("SELECT COUNT(*) FROM unit WHERE name = '区城管局'").fetchone() == (1,)
        assert connection.execute("SELECT COUNT(*) FROM unit WHERE name = '区发改委'").fetchone() == (0,)
    # activate switches the default back
    assert run(capsys, data_dir, "plan", "activate", "nanan-2019")[0] == 0
    assert run_json(capsys, data_dir, "catalog")[0]["plan"] == "nanan-2019"
    code, _out, err = run(capsys, data_dir, "catalog", "--plan", "nanan-2030")
    assert code == 2 and "nanan-2030" in err and "Traceback" not in err


def test_a_notice_text_imports_with_each_units_tasks(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, _out, err = run(capsys, data_dir, "plan", "import", str(NOTICE_TXT), "--id", "yaodian-2020")
    assert code == 0, err
    with _open(data_dir, "yaodian-2020") as service:
        for unit, tasks in EXPECTED_NOTICE.items():
            assert [(t.item.id, t.role) for t in service.tasks(unit)] == tasks, unit


def test_a_report_of_another_plan_is_refused_by_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    assert run(capsys, data_dir, "units")[0] == 0  # a folder in use: the bundled plan is loaded
    table = write_2020_table(tmp_path / "南岸区2020年任务分解表.xlsx")
    assert run(capsys, data_dir, "plan", "import", str(table), "--id", "nanan-2020")[0] == 0
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    code, _out, err = run(
        capsys, data_dir, "export", "--unit", "区城管局", "--period", "2020-06", "-o", str(out_dir)
    )
    assert code == 0, err
    (report,) = out_dir.glob("*.xlsx")
    assert report.name.startswith("南岸区2020年优化营商环境重点任务分解表_区城管局_")  # two plans loaded
    from liaison_app.reports.report_reader import read_report

    assert read_report(report).plan_id == "nanan-2020"
    code, out, _err = run(
        capsys,
        data_dir,
        "consolidate",
        str(report),
        "--plan",
        "nanan-2019",
        "-o",
        str(tmp_path / "汇总.xlsx"),
    )
    assert code != 0 and "南岸区2020年优化营商环境重点任务分解表" in out + _err, _err


def test_a_folder_with_only_an_imported_plan_backs_up_and_restores(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    code, _out, err = run(capsys, data_dir, "plan", "import", str(NOTICE_TXT), "--id", "yaodian-2020")
    assert code == 0, err
    run(capsys, data_dir, "set", "--unit", "区法院", "--item", "3", "--status", "ongoing", "--note", "备份前")
    backup = tmp_path / "备份.zip"
    assert run(capsys, data_dir, "backup", "-o", str(backup))[0] == 0
    run(capsys, data_dir, "set", "--unit", "区法院", "--item", "3", "--status", "done", "--note", "备份后")
    code, _out, err = run(capsys, data_dir, "restore", str(backup))
    assert code == 0, err
    (task,) = [t for t in run_json(capsys, data_dir, "tasks", "--unit", "区法院") if t["id"] == "3"]
    assert (task["plan"], task["note"]) == ("yaodian-2020", "备份前")
