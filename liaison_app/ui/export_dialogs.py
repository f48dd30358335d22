"""The two dialogs around a report export: the soft check before, and what to do after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class ExportCheckDialog(QDialog):
    """Lists what looks incomplete; the liaison goes back to fix it or exports anyway."""

    go_to_item = Signal(str)

    def __init__(
        self, incomplete: list[tuple[str, str]], titles: dict[str, str] | None = None, parent: Any = None
    ) -> None:
        """``titles`` maps the unit's item ids to their text; other entries are other duties
        (典型案例, 具体措施, 调研报告), counted and shown apart."""
        super().__init__(parent)
        titles = titles or {}
        self.setWindowTitle("导出前检查")
        self.resize(760, 460)
        items = [(code, reason) for code, reason in incomplete if code in titles]
        others = [(code, reason) for code, reason in incomplete if code not in titles]
        counted = "和".join(
            part
            for part in (
                f"{len(items)} 条工作措施" if items else "",
                f"{len(others)} 项其他任务(典型案例、牵头任务)" if others else "",
            )
            if part
        )
        intro = QLabel(
            f"以下{counted}看起来还不完整。可以返回补充，也可以仍然导出——"
            "导出时会把它们列在报表封面上(领导小组办公室更看重说明清楚的缺口)。"
        )
        intro.setWordWrap(True)
        self.intro = intro
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["编号", "工作措施或任务", "不完整之处"])
        for code, reason in items:
            code_item = QStandardItem(code)
            code_item.setData(code, CODE_ROLE)
            title = QStandardItem(titles[code])
            title.setToolTip(titles[code])
            self.model.appendRow([code_item, title, QStandardItem(reason)])
        for label, reason in others:
            self.model.appendRow([QStandardItem("其他任务"), QStandardItem(label), QStandardItem(reason)])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._go_to)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("仍然导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button = buttons.addButton("返回修改", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self._back)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("双击一行可直接跳到该条目。"))
        layout.addWidget(buttons)

    def _go_to(self, index: Any) -> None:
        code = self.model.index(index.row(), 0).data(CODE_ROLE)
        if code:
            self.go_to_item.emit(str(code))
            self.reject()

    def _back(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._go_to(index)
        else:
            self.reject()


class ExportDoneDialog(QDialog):
    """After the export: open it, show its folder, bundle the evidence, mail the office."""

    open_file = Signal()
    open_folder = Signal()
    make_bundle = Signal()
    send_to_office = Signal()

    def __init__(self, path: Path, incomplete: int, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("报表已导出")
        self.path = path
        text = f"已导出:\n{path}"
        if incomplete:
            text += f"\n\n封面已列出导出时尚不完整的 {incomplete} 条。"
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, caption, signal in (
            ("open", "打开文件", self.open_file),
            ("folder", "打开所在文件夹", self.open_folder),
            ("bundle", "生成佐证材料包…", self.make_bundle),
            ("mail", "发送给办公室…", self.send_to_office),
        ):
            button = QPushButton(caption)
            button.clicked.connect(signal)
            row.addWidget(button)
            self.buttons[key] = button
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
