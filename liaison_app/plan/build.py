"""Rebuild the bundled plan(s) from source text and errata: ``python -m liaison_app.plan.build``."""

from __future__ import annotations

import sys
from pathlib import Path

from liaison_app.paths import resources_dir
from liaison_app.plan.bundle import UNPLACED_KINDS, anomaly_report, build, dumps

BUNDLED_PLANS = ("nanan-2019",)


def plan_paths(plan_id: str, plans_dir: Path | None = None) -> dict[str, Path]:
    base = plans_dir or resources_dir() / "plans"
    return {
        "source": base / f"{plan_id}.source.txt",
        "errata": base / f"{plan_id}.errata.toml",
        "plan": base / f"{plan_id}.plan.json",
        "report": base / f"{plan_id}.report.md",
    }


def main() -> int:
    for plan_id in BUNDLED_PLANS:
        paths = plan_paths(plan_id)
        plan = build(paths["source"], paths["errata"])
        paths["plan"].write_text(dumps(plan), encoding="utf-8")
        paths["report"].write_text(anomaly_report(plan), encoding="utf-8")
        unplaced = sum(a.kind in UNPLACED_KINDS for a in plan.anomalies)
        print(
            f"{plan_id}: {len(plan.areas)} 领域, {len(plan.measures)} 目标任务, "
            f"{len(plan.items())} 工作措施, {len(plan.anomalies)} 条解析记录, 无法归属 {unplaced}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
