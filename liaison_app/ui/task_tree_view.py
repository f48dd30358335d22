"""The task tree view, which also takes files dropped onto an item row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeView

from liaison_app.store.records import UnitTask
from liaison_app.ui.evidence_panel import local_files
from liaison_app.ui.task_model import TASK_ROLE


class TaskTreeView(QTreeView):
    files_dropped = Signal(object, list)  # UnitTask, list[Path]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)

    def _task_at(self, event: QDragMoveEvent | QDropEvent) -> UnitTask | None:
        task = self.indexAt(event.position().toPoint()).data(TASK_ROLE)
        return task if isinstance(task, UnitTask) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_files(event) and self._task_at(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()  # only item rows take files, not areas or measures

    def dropEvent(self, event: QDropEvent) -> None:
        task = self._task_at(event)
        files = local_files(event)
        if task is None or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(task, files)
