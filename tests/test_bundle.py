"""The bundled plan is exactly what the parser makes of the source text: nobody edits it by hand."""

from __future__ import annotations

import json

import pytest

from liaison_app.plan.build import BUNDLED_PLANS, plan_paths
from liaison_app.plan.bundle import PlanFileError, anomaly_report, build, dumps, load_plan_file


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
