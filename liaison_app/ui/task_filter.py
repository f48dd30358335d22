"""Filtering the task tree by role, status, light and free text (item text and notes).

The filter decides once per change, in one pass over the unit's tasks, which items pass and
therefore which measures and areas stay visible; ``filterAcceptsRow`` is then a set lookup. The
refilter is announced as one layout change, so the view relayouts once instead of once per
measure (which is quadratic on large plans).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from liaison_app.store.records import UnitTask
from liaison_app.store.status import Light, Status
from liaison_app.ui.item_text import repaired
from liaison_app.ui.task_model import TaskTreeModel


class TaskFilterProxy(QSortFilterProxyModel):
    """Shows item rows that pass every filter, and the areas/measures that hold them."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._role: str | None = None
        self._status: Status | None = None
        self._light: Light | None = None
        self._words: list[str] = []
        self._visible: set[str] | None = None  # None: everything is visible

    def setSourceModel(self, model: Any) -> None:
        super().setSourceModel(model)
        model.modelReset.connect(self._recompute)
        model.dataChanged.connect(self._on_data_changed)

    def source(self) -> TaskTreeModel:
        model = self.sourceModel()
        assert isinstance(model, TaskTreeModel)
        return model

    def set_filters(
        self,
        *,
        role: str | None = None,
        status: Status | None = None,
        light: Light | None = None,
        text: str = "",
    ) -> None:
        self._role, self._status, self._light = role, status, light
        self._words = [w.casefold() for w in text.split()]
        self._recompute()
        self.invalidate()  # one layoutChanged for the whole tree

    def is_filtering(self) -> bool:
        return bool(self._role or self._status or self._light or self._words)

    def accepts(self, task: UnitTask, as_of: dt.date) -> bool:
        if self._role and task.role != self._role:
            return False
        if self._status and task.status is not self._status:
            return False
        if self._light and task.light(as_of) is not self._light:
            return False
        if self._words:
            text = task.item.text
            haystack = f"{task.item.id}\n{text}\n{repaired(text)}\n{task.note}".casefold()
            return all(word in haystack for word in self._words)
        return True

    def _recompute(self) -> None:
        if not self.is_filtering():
            self._visible = None
            return
        model = self.source()
        visible: set[str] = set()
        for task in model.tasks():
            if self.accepts(task, model.as_of):
                item = task.item
                visible.update((item.id, f"m{item.measure}", f"a{item.area}"))
        self._visible = visible

    def _on_data_changed(self, *_args: Any) -> None:
        # An edited item may now pass or fail; the proxy re-asks filterAcceptsRow for it.
        if self.is_filtering():
            self._recompute()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._visible is None:
            return True
        key = self.source().filter_key(source_row, source_parent)
        return key in self._visible
