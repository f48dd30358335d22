"""The bundled plan's milestones and targets are exactly the reviewed ones.

tests/fixtures/nanan-2019-targets.toml was written by reading every work text of the plan; the
extractor plus the errata table must give exactly that, item by item, field by field.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from liaison_app.plan.build import plan_paths
from liaison_app.plan.bundle import build, load_plan_file
from liaison_app.plan.model import Item, Plan

FIXTURE = Path(__file__).parent / "fixtures" / "nanan-2019-targets.toml"


@pytest.fixture(scope="module")
def plan() -> Plan:
    paths = plan_paths("nanan-2019")
    return build(paths["source"], paths["errata"])


@pytest.fixture(scope="module")
def reviewed() -> dict[str, dict[str, Any]]:
    return tomllib.loads(FIXTURE.read_text(encoding="utf-8"))["items"]


def _as_reviewed(item: Item) -> dict[str, Any]:
    """An item's milestones and targets in the fixture's own shape."""
    found: dict[str, Any] = {}
    if item.milestones:
        found["milestones"] = [{"date": m.date.isoformat(), "text": m.text} for m in item.milestones]
    if item.targets:
        rows = []
        for target in item.targets:
            row: dict[str, Any] = {
                "text": target.text,
                "op": target.op,
                "value": str(target.value),
                "unit": target.unit,
            }
            if target.baseline is not None:
                row["baseline"] = str(target.baseline)
                row["baseline_unit"] = target.baseline_unit
            if target.milestone is not None:
                row["milestone"] = target.milestone
            rows.append(row)
        found["targets"] = rows
    return found


def test_fixture_names_only_items_of_the_plan(plan: Plan, reviewed: dict[str, dict[str, Any]]) -> None:
    codes = {item.code for item in plan.items()}
    assert set(reviewed) <= codes


def test_every_item_matches_the_reviewed_fixture(plan: Plan, reviewed: dict[str, dict[str, Any]]) -> None:
    mismatches = {}
    for item in plan.items():
        want = reviewed.get(item.code, {})
        got = _as_reviewed(item)
        if got != want:
            mismatches[item.code] = {"extracted": got, "reviewed": want}
    assert not mismatches, mismatches


def test_ids_are_numbered_in_text_order(plan: Plan) -> None:
    for item in plan.items():
        assert [t.id for t in item.targets] == [f"{item.code}-t{n}" for n in range(1, len(item.targets) + 1)]


def test_milestones_agree_with_the_deadline(plan: Plan) -> None:
    """The item's deadline (kept for compatibility) is its latest milestone."""
    for item in plan.items():
        latest = max((m.date for m in item.milestones), default=None)
        assert item.deadline == latest, item.code


def test_counts_and_two_step_items(plan: Plan) -> None:
    items = plan.items()
    assert sum(bool(i.milestones) for i in items) == 49
    assert sum(bool(i.targets) for i in items) == 35
    assert [i.code for i in items if len(i.milestones) >= 2] == ["26.1", "63.1", "72.4"]
    land = next(i for i in items if i.code == "26.1")
    assert [m.date for m in land.milestones] == [dt.date(2019, 12, 31), dt.date(2022, 12, 31)]


def test_bundled_json_carries_them_exactly(plan: Plan) -> None:
    loaded = load_plan_file(plan_paths("nanan-2019")["plan"])
    assert [(i.milestones, i.targets) for i in loaded.items()] == [
        (i.milestones, i.targets) for i in plan.items()
    ]
    rate = next(t for i in loaded.items() for t in i.targets if t.id == "13-t1")
    assert rate.value == Decimal("99.96") and isinstance(rate.value, Decimal)


def test_report_lists_counts_and_every_decision(plan: Plan) -> None:
    report = plan_paths("nanan-2019")["report"].read_text(encoding="utf-8")
    assert "有时间节点的工作措施 49 条" in report
    assert "有量化指标的工作措施 35 条" in report
    assert "其中有两个及以上时间节点的 3 条:26.1、63.1、72.4" in report
    for item in plan.items():
        for target in item.targets:
            assert f"`{target.id}`" in report
    assert report.count("- 10:「") == 4  # the four errata decisions of item 10, each with its reason
    assert "源文本“3.25/吨”丢了“元”" in report
    # the negative decisions are listed too: every number that is not a target, and why
    assert "「10千伏供」不是指标:后无计量单位" in report
    assert "「DN40以下且」不是指标:前有字母，是型号或规格" in report
