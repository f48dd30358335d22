"""A unit's task list read from the store (issue #18): what the first screen and each unit switch ask.

    .venv/bin/python benchmarks/bench_store_read.py [--factor 100]

On the bundled plan repeated ``--factor`` times (×100: 16,200 items; the largest unit 4,200),
with a progress row for every item of the largest unit (as after a year of use), medians of 7:

* **service.tasks(unit)**: through the ORM service (its session's connection, the shared read);
* **ReadView.tasks(unit)**: the same read on a bare ``sqlite3`` connection (the first screen);
* **bare query**: one SELECT of the unit's assignments joined to their progress rows, fetched —
  the floor any read of the list pays (the baseline, measured in the same run).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

BARE = """
SELECT a.item_id, a.role, p.status, p.note, p.completed_on, p.updated_at
FROM assignment a JOIN unit u ON u.id = a.unit_id
LEFT JOIN progress p ON p.unit_id = a.unit_id AND p.item_id = a.item_id
WHERE u.name = ?
"""


def samples(fn: object, repeat: int = 7) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=100)
    options = parser.parse_args()
    from common import largest_unit, open_scaled

    from liaison_app.store.read_view import ReadView

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        service = open_scaled(folder, options.factor)
        unit = largest_unit(service)
        service.close()
        with sqlite3.connect(folder / "liaison.sqlite3") as connection:
            connection.execute(
                "INSERT OR IGNORE INTO progress (unit_id, item_id, status, note, updated_at)"
                " SELECT a.unit_id, a.item_id, 'in_progress', '已推进,见附件', '2019-11-20 09:30:00'"
                " FROM assignment a JOIN unit u ON u.id = a.unit_id WHERE u.name = ?",
                (unit,),
            )
        connection.close()
        service = open_scaled(folder, 1)  # the same data, opened as the window opens it
        view = ReadView.open(folder)
        assert view is not None
        bare = sqlite3.connect(f"file:{folder / 'liaison.sqlite3'}?mode=ro", uri=True)
        try:
            count = len(service.tasks(unit))
            assert view.tasks(unit) == service.tasks(unit)
            figures = {}
            for _ in range(2):  # alternate so that load hits all alike; the second round counts
                figures = {
                    "bare query (baseline)": samples(lambda: bare.execute(BARE, (unit,)).fetchall()),
                    "service.tasks(unit)": samples(lambda: service.tasks(unit)),
                    "ReadView.tasks(unit)": samples(lambda: view.tasks(unit)),
                }
        finally:
            bare.close()
            view.close()
            service.close()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"plan ×{options.factor}, {unit}: {count} items; medians of 7; load average {load}")
    baseline = statistics.median(figures["bare query (baseline)"])
    for label, runs in figures.items():
        median = statistics.median(runs)
        print(
            f"{label:<24}{median:8.1f} ms  {median / baseline:5.1f}× bare   (runs: "
            + ", ".join(f"{r:.1f}" for r in runs)
            + ")"
        )


if __name__ == "__main__":
    main()
