"""When the system cannot do what was asked (no mail program, no file manager): say so, say what
to do instead, and give the address or path with a 复制 button beside it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_app.ui.dialog_parts import close_button


class CopyDialog(QDialog):
    def __init__(self, title: str, text: str, values: list[tuple[str, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        message = QLabel(text)
        message.setWordWrap(True)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        for label, value in values:
            field = QLineEdit(value)
            field.setReadOnly(True)
            field.setCursorPosition(0)
            button = QPushButton("复制")
            button.setToolTip(f"复制{label}，再粘贴到需要的地方")
            button.clicked.connect(lambda _checked=False, v=value, b=button: self._copy(v, b))
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(button)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            form.addRow(label, holder)
            self.fields[label] = field
            self.copy_buttons[label] = button
        buttons = close_button(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @staticmethod
    def _copy(value: str, button: QPushButton) -> None:
        clipboard = QApplication.clipboard()
        clipboard.setText(value)
        button.setText("已复制")


def show_copy_dialog(parent: QWidget, title: str, text: str, values: list[tuple[str, str]]) -> CopyDialog:
    """Open (not exec) the dialog: the window stays usable, and it closes with its parent."""
    dialog = CopyDialog(title, text, values, parent)
    dialog.open()
    return dialog
