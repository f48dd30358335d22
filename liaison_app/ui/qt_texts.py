"""Chinese for the few Qt strings that ship untranslated in qtbase_zh_CN.qm.

Qt's own file dialog (used where the desktop offers none, and on Linux without a GTK theme)
labels "&Look in:" and "Files of &type:", which the catalogue knows only without the "&";
the dialog then mixed English into Chinese. This translator answers for those strings and
returns a null string for the rest, so the .qm catalogue keeps answering for everything else.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTranslator

MISSING: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&I):",
    ("QFileDialog", "Files of &type:"): "文件类型(&T):",
}


class MissingQtTexts(QTranslator):
    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None (a null string) lets Qt ask the next translator; "" would blank every other text
        return MISSING.get((context, source_text))

    def isEmpty(self) -> bool:
        return False


def install_missing_texts(app: Any) -> QTranslator:
    translator = MissingQtTexts(app)
    app.installTranslator(translator)
    return translator
