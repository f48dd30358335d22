"""What several test modules share (test modules never import each other)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC_PLAN = REPO / "tests" / "fixtures" / "plans" / "synthetic.plan.json"


def run_cli(data_dir: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a script runs it: a real process, stdout and stderr in UTF-8."""
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_APP_DATA_DIR"}
    folder = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "liaison_app", *folder, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def make_file(folder: Path, name: str, size: int = 4096, seed: int = 1) -> Path:
    """A file of ``size`` bytes whose content depends on ``seed`` (same seed, same bytes)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    block = hashlib.sha256(str(seed).encode()).digest()
    path.write_bytes((block * (size // len(block) + 1))[:size])
    return path


def type_chinese(widget: object, text: str) -> None:
    """Type ``text`` the way a Chinese input method does: one committed string per phrase.

    ``QTest.keyClicks`` only knows ASCII keys (and aborts on others); an IME commits text with
    ``QInputMethodEvent``, which QLineEdit and QPlainTextEdit treat as user input.
    """
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(widget, QWidget)
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


class Dialogs:
    """Stands in for the modal message boxes (a test cannot click them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: Any = None) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.shown: list[tuple[str, str]] = []
        for kind in ("information", "warning", "critical"):
            monkeypatch.setattr(QMessageBox, kind, self._record(kind))
        reply = QMessageBox.StandardButton.Yes if answer is None else answer
        monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: reply)

    def _record(self, kind: str) -> Any:
        from PySide6.QtWidgets import QMessageBox

        def show(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            self.shown.append((title, text))
            return QMessageBox.StandardButton.Ok

        return show


def drop_files(widget: Any, point: Any, files: list[Path]) -> None:
    """Drag ``files`` from a file manager and drop them on ``widget`` at ``point``."""
    from PySide6.QtCore import QMimeData, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    for event_class in (QDragEnterEvent, QDragMoveEvent):
        event = event_class(
            point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(widget, event)
    drop = QDropEvent(
        point.toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)
