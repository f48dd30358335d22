"""The command line as scripts use it: real processes, real data folder, JSON read back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from liaison_app.plan.build import plan_paths
from liaison_app.plan.bundle import load_plan_file
from tests.helpers import cli_in_process, run_cli


@pytest.fixture(autouse=True)
def first_started(data_dir: Path, bundled_template: Path) -> None:
    """Each command runs on a data folder a first start made (that start is tested in test_store)."""
    shutil.copytree(bundled_template, data_dir)


def json_of(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def expected() -> dict[str, list[tuple[str, str]]]:
    """Per unit, (item id, role) straight from the bundled plan file."""
    plan = load_plan_file(plan_paths("nanan-2019")["plan"])
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for item in plan.items():
        for unit in item.lead:
            by_unit.setdefault(unit, []).append((item.code, "lead"))
        for unit in item.coop:
            by_unit.setdefault(unit, []).append((item.code, "coop"))
    return by_unit


@pytest.mark.parametrize("unit", ["区市场监管局", "区公安分局", "区城管局", "南岸供电公司", "区法院"])
def test_tasks_json_per_unit(data_dir: Path, unit: str, expected: dict[str, list[tuple[str, str]]]) -> None:
    rows = json_of(cli_in_process(data_dir, "tasks", "--unit", unit, "--json"))
    assert [(r["id"], r["role"]) for r in rows] == expected[unit]
    first = rows[0]
    assert set(first) >= {
        "id",
        "area",
        "measure",
        "item",
        "text",
        "lead",
        "coop",
        "deadline",
        "role",
        "status",
        "note",
        "evidence",
    }
    assert first["status"] == "not_started" and first["evidence"] == 0
    for row in rows:
        assert unit in (row["lead"] if row["role"] == "lead" else row["coop"])


def test_public_security_only_cooperates(data_dir: Path) -> None:
    rows = json_of(cli_in_process(data_dir, "tasks", "--unit", "区公安分局", "--json"))
    assert rows and {r["role"] for r in rows} == {"coop"}


def test_catalog_json(data_dir: Path) -> None:
    rows = json_of(cli_in_process(data_dir, "catalog", "--json"))
    assert len(rows) == 162
    by_id = {r["id"]: r for r in rows}
    assert by_id["2"]["item"] is None and by_id["2"]["measure"] == 2
    assert by_id["11.2"]["item"] == 2 and by_id["11.2"]["area"] == 3
    assert by_id["1.1"]["deadline"] == "2019-09-30"
    assert "区城管局" in by_id["11.2"]["coop"] and "区城管局" not in by_id["11.1"]["coop"]


def test_units_json_and_table(data_dir: Path) -> None:
    units = json_of(cli_in_process(data_dir, "units", "--json"))
    assert len(units) == 61
    table = cli_in_process(data_dir, "units")
    assert table.returncode == 0 and "区城管局" in table.stdout and "共 61 个单位" in table.stdout


def test_set_survives_a_new_process(data_dir: Path) -> None:
    result = run_cli(
        data_dir, "set", "--unit", "区城管局", "--item", "11.2", "--status", "推进中", "--note", "=1+1 已对接"
    )
    assert result.returncode == 0, result.stderr
    rows = json_of(run_cli(data_dir, "tasks", "--unit", "区城管局", "--json"))
    row = next(r for r in rows if r["id"] == "11.2")
    assert (row["status"], row["note"]) == ("in_progress", "=1+1 已对接")


def test_alias_is_accepted(data_dir: Path) -> None:
    rows = json_of(cli_in_process(data_dir, "tasks", "--unit", "开区市政绿化处", "--json"))
    assert {r["id"] for r in rows} >= {"11.2", "17"}


def test_unknown_unit_exits_2_with_suggestions(data_dir: Path) -> None:
    result = run_cli(data_dir, "tasks", "--unit", "区城管")
    assert result.returncode == 2
    assert "区城管局" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--item", "11.1", "--status", "done"], "不是工作措施 11.1 的牵头或配合单位"),
        (["--item", "74.1", "--status", "done"], "没有编号为「74.1」"),
        (["--item", "11.2", "--status", "finished"], "not_started(未启动)"),
    ],
)
def test_bad_set_writes_nothing(data_dir: Path, args: list[str], message: str) -> None:
    result = cli_in_process(data_dir, "set", "--unit", "区城管局", *args)
    assert result.returncode == 2
    assert message in result.stderr
    rows = json_of(cli_in_process(data_dir, "tasks", "--unit", "区城管局", "--json"))
    assert all(r["status"] == "not_started" for r in rows)


def test_human_tasks_table(data_dir: Path) -> None:
    result = cli_in_process(data_dir, "tasks", "--unit", "区城管局", "--as-of", "2020-01-15")
    assert result.returncode == 0
    assert "逾期" in result.stdout and "11.2" in result.stdout and "配合" in result.stdout
