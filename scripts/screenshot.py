"""Render the main window to a PNG for the docs (run under xvfb-run, or offscreen).

    PYTHONPATH=. xvfb-run -a .venv/bin/python scripts/screenshot.py docs/main-window.png

Uses a throw-away data folder with a few statuses set so the lights show.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QDate

from liaison_app.app import make_application
from liaison_app.clock import FixedClock
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow


def main(out: Path, tab: int = 0) -> None:
    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        clock = FixedClock(dt.datetime(2020, 1, 6, 10, 0))
        service = LiaisonService.open(Path(folder), clock=clock, actor="张三")
        unit = "区市场监管局"
        service.set_settings({"ui.last_unit": unit})
        service.set_liaison(unit, LiaisonProfile("张三", "023-62988888", "zhangsan@example.gov.cn"))
        service.update(unit, "1.1", status="已完成", note="全区企业名称自主申报系统已于9月上线。")
        service.update(unit, "1.2", status="推进中", note="公章刻制已并联办理，正在对接发票申领。")
        service.update(unit, "2", status="推进中")
        service.update(unit, "4.1", status="需协调", note="社保网上经办平台接口待市级部门开放。")
        scans = Path(folder) / "材料"
        scans.mkdir()
        for name, size in (("公章刻制并联办理流程图.pdf", 182_000), ("12月推进会议纪要.docx", 46_000)):
            (scans / name).write_bytes(bytes(size))
            service.attach(unit, "1.2", scans / name, period="2019-12")
        from liaison_app.store.duties import DutiesService

        duties = DutiesService(service)
        duties.save_case(
            unit,
            period="2019-12",
            kind="positive",
            title="企业开办“一网通办”压缩至1个工作日",
            body="依托全程电子化登记平台，营业执照、公章、发票、社保一次提交，平均用时由3天压缩至1天。",
            related=["1.2", "4.1"],
        )
        duties.save_case(
            unit,
            period="2019-11",
            kind="negative",
            title="个别窗口“一次性告知”不到位",
            body="已约谈窗口负责人并修订告知清单。",
            related=["4.3"],
        )
        duties.update_deliverable(unit, "measures", status="已完成", note="已于12月2日印发")
        os.environ["LIAISON_APP_CONFIG_DIR"] = folder  # no window state from this machine
        window = MainWindow(service)
        window.period.setDate(QDate(2019, 12, 1))
        window.as_of.setDate(QDate(2020, 1, 6))
        window.resize(1280, 800)
        window.show()
        window.select_item("1.2")
        window.side_tabs.setCurrentIndex(tab)
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out), "PNG", 0)  # 0 = smallest file
        window.close()
        service.close()
    print(f"saved {out}")


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/main-window.png"),
        int(sys.argv[2]) if len(sys.argv) > 2 else 0,
    )
