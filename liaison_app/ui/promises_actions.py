"""What the window does when a liaison ticks a milestone or enters an actual figure.

Both are saved at once through the service (one transaction each); the saved task comes back
through ``task_changed`` so the tree, the summary and the detail pane show it. A refusal is
shown in Chinese where the liaison typed (the targets panel) or in a message box (a tick).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from liaison_app.store.records import ServiceError, UnitTask, format_decimal
from liaison_app.ui.milestones_panel import MilestonesPanel
from liaison_app.ui.targets_panel import TargetsPanel

if TYPE_CHECKING:
    from liaison_app.store.service import LiaisonService


class PromisesActions(QObject):
    task_changed = Signal(object)  # UnitTask, as saved
    message = Signal(str)  # a one-line outcome for the status bar

    def __init__(
        self,
        window: QWidget,
        service: LiaisonService,
        milestones: MilestonesPanel,
        targets: TargetsPanel,
        shown: Callable[[], UnitTask | None],
        period: Callable[[], str],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.milestones = milestones
        self.targets = targets
        self.shown = shown
        self.period = period
        milestones.tick_requested.connect(self.tick)
        targets.actual_requested.connect(self.record)

    def tick(self, number: int, done_on: dt.date | None) -> None:
        task = self.shown()
        if task is None:
            return
        try:
            self.service.tick_milestone(task.unit, task.item.id, number, done_on)
        except ServiceError as exc:
            QMessageBox.warning(self.window, "时间节点未保存", str(exc))
            self.task_changed.emit(task)  # the box goes back to what is saved
            return
        saved = self.service.task(task.unit, task.item.id)
        what = f"已完成({done_on.isoformat()})" if done_on else "改为未完成"
        self.message.emit(f"{task.item.id} 第 {number} 个时间节点{what}")
        self.task_changed.emit(saved)

    def record(self, target_id: str, value: str, source: str) -> None:
        task = self.shown()
        if task is None:
            return
        period = self.period()
        try:
            state = self.service.record_actual(
                task.unit, task.item.id, target_id, value, period=period, source=source
            )
        except ServiceError as exc:
            self.targets.show_result(False, f"未保存:{exc}")
            return
        actual = next(a for a in state.actuals if a.period == period)
        verdict = state.attainment(period).label
        text = (
            f"已保存 {period} {target_id} 实际 {format_decimal(actual.value)} {state.target.unit}:{verdict}"
        )
        self.task_changed.emit(self.service.task(task.unit, task.item.id))
        self.targets.show_result(True, text)
        self.message.emit(text)
