"""The unit's figures in one line: totals, roles, statuses, lights, completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from liaison_app.store.records import UnitTask, summarize
from liaison_app.store.status import Status


class SummaryStrip(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        self.counts: dict[str, int] = {}

    def show_summary(self, unit: str, tasks: list[UnitTask], as_of: dt.date, duties: str = "") -> None:
        """Figures of the unit's items; ``duties`` is ready-made rich text for its other duties."""
        self.show_counts(unit, summarize(tasks, as_of), duties)

    def show_counts(self, unit: str, counts: dict[str, int], duties: str = "") -> None:
        """The same from counts made already (as :func:`summarize` makes them)."""
        self.counts = counts
        if not unit:
            self.label.setText("请选择单位")
            return
        total = counts["total"]
        percent = round(100 * counts[Status.DONE.value] / total) if total else 0
        statuses = " ".join(f"{s.label} {counts[s.value]}" for s in Status)
        self.label.setText(
            f"<b>{unit}</b>:共 {total} 条(牵头 {counts['lead']}，配合 {counts['coop']})　"
            f"{statuses}　"
            f"<span style='color:#b3261e'><b>逾期 {counts['overdue']}</b></span>　"
            f"<span style='color:#8a5a00'><b>临期 {counts['due_soon']}</b></span>　"
            f"<span style='color:#5e35b1'><b>逾期完成 {counts['done_late']}</b></span>　"
            f"完成率 <b>{percent}%</b>" + (f"<br>{duties}" if duties else "")
        )
