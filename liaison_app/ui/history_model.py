"""The change history of one item for one unit, as a table model."""

from __future__ import annotations

from typing import Any

from liaison_app.store.records import HistoryEntry
from liaison_app.store.status import Status
from liaison_app.ui.rows_model import Column, RowsModel
from liaison_app.ui.task_editor import FIELD_LABELS


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


HISTORY_COLUMNS: list[Column[HistoryEntry]] = [
    Column("时间", lambda e: e.changed_at.strftime("%Y-%m-%d %H:%M:%S")),
    Column("修改内容", describe, tooltip=lambda e: (e.after or "") if e.field == "note" else describe(e)),
    Column("填报人", lambda e: e.actor or "—"),
]


class HistoryModel(RowsModel[HistoryEntry]):
    """The change history of one item for one unit, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(HISTORY_COLUMNS, parent)

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.set_rows(entries)
