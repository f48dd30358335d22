"""The review of a plan file before it is loaded: counts, units, probable aliases, repairs, deadlines.

Nothing changes until 确认导入. For each new unit whose name is close to a known one the office
chooses: map it to the known unit, or keep it as a new unit.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from liaison_app.plan.importers.common import SOURCE_KINDS
from liaison_app.plan.importers.review import Preview
from liaison_app.vocabulary import Role

STATUS_WORDS = {"known": "已知", "alias": "已知(别称)", "mapped": "指定对应", "new": "新单位"}
KEEP_NEW = "按新单位载入"


class PlanImportDialog(QDialog):
    def __init__(self, preview: Preview, parent: Any = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("导入工作方案:核对")
        self.resize(900, 640)
        c = preview.counts()
        head = QLabel(
            f"<b>《{preview.name}》</b>(编号 {preview.plan_id}，印发日期 {preview.issued_on.isoformat()}，"
            f"来源:{SOURCE_KINDS.get(preview.kind, preview.kind)})<br>"
            f"领域 {c['areas']} 个，目标任务 {c['measures']} 项，工作措施 {c['items']} 条;"
            f"单位 {c['units']} 个(已知 {c['known_units']}，新单位 {c['new_units']}，"
            f"可能是已知单位的 {c['probable_aliases']} 个);有完成时限的 {c['with_deadline']} 条"
        )
        head.setObjectName("plan_import_summary")
        head.setWordWrap(True)

        self.units = QTableWidget(len(preview.units), 5)
        self.units.setObjectName("plan_import_units")
        self.units.setHorizontalHeaderLabels(["单位", "情况", Role.LEAD.label, Role.COOP.label, "对应"])
        self.units.verticalHeader().setVisible(False)
        self.units.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.alias_choices: dict[str, QComboBox] = {}
        for row, unit in enumerate(preview.units):
            written = [w for w in unit.written if w != unit.name]
            name = unit.name + (f"(文中写作:{'、'.join(written)})" if written else "")
            self.units.setItem(row, 0, QTableWidgetItem(name))
            self.units.setItem(row, 1, QTableWidgetItem(STATUS_WORDS.get(unit.status, unit.status)))
            self.units.setItem(row, 2, QTableWidgetItem(str(unit.lead)))
            self.units.setItem(row, 3, QTableWidgetItem(str(unit.coop)))
            if unit.probable:
                choice = QComboBox()
                choice.setObjectName(f"alias_choice_{unit.name}")
                choice.addItem(KEEP_NEW, "")
                for known in unit.probable:
                    choice.addItem(f"即「{known}」", known)
                choice.setToolTip("名称与已知单位相近:选择对应的已知单位，或按新单位载入")
                self.units.setCellWidget(row, 4, choice)
                self.alias_choices[unit.name] = choice
        header = self.units.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)

        self.anomalies = QListWidget()
        self.anomalies.setObjectName("plan_import_anomalies")
        for anomaly in preview.to_dict()["anomalies"]:
            self.anomalies.addItem(f"[{anomaly['label']}] {anomaly['where']}:{anomaly['detail']}")
        self.deadlines = QListWidget()
        self.deadlines.setObjectName("plan_import_deadlines")
        for day, count in sorted(preview.deadlines.items()):
            self.deadlines.addItem(f"{day}  {count} 条")
        self.deadlines.addItem(f"无时限  {preview.no_deadline} 条")

        lower = QSplitter(Qt.Orientation.Horizontal)
        for title, widget in (("修复与推断", self.anomalies), ("完成时限", self.deadlines)):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(QLabel(f"{title}({widget.count()})"))
            box_layout.addWidget(widget)
            lower.addWidget(box)
        lower.setSizes([620, 260])

        self.blocking = QLabel("")
        self.blocking.setObjectName("plan_import_blocking")
        self.blocking.setWordWrap(True)
        self.blocking.setStyleSheet("color: #b00020;")
        if preview.blocking:
            self.blocking.setText("不能载入，须先改正:" + "；".join(preview.blocking))
        self.blocking.setVisible(bool(preview.blocking))

        buttons = QDialogButtonBox()
        self.confirm_button = QPushButton("确认导入")
        self.confirm_button.setObjectName("plan_import_confirm")
        self.confirm_button.setEnabled(preview.loadable)
        self.cancel_button = QPushButton("取消")
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(QLabel("单位(名称与已知单位相近的，请选择对应关系):"))
        layout.addWidget(self.units, 3)
        layout.addWidget(lower, 2)
        layout.addWidget(self.blocking)
        layout.addWidget(QLabel("确认导入前，数据不会有任何改动。"))
        layout.addWidget(buttons)

    def chosen_aliases(self) -> dict[str, str]:
        """名称 → 已知单位 for each probable alias the office mapped (the rest stay new units)."""
        return {
            name: str(choice.currentData())
            for name, choice in self.alias_choices.items()
            if choice.currentData()
        }
