"""签名密钥: the signing keys the office trusts for each unit (pinned from a unit's first
return, or registered by the office), and revoking one after a confirmation.

The keys come from :class:`UnitKeys` (the service layer); nothing here talks SQL.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from liaison_app.store.keys import UnitKey, UnitKeys
from liaison_app.store.records import ServiceError
from liaison_app.ui.rows_model import Column, RowsModel, current_record, table_view

KEY_COLUMNS: list[Column[UnitKey]] = [
    Column("单位", lambda k: k.unit),
    Column("签名密钥指纹", lambda k: k.fingerprint),
    Column("登记时间", lambda k: f"{k.first_seen:%Y-%m-%d %H:%M}"),
    Column("来源", lambda k: k.source.label),
    Column(
        "状态",
        lambda k: f"已撤销({k.revoked_at:%Y-%m-%d})" if k.revoked_at else "有效",
        highlight=lambda k: k.revoked_at is not None,
    ),
]


class KeysDialog(QDialog):
    """Every key on record, or one unit's; 撤销所选密钥 after a confirmation."""

    def __init__(self, keys: UnitKeys, unit: str | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{unit} 的签名密钥" if unit else "各单位的签名密钥")
        self.resize(820, 360)
        self.keys, self.unit = keys, unit
        self.model = RowsModel(KEY_COLUMNS, self)
        self.view = table_view(self.model, 0)
        self.view.setColumnWidth(1, 330)
        self.revoke_button = QPushButton("撤销所选密钥…")
        self.revoke_button.clicked.connect(self.revoke_selected)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        note = QLabel(
            "办公室接收某单位第一份有签名的报表时，自动登记其签名密钥;此后只采用这些密钥签名的报表。"
            "联络员换了电脑时，请核对新报表封面上的“签名密钥指纹”后接受新密钥;"
            "旧电脑不再使用(或丢失)时撤销其密钥。"
        )
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(self.keys.on_record(self.unit))

    def revoke_selected(self) -> None:
        key = current_record(self.view, UnitKey)
        if key is None or not key.active:
            QMessageBox.information(self, "撤销密钥", "请先在列表中选择一个有效的密钥。")
            return
        answer = QMessageBox.question(
            self,
            "撤销密钥",
            f"撤销 {key.unit} 的签名密钥?\n\n指纹:{key.fingerprint}\n\n"
            "撤销后，用这个密钥签名的报表将被判为“签名不符”，不再采用(已经采用的报表不受影响);"
            "撤销的密钥不能再次登记。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.keys.revoke(key.unit, key.fingerprint)
        except ServiceError as exc:
            QMessageBox.warning(self, "撤销密钥", str(exc))
        self.reload()
