"""The pieces the window's dialogs repeat: a 是/否 question that defaults to 否, and button rows
in Chinese (确定 or 保存 with 取消; 关闭 alone) wired to the dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QMessageBox, QWidget

_Button = QDialogButtonBox.StandardButton


def confirmed(parent: QWidget, title: str, question: str) -> bool:
    """Ask before something that changes records; 否 (the default) or closing answers no."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def accept_buttons(
    dialog: QDialog, accept: Callable[[], None] | None = None, *, save: bool = False
) -> QDialogButtonBox:
    """保存/确定 and 取消 for ``dialog``: the first runs ``accept`` (default: close accepted)."""
    first = _Button.Save if save else _Button.Ok
    buttons = QDialogButtonBox(first | _Button.Cancel)
    buttons.button(first).setText("保存" if save else "确定")
    buttons.button(_Button.Cancel).setText("取消")
    buttons.accepted.connect(accept or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def close_button(on_close: Callable[[], object]) -> QDialogButtonBox:
    """A lone 关闭 button for a dialog that only shows something."""
    buttons = QDialogButtonBox(_Button.Close)
    buttons.button(_Button.Close).setText("关闭")
    buttons.rejected.connect(on_close)
    return buttons


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """``buttons`` side by side from the left, the rest of the row empty."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
