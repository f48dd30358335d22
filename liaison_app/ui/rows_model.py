"""A read-only table model over a list of records, its columns given as (header, getter).

The office page shows several small tables of plain records (verdicts, areas, the chase list);
each is this model with its own column list rather than a near-copy of the same class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

T = TypeVar("T")
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


def horizontal_header(headers: Sequence[str], section: int, orientation: Qt.Orientation, role: int) -> Any:
    """``headerData`` of a model whose column titles are ``headers`` (no vertical header): the
    one answer shared by the table models here and the task tree."""
    if (
        orientation == Qt.Orientation.Horizontal
        and role == Qt.ItemDataRole.DisplayRole
        and 0 <= section < len(headers)
    ):
        return headers[section]
    return None


class Column(Generic[T]):
    def __init__(
        self,
        header: str,
        value: Callable[[T], Any],
        highlight: Callable[[T], bool] | None = None,
        tooltip: Callable[[T], Any] | None = None,
    ) -> None:
        self.header = header
        self.value = value
        self.highlight = highlight
        self.tooltip = tooltip


class HeadedRowsModel(QAbstractTableModel, Generic[T]):
    """The row/column/header plumbing of a table whose columns are the fixed ``HEADERS``; the
    subclass answers ``data`` (and ``flags``/``setData`` when it is editable)."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def headers(self) -> Sequence[str]:
        """The column titles (a table with its columns given per instance answers its own)."""
        return self.HEADERS

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_header(self.headers(), section, orientation, role)


class RowsModel(HeadedRowsModel[T]):
    HIGHLIGHT = QBrush(QColor("#fde2e1"))

    def __init__(self, columns: Sequence[Column[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = column.value(record)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole and column.highlight and column.highlight(record):
            return self.HIGHLIGHT
        return None


def table_view(
    model: RowsModel[Any],
    stretch: int,
    resize: QHeaderView.ResizeMode = QHeaderView.ResizeMode.ResizeToContents,
) -> QTableView:
    """A read-only, row-selecting table for a small :class:`RowsModel`; column ``stretch`` fills."""
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setSectionResizeMode(resize)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view
