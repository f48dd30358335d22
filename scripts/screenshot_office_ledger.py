"""Render the office window's 报送登记 tab to a PNG for the docs, and (with a second argument) write
that month's 通报 and 催办通知 workbooks into a folder, to render them with LibreOffice:

    PYTHONPATH=. xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshot_office_ledger.py docs/office-ledger.png /tmp/ledger-out

Throw-away data folders: the units' installation exports two months of returns for a dozen
units (one late, one sent again, one from a new PC: 签名不符), the office receives them.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from liaison_app.app import make_application
from liaison_app.clock import FixedClock
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.duties import DutiesService
from liaison_app.store.ledger import OfficeLedger
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from liaison_app.vocabulary import Status

UNITS = (
    "区市场监管局",
    "区城管局",
    "区法院",
    "区经济信息委",
    "区公安分局",
    "区住房城乡建委",
    "区人力社保局",
    "区税务局",
    "区规划自然资源局",
    "区生态环境局",
    "南岸供电公司",
)
NEW_PC = "区税务局"


def fill(folder: Path) -> tuple[LiaisonService, FixedClock]:
    """The units' side: statuses that differ by unit and month, and the returns exported."""
    unit_clock = FixedClock(dt.datetime(2019, 11, 18, 9, 0))
    units = LiaisonService.open(folder / "units", clock=unit_clock)
    new_pc = LiaisonService.open(folder / "new-pc", clock=unit_clock)
    office_clock = FixedClock(dt.datetime(2019, 11, 22, 9, 0))
    office = LiaisonService.open(folder / "office", clock=office_clock)
    ledger = OfficeLedger(office)
    statuses = list(Status)
    for n, unit in enumerate(UNITS):
        units.set_liaison(
            unit, LiaisonProfile(f"联络员{n + 1}", f"023-6298{n:04d}", f"liaison{n + 1}@example.gov.cn")
        )
        for k, task in enumerate(units.tasks(unit)):
            status = statuses[(n + k) % len(statuses)]
            if status is not Status.NOT_STARTED:
                units.update(unit, task.item.id, status=status, note=f"第{k + 1}项按计划推进")
    out = folder / "returns"
    for period, as_of, late in (
        ("2019-11", dt.date(2019, 11, 18), ("区法院",)),
        ("2019-12", dt.date(2019, 12, 18), ()),
    ):
        sent = []
        for unit in UNITS[:-2] if period == "2019-11" else UNITS[:-1]:
            if period == "2019-12":
                DutiesService(units).save_case(
                    unit,
                    period=period,
                    kind="positive",
                    title=f"{unit}推行“一窗受理、集成服务”",
                    body="整合窗口、压减材料，平均办理时间压缩一半以上。",
                )
                for task in units.tasks(unit)[:3]:
                    units.update(unit, task.item.id, status=Status.ONGOING, note="已形成常态化机制")
            source = new_pc if (period == "2019-12" and unit == NEW_PC) else units
            path = out / period / default_file_name(unit, period)
            path.parent.mkdir(parents=True, exist_ok=True)
            ReportService(source).export(unit, period, as_of, path)
            unit_clock.advance(minutes=7)
            if unit not in late:
                sent.append(path)
        ledger.receive(sent)
        if late:
            office_clock.advance(days=5)
            ledger.receive([out / period / default_file_name(u, period) for u in late])
        unit_clock.advance(days=30)
        office_clock.at = dt.datetime(2019, 12, 23, 9, 0)
    units.close()
    new_pc.close()
    return office, office_clock


def main(out: Path, workbooks: Path | None) -> None:
    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        office, clock = fill(Path(folder))
        os.environ["LIAISON_APP_CONFIG_DIR"] = folder  # no window state from this machine
        window = MainWindow(office)
        page = window.open_office()
        page.resize(1280, 800)
        panel = page.ledger_panel
        panel.reload("2019-12")
        page.tabs.setCurrentWidget(panel)
        row = [line.unit for line in panel.register.rows()].index(NEW_PC)
        panel.register_view.selectRow(row)
        panel.register_view.setCurrentIndex(panel.register.index(row, 0))
        page.show()
        import time

        deadline = time.monotonic() + 10
        while panel.trend.rowCount() == 0 and time.monotonic() < deadline:  # read off the GUI thread
            app.processEvents()
        for _ in range(10):
            app.processEvents()
        page.grab().save(str(out), "PNG", 0)
        print(f"saved {out}")
        if workbooks is not None:
            from liaison_app.reports.ledger_report import write_bulletin, write_reminders

            workbooks.mkdir(parents=True, exist_ok=True)
            write_bulletin(panel.ledger, "2019-12", workbooks / "营商环境工作通报-2019-12.xlsx")
            clock.at = dt.datetime(2019, 12, 30, 9, 0)
            written = write_reminders(panel.ledger, "2019-12", workbooks / "催办", dt.date(2020, 1, 5))
            # November's: units with overdue items, so the notices carry their table
            written += write_reminders(panel.ledger, "2019-11", workbooks / "催办-11", dt.date(2020, 1, 5))
            from liaison_app.reports import office as pipeline
            from liaison_app.reports.ledger_report import ledger_appendix

            job = pipeline.OfficeJob.of(
                [Path(folder) / "returns" / "2019-12"],
                ReportService(office).catalog_snapshot(),
                clock.now(),
                clock.today(),
                period="2019-12",
            )
            result = pipeline.run(job).result
            pipeline.write(result, workbooks / "汇总.xlsx", ledger_appendix(panel.ledger, "2019-12"))
            print(f"wrote the 通报, the 汇总 and {len(written)} 催办通知 into {workbooks}")
        page.close()
        window.close()
        office.close()


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/office-ledger.png"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
