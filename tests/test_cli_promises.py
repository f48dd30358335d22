"""`catalog`/`tasks` JSON with milestones and targets; `milestone` and `actual` (#15 item 5)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from liaison_app import paths
from tests.helpers import first_start, run


@pytest.fixture(autouse=True)
def _started(data_dir: Path) -> None:
    """The bundled plan's first start, copied: what these commands change, not the creation of
    the database, is the point here (creating and migrating it costs ~0.4 s a test)."""
    first_start(data_dir)


def as_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> Any:
    code, out, err = run(capsys, data_dir, *args)
    assert code == 0, err
    return json.loads(out)


def counts(data_dir: Path) -> tuple[int, ...]:
    with sqlite3.connect(paths.database_path(data_dir)) as connection:
        return tuple(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("actual", "milestone_done", "history", "progress")
        )


def test_catalog_json_carries_milestones_and_targets(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    items = {i["id"]: i for i in as_json(capsys, data_dir, "catalog", "--json")}
    assert items["63.1"]["milestones"] == [
        {
            "date": "2019-12-31",
            "text": "2019年底前全区市场监管部门完成双随机抽查全流程整合,"
            "实现“双随机、一公开”监管全覆盖、常态化",
            "done": None,
        },
        {
            "date": "2020-12-31",
            "text": "2020年底前实现全区市场监管领域相关部门“双随机、一公开”监管全覆盖",
            "done": None,
        },
    ]
    (first, _second) = items["13"]["targets"]
    assert {k: first[k] for k in ("id", "text", "op", "value", "unit", "baseline", "milestone")} == {
        "id": "13-t1",
        "text": "城市供电可靠率",
        "op": ">=",
        "value": 99.96,
        "unit": "%",
        "baseline": None,
        "milestone": 1,
    }
    assert sum(bool(i["milestones"]) for i in items.values()) == 49
    assert sum(bool(i["targets"]) for i in items.values()) == 35


def test_actual_and_milestone_show_up_in_tasks_json(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(
        capsys, data_dir, "actual", "--unit", "南岸供电公司", "--item", "13", "--target", "13-t1",
        "--value", "99.90", "--period", "2019-10", "--source", "供电公司月报",
    )  # fmt: skip
    assert (code, err) == (0, "") and "未达标" in out
    code, out, _ = run(
        capsys, data_dir, "actual", "--unit", "南岸供电公司", "--item", "13", "--target", "13-t1",
        "--value", "99.97", "--period", "2019-11",
    )  # fmt: skip
    assert code == 0 and "→ 达标" in out
    rows = {t["id"]: t for t in as_json(capsys, data_dir, "tasks", "--unit", "南岸供电公司", "--json")}
    reliability, rural = rows["13"]["targets"]
    assert (reliability["actual"], reliability["met"]) == (99.97, True)
    assert [p["value"] for p in reliability["trend"]] == [99.9, 99.97]
    assert (rural["actual"], rural["met"]) == (None, None)
    # a cooperating unit sees the lead unit's figure
    coop = {t["id"]: t for t in as_json(capsys, data_dir, "tasks", "--unit", "区经济信息委", "--json")}
    assert coop["13"]["targets"][0]["met"] is True

    code, out, err = run(
        capsys,
        data_dir,
        "milestone",
        "--unit",
        "区市场监管局",
        "--item",
        "63.1",
        "--index",
        "1",
        "--done",
        "2019-12-20",
    )
    assert code == 0, err
    rows = {t["id"]: t for t in as_json(capsys, data_dir, "tasks", "--unit", "区市场监管局", "--json")}
    assert [m["done"] for m in rows["63.1"]["milestones"]] == ["2019-12-20", None]
    assert rows["63.1"]["next_milestone"] == 2 and rows["63.1"]["status"] == "in_progress"


BAD = [
    (
        ["actual", "--unit", "南岸供电公司", "--item", "13", "--target", "13-t1", "--value", "100.01"],
        "超过 100%",
    ),
    (["actual", "--unit", "南岸供电公司", "--item", "13", "--target", "13-t1", "--value", "abc"], "不是数字"),
    (["actual", "--unit", "南岸供电公司", "--item", "13", "--target", "13-t7", "--value", "1"], "13-t7"),
    (["actual", "--unit", "区人力社保局", "--item", "45.3", "--target", "45.3-t1", "--value", "-5"], "负数"),
    (["actual", "--unit", "区经济信息委", "--item", "13", "--target", "13-t1", "--value", "99"], "配合单位"),
    (["actual", "--unit", "不存在局", "--item", "13", "--target", "13-t1", "--value", "99"], "没有名为"),
    (["actual", "--unit", "南岸供电公司", "--item", "99.9", "--target", "13-t1", "--value", "99"], "99.9"),
    (
        [
            "actual",
            "--unit",
            "南岸供电公司",
            "--item",
            "13",
            "--target",
            "13-t1",
            "--value",
            "99",
            "--period",
            "2019-13",
        ],
        "报送期",
    ),
    (
        ["milestone", "--unit", "区市场监管局", "--item", "63.1", "--index", "3", "--done", "2019-12-20"],
        "第 3 个",
    ),
    (
        ["milestone", "--unit", "区市场监管局", "--item", "63.1", "--index", "x", "--done", "2019-12-20"],
        "--index",
    ),
    (
        ["milestone", "--unit", "区市场监管局", "--item", "63.1", "--index", "1", "--done", "2019/12/20"],
        "YYYY-MM-DD",
    ),
    (
        ["milestone", "--unit", "区市场监管局", "--item", "63.1", "--index", "1", "--done", "2099-01-01"],
        "晚于今天",
    ),
    (
        ["milestone", "--unit", "区市场监管局", "--item", "1.1", "--index", "2", "--done", "2019-12-20"],
        "第 2 个",
    ),
]


@pytest.mark.parametrize(("args", "reason"), BAD, ids=[f"{a[0]}-{r}" for a, r in BAD])
def test_bad_ids_units_and_values_exit_2_with_one_chinese_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: list[str], reason: str
) -> None:
    before = counts(data_dir)
    code, out, err = run(capsys, data_dir, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("错误:") and reason in err
    assert counts(data_dir) == before
