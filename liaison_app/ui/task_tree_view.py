"""The task tree view: areas → measures → items over the flat filter proxy, and files dropped
onto an item row.

The proxy lists the rows flat (see :mod:`liaison_app.ui.task_filter`), so the view draws the tree
itself: each row's code cell starts with a picture as wide as its level's indentation, holding
the style's branch arrow for an area or a measure (made once per level and state, here, and
handed to the proxy as the cell's decoration). A click on the arrow, a double click on the row,
←/→ and +/−/* open and close groups as in any tree view; ← on an item goes to its measure.

No Python ``paint()``: a delegate's ``paint`` runs for every cell on screen at every repaint, a
Python call each time (and PySide6 6.12.0, which requirements.in now excludes, lost a reference
to ``None`` in each, so that a long session aborted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOption, QTreeView

from liaison_app.store.records import UnitTask
from liaison_app.ui.task_filter import TaskFilterProxy
from liaison_app.ui.task_model import EXPANDED_ROLE, LEVEL_ROLE, TASK_ROLE, Column, Kind


def _dropped_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    from liaison_app.ui.evidence_panel import local_files  # loaded when first needed, not at start

    return local_files(event)


Index = QModelIndex | QPersistentModelIndex


class TaskTreeView(QTreeView):
    files_dropped = Signal(object, list)  # UnitTask, list[Path]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        # every row is a top-level row of the flat proxy: the levels are drawn by the delegate
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setUniformRowHeights(True)
        self._pixmaps: dict[tuple[int, bool, int, int, float], QPixmap] = {}

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if isinstance(model, TaskFilterProxy):
            model.branch_pixmap = self.branch_pixmap
            model.code_size = self.code_size

    def code_size(self, level: int, text: str) -> QSize:
        """The code cell's size: its indentation and text, as high as a cell of text alone."""
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        metrics = self.fontMetrics()
        return QSize((level + 1) * self.indentation() + metrics.horizontalAdvance(text) + 4 * margin, -1)

    def branch_pixmap(self, level: int, expanded: bool) -> QPixmap:
        """The indentation of a row of ``level``, ending in a group's branch arrow."""
        indent = self.indentation()
        height = max(1, min(self.fontMetrics().height() - 2, indent))
        ratio = self.devicePixelRatioF()
        key = (level, expanded, indent, height, ratio)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = QPixmap(QSize(round((level + 1) * indent * ratio), round(height * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(QColor(0, 0, 0, 0))
            if level < Kind.ITEM:
                branch = QStyleOption()
                branch.initFrom(self)
                branch.rect = QRect(level * indent, 0, indent, height)
                branch.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Children
                if expanded:
                    branch.state |= QStyle.StateFlag.State_Open
                painter = QPainter(pixmap)
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorBranch, branch, painter, self)
                painter.end()
            self._pixmaps[key] = pixmap
        return pixmap

    # -- groups --------------------------------------------------------------------------------
    def _proxy(self) -> TaskFilterProxy | None:
        model = self.model()
        return model if isinstance(model, TaskFilterProxy) else None

    @staticmethod
    def _is_group(index: Index) -> bool:
        level = index.data(LEVEL_ROLE) if index.isValid() else None
        return level is not None and level < Kind.ITEM

    def set_group_open(self, index: Index, expanded: bool) -> None:
        proxy = self._proxy()
        if proxy is not None and self._is_group(index):
            proxy.set_expanded(index.row(), expanded)

    def toggle_group(self, index: Index) -> None:
        self.set_group_open(index, not index.data(EXPANDED_ROLE))

    def expandAll(self) -> None:
        proxy = self._proxy()
        if proxy is not None:
            proxy.expand_all()

    def collapseAll(self) -> None:
        proxy = self._proxy()
        if proxy is not None:
            proxy.collapse_all()

    def _on_branch(self, index: QModelIndex, x: float) -> bool:
        """Whether ``x`` falls on the branch arrow of a group's row."""
        if not self._is_group(index):
            return False
        cell = self.visualRect(index.siblingAtColumn(Column.CODE))
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        left: int = cell.left() + margin + int(index.data(LEVEL_ROLE)) * self.indentation()
        return left <= x < left + self.indentation()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and self._on_branch(index, event.position().x()):
            self.toggle_group(index)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and self._on_branch(index, event.position().x()):
            self.toggle_group(index)  # the second click on the arrow toggles again, as in a tree
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._is_group(index):
            self.toggle_group(index)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        current = self.currentIndex()
        proxy = self._proxy()
        action = QAbstractItemView.CursorAction
        if proxy is None or not current.isValid() or cursorAction not in (action.MoveLeft, action.MoveRight):
            return super().moveCursor(cursorAction, modifiers)
        group, expanded = self._is_group(current), bool(current.data(EXPANDED_ROLE))
        if cursorAction == action.MoveLeft:
            if group and expanded:
                proxy.set_expanded(current.row(), False)
                return current
            parent = proxy.parent_row(current.row())
            return current.siblingAtRow(parent) if parent is not None else current
        if group and not expanded:
            proxy.set_expanded(current.row(), True)
            return current
        if group and current.row() + 1 < proxy.rowCount():
            return current.siblingAtRow(current.row() + 1)  # into its first child
        return current

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        key = event.key()
        if self._is_group(current) and key in (Qt.Key.Key_Plus, Qt.Key.Key_Minus, Qt.Key.Key_Asterisk):
            self.set_group_open(current, key != Qt.Key.Key_Minus)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- files dropped on an item ----------------------------------------------------------------
    def _task_at(self, event: QDragMoveEvent | QDropEvent) -> UnitTask | None:
        task = self.indexAt(event.position().toPoint()).data(TASK_ROLE)
        return task if isinstance(task, UnitTask) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if _dropped_files(event) and self._task_at(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()  # only item rows take files, not areas or measures

    def dropEvent(self, event: QDropEvent) -> None:
        task = self._task_at(event)
        files = _dropped_files(event)
        if task is None or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(task, files)
