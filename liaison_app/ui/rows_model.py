"""A read-only table model over a list of records, its columns given as (header, getter).

The office page shows several small tables of plain records (verdicts, areas, the chase list);
each is this model with its own column list rather than a near-copy of the same class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, SignalInstance
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

T = TypeVar("T")
R = TypeVar("R")
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
    subclass answers :meth:`cell` (and ``flags``/``setData`` when it is editable)."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_header(self.HEADERS, section, orientation, role)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        return row if role == RECORD_ROLE else self.cell(row, index.column(), role)

    def cell(self, row: T, column: int, role: int) -> Any:
        """What ``row`` shows in ``column`` for ``role`` (None: nothing); ``RECORD_ROLE`` gives
        the row itself."""
        return None


class RowsModel(HeadedRowsModel[T]):
    """A :class:`HeadedRowsModel` whose columns are given as :class:`Column` (header, getter)."""

    HIGHLIGHT = QBrush(QColor("#fde2e1"))

    def __init__(self, columns: Sequence[Column[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.HEADERS = tuple(column.header for column in self.columns)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def cell(self, record: T, column_index: int, role: int) -> Any:
        column = self.columns[column_index]
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = column.value(record)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole and column.highlight and column.highlight(record):
            return self.HIGHLIGHT
        return None


def table_view(
    model: HeadedRowsModel[Any],
    stretch: int,
    resize: QHeaderView.ResizeMode = QHeaderView.ResizeMode.ResizeToContents,
) -> QTableView:
    """A read-only, row-selecting table for a small model; column ``stretch`` fills."""
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


def fit_to_rows(view: QTableView) -> None:
    """Make a small table exactly as tall as its (word-wrapped) rows: no scroll bar, no gap."""
    view.resizeRowsToContents()
    rows = sum(view.rowHeight(row) for row in range(view.model().rowCount()))
    view.setFixedHeight(view.horizontalHeader().height() + rows + 2 * view.frameWidth() + 2)


def current_record(view: QAbstractItemView, kind: type[R]) -> R | None:
    """The record of the view's current row (None: no row chosen, or not a ``kind``)."""
    record = view.currentIndex().data(RECORD_ROLE)
    return record if isinstance(record, kind) else None


def emit_with(signal: SignalInstance, record: object | None) -> None:
    """Ask for ``signal``'s action on the chosen record; with nothing chosen, nothing is asked."""
    if record is not None:
        signal.emit(record)
