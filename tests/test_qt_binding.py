"""The Qt binding we ship must not lose references to ``None``.

PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` for every empty QVariant it hands
Python (``index.data()`` of a role the model does not answer, ``QComboBox.currentData()`` with no
data) and for every Python ``data()`` that returns ``None``. The window does each of these many
times per unit switch, so the count ran out after about a thousand switches and Python aborted
("deallocating None"). requirements.in keeps us below 6.12; this test fails on a release that
brings the fault back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

CALLS = 2000
ALLOWED = 50  # the interpreter's own comings and goings; the fault loses one per call


class _Blank(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        return None


def _lost(call: object) -> int:
    assert callable(call)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        call()
    return before - sys.getrefcount(None)


def test_empty_values_from_qt_keep_none_alive(qtbot: QtBot) -> None:
    model = QStandardItemModel()
    model.appendRow(QStandardItem("x"))
    index = model.index(0, 0)
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("甲")
    blank = _Blank()
    blank_index = blank.index(0, 0)

    assert _lost(lambda: index.data(Qt.ItemDataRole.ToolTipRole)) < ALLOWED
    assert _lost(combo.currentData) < ALLOWED
    assert _lost(blank_index.data) < ALLOWED
