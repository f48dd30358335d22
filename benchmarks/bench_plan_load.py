"""Loading plans into the database: the bundled plan, a big synthetic plan, and its revision.

.venv/bin/python benchmarks/bench_plan_load.py [ITEMS]

Prints wall-clock seconds for: loading the bundled plan (162 items) into a fresh folder; loading
a synthetic plan of ITEMS items (default 5,000; 60 units, 2–4 per item); and a revision of it in
which every item is renumbered (shifted by one) so each carries its row, with progress on 1,000.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from liaison_app import paths
from liaison_app.plan.model import Area, Item, Measure, Plan, Unit
from liaison_app.store import plans
from liaison_app.store.database import open_database
from liaison_app.store.plan_loader import bundled_plan

NOW = dt.datetime(2021, 3, 1, 9, 0)


def synthetic(items: int, shift: int = 0) -> Plan:
    units = [Unit(f"单位{n:02d}", "区级部门") for n in range(60)]
    measures = []
    per = 10
    for m in range(items // per):
        measure = Measure(m + 1, f"目标任务{m + 1}", 1)
        for s in range(per):
            k = m * per + s
            names = [units[(k + j) % 60].name for j in range(2 + k % 3)]
            measure.items.append(
                Item(
                    m + 1,
                    s + 1 + shift,
                    f"第{k}条工作措施:推进事项{k}的办理，压缩时限，提升便利度。",
                    names[:1],
                    names[1:],
                )
            )
        measures.append(measure)
    return Plan(
        plan_id="synthetic",
        name="合成方案",
        issued_on=dt.date(2021, 1, 1),
        issued_on_note="",
        source_sha256="0" * 64,
        areas=[Area(1, "一", "领域")],
        measures=measures,
        units=units,
        aliases={},
        anomalies=[],
    )


def timed(label: str, work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:40} {seconds:8.2f} s")
    return seconds


def main(items: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(paths.database_path(paths.ensure_data_dir(Path(folder) / "a")))
        timed("bundled plan (162 items)", lambda: plans.load(db, bundled_plan(), NOW))
        big = synthetic(items)
        load_s = timed(f"synthetic plan ({items} items)", lambda: plans.load(db, big, NOW))
        from liaison_app.store.service import LiaisonService

        service = LiaisonService(db, plan="synthetic")
        for item in big.items()[:1000]:
            service.update(item.lead[0], item.code, status="ongoing", note="进展")
        renumbered = dataclasses.replace(synthetic(items, shift=1), plan_id="synthetic")
        target = plans.plan_revision(db, "synthetic", renumbered)
        revise_s = timed(
            f"revision, all {items} renumbered",
            lambda: plans.revise(db, target, renumbered, NOW, accept_doubtful=True, archive_dropped=True),
        )
        print(f"revision / first load: {revise_s / load_s:.2f}")
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
