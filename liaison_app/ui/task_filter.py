"""What the task tree view shows: the unit's areas → measures → items that pass the filters (role,
status, light, free text in the item and its note), as one flat list of rows.

The proxy is flat on purpose. A ``QTreeView`` lays out every row of a tree on each reset or
filter change, asking the model for ``index()``, ``flags()`` and ``rowCount()`` of each; in Python
that cost about 60 ms for a unit of 4,000 items. Here those questions never reach Python: the
proxy is a ``QStandardItemModel`` holding no items, only the number of rows and columns, so
``index()``, ``rowCount()``, ``flags()`` and ``hasChildren()`` are answered in C++, and only
``data()`` of the rows on screen is Python (it reads the node of the row from a list). The view
draws each row's level (indentation, the branch arrow of an area or measure) from ``LEVEL_ROLE``
and ``EXPANDED_ROLE``, and asks :meth:`TaskFilterProxy.set_expanded` to open or close a group.

A filter change decides once, in one pass over the unit's tasks, which items pass and therefore
which measures and areas stay; it is announced as one layout change that keeps the selection (so
is opening or closing a group).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPixmap, QStandardItemModel

from liaison_app.store.records import UnitTask
from liaison_app.store.status import Light, Status
from liaison_app.ui.item_text import repaired
from liaison_app.ui.task_model import COLUMN_COUNT, EXPANDED_ROLE, HEADERS, Column, Kind, Node, TaskTreeModel

Index = QModelIndex | QPersistentModelIndex

_CODE = int(Column.CODE)
_CHECK_STATE = int(Qt.ItemDataRole.CheckStateRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_SIZE_HINT = int(Qt.ItemDataRole.SizeHintRole.value)


class TaskFilterProxy(QStandardItemModel):
    """Shows item rows that pass every filter, and the areas/measures that hold them.

    Only ``data()`` is answered in Python; the rows hold no ``QStandardItem`` (nothing is ever
    set on them: the view does not edit), so every other question is answered by Qt in C++."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, COLUMN_COUNT, parent)
        self.setHorizontalHeaderLabels([HEADERS[Column(c)] for c in range(COLUMN_COUNT)])
        self._model: TaskTreeModel | None = None
        self._role: str | None = None
        self._status: Status | None = None
        self._light: Light | None = None
        self._words: list[str] = []
        self._visible: set[str] | None = None  # keys of rows that pass; None: every row passes
        self._collapsed: set[str] = set()  # keys of closed areas and measures
        self._rows: list[Node] = []
        self._row_of: dict[Node, int] | None = None  # built when first asked for
        self._haystacks: dict[str, str] = {}  # item id → its searchable text, casefolded
        # the code cell's decoration: the row's indentation and branch arrow, and the cell's size
        # (a decoration would make every row 2 px taller); the view provides both
        self.branch_pixmap: Callable[[int, bool], QPixmap] | None = None
        self.code_size: Callable[[int, str], QSize] | None = None

    # -- the source ----------------------------------------------------------------------------
    def setSourceModel(self, model: TaskTreeModel) -> None:
        self.beginResetModel()
        self._model = model
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._on_source_reset)
        model.dataChanged.connect(self._on_source_changed)
        self._refill()
        self._resize(len(self._rows))
        self.endResetModel()

    def sourceModel(self) -> TaskTreeModel:
        return self.source()

    def source(self) -> TaskTreeModel:
        assert self._model is not None, "the proxy has no source model"
        return self._model

    def _on_source_reset(self) -> None:
        """Another unit (the source's one reset): everything open, the filters applied afresh."""
        self._collapsed.clear()
        self._haystacks.clear()
        self._refill()
        self._resize(len(self._rows))
        self.endResetModel()

    def _on_source_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_roles: Any) -> None:
        parent = top_left.parent()
        siblings = (parent.internalPointer() if parent.isValid() else self.source().root()).children
        changed = siblings[top_left.row() : bottom_right.row() + 1]
        for node in changed:
            if node.task is not None:
                self._haystacks.pop(node.key, None)
        if self._visible is not None and any(
            node.task is not None and self._passes(node) != (node.key in self._visible) for node in changed
        ):
            # an edited item now passes or fails the filter: it appears or goes, selection kept
            self._visible = self._compute_visible()
            self._relayout()
            return
        rows = [row for row in map(self._row_index().get, changed) if row is not None]
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), top_left.column()), self.index(max(rows), bottom_right.column())
            )

    # -- filters -------------------------------------------------------------------------------
    def set_filters(
        self,
        *,
        role: str | None = None,
        status: Status | None = None,
        light: Light | None = None,
        text: str = "",
    ) -> None:
        """Apply new filters: one layout change, every group open (as after a unit switch)."""
        self._role, self._status, self._light = role, status, light
        self._words = [w.casefold() for w in text.split()]
        self._visible = self._compute_visible()
        self._collapsed.clear()
        self._relayout()

    def is_filtering(self) -> bool:
        return bool(self._role or self._status or self._light or self._words)

    def _passes(self, node: Node) -> bool:
        task = node.task
        assert task is not None
        if self._role and task.role != self._role:
            return False
        if self._status and task.status is not self._status:
            return False
        if self._light and self.source().light_of(node) is not self._light:
            return False
        if self._words:
            haystack = self._haystack(task)
            return all(word in haystack for word in self._words)
        return True

    def _haystack(self, task: UnitTask) -> str:
        found = self._haystacks.get(task.item.id)
        if found is None:
            text = task.item.text
            found = f"{task.item.id}\n{text}\n{repaired(text)}\n{task.note}".casefold()
            self._haystacks[task.item.id] = found
        return found

    def _compute_visible(self) -> set[str] | None:
        if not self.is_filtering():
            return None
        visible: set[str] = set()
        for area in self.source().root().children:
            for measure in area.children:
                passed = [node.key for node in measure.children if self._passes(node)]
                if passed:
                    visible.update(passed)
                    visible.update((measure.key, area.key))
        return visible

    # -- rows ----------------------------------------------------------------------------------
    def _refill(self) -> None:
        self._visible = self._compute_visible()
        self._rows = self._flatten(self.source().root())
        self._row_of = None

    def _flatten(self, group: Node) -> list[Node]:
        """The shown rows below ``group`` (the root, an area or a measure), in order."""
        visible, collapsed = self._visible, self._collapsed
        rows: list[Node] = []
        for child in group.children:
            if visible is not None and child.key not in visible:
                continue
            rows.append(child)
            if child.task is None and child.key not in collapsed:
                if child.kind is Kind.MEASURE and visible is None:
                    rows.extend(child.children)  # the common case, without a test per item
                else:
                    rows.extend(self._flatten(child))
        return rows

    def _row_index(self) -> dict[Node, int]:
        if self._row_of is None:
            self._row_of = {node: row for row, node in enumerate(self._rows)}
        return self._row_of

    def _resize(self, rows: int) -> None:
        """Give the C++ side the row count (inside a reset or a layout change: no signals)."""
        blocked = self.blockSignals(True)
        self.setRowCount(rows)
        self.blockSignals(blocked)

    def _relayout(self) -> None:
        """Show the rows again (filters changed, a group opened or closed): one layout change;
        the selection and the current row follow their nodes, or go when their row is hidden."""
        self.layoutAboutToBeChanged.emit()
        old, new = self._rows, self._flatten(self.source().root())
        persistent = self.persistentIndexList()
        nodes = [old[index.row()] if index.row() < len(old) else None for index in persistent]
        if len(new) > len(old):
            self._resize(len(new))  # first, so that the indexes moved to below exist
        self._rows, self._row_of = new, None
        if persistent:
            rows = self._row_index()
            moved = []
            for index, node in zip(persistent, nodes, strict=True):
                row = rows.get(node) if node is not None else None
                moved.append(self.index(row, index.column()) if row is not None else QModelIndex())
            self.changePersistentIndexList(persistent, moved)
        if len(new) < len(old):
            self._resize(len(new))  # last, once no index points past the end
        self.layoutChanged.emit()

    # -- opening and closing groups --------------------------------------------------------------
    def is_expanded(self, row: int) -> bool:
        node = self._rows[row]
        return node.task is None and node.key not in self._collapsed

    def set_expanded(self, row: int, expanded: bool) -> None:
        """Open or close the area or measure on ``row`` (an item row is left alone)."""
        node = self._rows[row]
        if node.task is not None or expanded == (node.key not in self._collapsed):
            return
        if expanded:
            self._collapsed.discard(node.key)
        else:
            self._collapsed.add(node.key)
        self._relayout()

    def expand_all(self) -> None:
        if self._collapsed:
            self._collapsed.clear()
            self._relayout()

    def collapse_all(self) -> None:
        """Only the areas stay in sight."""
        groups = {node.key for area in self.source().root().children for node in (area, *area.children)}
        if groups - self._collapsed:
            self._collapsed = groups
            self._relayout()

    def parent_row(self, row: int) -> int | None:
        """The row of the group holding ``row``'s node (None for an area)."""
        parent = self._rows[row].parent
        if parent is None or parent.parent is None:
            return None
        return self._row_index().get(parent)

    # -- mapping to and from the tree --------------------------------------------------------------
    def mapFromSource(self, source: Index) -> QModelIndex:
        if not source.isValid():
            return QModelIndex()
        row = self._row_index().get(source.internalPointer())
        return self.index(row, source.column()) if row is not None else QModelIndex()

    def mapToSource(self, index: Index) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        node = self._rows[index.row()]
        return self.source().index_of_node(node, index.column())

    # -- what a row shows ----------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Asked seven times per cell painted: roles are compared as plain ints (see
        # TaskTreeModel.node_data), and the check box nobody shows is refused first.
        if role == _CHECK_STATE or not index.isValid():
            return None
        node = self._rows[index.row()]
        if role == _DECORATION:
            if index.column() != _CODE or self.branch_pixmap is None:
                return None
            return self.branch_pixmap(int(node.kind), node.key not in self._collapsed)
        if role == _SIZE_HINT:
            if index.column() != _CODE or self.code_size is None:
                return None
            return self.code_size(int(node.kind), node.code)
        if role == EXPANDED_ROLE:
            return node.task is None and node.key not in self._collapsed
        model = self._model
        assert model is not None, "the proxy has no source model"
        return model.node_data(node, index.column(), role)
