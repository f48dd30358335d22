"""The bundled plan is exactly what the parser makes of the source text: nobody edits it by hand."""

from __future__ import annotations

import json

import pytest

from liaison_app.plan.build import BUNDLED_PLANS, plan_paths
from liaison_app.plan.bundle import (
    UNPLACED_KINDS,
    PlanFileError,
    anomaly_report,
    build,
    dumps,
    load_plan_file,
)
from liaison_app.plan.parser import Errata, parse_plan


@pytest.mark.parametrize("plan_id", BUNDLED_PLANS)
def test_bundled_plan_is_rebuilt_identically(plan_id: str) -> None:
    paths = plan_paths(plan_id)
    plan = build(paths["source"], paths["errata"])
    assert paths["plan"].read_text(encoding="utf-8") == dumps(plan), (
        "resources/plans is out of step with the parser: run python -m liaison_app.plan.build"
    )
    assert paths["report"].read_text(encoding="utf-8") == anomaly_report(plan)


def test_round_trip_through_json() -> None:
    paths = plan_paths("nanan-2019")
    loaded = load_plan_file(paths["plan"])
    assert dumps(loaded) == paths["plan"].read_text(encoding="utf-8")


def test_report_says_nothing_is_unplaced() -> None:
    report = plan_paths("nanan-2019")["report"].read_text(encoding="utf-8")
    assert "无法归属的内容:无。" in report
    assert "34.4" in report and "开区市政绿化处" in report


def test_not_a_plan_file_is_refused(tmp_path) -> None:
    bad = tmp_path / "x.plan.json"
    bad.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(PlanFileError, match="不是工作方案文件"):
        load_plan_file(bad)
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(PlanFileError, match="无法读取"):
        load_plan_file(bad)


def test_plan_file_from_before_milestones_and_targets_still_loads(tmp_path) -> None:
    data = json.loads(plan_paths("nanan-2019")["plan"].read_text(encoding="utf-8"))
    for measure in data["measures"]:
        for item in measure["items"]:
            del item["milestones"], item["targets"]
    old = tmp_path / "old.plan.json"
    old.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    items = {i.code: i for i in load_plan_file(old).items()}
    # read from the text (no errata at hand): the two-step item and the plain targets are there
    assert [m.date.isoformat() for m in items["26.1"].milestones] == ["2019-12-31", "2022-12-31"]
    assert [(t.id, str(t.value), t.unit) for t in items["13"].targets] == [
        ("13-t1", "99.96", "%"),
        ("13-t2", "99.81", "%"),
    ]


def test_a_target_with_a_bad_value_is_refused(tmp_path) -> None:
    data = json.loads(plan_paths("nanan-2019")["plan"].read_text(encoding="utf-8"))
    item = next(i for m in data["measures"] for i in m["items"] if i["id"] == "13")
    item["targets"][0]["value"] = "九十九"
    bad = tmp_path / "bad.plan.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PlanFileError, match="内容不完整或有误"):
        load_plan_file(bad)
    item["targets"][0]["value"] = 99.96
    item["targets"][0]["op"] = "<"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PlanFileError, match="比较符"):
        load_plan_file(bad)


def test_errata_that_no_longer_fit_the_text_are_reported_for_review() -> None:
    paths = plan_paths("nanan-2019")
    errata = Errata.load(paths["errata"])
    errata.target_errata["13"] = [{"item": "13", "action": "drop", "anchor": "不在文中", "reason": "x"}]
    errata.milestone_errata["99.9"] = [{"item": "99.9", "action": "drop", "index": 1, "reason": "x"}]
    plan = parse_plan(paths["source"].read_text(encoding="utf-8"), errata)
    stale = [a for a in plan.anomalies if a.kind == "errata_mismatch"]
    assert [a.where for a in stale] == ["13", "99.9"]
    assert "errata_mismatch" in UNPLACED_KINDS
    assert "无法归属的内容:2 处" in anomaly_report(plan)
    # the entry that did not fit changed nothing: item 13 keeps both extracted targets
    assert len(next(i for i in plan.items() if i.code == "13").targets) == 2
