"""Consolidation figures (issue #6). Prints figures and ratios; goals in brackets.

    .venv/bin/python benchmarks/bench_consolidation.py

* one report per unit (~50 files): receive + merge + write the 汇总表, against a bare openpyxl
  load of the same files in the same run                                           [≤ 1.5×]
* the same with 10× as many files
* what the largest legitimate return costs against each limit of the report reader (rows per
  sheet, cells, shared strings, bytes, unpacked bytes, seconds per file)   [far below: ≤ 10 %]
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def main() -> None:
    from common import timed
    from openpyxl import load_workbook

    from liaison_app.reports.consolidation import consolidate, receive
    from liaison_app.reports.consolidation_report import write_consolidation
    from liaison_app.reports.unit_report import default_file_name
    from liaison_app.store.reporting import ReportService
    from liaison_app.store.service import LiaisonService
    from liaison_app.store.status import Status

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        service = LiaisonService.open(folder / "data")
        reports = ReportService(service)
        units = [u.name for u in service.units() if u.lead_items or u.coop_items]
        statuses = list(Status)
        inbox = folder / "inbox"
        inbox.mkdir()
        for n, unit in enumerate(units):
            for k, task in enumerate(service.tasks(unit)):
                service.update(unit, task.item.id, status=statuses[(n + k) % 5], note=f"第{k}条进展")
            reports.export(unit, "2019-12", dt.date(2020, 1, 10), inbox / default_file_name(unit, "2019-12"))
        catalog = reports.catalog_snapshot()
        big = folder / "big"
        big.mkdir()
        for copy in range(10):  # 10× the files: every unit sent ten versions
            for path in inbox.iterdir():
                shutil.copy(path, big / f"{copy}_{path.name}")

        for label, box in (("one per unit", inbox), ("10× files", big)):
            files = sorted(box.iterdir())

            def ours(box: Path = box) -> None:
                intake = receive([box], catalog, "2019-12")
                result = consolidate(intake, catalog, dt.date(2020, 1, 10), dt.datetime(2020, 1, 10))
                write_consolidation(result, folder / "汇总.xlsx")

            def bare(files: list[Path] = files) -> None:
                for path in files:
                    workbook = load_workbook(path, read_only=True)
                    for sheet in workbook.worksheets:
                        for _row in sheet.iter_rows(values_only=True):
                            pass
                    workbook.close()

            mine, plain = timed(ours, 3), timed(bare, 3)
            print(
                f"{label}: {len(files)} files — consolidate {mine:.0f} ms, bare openpyxl load "
                f"{plain:.0f} ms, ratio {mine / plain:.2f}x  [goal ≤ 1.5x]"
            )
        from liaison_app.reports.report_reader import LIMITS, measure

        costs = [measure(path) for path in sorted(inbox.iterdir())]
        print(f"limits of one return, over the {len(costs)} returns of a month (largest / limit):")
        for key, limit in LIMITS.items():
            largest = max(c[key] for c in costs)
            shown = f"{largest:.3f}" if key == "seconds" else f"{largest:.0f}"
            print(f"  {key:9} {shown:>10} / {limit:<10.0f} = {100 * largest / limit:6.2f} %  [goal ≤ 10 %]")
        service.close()


if __name__ == "__main__":
    main()
