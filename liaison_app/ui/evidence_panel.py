"""The evidence files of the selected item: a table model, buttons, and a drop target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from liaison_app.formatting import human_size
from liaison_app.store.records import EvidenceRecord
from liaison_app.ui.dialog_parts import button_row
from liaison_app.ui.rows_model import RECORD_ROLE, Column, RowsModel, current_record, emit_with


def local_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


EVIDENCE_COLUMNS: list[Column[EvidenceRecord]] = [
    Column(
        "文件名",
        lambda r: r.original_name,
        tooltip=lambda r: (
            f"{r.original_name}\n{human_size(r.size)}，报送期 {r.period}\n"
            f"SHA-256 {r.sha256}\n添加人 {r.added_by or '—'}"
        ),
    ),
    Column("大小", lambda r: human_size(r.size)),
    Column("添加时间", lambda r: r.added_at.strftime("%Y-%m-%d %H:%M")),
    Column("说明", lambda r: r.description),
]
DESCRIPTION_COLUMN = 3


class EvidenceModel(RowsModel[EvidenceRecord]):
    """An item's files; the description is edited in place (saved by the window)."""

    description_edited = Signal(object, str)  # EvidenceRecord, new description

    def __init__(self, parent: Any = None) -> None:
        super().__init__(EVIDENCE_COLUMNS, parent)

    def set_records(self, records: list[EvidenceRecord]) -> None:
        """Same files (an edited 说明): change the rows in place. A reset here, while the
        description editor is still committing, destroyed it under the view ("commitData called
        with an editor that does not belong to this view")."""
        if [r.id for r in records] == [r.id for r in self._rows] and records:
            for record in records:
                self.update_record(record)
            return
        self.set_rows(records)

    def records(self) -> list[EvidenceRecord]:
        return self.rows()

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == DESCRIPTION_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid():
            return self._rows[index.row()].description
        return super().data(index, role)

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != DESCRIPTION_COLUMN:
            return False
        self.description_edited.emit(self._rows[index.row()], str(value))
        return True  # the window saves it and calls update_record

    def update_record(self, record: EvidenceRecord) -> None:
        for row, current in enumerate(self._rows):
            if current.id == record.id:
                self._rows[row] = record
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))


class EvidencePanel(QGroupBox):
    """Lists an item's files; add, open, show in folder, remove; accepts dropped files."""

    add_requested = Signal()
    files_dropped = Signal(list)  # list[Path]
    open_requested = Signal(object)  # EvidenceRecord
    reveal_requested = Signal(object)
    remove_requested = Signal(object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__("佐证材料", parent)
        self.setAcceptDrops(True)
        self.model = EvidenceModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)  # a few rows only
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DESCRIPTION_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_click)
        self.hint = QLabel("把文件拖到这里或左侧条目上;双击“说明”可填写说明。")
        self.hint.setWordWrap(True)
        self.add_button = QPushButton("添加文件…")
        self.open_button = QPushButton("打开")
        self.reveal_button = QPushButton("打开所在文件夹")
        self.remove_button = QPushButton("移除")
        self.add_button.clicked.connect(self.add_requested)
        self.open_button.clicked.connect(lambda: emit_with(self.open_requested, self.selected()))
        self.reveal_button.clicked.connect(lambda: emit_with(self.reveal_requested, self.selected()))
        self.remove_button.clicked.connect(lambda: emit_with(self.remove_requested, self.selected()))
        buttons = button_row(self.add_button, self.open_button, self.reveal_button, self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def show_records(self, records: list[EvidenceRecord]) -> None:
        """Show ``records``, keeping the selected file selected if it is still there."""
        current = self.selected()
        self.model.set_records(records)
        self.hint.setVisible(not records)  # with files listed, the table's tooltip says it
        self.table.setToolTip(self.hint.text())
        if current is not None:
            for row, record in enumerate(records):
                if record.id == current.id:
                    self.table.setCurrentIndex(self.model.index(row, 0))
                    break

    def selected(self) -> EvidenceRecord | None:
        return current_record(self.table, EvidenceRecord)

    def _on_double_click(self, index: QModelIndex) -> None:
        if index.column() != DESCRIPTION_COLUMN:
            self.open_requested.emit(index.data(RECORD_ROLE))

    def _update_buttons(self, *_args: Any) -> None:
        has = self.selected() is not None
        for button in (self.open_button, self.reveal_button, self.remove_button):
            button.setEnabled(has)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: Any) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
