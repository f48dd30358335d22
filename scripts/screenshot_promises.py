"""Render the detail pane with an item's milestones and targets to a PNG for the docs.

    PYTHONPATH=. QT_QPA_PLATFORM=xcb xvfb-run -a .venv/bin/python scripts/screenshot_promises.py \
        docs/detail-milestones-targets.png

A throw-away data folder: 区城管局 on 72.4 (two milestones, two targets) in January 2021, the
first milestone overdue, one target met and one not, with two periods of figures.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QDate

from liaison_app.app import make_application
from liaison_app.clock import FixedClock
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow


def main(out: Path) -> None:
    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        clock = FixedClock(dt.datetime(2021, 1, 15, 10, 0))
        service = LiaisonService.open(Path(folder), clock=clock, actor="张三")
        unit, item = "区城管局", "72.4"
        service.set_settings({"ui.last_unit": unit})
        service.set_liaison(unit, LiaisonProfile("张三", "023-62988888", "zhangsan@example.gov.cn"))
        service.update(unit, item, status="推进中", note="新增绿地已完成验收，覆盖率统计待市里复核。")
        service.record_actual(unit, item, "72.4-t1", "48.5", period="2020-11", source="园林绿化年报")
        service.record_actual(unit, item, "72.4-t1", "52", period="2020-12", source="园林绿化年报")
        service.record_actual(unit, item, "72.4-t2", "43.1", period="2020-11", source="遥感普查")
        service.record_actual(unit, item, "72.4-t2", "44.2", period="2020-12", source="遥感普查")
        window = MainWindow(service)
        window.period.setDate(QDate(2020, 12, 1))
        window.as_of.setDate(QDate(2021, 1, 15))
        window.resize(1500, 980)
        window.show()
        window.select_item(item)
        for _ in range(5):
            app.processEvents()
        window.detail.grab().save(str(out), "PNG", 0)
        window.close()
        service.close()
    print(f"saved {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/detail-milestones-targets.png"))
