"""The change history of one item for one unit, as a table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from liaison_app.store.records import HistoryEntry
from liaison_app.store.status import Status
from liaison_app.ui.task_editor import FIELD_LABELS

HEADERS = ("时间", "修改内容", "填报人")


def _value(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "(空)"
    if field == "status":
        return Status(value).label
    if field == "note":
        return value if len(value) <= 40 else value[:39] + "…"
    return value


def describe(entry: HistoryEntry) -> str:
    if entry.field == "evidence":
        return f"添加佐证材料「{entry.after}」" if entry.after else f"移除佐证材料「{entry.before}」"
    label = FIELD_LABELS.get(entry.field, entry.field)
    return f"{label}:{_value(entry.field, entry.before)} → {_value(entry.field, entry.after)}"


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return entry.changed_at.strftime("%Y-%m-%d %H:%M:%S")
            if index.column() == 1:
                return describe(entry)
            return entry.actor or "—"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1 and entry.field == "note":
            return entry.after or ""
        return None
