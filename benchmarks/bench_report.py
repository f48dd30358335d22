"""Report export figures (issue #5). Prints figures and ratios; goals in brackets.

    .venv/bin/python benchmarks/bench_report.py

* exporting the unit with the most items, against a bare openpyxl write of the same rows and
  columns in the same run                                                           [≤ 1.5×]
* the same on a plan 100× larger
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def main() -> None:
    from common import largest_unit, open_scaled, timed
    from openpyxl import Workbook

    from liaison_app.reports.unit_report import ReportData, detail_values, write_report
    from liaison_app.store.reporting import ReportService

    as_of = dt.date(2020, 1, 15)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for factor in (1, 100):
            service = open_scaled(folder / f"x{factor}", factor)
            unit = largest_unit(service)
            reports = ReportService(service)
            data = reports.report_data(unit, "2019-12", as_of)
            rows = detail_values(data)

            def ours(reports: ReportService = reports, unit: str = unit) -> None:
                reports.export(unit, "2019-12", as_of, folder / "ours.xlsx")

            def only_write(data: ReportData = data) -> None:
                write_report(data, folder / "write.xlsx")

            def bare(rows: list[list[object]] = rows) -> None:
                workbook = Workbook()
                sheet = workbook.active
                for row in rows:
                    sheet.append(row)
                workbook.save(folder / "bare.xlsx")

            repeat = 5 if factor == 1 else 3
            full, write, plain = timed(ours, repeat), timed(only_write, repeat), timed(bare, repeat)
            print(
                f"plan ×{factor}: {unit} {len(rows)} items — export (check + data + write + record) "
                f"{full:.0f} ms, write only {write:.0f} ms, bare openpyxl {plain:.0f} ms; "
                f"ratio {full / plain:.2f}x (write only {write / plain:.2f}x)  [goal ≤ 1.5x]"
            )
            service.close()


if __name__ == "__main__":
    main()
