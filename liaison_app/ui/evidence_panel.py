"""The evidence files of the selected item: a table model, buttons, and a drop target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from liaison_app.formatting import human_size
from liaison_app.store.records import EvidenceRecord

HEADERS = ("文件名", "大小", "添加时间", "说明")
DESCRIPTION_COLUMN = 3
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


def local_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class EvidenceModel(QAbstractTableModel):
    description_edited = Signal(object, str)  # EvidenceRecord, new description

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[EvidenceRecord] = []

    def set_records(self, records: list[EvidenceRecord]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def records(self) -> list[EvidenceRecord]:
        return list(self._records)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == DESCRIPTION_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        if role == RECORD_ROLE:
            return record
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (record.original_name, human_size(record.size),
                    record.added_at.strftime("%Y-%m-%d %H:%M"), record.description)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{record.original_name}\n{human_size(record.size)}，报送期 {record.period}\n"
                    f"SHA-256 {record.sha256}\n添加人 {record.added_by or '—'}")
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != DESCRIPTION_COLUMN:
            return False
        self.description_edited.emit(self._records[index.row()], str(value))
        return True  # the window saves it and calls update_record

    def update_record(self, record: EvidenceRecord) -> None:
        for row, current in enumerate(self._records):
            if current.id == record.id:
                self._records[row] = record
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))


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
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)  # a few rows only
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DESCRIPTION_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_click)
        self.hint = QLabel("把文件拖到这里或左侧的条目上，或点“添加文件”。双击“说明”可填写说明。")
        self.hint.setWordWrap(True)
        self.add_button = QPushButton("添加文件…")
        self.open_button = QPushButton("打开")
        self.reveal_button = QPushButton("打开所在文件夹")
        self.remove_button = QPushButton("移除")
        self.add_button.clicked.connect(self.add_requested)
        self.open_button.clicked.connect(lambda: self._emit_selected(self.open_requested))
        self.reveal_button.clicked.connect(lambda: self._emit_selected(self.reveal_requested))
        self.remove_button.clicked.connect(lambda: self._emit_selected(self.remove_requested))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.open_button, self.reveal_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
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
        if current is not None:
            for row, record in enumerate(records):
                if record.id == current.id:
                    self.table.setCurrentIndex(self.model.index(row, 0))
                    break

    def selected(self) -> EvidenceRecord | None:
        record = self.table.currentIndex().data(RECORD_ROLE)
        return record if isinstance(record, EvidenceRecord) else None

    def _emit_selected(self, signal: Any) -> None:
        record = self.selected()
        if record is not None:
            signal.emit(record)

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
