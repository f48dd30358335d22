"""Import, publish and diff figures for plan files (in process, median of a few runs).

.venv/bin/python benchmarks/bench_plan_import.py

- reading the bundled plan's package (162 items) and a 5,000-row task table (the row limit)
- refusing a 100,000-row table (must stop at the limit, not read it all)
- writing the package, and diffing the bundled plan against a shuffled-and-reworded copy
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from liaison_app.plan.diff import diff_plans
from liaison_app.plan.importers import PlanImportError, bundled_registry, read_plan
from liaison_app.plan.package import publish
from liaison_app.store.plan_loader import bundled_plan

RUNS = 3


def timed(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def table(path: Path, rows: int) -> Path:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("任务分解表")
    ws.append(["序号", "领域", "目标任务", "工作措施", "牵头单位", "配合单位", "完成时限"])
    for n in range(rows):
        ws.append(
            [
                n + 1,
                f"领域{n // 500}",
                f"任务{n // 5}",
                f"第{n}条工作措施，2020年底前完成。",
                "区财政局",
                "区税务局",
                None,
            ]
        )
    workbook.save(path)
    return path


def main() -> None:
    registry = bundled_registry()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        plan = bundled_plan()
        write_ms = timed(lambda: publish(plan, base))
        package = next(base.glob("*.xlsx"))
        read_ms = timed(lambda: read_plan(package, registry=registry))
        big = table(base / "5000.xlsx", 5000)
        big_ms = timed(lambda: read_plan(big, registry=registry), runs=1)
        huge = table(base / "100000.xlsx", 100_000)

        def refuse() -> None:
            try:
                read_plan(huge, registry=registry)
            except PlanImportError:
                return
            raise AssertionError("a 100,000-row table was not refused")

        huge_ms = timed(refuse, runs=1)
        other = bundled_plan()
        for measure in other.measures[::3]:
            for item in measure.items:
                item.text = item.text.replace("。", "，确保落实到位。", 1)
        other.measures.reverse()
        diff_ms = timed(lambda: diff_plans(plan, other))
    print(f"write package (162 items):           {write_ms:8.0f} ms")
    print(f"read + review package (162 items):   {read_ms:8.0f} ms")
    print(f"read + review 5,000-row table:       {big_ms:8.0f} ms  ({big_ms / 5000:.2f} ms/row)")
    ratio = huge_ms / big_ms
    print(f"refuse 100,000-row table:            {huge_ms:8.0f} ms  (ratio to 5,000 rows {ratio:.2f})")
    print(f"diff 162 × 162 (1/3 reworded, moved): {diff_ms:8.0f} ms")


if __name__ == "__main__":
    main()
