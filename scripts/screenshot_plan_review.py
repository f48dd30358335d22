"""Render the plan import review (文件 → 导入工作方案…) to a PNG for the README.

    PYTHONPATH=. QT_QPA_PLATFORM=xcb xvfb-run -a .venv/bin/python \\
        scripts/screenshot_plan_review.py docs/plan-review.png

Uses a throw-away data folder and the realistic 2020 task table of the tests.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog

from liaison_app.app import make_application
from liaison_app.clock import FixedClock
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.workers import ImmediateRunner
from tests.plan_tables import write_2020_table


def main(out: Path) -> None:
    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        service = LiaisonService.open(Path(folder) / "data", clock=FixedClock(dt.datetime(2020, 3, 2, 9, 0)))
        table = write_2020_table(Path(folder) / "南岸区2020年任务分解表.xlsx")
        window = MainWindow(service, runner=ImmediateRunner())
        window.show()
        QFileDialog.getOpenFileName = lambda *a, **k: (str(table), "")  # type: ignore[method-assign]
        window.import_plan_action.trigger()
        dialog = window.plans.dialog if window.plans else None
        assert dialog is not None
        choice = dialog.alias_choices["区发改委"]
        choice.setCurrentIndex(choice.findData("区发展改革委"))
        for _ in range(20):
            app.processEvents()
        dialog.grab().save(str(out))
        dialog.reject()
        window.close()
        service.close()
    QApplication.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
