"""This computer's UI state (window geometry, splitter, last folders) in QSettings.

Only settings declared with :data:`~liaison_app.settings.Scope.MACHINE` live here; they never go
into the database, which a second PC or a shared folder would also write.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from liaison_app import APP_NAME, paths
from liaison_app.settings import Scope, Setting


class MachineSettings:
    def __init__(self, file: Path | None = None) -> None:
        file = file or paths.machine_settings_file()
        if file is not None:
            self._store = QSettings(str(file), QSettings.Format.IniFormat)
        else:
            self._store = QSettings(
                QSettings.Format.NativeFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME
            )

    @staticmethod
    def _check(setting: Setting) -> None:
        if setting.scope is not Scope.MACHINE:
            raise ValueError(f"{setting.name} is kept in the database ({setting.scope}), not per machine")

    def get(self, setting: Setting) -> str | int:
        self._check(setting)
        value = self._store.value(setting.name, None)
        return setting.parse(None if value is None else str(value))

    def put(self, setting: Setting, value: str | int) -> None:
        self._check(setting)
        self._store.setValue(setting.name, str(value))
        self._store.sync()

    def get_bytes(self, setting: Setting) -> QByteArray | None:
        text = str(self.get(setting))
        return QByteArray.fromBase64(text.encode("ascii")) if text else None

    def put_bytes(self, setting: Setting, data: QByteArray) -> None:
        self.put(setting, bytes(data.toBase64().data()).decode("ascii"))

    def folder(self, setting: Setting, fallback: Path | None = None) -> str:
        """The folder last used for ``setting`` if it still exists, else ``fallback`` (home)."""
        remembered = str(self.get(setting))
        if remembered and Path(remembered).is_dir():
            return remembered
        return str(fallback or Path.home())

    def remember_folder(self, setting: Setting, folder: Path) -> None:
        self.put(setting, str(folder))


def documents_folder() -> Path:
    """Where exports go the first time: the user's 文档 (Documents) folder."""
    located = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(located) if located else Path.home()
