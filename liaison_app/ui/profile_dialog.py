"""The liaison's own profile (unit, name, phone), asked for on first run and editable later."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from liaison_app.store.records import UnitInfo
from liaison_app.ui.unit_picker import UnitPicker

_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ProfileDialog(QDialog):
    def __init__(
        self,
        units: list[UnitInfo],
        unit: str,
        name: str,
        phone: str,
        office_email: str = "",
        first_run: bool = False,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("欢迎使用" if first_run else "联络员信息")
        self.picker = UnitPicker()
        self.picker.set_units(units)
        if unit:
            self.picker.select_unit(unit)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("如:张三")
        self.name.setMaxLength(40)
        self.phone = QLineEdit(phone)
        self.phone.setPlaceholderText("如:023-62988888 或 13800000000")
        self.phone.setMaxLength(20)
        self.office = QLineEdit(office_email)
        self.office.setPlaceholderText("领导小组办公室收报表的邮箱，如 yshj@example.gov.cn")
        self.office.setMaxLength(120)
        self.error = QLabel()
        self.error.setStyleSheet("color:#b3261e")
        form = QFormLayout()
        form.addRow("本单位", self.picker)
        form.addRow("联络员姓名", self.name)
        form.addRow("联系电话", self.phone)
        form.addRow("办公室邮箱", self.office)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if first_run:
            intro = QLabel(
                "请先选择您所在的单位。之后只显示本单位牵头或配合的工作措施。\n"
                "姓名和电话会写入报送给领导小组办公室的报表。"
            )
            intro.setWordWrap(True)
            layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str, str, str]:
        return (
            self.picker.current_unit(),
            self.name.text().strip(),
            self.phone.text().strip(),
            self.office.text().strip(),
        )

    def _accept(self) -> None:
        unit, _name, phone, office = self.values()
        if office and not _EMAIL.match(office):
            self.error.setText("办公室邮箱格式不正确，应类似 name@example.gov.cn。")
            return
        if not unit:
            self.error.setText("请从列表中选择本单位。")
            return
        if phone and not _PHONE.match(phone):
            self.error.setText("联系电话只能包含数字、空格和 + - ( )。")
            return
        self.accept()
