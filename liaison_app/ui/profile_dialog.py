"""Who reports for a unit: the liaison's name, phone and mail, kept per unit (a colleague who
covers another unit keeps that unit's liaison on its reports), and the office's address.

Two ways to ask: :class:`ProfileDialog` (first start and 文件 → 联络员信息) and
:class:`LiaisonBar`, a strip above the items shown when a unit without a liaison is chosen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from liaison_app.store.records import LiaisonProfile, UnitInfo
from liaison_app.ui.dialog_parts import accept_buttons
from liaison_app.ui.unit_picker import UnitPicker

_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def profile_problem(profile: LiaisonProfile) -> str:
    """What is wrong with the typed profile, in Chinese ("" when nothing)."""
    if profile.phone and not _PHONE.match(profile.phone):
        return "联系电话只能包含数字、空格和 + - ( )。"
    if profile.email and not _EMAIL.match(profile.email):
        return "联络员邮箱格式不正确，应类似 name@example.gov.cn。"
    return ""


class _LiaisonFields:
    """Name, phone and mail line edits, shared by the dialog and the bar."""

    def __init__(self) -> None:
        self.name = QLineEdit()
        self.name.setPlaceholderText("如:张三")
        self.name.setMaxLength(40)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("如:023-62988888 或 13800000000")
        self.phone.setMaxLength(20)
        self.email = QLineEdit()
        self.email.setPlaceholderText("如:zhangsan@example.gov.cn")
        self.email.setMaxLength(120)

    def show(self, profile: LiaisonProfile) -> None:
        self.name.setText(profile.name)
        self.phone.setText(profile.phone)
        self.email.setText(profile.email)

    def profile(self, plan_only: bool = False) -> LiaisonProfile:
        return LiaisonProfile(
            self.name.text().strip(), self.phone.text().strip(), self.email.text().strip(), plan_only
        )


class ProfileDialog(QDialog):
    def __init__(
        self,
        units: list[UnitInfo],
        unit: str,
        liaison_of: Callable[[str], LiaisonProfile],
        office_email: str = "",
        first_run: bool = False,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("欢迎使用" if first_run else "联络员信息")
        self.liaison_of = liaison_of
        self.picker = UnitPicker()
        self.picker.set_units(units)
        self.fields = _LiaisonFields()
        self.plan_only = QCheckBox("只用于当前工作方案(本单位在其他方案中由别人联络)")
        self.office = QLineEdit(office_email)
        self.office.setPlaceholderText("领导小组办公室收报表的邮箱，如 yshj@example.gov.cn")
        self.office.setMaxLength(120)
        self.error = QLabel()
        self.error.setStyleSheet("color:#b3261e")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("本单位", self.picker)
        form.addRow("联络员姓名", self.fields.name)
        form.addRow("联系电话", self.fields.phone)
        form.addRow("联络员邮箱", self.fields.email)
        form.addRow("", self.plan_only)
        form.addRow("办公室邮箱", self.office)
        buttons = accept_buttons(self, self._accept)
        layout = QVBoxLayout(self)
        intro = QLabel(
            ("请先选择您所在的单位。之后只显示本单位牵头或配合的工作措施。\n" if first_run else "")
            + "联络员信息按单位分别保存，会写入本单位报送给领导小组办公室的报表封面。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.picker.unit_chosen.connect(self._show_unit)
        self.picker.hint_changed.connect(self.error.setText)
        if unit:
            self.picker.select_unit(unit)
            self._show_unit(unit)

    def _show_unit(self, unit: str) -> None:
        profile = self.liaison_of(unit)
        self.fields.show(profile)
        self.plan_only.setChecked(profile.plan_only)

    def values(self) -> tuple[str, LiaisonProfile, str]:
        return (
            self.picker.current_unit(),
            self.fields.profile(self.plan_only.isChecked()),
            self.office.text().strip(),
        )

    def _accept(self) -> None:
        unit, profile, office = self.values()
        if not unit:
            self.error.setText("请从列表中选择本单位。")
            return
        problem = profile_problem(profile)
        if not problem and office and not _EMAIL.match(office):
            problem = "办公室邮箱格式不正确，应类似 name@example.gov.cn。"
        if problem:
            self.error.setText(problem)
            return
        self.accept()


class LiaisonBar(QFrame):
    """Asks for the liaison of a unit chosen for the first time, without blocking the window."""

    saved = Signal(str, object)  # unit, LiaisonProfile
    dismissed = Signal(str)  # unit

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.unit = ""
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("LiaisonBar { background:#e8f0fe; }")
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.fields = _LiaisonFields()
        self.save_button = QPushButton("保存")
        self.later_button = QPushButton("以后再说")
        self.error = QLabel()
        self.error.setStyleSheet("color:#b3261e")
        self.error.hide()
        self.save_button.clicked.connect(self._save)
        self.later_button.clicked.connect(self._later)
        for edit in (self.fields.name, self.fields.phone, self.fields.email):
            edit.returnPressed.connect(self._save)
        row = QHBoxLayout()
        for label, edit in (
            ("姓名", self.fields.name),
            ("电话", self.fields.phone),
            ("邮箱", self.fields.email),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(edit, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.later_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.prompt)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.hide()

    def ask(self, unit: str) -> None:
        self.unit = unit
        self.prompt.setText(f"第一次选择「{unit}」:请填写本单位的联络员，报表封面会写上这些信息。")
        self.fields.show(LiaisonProfile())
        self.error.hide()
        self.show()

    def _save(self) -> None:
        profile = self.fields.profile()
        problem = "请填写联络员姓名。" if not profile.name else profile_problem(profile)
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.hide()
        self.saved.emit(self.unit, profile)

    def _later(self) -> None:
        self.hide()
        self.dismissed.emit(self.unit)
