"""The tree of one unit's work: areas → measures → items, as a ``QAbstractItemModel``.

Item rows carry the :class:`UnitTask` (``TASK_ROLE``); area and measure rows show progress as
done/total. The model is reset once per unit switch; later changes emit targeted ``dataChanged``.

The window's view does not show this tree directly but :class:`~liaison_app.ui.task_filter.
TaskFilterProxy`, its visible rows as one flat list (a tree of 4,000 items laid out through Python
``index()``/``flags()`` calls costs tens of milliseconds per change; a flat list costs none).
What a row shows is answered here, by :meth:`TaskTreeModel.node_data`, for both. Each item's light
and each group's totals are computed once and kept until the task or the date changes, as are the
unit's summary counts (:meth:`TaskTreeModel.counts`).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from liaison_app.store.records import UnitTask
from liaison_app.store.status import Light, Status, light_for
from liaison_app.ui.item_text import repaired
from liaison_app.ui.rows_model import horizontal_header
from liaison_app.vocabulary import Role, chinese_numeral

Index = QModelIndex | QPersistentModelIndex

TASK_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
LIGHT_ROLE = Qt.ItemDataRole.UserRole + 3
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 4
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 5  # 0 area, 1 measure, 2 item: the indentation shown
EXPANDED_ROLE = Qt.ItemDataRole.UserRole + 6  # a group's children are shown (answered by the proxy)

LIGHT_COLOURS = {
    Light.OVERDUE: (QColor("#fde2e1"), QColor("#b3261e")),
    Light.DUE_SOON: (QColor("#fff1cc"), QColor("#8a5a00")),
    Light.ON_TRACK: (None, QColor("#2e7d32")),
    Light.DONE_LATE: (QColor("#ede7f6"), QColor("#5e35b1")),
}


class Column(IntEnum):
    CODE = 0
    TEXT = 1
    ROLE = 2
    DEADLINE = 3
    STATUS = 4
    EVIDENCE = 5
    LIGHT = 6


HEADERS = {
    Column.CODE: "编号",
    Column.TEXT: "工作措施",
    Column.ROLE: "职责",
    Column.DEADLINE: "完成时限",
    Column.STATUS: "进展状态",
    Column.EVIDENCE: "佐证",
    Column.LIGHT: "预警",
}


_COLUMNS = len(Column)
# plain ints for what data() compares on every call (see TaskTreeModel.node_data)
_CODE, _TEXT, _ROLE, _DEADLINE, _STATUS, _EVIDENCE, _LIGHT = (int(c) for c in Column)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_USER = int(Qt.ItemDataRole.UserRole.value)
_CENTRED = Qt.AlignmentFlag.AlignCenter
_DONE, _OVERDUE = Status.DONE, Light.OVERDUE
_ROLE_OF, _STATUS_OF, _COMPLETED_ON_OF = attrgetter("role"), attrgetter("status"), attrgetter("completed_on")
_HEADER_TEXTS = [HEADERS[column] for column in Column]
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ITEM_FLAGS = _GROUP_FLAGS | Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemNeverHasChildren


class Kind(IntEnum):
    AREA = 0
    MEASURE = 1
    ITEM = 2


_ITEM = Kind.ITEM
_WARNED = [light for light in Light if light is not Light.ON_TRACK]


@dataclass(eq=False, slots=True)
class _Node:
    kind: Kind
    code: str
    title: str
    key: str = ""  # "a3" for an area, "m11" for a measure, the item id for an item
    parent: _Node | None = None
    row: int = 0
    children: list[_Node] = field(default_factory=list)
    task: UnitTask | None = None
    totals: tuple[int, int, int] | None = None  # cached (done, total, overdue) of a group
    light: Light | None = None  # cached light of an item at the model's date

    def items(self) -> list[UnitTask]:
        if self.task is not None:
            return [self.task]
        return [t for child in self.children for t in child.items()]


# Every item row's (empty) children: one list shared by all, never appended to (only areas and
# measures get children), so a switch allocates, tracks in the garbage collector and frees one
# object less per item.
_LEAF: list[_Node] = []

Node = _Node  # what the proxy lists
COLUMN_COUNT = _COLUMNS


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a unit's list is read and its rows built.

    A switch to a large unit makes tens of thousands of objects (4,200 tasks and rows at plan
    x100), none of them garbage; left on, the collector makes dozens of young passes over them
    and, every few switches, an older one (together ~3 ms per switch, and pauses of several ms).
    Held off, it makes one pass over them when the block ends. Nested uses are harmless; a
    collector already off (start-up) stays off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def short_text(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TaskTreeModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _Node(Kind.AREA, "", "")
        self._by_code: dict[str, _Node] = {}
        self._as_of = dt.date.today()
        self.unit = ""
        self._bold = QFont()
        self._bold.setBold(True)
        self._counts: dict[str, int] | None = None  # the summary's figures, kept up to date
        self._overdue_brush = QBrush(LIGHT_COLOURS[Light.OVERDUE][1])
        self._light_brushes = {
            light: (QBrush(back) if back is not None else None, QBrush(fore))
            for light, (back, fore) in LIGHT_COLOURS.items()
        }

    # -- filling --------------------------------------------------------------------------
    def set_tasks(self, unit: str, tasks: list[UnitTask], as_of: dt.date) -> None:
        """Show ``unit``'s tasks (the one reset)."""
        self.beginResetModel()
        old = self._root
        self.unit = unit
        self._as_of = as_of
        self._root = _Node(Kind.AREA, "", "")
        self._by_code = {}
        self._counts = None
        root, by_code = self._root, self._by_code
        areas: dict[int, _Node] = {}
        measures: dict[int, _Node] = {}
        measure_key: int | None = None
        siblings: list[_Node] = []
        measure = root
        groups = root.children
        node_of, area_kind, measure_kind, item_kind, leaf = _Node, Kind.AREA, Kind.MEASURE, _ITEM, _LEAF
        # Positional arguments, no helper or method call: this loop runs once per item of the
        # unit (4,200 at plan x100, under 2,000 measures) on every switch.
        for task in tasks:
            item = task.item
            if item.measure != measure_key:
                measure_key = item.measure
                found = measures.get(measure_key)
                if found is None:
                    area = areas.get(item.area)
                    if area is None:
                        number = item.area
                        area = node_of(
                            area_kind,
                            chinese_numeral(number),
                            item.area_name,
                            f"a{number}",
                            root,
                            len(groups),
                        )
                        groups.append(area)
                        areas[number] = area
                    held = area.children
                    found = node_of(
                        measure_kind, str(measure_key), item.measure_title, f"m{measure_key}", area, len(held)
                    )
                    held.append(found)
                    measures[measure_key] = found
                measure, siblings = found, found.children
            code = item.id
            node = node_of(item_kind, code, item.text, code, measure, len(siblings), leaf, task)
            siblings.append(node)
            by_code[code] = node
        self.endResetModel()
        self._dismantle(old)

    @staticmethod
    def _dismantle(root: _Node) -> None:
        """Break the parent ↔ children cycles of rows no longer shown, so that they are freed at
        once by reference counting instead of piling up for the cyclic garbage collector (whose
        full passes over 4,000 rows per switch were pauses of a tenth of a second)."""
        for area in root.children:
            for measure in area.children:
                measure.children = []
            area.children = []
        root.children = []

    def set_as_of(self, as_of: dt.date) -> None:
        """Recompute lights against another date: only the light cells change."""
        self._as_of = as_of
        self._counts = None
        for area in self._root.children:
            area.totals = None
            for measure in area.children:
                measure.totals = None
                for node in measure.children:
                    node.light = None
                if measure.children:
                    self.dataChanged.emit(
                        self.createIndex(0, Column.LIGHT, measure.children[0]),
                        self.createIndex(len(measure.children) - 1, Column.LIGHT, measure.children[-1]),
                        [
                            Qt.ItemDataRole.DisplayRole,
                            LIGHT_ROLE,
                            Qt.ItemDataRole.BackgroundRole,
                            Qt.ItemDataRole.ForegroundRole,
                        ],
                    )

    @property
    def as_of(self) -> dt.date:
        return self._as_of

    def update_task(self, task: UnitTask) -> None:
        """One item changed: refresh its row and the progress shown on its parents."""
        node = self._by_code.get(task.item.id)
        if node is None:
            return
        before = self._figures(node)
        if self._counts is not None:
            self._count(node, -1)
        node.task = task
        node.light = None
        after = self._figures(node)
        if self._counts is not None:
            self._count(node, +1)
        self.dataChanged.emit(
            self.createIndex(node.row, 0, node), self.createIndex(node.row, len(Column) - 1, node)
        )
        parent = node.parent
        while parent is not None and parent is not self._root:
            if parent.totals is not None:  # the group's figures move by this item's change only
                done, total, overdue = parent.totals
                parent.totals = (done + after[0] - before[0], total, overdue + after[1] - before[1])
            self.dataChanged.emit(
                self.createIndex(parent.row, Column.STATUS, parent),
                self.createIndex(parent.row, Column.LIGHT, parent),
            )
            parent = parent.parent

    def tasks(self) -> list[UnitTask]:
        """The unit's tasks in plan order (as shown, whatever the filter)."""
        return [node.task for node in self._by_code.values() if node.task is not None]

    def root(self) -> _Node:
        """The tree's top: its children are the areas (the proxy walks them)."""
        return self._root

    def light_of(self, node: _Node) -> Light:
        """An item's light at the model's date, computed once."""
        light = node.light
        if light is None:
            task = node.task
            assert task is not None
            # UnitTask.light, without looking for a next milestone where there are none
            due = task.due if task.milestones else task.item.deadline
            light = node.light = light_for(due, task.status, self._as_of, task.completed_on)
        return light

    def _figures(self, node: _Node) -> tuple[int, int]:
        """What one item adds to its groups' totals: (done, overdue)."""
        assert node.task is not None
        return int(node.task.status is Status.DONE), int(self.light_of(node) is Light.OVERDUE)

    def counts(self) -> dict[str, int]:
        """The unit's figures for the summary strip, as :func:`~liaison_app.store.records.summarize`
        counts them; kept up to date by :meth:`update_task` instead of recounted per change."""
        if self._counts is None:
            # Runs on every unit switch (4,200 items at plan x100). The items are tallied by what
            # their light depends on, which few distinct values cover (the plan has few distinct
            # deadlines), and the light rule runs once per distinct value, not once per item.
            # Only the due date is worked out in Python; the tally itself runs in C.
            tasks = [node.task for node in self._by_code.values() if node.task is not None]
            dues = [task.due if task.milestones else task.item.deadline for task in tasks]
            tally = Counter(
                zip(
                    map(_ROLE_OF, tasks),
                    map(_STATUS_OF, tasks),
                    dues,
                    map(_COMPLETED_ON_OF, tasks),
                    strict=True,
                )
            )
            counts = {"total": len(self._by_code), "lead": 0, "coop": 0}
            counts.update({light.value: 0 for light in _WARNED})
            counts.update({status.value: 0 for status in Status})
            as_of = self._as_of
            for (role, status, due, completed_on), number in tally.items():
                counts[role] = counts.get(role, 0) + number
                counts[status.value] += number
                light = light_for(due, status, as_of, completed_on)
                if light is not Light.ON_TRACK:
                    counts[light.value] += number
            self._counts = counts
        return dict(self._counts)

    def _count(self, node: _Node, sign: int) -> None:
        counts, task = self._counts, node.task
        assert counts is not None and task is not None
        counts["total"] += sign
        counts[task.role] += sign
        counts[task.status.value] += sign
        light = self.light_of(node)
        if light is not Light.ON_TRACK:
            counts[light.value] += sign

    def filter_key(self, row: int, parent: Index) -> str:
        """What the filter proxy looks up for a source row (no Python index objects made)."""
        return self._node(parent).children[row].key

    def _totals(self, node: _Node) -> tuple[int, int, int]:
        """A group's (done, total, overdue), counted once. An area's first paint after a switch
        counts a thousand items at plan x100: what :meth:`_figures` says, without two calls each."""
        if node.totals is None:
            done = total = overdue = 0
            light_of = self.light_of
            for child in node.children:
                task = child.task
                if task is None:
                    child_done, child_total, child_overdue = self._totals(child)
                    done, total, overdue = done + child_done, total + child_total, overdue + child_overdue
                else:
                    total += 1
                    if task.status is _DONE:
                        done += 1
                    if (child.light or light_of(child)) is _OVERDUE:
                        overdue += 1
            node.totals = (done, total, overdue)
        return node.totals

    def index_of_node(self, node: _Node, column: int = 0) -> QModelIndex:
        return self.createIndex(node.row, column, node)

    def index_of(self, code: str) -> QModelIndex:
        node = self._by_code.get(code)
        return self.createIndex(node.row, 0, node) if node else QModelIndex()

    # -- QAbstractItemModel -----------------------------------------------------------------
    def _node(self, index: Index) -> _Node:
        if index.isValid():
            node: _Node = index.internalPointer()
            return node
        return self._root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        # Called tens of thousands of times when a large tree is laid out: kept minimal (views
        # only ask column-0 parents for children, rowCount() is 0 for the others).
        children = (parent.internalPointer() if parent.isValid() else self._root).children
        if 0 <= row < len(children) and 0 <= column < _COLUMNS:
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent  # called very often: kept minimal
        if parent is self._root or parent is None:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return _COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_header(_HEADER_TEXTS, section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Items are leaves: saying so spares the view a rowCount() call per item.
        return _ITEM_FLAGS if index.internalPointer().task is not None else _GROUP_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.node_data(index.internalPointer(), index.column(), role)

    def node_data(self, node: _Node, column: int, role: int) -> Any:
        """What a row of ``node`` shows in ``column`` for ``role`` (this model's and the proxy's).

        Asked seven times per cell painted (twelve hundred times per unit switch), so ``role``
        and ``column`` are compared with plain ints: naming ``Qt.ItemDataRole.DisplayRole`` costs
        ~0.25 µs per comparison in PySide, and making a ``Column`` of ``column`` an enum call."""
        if role >= _USER:  # this app's own roles
            if role == KIND_ROLE:
                return node.kind
            if role == TASK_ROLE:
                return node.task
            if role == LEVEL_ROLE:
                return int(node.kind)
            task = node.task
            if task is None:
                return None
            if role == LIGHT_ROLE:
                return self.light_of(node)
            if role == SEARCH_ROLE:
                return f"{task.item.id}\n{task.item.text}\n{task.note}"
            return None
        if node.task is None:
            return self._group_data(node, column, role)
        return self._item_data(node, column, role)

    def _group_data(self, node: _Node, column: int, role: int) -> Any:
        if role == _DISPLAY:
            if column == _CODE:
                return node.code
            if column == _TEXT:
                return node.title
            if column == _STATUS:
                done, total, _overdue = self._totals(node)
                return f"完成 {done}/{total}"
            if column == _LIGHT:
                overdue = self._totals(node)[2]
                return f"逾期 {overdue}" if overdue else ""
            return None
        if role == _FONT:
            return self._bold if node.kind == Kind.AREA else None
        if role == _FOREGROUND and column == _LIGHT:
            return self._overdue_brush
        if role == _TOOLTIP and column == _TEXT:
            return node.title
        return None

    def _item_data(self, node: _Node, column: int, role: int) -> Any:
        task = node.task
        assert task is not None
        if column == _LIGHT:  # the only cells that depend on the light
            light = self.light_of(node)
            if role == _DISPLAY:
                if light is Light.ON_TRACK and task.item.deadline is None:
                    return "—"  # ongoing work without a deadline: nothing to warn about
                return light.label
            if role == _BACKGROUND:
                return self._light_brushes[light][0]
            if role == _FOREGROUND:
                return self._light_brushes[light][1]
            if role == _ALIGNMENT:
                return _CENTRED
            if role == _TOOLTIP and light is Light.DONE_LATE:
                return f"完成于 {task.completed_on},晚于完成时限 {task.days_late(self._as_of)} 天"
            return None
        if role == _DISPLAY:
            return self._item_display(task, column)
        if role == _FONT:
            return self._bold if column == _ROLE and task.role == "lead" else None
        if role == _ALIGNMENT:
            return _CENTRED if column == _EVIDENCE else None
        if role == _TOOLTIP and column == _TEXT:
            return repaired(task.item.text) + (f"\n\n进展情况:{task.note}" if task.note else "")
        return None

    @staticmethod
    def _item_display(task: UnitTask, column: int) -> str:
        """An item's text in any column but the light's."""
        if column == _CODE:
            return task.item.id
        if column == _TEXT:
            return short_text(repaired(task.item.text))
        if column == _ROLE:
            return Role(task.role).label
        if column == _DEADLINE:
            return task.item.deadline.isoformat() if task.item.deadline else "—"
        if column == _STATUS:
            return task.status.label
        if column == _EVIDENCE:
            return str(task.evidence) if task.evidence else ""
        return ""
