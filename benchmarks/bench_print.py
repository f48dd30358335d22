"""Printed figures (issue #13): what the largest unit's report and a 52-unit 汇总 look like on
paper, rendered by LibreOffice to PDF. Prints page count, paper size and the smallest text size.

    .venv/bin/python benchmarks/bench_print.py [--png docs/]

Goals: A4; smallest printed text ≥ 9 pt; cover one page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

PERIOD = "2019-12"
AS_OF = dt.date(2020, 1, 10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--png", type=Path, help="write one page of each PDF as PNG into this folder")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    args = parser.parse_args()
    from common import largest_unit, open_scaled

    from liaison_app.reports.consolidation import consolidate, receive
    from liaison_app.reports.consolidation_report import write_consolidation
    from liaison_app.reports.unit_report import default_file_name
    from liaison_app.store.reporting import ReportService
    from liaison_app.store.status import Status
    from tests.pdf_tools import convert, pages, smallest_font

    statuses = list(Status)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        service = open_scaled(folder / "data", 1)
        reports = ReportService(service)
        units = [u.name for u in service.units() if u.lead_items or u.coop_items]
        for n, unit in enumerate(units):
            for k, task in enumerate(service.tasks(unit)):
                status = statuses[(n + k) % len(statuses)]
                if status is not Status.NOT_STARTED:
                    note = f"{unit}第{k}条:已召开专题会议研究部署，明确责任分工和时间节点，正在推进。"
                    service.update(unit, task.item.id, status=status, note=note)
        inbox = folder / "inbox"
        inbox.mkdir()
        for unit in units:
            reports.export(unit, PERIOD, AS_OF, inbox / default_file_name(unit, PERIOD))
        biggest = largest_unit(service)
        unit_file = inbox / default_file_name(biggest, PERIOD)
        catalog = reports.catalog_snapshot()
        intake = receive([inbox], catalog, PERIOD)
        result = consolidate(intake, catalog, AS_OF, dt.datetime(2020, 1, 10, 9, 0))
        office_file = folder / "汇总.xlsx"
        write_consolidation(result, office_file)
        profile = folder / "lo-profile"
        print(f"units reported: {len(intake.reports)}; largest unit: {biggest}")
        for label, source in (("unit report", unit_file), (f"{len(intake.reports)}-unit 汇总", office_file)):
            pdf = convert(source, "pdf", folder / "pdf", profile)
            found = pages(pdf)
            sizes = {(round(p.width), round(p.height)) for p in found}
            print(
                f"{label}: {len(found)} pages, page sizes {sorted(sizes)} pt, "
                f"smallest text {smallest_font(found, profile)} pt"
            )
            if args.png:
                stem = "print-unit-report" if label == "unit report" else "print-consolidation"
                page = 2 if label == "unit report" else 1  # the detail; the 总览
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        "60",
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        "-singlefile",
                        str(pdf),
                        str(args.png / stem),
                    ],
                    check=True,
                )
    service.close()


if __name__ == "__main__":
    main()
